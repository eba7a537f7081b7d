import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, eventually, registerUser, startTestServer, tempDir, type TestServer } from '../../test/harness.js';
import { commitFiles, git, makeRepo } from '../../test/git-fixtures.js';

const lines = (...l: string[]) => `${l.join('\n')}\n`;
// More lines than the block, so that moving the block below them is a move, not the tail moving up.
const TAIL = [
  '',
  'export const one = 1;',
  'export const two = 2;',
  'export const three = 3;',
  'export const four = 4;',
  'export const five = 5;',
];
const fn = (name: string, body = `return ${name}Value;`) => [
  `export function ${name}(input: number) {`,
  `  const ${name}Value = input * 2;`,
  `  ${body}`,
  '}',
];

describe.each(backends())('threads, tasks and audit on $name', (backend) => {
  let server: TestServer;
  const work = tempDir('hivesync-threads-');
  let owner: Awaited<ReturnType<typeof registerUser>>;
  let member: Awaited<ReturnType<typeof registerUser>>;
  let viewer: Awaited<ReturnType<typeof registerUser>>;
  let projectId: string;
  let remote: string;
  let first: string;

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, token: string, body?: unknown) =>
    server.request({ method, url: `/api/v1${url}`, token, body });
  const sql = (text: string, values: unknown[]) => server.runtime.infra.db.sql.executeSql(text, values);
  // Open threads with no position stored at `commit` (the sync job places them after the sync completes).
  const unplaced = async (commit: string) =>
    (
      await sql(
        `select count(*)::int as n from threads t where t.project_id = $1 and t.state = 'open'
           and not exists (select 1 from thread_positions p where p.thread_id = t.id and p."commit" = $2)`,
        [projectId, commit],
      )
    ).rows[0]!.n as number;
  /** Syncs and waits for the sync job to have placed every open thread at the new commit. */
  const sync = async () => {
    const s = (await api('POST', '/repo/sync', owner.token, { project_id: projectId })).json();
    const done = await eventually(async () => {
      const r = (await api('GET', `/repo/sync/${s.sync_id}`, owner.token)).json();
      return r.status === 'completed' && r;
    });
    await eventually(async () => (await unplaced(done.commit)) === 0);
    return done;
  };

  beforeAll(async () => {
    server = await startTestServer(backend, { HIVESYNC_ALLOW_LOCAL_REPOS: 'true' });
    owner = await registerUser(server);
    member = await registerUser(server, { email: `mia.member.${Date.now()}@example.test` });
    viewer = await registerUser(server);
    remote = makeRepo(path.join(work.dir, 'app'), {
      'src/a.ts': lines('// a', ...fn('alpha'), ''),
      'src/b.ts': lines('// b', ...fn('beta'), ...TAIL),
      'src/c.ts': lines('// c', ...fn('gamma')),
      'src/d.ts': lines('// d', ...fn('delta'), 'export const keep = 1;'),
      'src/e.ts': lines('// e', ...fn('epsilon'), '// a file long enough for rename detection', '// ...', '// ...'),
      'src/f.ts': lines('// f', ...fn('zeta')),
    });
    first = git(remote, 'rev-parse', 'HEAD');
    projectId = (await api('POST', '/projects', owner.token, { name: 'app', repo_url: remote })).json().id;
    await api('POST', `/projects/${projectId}/members`, owner.token, { email: member.email, role: 'member' });
    await api('POST', `/projects/${projectId}/members`, owner.token, { email: viewer.email, role: 'viewer' });
    await sync();
  });
  afterAll(async () => {
    await server?.stop();
    work.remove();
  });

  const thread = async (file: string, start: number, end: number, body = `about ${file}`, token = owner.token) => {
    const res = await api('POST', `/projects/${projectId}/threads`, token, {
      path: file,
      start_line: start,
      end_line: end,
      body,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };

  it('keeps every thread on its code as the code moves, changes, is renamed or deleted', async () => {
    const t = {
      inserted: await thread('src/a.ts', 2, 5),
      moved: await thread('src/b.ts', 2, 5),
      edited: await thread('src/c.ts', 2, 5),
      deleted: await thread('src/d.ts', 2, 5),
      renamed: await thread('src/e.ts', 2, 5),
      fileDeleted: await thread('src/f.ts', 2, 5),
    };
    expect(t.inserted.anchor).toMatchObject({ commit: first, path: 'src/a.ts', start_line: 2, end_line: 5 });
    expect(t.inserted.anchor.text).toBe(fn('alpha').join('\n'));

    commitFiles(remote, {
      'src/a.ts': lines('// a', '// one', '// two', '// three', ...fn('alpha'), ''),
      'src/b.ts': lines('// b', ...TAIL, ...fn('beta')),
      'src/c.ts': lines('// c', ...fn('gamma', 'return gammaValue + 1; // off by one')),
      'src/d.ts': lines('// d', 'export const keep = 1;'),
      'src/f.ts': null,
    });
    git(remote, 'mv', 'src/e.ts', 'src/e-renamed.ts');
    git(remote, 'commit', '-q', '-m', 'rename e');
    const second = (await sync()).commit;

    const all = (await api('GET', `/projects/${projectId}/threads?state=all&limit=100`, owner.token)).json().threads;
    const pos = (id: string) => all.find((x: { thread_id: string }) => x.thread_id === id).position;
    expect(pos(t.inserted.thread_id)).toEqual({
      commit: second,
      path: 'src/a.ts',
      start_line: 5,
      end_line: 8,
      status: 'current',
      reason: null,
    });
    expect(pos(t.moved.thread_id)).toMatchObject({ path: 'src/b.ts', start_line: 8, end_line: 11, status: 'moved' });
    expect(pos(t.edited.thread_id)).toMatchObject({ path: 'src/c.ts', start_line: 2, end_line: 5, status: 'edited' });
    expect(pos(t.deleted.thread_id)).toMatchObject({ path: 'src/d.ts', status: 'outdated', reason: 'deleted' });
    expect(pos(t.renamed.thread_id)).toMatchObject({
      path: 'src/e-renamed.ts',
      start_line: 2,
      end_line: 5,
      status: 'moved',
    });
    expect(pos(t.fileDeleted.thread_id)).toMatchObject({
      path: 'src/f.ts',
      status: 'outdated',
      reason: 'file_deleted',
    });

    // Any commit can be asked for: at the first one, the original place.
    const then = (await api('GET', `/threads/${t.inserted.thread_id}?commit=${first}`, owner.token)).json();
    expect(then.position).toMatchObject({ commit: first, start_line: 2, status: 'current' });
    // Filtering by path uses where the code is now.
    const byPath = (
      await api('GET', `/projects/${projectId}/threads?state=all&limit=100&path=src/e-renamed.ts`, owner.token)
    ).json().threads;
    expect(byPath.map((x: { thread_id: string }) => x.thread_id)).toEqual([t.renamed.thread_id]);

    // A further commit that shifts a.ts again is followed from the last known place.
    commitFiles(remote, { 'src/a.ts': lines('// a', '// zero', '// one', '// two', '// three', ...fn('alpha'), '') });
    await sync();
    const again = (await api('GET', `/threads/${t.inserted.thread_id}`, owner.token)).json();
    expect(again.position).toMatchObject({ start_line: 6, end_line: 9, status: 'current' });
  });

  it('leaves deleted lines outdated instead of latching onto look-alikes, and keeps all lines of a grown block', async () => {
    const nul = [
      'export function a(x?: string) {',
      '  if (!x) {',
      '    return null;',
      '  }',
      '  return x.trim();',
      '}',
      '',
      'export function b(y?: string) {',
      '  return null;',
      '}',
    ];
    commitFiles(remote, { 'src/n.ts': lines(...nul), 'src/g.ts': lines('// g', ...fn('grow'), ...TAIL) });
    await sync();
    const t = {
      ret: await thread('src/n.ts', 3, 3),
      brace: await thread('src/n.ts', 4, 4),
      grown: await thread('src/g.ts', 2, 5),
    };
    commitFiles(remote, {
      'src/n.ts': lines('export function a(x?: string) {', '  return x?.trim();', '}', '', ...nul.slice(7)),
      'src/g.ts': lines(
        '// g',
        ...fn('grow').slice(0, 2),
        '  if (!Number.isFinite(input)) throw new RangeError("input");',
        ...fn('grow').slice(2),
        ...TAIL,
      ),
    });
    const head = (await sync()).commit;
    const all = (await api('GET', `/projects/${projectId}/threads?state=all&limit=100`, owner.token)).json().threads;
    const pos = (id: string) => all.find((x: { thread_id: string }) => x.thread_id === id).position;
    expect(pos(t.ret.thread_id)).toMatchObject({ commit: head, status: 'outdated', reason: 'deleted' });
    expect(pos(t.brace.thread_id)).toMatchObject({ commit: head, status: 'outdated', reason: 'deleted' });
    expect(pos(t.grown.thread_id)).toMatchObject({ commit: head, start_line: 2, end_line: 6, status: 'edited' });
  });

  it('lists many threads with their first comments in a bounded number of queries and no git per thread', async () => {
    const body = Array.from({ length: 40 }, (_, i) => `export const value${i} = compute(${i}, 'item ${i}');`);
    const added = commitFiles(remote, { 'src/many.ts': lines(...body) });
    await sync();
    const made: { thread_id: string }[] = [];
    for (let i = 1; i <= 30; i++) made.push(await thread('src/many.ts', i, i, `note ${i}`));
    await api('POST', `/threads/${made[0]!.thread_id}/replies`, member.token, { body: 'a reply, not the first' });

    const repo = server.runtime.services.threads.repo as unknown as Record<string, (...a: unknown[]) => unknown>;
    // What the threads service asks git for (each a git process or more): counted on the mirror store it uses.
    const mirrors = (
      server.runtime.services.threads as unknown as { mirrors: Record<string, (...a: unknown[]) => unknown> }
    ).mirrors;
    const calls = { repo: 0, git: 0 };
    const restore: (() => void)[] = [];
    const count = (target: Record<string, (...a: unknown[]) => unknown>, names: string[], key: 'repo' | 'git') => {
      for (const name of names) {
        const original = target[name]!;
        target[name] = function (this: unknown, ...args: unknown[]) {
          calls[key]++;
          return original.apply(this, args);
        };
        restore.push(() => {
          target[name] = original;
        });
      }
    };
    const repoMethods = Object.getOwnPropertyNames(Object.getPrototypeOf(repo)).filter((n) => n !== 'constructor');
    count(repo, repoMethods, 'repo');
    count(mirrors, ['readAt', 'fileChange', 'isAncestor', 'hasCommit'], 'git');
    const list = async (query = '') => {
      calls.repo = 0;
      calls.git = 0;
      const res = await api('GET', `/projects/${projectId}/threads?path=src/many.ts${query}`, viewer.token);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().threads;
    };
    try {
      // Positions stored when the threads were made: one query, no git at all.
      const listed = await list();
      expect(listed).toHaveLength(30);
      expect(calls).toEqual({ repo: 1, git: 0 });
      const firstOf = (id: string) => listed.find((x: { thread_id: string }) => x.thread_id === id);
      expect(firstOf(made[0]!.thread_id).first_comment).toMatchObject({
        body: 'note 1',
        author_id: owner.id,
        author_name: expect.any(String),
      });
      expect(firstOf(made[0]!.thread_id).comment_count).toBe(2);
      expect(firstOf(made[29]!.thread_id).first_comment.body).toBe('note 30');

      // A sync places them all at the new commit (in the sync job); listing then reads the stored positions.
      commitFiles(remote, { 'src/many.ts': lines('// new header', ...body) });
      const previous = git(remote, 'rev-parse', 'HEAD~1');
      const head = (await sync()).commit;
      const shifted = await list();
      expect(calls).toEqual({ repo: 1, git: 0 });
      expect(firstOf(made[4]!.thread_id).position.start_line).toBe(5);
      expect(shifted.find((x: { thread_id: string }) => x.thread_id === made[4]!.thread_id).position).toMatchObject({
        commit: head,
        start_line: 6,
        status: 'current',
      });

      // Reads never place threads: with no position stored at the commit (as between a sync and the end of its
      // re-anchoring), a list answers at once with each thread's latest stored position, in one query, no git.
      await sql(`delete from thread_positions where "commit" = $1 and path = 'src/many.ts'`, [head]);
      const pending = await list();
      expect(calls).toEqual({ repo: 1, git: 0 });
      expect(pending).toHaveLength(30);
      for (const [i, t] of made.entries()) {
        const p = pending.find((x: { thread_id: string }) => x.thread_id === t.thread_id).position;
        expect(p).toMatchObject({ start_line: i + 1, status: 'current' });
        expect(p.commit).not.toBe(head);
      }
      expect((await api('GET', `/threads/${made[3]!.thread_id}`, viewer.token)).json().position).toMatchObject({
        start_line: 4,
      });
      expect(calls.git).toBe(0);
      // The sync job's re-anchoring fills them in (git once per file and commit pair, not per thread).
      calls.git = 0;
      expect(await server.runtime.services.threads.repositionAll(projectId, head)).toBe(30);
      expect(calls.git).toBeLessThanOrEqual(5);
      const recomputed = await list();
      for (const [i, t] of made.entries()) {
        const p = recomputed.find((x: { thread_id: string }) => x.thread_id === t.thread_id).position;
        expect(p).toMatchObject({ commit: head, start_line: i + 2, status: 'current' });
      }
      expect(previous).not.toBe(head);
      expect(added).not.toBe(head);
    } finally {
      for (const undo of restore) undo();
    }
  });

  it('pages the thread list: 50 by default, `limit` and `next_cursor` walk it in order with no thread twice', async () => {
    const body = Array.from({ length: 30 }, (_, i) => `export const paged${i} = compute(${i}, 'page ${i}');`);
    commitFiles(remote, { 'src/paged.ts': lines(...body) });
    await sync();
    for (let i = 1; i <= 30; i++) await thread('src/paged.ts', i, i, `paged ${i}`);
    const get = async (query: string) => {
      const res = await api('GET', `/projects/${projectId}/threads?${query}`, viewer.token);
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { threads: { thread_id: string }[]; next_cursor: string | null };
    };
    const whole = await get('path=src/paged.ts&limit=100');
    expect(whole.threads).toHaveLength(30);
    expect(whole.next_cursor).toBeNull();
    const walked: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await get(`path=src/paged.ts&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.threads.length).toBeLessThanOrEqual(7);
      walked.push(...page.threads.map((t) => t.thread_id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(walked).toEqual(whole.threads.map((t) => t.thread_id));
    // No limit: a page of 50 (the project has more open threads than that by now).
    const first = await get('');
    expect(first.threads).toHaveLength(50);
    expect(first.next_cursor).toEqual(expect.any(String));
    const rest = await get(`limit=100&cursor=${first.next_cursor}`);
    const ids = [...first.threads, ...rest.threads].map((t) => t.thread_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await api('GET', `/projects/${projectId}/threads?cursor=bm9wZQ`, viewer.token)).statusCode).toBe(400);
    expect((await api('GET', `/projects/${projectId}/threads?limit=101`, viewer.token)).statusCode).toBe(400);
  });

  it('lists with mine=true only the threads the caller started or has a comment in, paged', async () => {
    const carol = await registerUser(server);
    await api('POST', `/projects/${projectId}/members`, owner.token, { email: carol.email, role: 'viewer' });
    const started = await thread('src/a.ts', 2, 3, 'carol starts', carol.token);
    const repliedTo = await thread('src/b.ts', 2, 2, 'owner asks');
    await api('POST', `/threads/${repliedTo.thread_id}/replies`, carol.token, { body: 'carol answers' });
    const untouched = await thread('src/c.ts', 2, 2, 'owner alone');
    // A comment deleted again is no part taken.
    const withdrawn = await thread('src/c.ts', 3, 3, 'owner again');
    const said = (await api('POST', `/threads/${withdrawn.thread_id}/replies`, carol.token, { body: 'oops' })).json();
    const oops = said.comments.at(-1).comment_id;
    expect((await api('DELETE', `/threads/${withdrawn.thread_id}/comments/${oops}`, carol.token)).statusCode).toBe(204);
    await api('POST', `/threads/${repliedTo.thread_id}/resolve`, owner.token);

    const ids = async (query: string, token = carol.token) => {
      const res = await api('GET', `/projects/${projectId}/threads?${query}`, token);
      expect(res.statusCode, res.body).toBe(200);
      return (res.json().threads as { thread_id: string }[]).map((t) => t.thread_id);
    };
    expect(await ids('mine=true&state=all')).toEqual([started.thread_id, repliedTo.thread_id]);
    expect(await ids('mine=1')).toEqual([started.thread_id]);
    expect(await ids('mine=true&state=resolved')).toEqual([repliedTo.thread_id]);
    const all = await ids('mine=false&state=all&limit=100');
    expect(all).toEqual(expect.arrayContaining([untouched.thread_id, withdrawn.thread_id, started.thread_id]));
    // The owner's own: everything but carol's thread.
    const ownerMine = await ids('mine=true&state=all&limit=100', owner.token);
    expect(ownerMine).toContain(untouched.thread_id);
    expect(ownerMine).not.toContain(started.thread_id);
    // Paged like any list.
    const first = (await api('GET', `/projects/${projectId}/threads?mine=true&state=all&limit=1`, carol.token)).json();
    expect(first.threads.map((t: { thread_id: string }) => t.thread_id)).toEqual([started.thread_id]);
    expect(await ids(`mine=true&state=all&limit=1&cursor=${first.next_cursor}`)).toEqual([repliedTo.thread_id]);
    expect((await api('GET', `/projects/${projectId}/threads?mine=yes`, carol.token)).statusCode).toBe(400);
  });

  it('marks a thread too costly to place within its budget outdated (too_costly), and places it again later', async () => {
    commitFiles(remote, { 'src/costly.ts': lines('// costly', ...fn('costly'), ...TAIL) });
    await sync();
    const t = await thread('src/costly.ts', 2, 5);
    const threads = server.runtime.services.threads;
    const budget = threads.reanchorBudgetMs;
    threads.reanchorBudgetMs = 0;
    try {
      commitFiles(remote, { 'src/costly.ts': lines('// costly', '// inserted', ...fn('costly'), ...TAIL) });
      const head = (await sync()).commit;
      const listed = (await api('GET', `/projects/${projectId}/threads?path=src/costly.ts`, owner.token)).json();
      expect(listed.threads[0].position).toMatchObject({
        commit: head,
        status: 'outdated',
        reason: 'too_costly',
        start_line: 2,
        end_line: 5,
      });
    } finally {
      threads.reanchorBudgetMs = budget;
    }
    // Not final: the next sync places it again, from its anchor.
    commitFiles(remote, {
      'src/costly.ts': lines('// costly', '// inserted', '// and another', ...fn('costly'), ...TAIL),
    });
    const next = (await sync()).commit;
    expect((await api('GET', `/threads/${t.thread_id}`, owner.token)).json().position).toMatchObject({
      commit: next,
      status: 'current',
      reason: null,
      start_line: 4,
      end_line: 7,
    });
  });

  it('refuses lines that are not in the file', async () => {
    const res = await api('POST', `/projects/${projectId}/threads`, owner.token, {
      path: 'src/a.ts',
      start_line: 2,
      end_line: 400,
      body: 'x',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^end_line:/);
    expect(
      (
        await api('POST', `/projects/${projectId}/threads`, owner.token, {
          path: '../etc/passwd',
          start_line: 1,
          body: 'x',
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (await api('POST', `/projects/${projectId}/threads`, owner.token, { path: 'nope.ts', start_line: 1, body: 'x' }))
        .statusCode,
    ).toBe(400);
  });

  it('refuses an anchor over 200 lines or 16 KiB with 413 and says why', async () => {
    commitFiles(remote, {
      'src/big.ts': lines(...Array.from({ length: 300 }, (_, i) => `export const v${i} = ${i};`)),
      'src/wide.ts': lines(...Array.from({ length: 100 }, (_, i) => `export const w${i} = '${'x'.repeat(200)}';`)),
    });
    await sync();
    const create = (file: string, end: number) =>
      api('POST', `/projects/${projectId}/threads`, owner.token, {
        path: file,
        start_line: 1,
        end_line: end,
        body: 'x',
      });
    const long = await create('src/big.ts', 201);
    expect(long.statusCode).toBe(413);
    expect(long.json().error).toMatchObject({ code: 'payload_too_large' });
    expect(long.json().error.message).toMatch(/at most 200 lines/);
    expect((await create('src/big.ts', 200)).statusCode).toBe(201);
    const wide = await create('src/wide.ts', 100);
    expect(wide.statusCode).toBe(413);
    expect(wide.json().error.message).toMatch(/at most 16 KiB/);
  });

  it('lets viewers comment, authors edit and delete only their own comments, and notifies mentions and participants', async () => {
    const t = await thread('src/c.ts', 1, 1, 'is this header right?', viewer.token);
    const reply = await api('POST', `/threads/${t.thread_id}/replies`, member.token, {
      body: `looks fine, @${owner.email} can you confirm?`,
    });
    expect(reply.statusCode).toBe(201);
    const comments = reply.json().comments;
    expect(comments).toHaveLength(2);
    const ownerNotes = (await api('GET', '/notifications?limit=200', owner.token))
      .json()
      .notifications.map((n: { type: string; payload: { thread_id?: string } }) => [n.type, n.payload.thread_id]);
    expect(ownerNotes).toContainEqual(['thread_mention', t.thread_id]);
    const viewerNotes = (await api('GET', '/notifications?limit=200', viewer.token))
      .json()
      .notifications.map((n: { type: string }) => n.type);
    expect(viewerNotes).toContain('thread_reply');
    // by the local part of the email, when it is unambiguous
    await api('POST', `/threads/${t.thread_id}/replies`, owner.token, {
      body: `thanks @${member.email.split('@')[0]}`,
    });
    const memberNotes = (await api('GET', '/notifications?limit=200', member.token))
      .json()
      .notifications.map((n: { type: string }) => n.type);
    expect(memberNotes).toContain('thread_mention');

    const mine = comments[1].comment_id;
    expect(
      (await api('PATCH', `/threads/${t.thread_id}/comments/${mine}`, owner.token, { body: 'hijack' })).statusCode,
    ).toBe(403);
    expect((await api('DELETE', `/threads/${t.thread_id}/comments/${mine}`, viewer.token)).statusCode).toBe(403);
    const edited = await api('PATCH', `/threads/${t.thread_id}/comments/${mine}`, member.token, {
      body: 'looks fine to me',
    });
    expect(edited.json().comments[1]).toMatchObject({ body: 'looks fine to me', deleted: false });
    expect(edited.json().comments[1].edited_at).not.toBeNull();
    expect((await api('DELETE', `/threads/${t.thread_id}/comments/${mine}`, member.token)).statusCode).toBe(204);
    const after = (await api('GET', `/threads/${t.thread_id}`, viewer.token)).json();
    expect(after.comments[1]).toMatchObject({ deleted: true, body: '' });
  });

  it('lets the author or a member resolve, not other viewers; the author or an admin delete', async () => {
    const t = await thread('src/a.ts', 1, 1, 'owner thread', owner.token);
    const other = await registerUser(server);
    await api('POST', `/projects/${projectId}/members`, owner.token, { email: other.email, role: 'viewer' });
    expect((await api('POST', `/threads/${t.thread_id}/resolve`, other.token)).statusCode).toBe(403);
    expect((await api('POST', `/threads/${t.thread_id}/resolve`, member.token)).json().state).toBe('resolved');
    expect((await api('POST', `/threads/${t.thread_id}/reopen`, owner.token)).json().state).toBe('open');
    expect((await api('DELETE', `/threads/${t.thread_id}`, member.token)).statusCode).toBe(403);
    expect((await api('DELETE', `/threads/${t.thread_id}`, owner.token)).statusCode).toBe(204);
    expect((await api('GET', `/threads/${t.thread_id}`, owner.token)).statusCode).toBe(404);
  });

  it('keeps non-members out of threads and tasks (404)', async () => {
    const t = await thread('src/a.ts', 1, 1);
    const task = (await api('POST', `/projects/${projectId}/tasks`, owner.token, { title: 'x' })).json();
    const stranger = await registerUser(server);
    const attempts: [string, string, unknown?][] = [
      ['GET', `/projects/${projectId}/threads`],
      ['POST', `/projects/${projectId}/threads`, { path: 'src/a.ts', start_line: 1, body: 'x' }],
      ['GET', `/threads/${t.thread_id}`],
      ['POST', `/threads/${t.thread_id}/replies`, { body: 'x' }],
      ['POST', `/threads/${t.thread_id}/resolve`],
      ['DELETE', `/threads/${t.thread_id}`],
      ['GET', `/projects/${projectId}/tasks`],
      ['GET', `/tasks/${task.task_id}`],
      ['PATCH', `/tasks/${task.task_id}`, { status: 'done' }],
    ];
    for (const [method, url, body] of attempts) {
      const res = await api(method as 'GET', url, stranger.token, body);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
  });

  it('manages tasks: assignment notifies, assignees must be members, viewers only read', async () => {
    const t = await thread('src/a.ts', 1, 1);
    const created = await api('POST', `/projects/${projectId}/tasks`, owner.token, {
      title: 'Fix the header',
      description: 'see thread',
      assignee_id: member.id,
      thread_id: t.thread_id,
      file: { path: 'src/a.ts', line: 1 },
    });
    expect(created.statusCode).toBe(201);
    const task = created.json();
    expect(task).toMatchObject({
      status: 'todo',
      assignee_id: member.id,
      thread_id: t.thread_id,
      file: { path: 'src/a.ts', line: 1 },
    });
    const notes = (await api('GET', '/notifications?limit=200', member.token)).json().notifications;
    expect(
      notes.find(
        (n: { type: string; payload: { task_id?: string } }) =>
          n.type === 'task_assigned' && n.payload.task_id === task.task_id,
      ),
    ).toBeTruthy();
    const stranger = await registerUser(server);
    expect(
      (await api('POST', `/projects/${projectId}/tasks`, owner.token, { title: 'y', assignee_id: stranger.id }))
        .statusCode,
    ).toBe(400);
    expect((await api('POST', `/projects/${projectId}/tasks`, viewer.token, { title: 'y' })).statusCode).toBe(403);
    expect((await api('PATCH', `/tasks/${task.task_id}`, member.token, { status: 'in_progress' })).json().status).toBe(
      'in_progress',
    );
    const todo = (await api('GET', `/projects/${projectId}/tasks?status=in_progress`, viewer.token)).json().tasks;
    expect(todo.map((x: { task_id: string }) => x.task_id)).toContain(task.task_id);
    expect((await api('DELETE', `/tasks/${task.task_id}`, viewer.token)).statusCode).toBe(403);
    expect((await api('DELETE', `/tasks/${task.task_id}`, member.token)).statusCode).toBe(204);
  });

  it('writes an audit row for each listed action, searchable by admins only and never changed', async () => {
    const fresh = await registerUser(server);
    await api('POST', '/auth/login', '', { email: fresh.email, password: 'wrong password here' });
    await server.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { email: fresh.email, password: fresh.password },
    });
    await api('POST', `/projects/${projectId}/members`, owner.token, { email: fresh.email, role: 'viewer' });
    await api('DELETE', `/projects/${projectId}/members/${fresh.id}`, owner.token);
    await sync();
    const t = await thread('src/a.ts', 1, 1);
    await api('DELETE', `/threads/${t.thread_id}`, owner.token);
    await api('POST', '/admin/canary', server.admin.token, {});
    await api('POST', '/admin/broadcast', server.admin.token, { message: 'maintenance at noon' });
    const created = (await api('POST', '/previews', owner.token, { project_id: projectId, platform: 'web' })).json();
    expect(created.preview_id).toBeTruthy();

    const search = async (q: string) => (await api('GET', `/admin/audit?${q}`, server.admin.token)).json();
    const actions = (await search('limit=500')).entries.map((e: { action: string }) => e.action);
    for (const action of [
      'auth.register',
      'auth.login',
      'auth.login_failed',
      'member.added',
      'member.removed',
      'repo.sync_requested',
      'thread.deleted',
      'admin.canary',
      'admin.broadcast',
      'preview.created',
      'project.created',
    ]) {
      expect(actions, action).toContain(action);
    }
    const failed = (await search(`action=auth.login_failed&actor=${fresh.email}`)).entries;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      actor_id: fresh.id,
      actor_email: fresh.email,
      ip: '127.0.0.1',
      details: { email: fresh.email },
    });
    const members = (await search(`action=member.*&project_id=${projectId}`)).entries.map(
      (e: { action: string }) => e.action,
    );
    expect(new Set(members)).toEqual(new Set(['member.added', 'member.removed']));
    const future = (await search(`from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).entries;
    expect(future).toEqual([]);
    const page1 = await search('limit=3');
    const page2 = await search(`limit=3&cursor=${page1.next_cursor}`);
    expect(page2.entries[0].id).not.toBe(page1.entries[0].id);
    expect(Number(page2.entries[0].id)).toBeLessThan(Number(page1.entries.at(-1).id));

    expect((await api('GET', '/admin/audit', owner.token)).statusCode).toBe(404);
    const id = page1.entries[0].id;
    expect((await api('DELETE', `/admin/audit/${id}`, server.admin.token)).statusCode).toBe(404);
    expect((await api('PATCH', `/admin/audit/${id}`, server.admin.token, { action: 'x' })).statusCode).toBe(404);
    await expect(
      server.runtime.infra.db.sql.executeSql(`update audit_log set action = 'forged' where id = $1`, [Number(id)]),
    ).rejects.toThrow(/append-only/);
    await expect(
      server.runtime.infra.db.sql.executeSql(`delete from audit_log where id = $1`, [Number(id)]),
    ).rejects.toThrow(/append-only/);
  });
});
