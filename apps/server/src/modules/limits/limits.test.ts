import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo } from '../../test/git-fixtures.js';
import { backends, registerUser, startTestServer, tempDir, type TestServer } from '../../test/harness.js';

describe.each(backends())('per-user limits on $name', (backend) => {
  let server: TestServer;
  const work = tempDir('hivesync-limits-');
  beforeAll(async () => {
    server = await startTestServer(backend, {
      HIVESYNC_LIMIT_SEARCH_PER_MINUTE: '3',
      HIVESYNC_LIMIT_SYNCS_PER_MINUTE: '1',
      HIVESYNC_ALLOW_LOCAL_REPOS: 'true',
    });
  });
  afterAll(async () => {
    await server?.stop();
    work.remove();
  });

  it('refuses a user past their budget with 429 and Retry-After, leaves others alone, and counts the refusal', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const repo = makeRepo(path.join(work.dir, 'r'), { 'a.txt': 'hello\n' });
    const project = await server.request({
      method: 'POST',
      url: '/api/v1/projects',
      token: alice.token,
      body: { name: 'limited', repo_url: repo },
    });
    const id = project.json().id as string;
    const search = (token: string) =>
      server.request({ method: 'GET', url: `/api/v1/repo/search?project_id=${id}&q=hello`, token });

    // Each search spends from the budget whatever it answers (here 409: not synced yet).
    for (let i = 0; i < 3; i++) expect((await search(alice.token)).statusCode).toBe(409);
    const refused = await search(alice.token);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Bob's budget is his own (a non-member: 404, not 429).
    expect((await search(bob.token)).statusCode).toBe(404);

    const sync = () =>
      server.request({ method: 'POST', url: '/api/v1/repo/sync', token: alice.token, body: { project_id: id } });
    expect((await sync()).statusCode).toBe(202);
    expect((await sync()).statusCode).toBe(429);

    const counted = await server.runtime.services.limits.repo.refusalsSince(new Date(Date.now() - 120_000));
    expect(counted.map((r) => ({ limit: r.limitName, route: r.route, user: r.userId, count: r.count }))).toEqual(
      expect.arrayContaining([
        { limit: 'search', route: 'GET /api/v1/repo/search', user: alice.id, count: 1 },
        { limit: 'syncs', route: 'POST /api/v1/repo/sync', user: alice.id, count: 1 },
      ]),
    );
  });
});
