import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, eventually, registerUser, startTestServer, tempDir, type TestServer } from '../../test/harness.js';
import { commitFiles, git, makeRepo } from '../../test/git-fixtures.js';
import { BUS_PROJECT_ACCESS_CHANGED } from '../projects/projects.service.js';
import { cloneTestRepo, skipWithoutTestRepos } from '../../test/test-repos.js';

const ENV = {
  HIVESYNC_ALLOW_LOCAL_REPOS: 'true',
  HIVESYNC_SYNC_RETRY_LIMIT: '1',
  HIVESYNC_SYNC_RETRY_DELAY_SECONDS: '0',
  HIVESYNC_SEARCH_KEEP_COMMITS: '2',
};

interface Match {
  path: string;
  line: number;
  column: number;
  text: string;
  ranges?: [number, number][];
  before?: string[];
  after?: string[];
}

describe.each(backends())('code search through the index on $name', (backend) => {
  let server: TestServer;
  let owner: { token: string; id: string };
  const work = tempDir('hivesync-search-');

  beforeAll(async () => {
    server = await startTestServer(backend, ENV);
    owner = await registerUser(server);
  });
  afterAll(async () => {
    await server?.stop();
    work.remove();
  });

  const api = (method: 'GET' | 'POST', url: string, token = owner.token, body?: unknown) =>
    server.request({ method, url: `/api/v1${url}`, token, body });
  const search = (id: string, params: Record<string, string | number | boolean>) =>
    api(
      'GET',
      `/repo/search?${new URLSearchParams({ project_id: id, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) })}`,
    );

  async function projectFor(remote: string): Promise<string> {
    const res = await api('POST', '/projects', owner.token, { name: path.basename(remote), repo_url: remote });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  }

  async function syncAndWait(projectId: string) {
    const started = await api('POST', '/repo/sync', owner.token, { project_id: projectId });
    expect(started.statusCode, started.body).toBe(202);
    const id = started.json().sync_id;
    return eventually(async () => {
      const s = (await api('GET', `/repo/sync/${id}`)).json();
      return ['completed', 'failed'].includes(s.status) && s;
    }, 60_000);
  }

  const indexOf = async (projectId: string) => (await server.runtime.services.codeSearch.indexOf(projectId))!;

  describe('a small repository', () => {
    let id: string;
    let remote: string;
    let first: string;
    beforeAll(async () => {
      remote = makeRepo(path.join(work.dir, 'small'), {
        'README.md': '# Demo\nHello mirror\n',
        'src/index.ts':
          'export const answer = 42;\nexport function greet(name: string) {\n  return `hello ${name}`;\n}\n',
        'src/util/math.ts': 'export const add = (a: number, b: number) => a + b;\n// adder\n',
        'lib/old.js': 'module.exports = function add(a, b) { return a + b; };\n',
        'long.txt': `${'a'.repeat(100_000)}\n`,
      });
      first = git(remote, 'rev-parse', 'HEAD');
      commitFiles(remote, { 'docs/guide.md': 'Call greet() to say hello.\n' });
      id = await projectFor(remote);
      expect((await syncAndWait(id)).status).toBe('completed');
    });

    it('answers literal, regex, word, glob, language and context queries from the index', async () => {
      const literal = await search(id, { q: 'hello ${' });
      expect(literal.statusCode, literal.body).toBe(200);
      expect(literal.headers['x-hivesync-search-engine']).toBe('index');
      expect(literal.json()).toMatchObject({
        truncated: false,
        next: null,
        timed_out: false,
        scan: false,
        matches: [{ path: 'src/index.ts', line: 3, column: 11, text: '  return `hello ${name}`;', ranges: [[10, 18]] }],
      });
      const paths = async (params: Record<string, string | number | boolean>) =>
        ((await search(id, params)).json().matches as Match[]).map((m) => `${m.path}:${m.line}`);
      expect(await paths({ q: 'export (const|function) [a-z]+', regex: true })).toEqual([
        'src/index.ts:1',
        'src/index.ts:2',
        'src/util/math.ts:1',
      ]);
      expect(await paths({ q: 'add', word: true })).toEqual(['lib/old.js:1', 'src/util/math.ts:1']);
      expect(await paths({ q: 'add', glob: '*.ts' })).toEqual(['src/util/math.ts:1', 'src/util/math.ts:2']);
      expect(await paths({ q: 'add', glob: 'src/**' })).toEqual(['src/util/math.ts:1', 'src/util/math.ts:2']);
      expect(await paths({ q: 'add', lang: 'javascript' })).toEqual(['lib/old.js:1']);
      expect(await paths({ q: 'HELLO', ignore_case: true, path: 'docs' })).toEqual(['docs/guide.md:1']);
      const context = (await search(id, { q: 'function greet', context: 1 })).json().matches[0] as Match;
      expect(context).toMatchObject({ before: ['export const answer = 42;'], after: ['  return `hello ${name}`;'] });
    });

    it('finds files by name', async () => {
      const res = (await search(id, { q: 'util/', files: true })).json();
      expect(res.files).toEqual([{ path: 'src/util/math.ts', lang: 'typescript', ranges: [[4, 9]] }]);
      expect(res.matches).toEqual([]);
    });

    it('pages with a stable cursor', async () => {
      const all = (await search(id, { q: 'a', limit: 1000 })).json().matches as Match[];
      const paged: Match[] = [];
      let cursor: string | undefined;
      do {
        const page = (await search(id, { q: 'a', limit: 2, ...(cursor && { cursor }) })).json();
        paged.push(...page.matches);
        cursor = page.next ?? undefined;
      } while (cursor);
      expect(paged).toEqual(all);
      const foreign = await search(id, { q: 'b', cursor: (await search(id, { q: 'a', limit: 1 })).json().next });
      expect(foreign.statusCode).toBe(400);
    });

    it('refuses bad input with 400 and answers a catastrophic regex at once', async () => {
      const bad: [Record<string, string | number | boolean>, RegExp][] = [
        [{ q: '' }, /q/],
        [{ q: 'x'.repeat(1001) }, /q/],
        [{ q: 'a(b', regex: true }, /^q: not a valid regular expression \(.*missing closing \)/],
        [{ q: '(e)x\\1', regex: true }, /^q: not a valid regular expression/],
        [{ q: 'x', path: '../../etc' }, /path/],
        [{ q: 'x', lang: 'klingon' }, /lang/],
        [{ q: 'x', glob: '{a' }, /glob/],
        [{ q: 'x', commit: 'HEAD' }, /commit/],
      ];
      for (const [params, message] of bad) {
        const res = await search(id, params);
        expect(res.statusCode, JSON.stringify(params)).toBe(400);
        expect(res.json().error.code).toBe('validation_error');
        expect(res.json().error.message, JSON.stringify(params)).toMatch(message);
      }
      const started = Date.now();
      const res = await search(id, { q: '(a*)*z', regex: true });
      expect(res.statusCode).toBe(200);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(res.json()).toMatchObject({ scan: true, matches: [] });
    });

    // Searches believe a member's role for a few seconds (requireProjectAccess): a removal must still count at once,
    // in this process and, over the event bus, in every other one.
    it('answers 404 to a member as soon as they are removed, here or in another process', async () => {
      const member = await registerUser(server);
      const asMember = () =>
        api('GET', `/repo/search?${new URLSearchParams({ project_id: id, q: 'hello' })}`, member.token);
      const add = () => api('POST', `/projects/${id}/members`, owner.token, { email: member.email, role: 'viewer' });
      expect((await add()).statusCode).toBe(201);
      expect((await asMember()).statusCode).toBe(200);
      const removed = await server.request({
        method: 'DELETE',
        url: `/api/v1/projects/${id}/members/${member.id}`,
        token: owner.token,
      });
      expect(removed.statusCode).toBe(204);
      expect((await asMember()).statusCode).toBe(404);

      // Removed by another process: the row goes, and its message arrives on the bus.
      expect((await add()).statusCode).toBe(201);
      expect((await asMember()).statusCode).toBe(200);
      await server.runtime.infra.db.sql.executeSql(
        'delete from project_members where project_id = $1 and user_id = $2',
        [id, member.id],
      );
      await server.runtime.infra.bus.publish({ kind: BUS_PROJECT_ACCESS_CHANGED, body: { project_id: id } });
      expect((await asMember()).statusCode).toBe(404);
    });

    it('answers 409 index_missing for a commit that is not indexed, and indexes it', async () => {
      const res = await search(id, { q: 'adder', commit: first });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().error).toMatchObject({ code: 'index_missing', retryable: true });
      expect(res.headers['retry-after']).toBe('5');
      const later = await eventually(async () => {
        const r = await search(id, { q: 'greet', commit: first });
        return r.statusCode === 200 ? (r.json() as { matches: Match[] }) : undefined;
      }, 30_000);
      // That commit has no docs/guide.md.
      expect(later.matches.map((m) => m.path)).toEqual(['src/index.ts']);
      const missing = await search(id, { q: 'x', commit: 'f'.repeat(40) });
      expect(missing.statusCode).toBe(404);
    });

    it('indexes only new blobs on a sync, and keeps HIVESYNC_SEARCH_KEEP_COMMITS commits (and pinned ones)', async () => {
      // An open thread at the first commit keeps it indexed.
      const thread = await api('POST', `/projects/${id}/threads`, owner.token, {
        path: 'src/index.ts',
        start_line: 2,
        commit: first,
        body: 'keep this commit searchable',
      });
      expect(thread.statusCode, thread.body).toBe(201);
      const before = await (await indexOf(id)).stats();
      commitFiles(remote, { 'docs/guide.md': 'Call greet() to say hello again.\n' });
      const second = git(remote, 'rev-parse', 'HEAD');
      expect(await syncAndWait(id)).toMatchObject({ status: 'completed', commit: second });
      const after = await (await indexOf(id)).stats();
      // One blob changed: one new blob indexed, nothing else read.
      expect(after.blobs - before.blobs).toBeLessThanOrEqual(1);
      expect((await search(id, { q: 'hello again' })).json().matches).toHaveLength(1);
      commitFiles(remote, { 'docs/guide.md': 'Third.\n' });
      expect((await syncAndWait(id)).status).toBe('completed');
      // Keep 2 (the first sync's commit has been collected), plus the one the open thread was made at.
      const kept = await (await indexOf(id)).commits();
      expect(kept).toHaveLength(3);
      expect(kept).toContain(first);
      expect((await search(id, { q: 'greet', commit: first })).statusCode).toBe(200);
      // Resolved, it no longer pins the commit: the next sync collects it.
      expect((await api('POST', `/threads/${thread.json().thread_id}/resolve`)).statusCode).toBe(200);
      commitFiles(remote, { 'docs/guide.md': 'Fourth.\n' });
      expect((await syncAndWait(id)).status).toBe('completed');
      expect(await (await indexOf(id)).commits()).not.toContain(first);
      expect((await search(id, { q: 'greet', commit: first })).statusCode).toBe(409);
    });

    it('removes the old shard index and rebuilds a missing index on start-up', async () => {
      const view = (await server.runtime.services.repo.mirrors.current(id))!;
      const gen = path.dirname(view.gitDir);
      fs.mkdirSync(path.join(gen, 'search', view.commit), { recursive: true });
      fs.writeFileSync(path.join(gen, 'search', view.commit, '0000.txt'), 'old shard');
      fs.rmSync(path.join(path.dirname(gen), 'search-index'), { recursive: true, force: true });
      const outcome = await server.runtime.services.codeSearch.reconcile();
      expect(outcome.removed_shard_indexes).toBeGreaterThanOrEqual(1);
      expect(outcome.queued).toBeGreaterThanOrEqual(1);
      expect(fs.existsSync(path.join(gen, 'search'))).toBe(false);
      await eventually(async () => (await search(id, { q: 'Fourth' })).statusCode === 200, 30_000);
    });
  });

  describe.skipIf(skipWithoutTestRepos('express'))('express', () => {
    it('answers like git grep at the synced commit', async () => {
      const bare = cloneTestRepo('express', work.dir);
      const id = await projectFor(bare);
      const sync = await syncAndWait(id);
      expect(sync.status).toBe('completed');
      const grep = (flags: string[], q: string) => {
        let out = '';
        try {
          out = execFileSync(
            'git',
            ['--git-dir', bare, 'grep', '-n', '--column', '-I', ...flags, '-e', q, sync.commit],
            {
              encoding: 'utf8',
              maxBuffer: 1 << 26,
            },
          );
        } catch (err) {
          if ((err as { status?: number }).status !== 1) throw err;
        }
        return out
          .split('\n')
          .filter(Boolean)
          .map((l) =>
            l
              .slice(sync.commit.length + 1)
              .split(':')
              .slice(0, 3)
              .join(':'),
          );
      };
      for (const [params, flags] of [
        [{ q: 'res.send(' }, ['-F']],
        [{ q: 'req\\.(query|params)\\b', regex: true }, ['-P']],
        [{ q: 'content-type', ignore_case: true }, ['-F', '-i']],
      ] as const) {
        const res = (await search(id, { ...params, limit: 10_000 })).json();
        const ours = (res.matches as Match[]).map((m) => `${m.path}:${m.line}:${m.column}`);
        expect(ours.length).toBeGreaterThan(0);
        expect(ours, params.q).toEqual(grep([...flags], params.q));
        const counted = (await search(id, { ...params, count: true })).json();
        expect(counted).toMatchObject({ count: ours.length, matches: [] });
      }
    }, 120_000);
  });
});
