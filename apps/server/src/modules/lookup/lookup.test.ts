import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LookupKind } from '@hivesync/core';
import { aiJobs, previews, repoSyncs, suggestions, threads } from '../../db/schema.js';
import { backends, createProject, registerUser, startTestServer, type TestServer } from '../../test/harness.js';

// Ids chosen so that prefixes are unique, shared or foreign on purpose (real ones are random UUIDs).
const id = (head: string, n: number) => `${head}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const COMMIT = 'a'.repeat(40);

describe.each(backends())('GET /lookup on $name', (backend) => {
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof registerUser>>;
  let stranger: Awaited<ReturnType<typeof registerUser>>;
  let mine: string;
  let theirs: string;

  const lookup = (query: string, token = owner.token) =>
    server.request({ method: 'GET', url: `/api/v1/lookup?${query}`, token });

  /** Test data straight into the tables: one row of `kind` with `rowId` in `projectId`. */
  async function insert(kind: LookupKind, rowId: string, projectId: string): Promise<void> {
    const orm = server.runtime.infra.db.orm;
    const job = async (jobId: string) =>
      orm
        .insert(aiJobs)
        .values({ id: jobId, projectId, action: 'refactor', params: {}, status: 'queued', commit: COMMIT });
    switch (kind) {
      case 'thread':
        await orm.insert(threads).values({
          id: rowId,
          projectId,
          state: 'open',
          path: 'a.ts',
          commit: COMMIT,
          startLine: 1,
          endLine: 1,
          anchorText: 'x',
        });
        return;
      case 'job':
        await job(rowId);
        return;
      case 'suggestion': {
        const jobId = `job-of-${rowId}`;
        await job(jobId);
        await orm
          .insert(suggestions)
          .values({ id: rowId, jobId, projectId, description: 'd', files: [], patch: '', state: 'proposed' });
        return;
      }
      case 'preview':
        await orm.insert(previews).values({
          id: rowId,
          projectId,
          platform: 'web',
          status: 'consumed',
          code: rowId.slice(0, 8),
          uploadKey: `uploads/${rowId}`,
          expiresAt: new Date(Date.now() + 60_000),
        });
        return;
      case 'sync':
        await orm.insert(repoSyncs).values({ id: rowId, projectId, trigger: 'manual', status: 'completed' });
    }
  }

  beforeAll(async () => {
    server = await startTestServer(backend);
    owner = await registerUser(server);
    stranger = await registerUser(server);
    mine = (await createProject(server, owner.token, 'mine')).id;
    theirs = (await createProject(server, stranger.token, 'theirs')).id;
    const kinds: LookupKind[] = ['thread', 'suggestion', 'job', 'preview', 'sync'];
    for (const [i, kind] of kinds.entries()) {
      await insert(kind, id(`1000000${i}`, 1), mine);
      // Two of mine share the first eight characters.
      await insert(kind, id(`2000000${i}`, 1), mine);
      await insert(kind, id(`2000000${i}`, 2), mine);
      // One that only another user's project holds, and one that both theirs and mine start with.
      await insert(kind, id(`3000000${i}`, 1), theirs);
      await insert(kind, id(`4000000${i}`, 1), theirs);
      await insert(kind, id(`4000000${i}`, 2), mine);
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each([
    ['thread', 0],
    ['suggestion', 1],
    ['job', 2],
    ['preview', 3],
    ['sync', 4],
  ] as const)('resolves a unique prefix of a %s to its full id (upper case too)', async (kind, i) => {
    const full = id(`1000000${i}`, 1);
    for (const prefix of [full.slice(0, 8), full.slice(0, 13).toUpperCase(), full]) {
      const res = await lookup(`kind=${kind}&prefix=${prefix}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ kind, id: full });
    }
  });

  it('answers 409 conflict with the full ids of the candidates when a prefix is ambiguous', async () => {
    const res = await lookup('kind=thread&prefix=20000000');
    expect(res.statusCode).toBe(409);
    const { error } = res.json();
    expect(error).toMatchObject({
      code: 'conflict',
      message: 'The prefix 20000000 matches 2 threads; give more characters of the id.',
      details: { kind: 'thread', prefix: '20000000', candidates: [id('20000000', 1), id('20000000', 2)] },
    });
    // More characters settle it.
    expect((await lookup(`kind=thread&prefix=${id('20000000', 2).slice(0, 36)}`)).json()).toEqual({
      kind: 'thread',
      id: id('20000000', 2),
    });
  });

  it('never reveals another project: a prefix only it matches is 404, and its resources do not count', async () => {
    const foreign = await lookup('kind=suggestion&prefix=30000001');
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error).toMatchObject({ code: 'not_found', message: 'The suggestion was not found.' });
    // 40000001… starts one suggestion of theirs and one of mine: mine alone, no conflict.
    expect((await lookup('kind=suggestion&prefix=40000001')).json()).toEqual({
      kind: 'suggestion',
      id: id('40000001', 2),
    });
    // The other user sees theirs and not mine.
    expect((await lookup('kind=suggestion&prefix=40000001', stranger.token)).json()).toEqual({
      kind: 'suggestion',
      id: id('40000001', 1),
    });
    expect((await lookup('kind=suggestion&prefix=10000001', stranger.token)).statusCode).toBe(404);
    expect((await lookup('kind=thread&prefix=ffffffff')).statusCode).toBe(404);
  });

  it.each([
    ['a prefix shorter than 8 characters', 'kind=thread&prefix=1000000'],
    ['characters other than hex digits and dashes', 'kind=thread&prefix=1000000g'],
    ['a LIKE wildcard', 'kind=thread&prefix=1000000%25'],
    ['more than 36 characters', `kind=thread&prefix=${'1'.repeat(37)}`],
    ['an unknown kind', 'kind=task&prefix=10000000'],
    ['no prefix', 'kind=thread'],
  ])('answers 400 validation_error for %s', async (_case, query) => {
    const res = await lookup(query);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('validation_error');
  });

  it('is in the OpenAPI document, with its query and answers', async () => {
    const res = await server.request({ method: 'GET', url: '/api/v1/openapi.json', token: owner.token });
    expect(res.statusCode).toBe(200);
    const get = res.json().paths['/api/v1/lookup'].get;
    expect(get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['kind', 'prefix']);
    expect(Object.keys(get.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
  });

  it('needs a session', async () => {
    const res = await server.request({ method: 'GET', url: '/api/v1/lookup?kind=thread&prefix=10000000' });
    expect(res.statusCode).toBe(401);
  });
});
