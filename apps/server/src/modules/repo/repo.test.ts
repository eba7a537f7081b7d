import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  createProject,
  eventually,
  registerUser,
  startTestServer,
  tempDir,
  type TestServer,
} from '../../test/harness.js';
import {
  addLinkAndSubmodule,
  commitFiles,
  corruptObject,
  git,
  makeRepo,
  startGitHttpServer,
  type GitHttpServer,
} from '../../test/git-fixtures.js';

const REPO_ENV = {
  HIVESYNC_ALLOW_LOCAL_REPOS: 'true',
  HIVESYNC_ALLOW_HTTP_REPOS: 'true',
  HIVESYNC_SYNC_RETRY_LIMIT: '1',
  HIVESYNC_SYNC_RETRY_DELAY_SECONDS: '0',
  HIVESYNC_SCHEDULER_INTERVAL_SECONDS: '1',
  HIVESYNC_MAX_FILE_BYTES: '4096',
  // The git servers of these tests listen on loopback; the checks of internal addresses have their own server below.
  HIVESYNC_ALLOW_PRIVATE_REMOTES: 'true',
  HIVESYNC_SEARCH_CACHE_BYTES: String(256 * 1024),
  HIVESYNC_SEARCH_PAGE_CACHE_BYTES: String(1024 * 1024),
  HIVESYNC_SEARCH_MAX_RESPONSE_BYTES: String(64 * 1024),
};

describe.each(backends())('repo mirrors on $name', (backend) => {
  let server: TestServer;
  let owner: { token: string; id: string; email: string };
  const work = tempDir('hivesync-remotes-');
  let http: GitHttpServer;
  const TOKEN = 'ghp_supersecret_test_token_123';

  beforeAll(async () => {
    server = await startTestServer(backend, REPO_ENV);
    owner = await registerUser(server);
    http = await startGitHttpServer(work.dir, { username: 'git', token: TOKEN });
  });
  afterAll(async () => {
    await http?.close();
    await server?.stop();
    work.remove();
  });

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, token: string, body?: unknown) =>
    server.request({ method, url: `/api/v1${url}`, token, body });

  async function projectFor(remote: string, branch = 'main', token = owner.token): Promise<string> {
    const res = await api('POST', '/projects', token, { name: path.basename(remote), repo_url: remote, branch });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  }

  async function syncAndWait(projectId: string, token = owner.token) {
    const started = await api('POST', '/repo/sync', token, { project_id: projectId });
    expect(started.statusCode, started.body).toBe(202);
    const id = started.json().sync_id;
    return eventually(async () => {
      const s = (await api('GET', `/repo/sync/${id}`, token)).json();
      return ['completed', 'failed'].includes(s.status) && s;
    }, 30_000);
  }

  function sampleRepo(name: string): string {
    const repo = makeRepo(path.join(work.dir, name), {
      'README.md': '# Demo\nHello mirror\n',
      'src/index.ts':
        'export const answer = 42;\nexport function greet(name: string) {\n  return `hello ${name}`;\n}\n',
      'src/util/math.ts': 'export const add = (a: number, b: number) => a + b;\n',
      'assets/logo.bin': Buffer.from([0, 1, 2, 3, 255, 0, 10]),
      'big.txt': 'x'.repeat(5000),
    });
    addLinkAndSubmodule(repo, '/etc/passwd');
    return repo;
  }

  it('refuses remote-helper, option-like and other unsafe repository URLs and branches', async () => {
    const bad = [
      'ext::sh -c touch% /tmp/pwned',
      'fd::17',
      '-oProxyCommand=touch /tmp/pwned',
      '--upload-pack=touch /tmp/pwned',
      'https://example.test/re\npo.git',
      'git@-oProxyCommand:repo.git',
      'ssh://-oProxyCommand=touch/repo.git',
      'ftp://example.test/repo.git',
      'relative/path',
    ];
    for (const repo_url of bad) {
      const res = await api('POST', '/projects', owner.token, { name: 'x', repo_url });
      expect(res.statusCode, repo_url).toBe(400);
      expect(res.json().error.message, repo_url).toMatch(/^repo_url: /);
    }
    for (const repo_url of ['https://user:token@example.test/repo.git', 'https://ghp_abc123@github.com/o/r.git']) {
      const res = await api('POST', '/projects', owner.token, { name: 'x', repo_url });
      expect(res.statusCode, repo_url).toBe(400);
      expect(res.json().error.code).toBe('repo_url_forbidden');
      expect(res.json().error.message).toMatch(/store them as the project credential instead/);
      expect(res.body).not.toMatch(/token@|ghp_abc123/);
    }
    for (const branch of ['--upload-pack=touch /tmp/x', '-b', 'a..b', '@{-1}', 'has space', 'ends.lock', 'x~1']) {
      const res = await api('POST', '/projects', owner.token, {
        name: 'x',
        repo_url: 'https://example.test/r.git',
        branch,
      });
      expect(res.statusCode, branch).toBe(400);
      expect(res.json().error.message, branch).toMatch(/^branch: /);
    }
    for (const repo_url of [
      'https://github.com/org/repo.git',
      'ssh://git@example.test:2222/org/repo.git',
      'git@github.com:org/repo.git',
      'git://example.test/repo.git',
    ]) {
      expect(
        (await api('POST', '/projects', owner.token, { name: 'ok', repo_url, branch: 'feature/x-1' })).statusCode,
        repo_url,
      ).toBe(201);
    }
    const { id } = await createProject(server, owner.token);
    expect((await api('PATCH', `/projects/${id}`, owner.token, { branch: '--orphan' })).statusCode).toBe(400);
    expect((await api('PATCH', `/projects/${id}`, owner.token, { repo_url: 'ext::x' })).statusCode).toBe(400);
  });

  it('answers reads before the first sync with 409 repo_not_synced', async () => {
    const id = await projectFor(sampleRepo('unsynced'));
    for (const url of [
      `/repo/tree?project_id=${id}`,
      `/repo/file?project_id=${id}&path=README.md`,
      `/repo/search?project_id=${id}&q=x`,
      `/projects/${id}/manifest`,
    ]) {
      const res = await api('GET', url, owner.token);
      expect(res.statusCode, url).toBe(409);
      expect(res.json().error.code).toBe('repo_not_synced');
    }
  });

  describe('a synced mirror', () => {
    let id: string;
    let remote: string;
    let head: string;
    beforeAll(async () => {
      remote = sampleRepo('sample');
      head = git(remote, 'rev-parse', 'HEAD');
      id = await projectFor(remote);
      const sync = await syncAndWait(id);
      expect(sync, JSON.stringify(sync)).toMatchObject({ status: 'completed', commit: head, attempts: 1, error: null });
      expect(sync.duration_ms).toBeGreaterThanOrEqual(0);
    });

    it('records the commit on the project and notifies the requester', async () => {
      const project = (await api('GET', `/projects/${id}`, owner.token)).json();
      expect(project).toMatchObject({ last_commit: head, credential: 'not set' });
      const types = (await api('GET', '/notifications?limit=200', owner.token))
        .json()
        .notifications.filter((n: { project_id: string }) => n.project_id === id)
        .map((n: { type: string; payload: Record<string, unknown> }) => [n.type, n.payload]);
      expect(types).toContainEqual(['repo_sync_started', expect.objectContaining({ sync_id: expect.any(String) })]);
      expect(types).toContainEqual(['repo_sync_success', expect.objectContaining({ commit: head })]);
      expect(JSON.stringify(types)).not.toContain(server.dataDir);
    });

    it('lists a directory and the whole tree, without symlinks or submodules', async () => {
      const root = (await api('GET', `/repo/tree?project_id=${id}`, owner.token)).json();
      expect(root.commit).toBe(head);
      expect(root.entries.map((e: { path: string }) => e.path).sort()).toEqual([
        'README.md',
        'assets',
        'big.txt',
        'src',
        'vendor',
      ]);
      const readme = root.entries.find((e: { path: string }) => e.path === 'README.md');
      expect(readme).toMatchObject({ type: 'file', size: 20, hash: git(remote, 'rev-parse', 'HEAD:README.md') });
      const all = (await api('GET', `/repo/tree?project_id=${id}&recursive=true`, owner.token)).json().entries;
      const paths = all.map((e: { path: string }) => e.path);
      expect(paths).toContain('src/util/math.ts');
      expect(paths).toContain('src/util');
      expect(paths).not.toContain('escape');
      expect(paths).not.toContain('vendor/sub');
      const sub = (await api('GET', `/repo/tree?project_id=${id}&path=src/`, owner.token)).json();
      expect(sub.entries.map((e: { path: string }) => e.path)).toEqual(['src/index.ts', 'src/util']);
      expect((await api('GET', `/repo/tree?project_id=${id}&path=nope`, owner.token)).statusCode).toBe(404);
      expect((await api('GET', `/repo/tree?project_id=${id}&path=README.md`, owner.token)).statusCode).toBe(400);
    });

    it('serves text as utf8 and binary as base64, and refuses files above the size limit', async () => {
      const text = (await api('GET', `/repo/file?project_id=${id}&path=src/index.ts`, owner.token)).json();
      expect(text).toMatchObject({ commit: head, path: 'src/index.ts', encoding: 'utf8' });
      expect(text.content).toContain('export const answer = 42;');
      const bin = (await api('GET', `/repo/file?project_id=${id}&path=assets/logo.bin`, owner.token)).json();
      expect(bin.encoding).toBe('base64');
      expect(Buffer.from(bin.content, 'base64')).toEqual(Buffer.from([0, 1, 2, 3, 255, 0, 10]));
      const big = await api('GET', `/repo/file?project_id=${id}&path=big.txt`, owner.token);
      expect(big.statusCode).toBe(413);
      expect(big.json().error.message).toMatch(/5000 bytes, above the 4096-byte limit/);
    });

    it('never serves anything outside the mirror: traversal, absolute, encoded, symlinks, .git', async () => {
      const attempts: [string, number][] = [
        ['../../../etc/passwd', 400],
        ['src/../../etc/passwd', 400],
        ['/etc/passwd', 400],
        ['%2e%2e/%2e%2e/etc/passwd', 400],
        ['%252e%252e%252fetc%252fpasswd', 404],
        ['src%00.ts', 400],
        ['escape', 400],
        ['.git/config', 400],
        ['src/.GIT/config', 400],
        ['vendor/sub', 400],
        ['C:/Windows/win.ini', 400],
        ['src\\index.ts', 400],
      ];
      for (const [p, status] of attempts) {
        const res = await api('GET', `/repo/file?project_id=${id}&path=${p}`, owner.token);
        expect(res.statusCode, p).toBe(status);
        expect(res.body, p).not.toContain('root:');
      }
      const tree = await api('GET', `/repo/tree?project_id=${id}&path=../`, owner.token);
      expect(tree.statusCode).toBe(400);
      const search = await api('GET', `/repo/search?project_id=${id}&q=root&path=../../etc`, owner.token);
      expect(search.statusCode).toBe(400);
    });

    it('searches fixed strings, regular expressions, under a path, with a limit', async () => {
      const fixed = (
        await api('GET', `/repo/search?project_id=${id}&q=${encodeURIComponent('hello ${')}`, owner.token)
      ).json();
      expect(fixed).toMatchObject({
        commit: head,
        truncated: false,
        matches: [{ path: 'src/index.ts', line: 3, column: 11, text: '  return `hello ${name}`;' }],
      });
      const regex = (
        await api(
          'GET',
          `/repo/search?project_id=${id}&q=${encodeURIComponent('export (const|function) [a-z]+')}&regex=true`,
          owner.token,
        )
      ).json();
      expect(regex.matches.map((m: { path: string; line: number }) => `${m.path}:${m.line}`)).toEqual([
        'src/index.ts:1',
        'src/index.ts:2',
        'src/util/math.ts:1',
      ]);
      const scoped = (await api('GET', `/repo/search?project_id=${id}&q=export&path=src/util`, owner.token)).json();
      expect(scoped.matches).toHaveLength(1);
      const limited = (await api('GET', `/repo/search?project_id=${id}&q=export&limit=2`, owner.token)).json();
      expect(limited.matches).toHaveLength(2);
      expect(limited.truncated).toBe(true);
      const caseless = (
        await api('GET', `/repo/search?project_id=${id}&q=HELLO%20MIRROR&ignore_case=true`, owner.token)
      ).json();
      expect(caseless.matches).toHaveLength(1);
      // The symlink's target is never read.
      expect((await api('GET', `/repo/search?project_id=${id}&q=passwd`, owner.token)).json().matches).toEqual([]);
      expect((await api('GET', `/repo/search?project_id=${id}&q=root:x`, owner.token)).json().matches).toEqual([]);
      const invalid = await api(
        'GET',
        `/repo/search?project_id=${id}&q=${encodeURIComponent('(unclosed')}&regex=true`,
        owner.token,
      );
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().error.message).toMatch(/^q: not a valid regular expression/);
      // An option-like query is a pattern, not an option.
      const optionLike = await api('GET', `/repo/search?project_id=${id}&q=--open-files-in-pager=touch`, owner.token);
      expect(optionLike.statusCode).toBe(200);
    });

    it('answers git pathspec magic and regular expressions that RE2 refuses with 400, not 500', async () => {
      for (const p of [':(glob)**', ':(exclude)x', ':!x', ':^x', ':(icase)README.md', ':(attr:a)x', ':/']) {
        for (const url of [
          `/repo/tree?project_id=${id}&path=${encodeURIComponent(p)}`,
          `/repo/file?project_id=${id}&path=${encodeURIComponent(p)}`,
          `/repo/search?project_id=${id}&q=export&path=${encodeURIComponent(p)}`,
        ]) {
          const res = await api('GET', url, owner.token);
          expect(res.statusCode, url).toBe(400);
          expect(res.json().error, url).toMatchObject({ code: 'validation_error' });
          expect(res.json().error.message, url).toMatch(/^path: git pathspec magic/);
        }
      }
      const regex = (q: string) =>
        api('GET', `/repo/search?project_id=${id}&q=${encodeURIComponent(q)}&regex=true`, owner.token);
      // Regular expressions have RE2's syntax (linear time): no Perl code, recursion, back-references or lookaround.
      for (const [q, reason] of [
        ['(?{print 1})', /invalid or unsupported Perl syntax/],
        ['(?<=a+)b', /invalid named capture/],
        ['\\p{Foo}', /invalid character class range/],
        ['[[:foo:]]', /invalid character class range/],
        ['x{2,1}', /invalid repeat count/],
        ['(?R)', /invalid or unsupported Perl syntax/],
        ['(e)x\\1', /invalid escape sequence/],
      ] as const) {
        const res = await regex(q);
        expect(res.statusCode, q).toBe(400);
        expect(res.json().error.code, q).toBe('validation_error');
        expect(res.json().error.message, q).toMatch(/^q: /);
        expect(res.json().error.message, q).toMatch(reason);
      }
      expect((await regex('(?:export )const')).json().matches.length).toBeGreaterThan(0);
    });

    it('answers the same from the search index as from the worktree', async () => {
      const queries = [
        `q=export`,
        `q=${encodeURIComponent('export (const|function) [a-z]+')}&regex=true`,
        `q=hello&path=src`,
        `q=HELLO&ignore_case=true`,
      ];
      const viaWorktree: string[] = [];
      for (const q of queries)
        viaWorktree.push((await api('GET', `/repo/search?project_id=${id}&${q}`, owner.token)).body);
      // The index is built after the sync completes; wait for a search that the index answers.
      await eventually(async () => {
        const res = await api('GET', `/repo/search?project_id=${id}&q=probe${Date.now()}`, owner.token);
        return res.headers['x-hivesync-search-engine'] === 'index';
      });
      const view = await server.runtime.services.repo.mirrors.current(id);
      for (const [i, q] of queries.entries()) {
        // Bypass the per-commit cache with an equivalent query (a different limit that is not reached).
        const res = await api(
          'GET',
          `/repo/search?project_id=${id}&${q}${q.includes('limit') ? '' : '&limit=999'}`,
          owner.token,
        );
        expect(res.headers['x-hivesync-search-engine'], q).toBe('index');
        expect(res.json(), q).toEqual(JSON.parse(viaWorktree[i]!));
      }
      expect(view).toBeTruthy();
      expect(
        (await api('GET', `/repo/search?project_id=${id}&q=${encodeURIComponent('a\nb')}`, owner.token)).statusCode,
      ).toBe(400);
    });

    it('serves a manifest with blob hashes and an overall hash, and 304 on its ETag', async () => {
      const res = await api('GET', `/projects/${id}/manifest`, owner.token);
      const manifest = res.json();
      expect(manifest.commit).toBe(head);
      expect(manifest.files.map((f: { path: string }) => f.path)).toEqual([
        'README.md',
        'assets/logo.bin',
        'big.txt',
        'src/index.ts',
        'src/util/math.ts',
      ]);
      expect(manifest.files[0]).toEqual({
        path: 'README.md',
        size: 20,
        hash: git(remote, 'rev-parse', 'HEAD:README.md'),
      });
      expect(manifest.hash).toMatch(/^[0-9a-f]{64}$/);
      const again = await server.request({
        method: 'GET',
        url: `/api/v1/projects/${id}/manifest`,
        token: owner.token,
        headers: { 'if-none-match': res.headers.etag as string },
      });
      expect(again.statusCode).toBe(304);
    });

    it('keeps non-members out (404) and lets viewers read but not sync (403)', async () => {
      const stranger = await registerUser(server);
      const sync = (await api('GET', `/repo/syncs?project_id=${id}`, owner.token)).json().syncs[0];
      for (const url of [
        `/repo/tree?project_id=${id}`,
        `/repo/file?project_id=${id}&path=README.md`,
        `/repo/search?project_id=${id}&q=x`,
        `/projects/${id}/manifest`,
        `/repo/sync/${sync.sync_id}`,
        `/projects/${id}/credential`,
        `/repo/syncs?project_id=${id}`,
      ]) {
        const res = await api('GET', url, stranger.token);
        expect(res.statusCode, url).toBe(404);
      }
      expect((await api('POST', '/repo/sync', stranger.token, { project_id: id })).statusCode).toBe(404);
      const viewer = await registerUser(server);
      await api('POST', `/projects/${id}/members`, owner.token, { email: viewer.email, role: 'viewer' });
      expect((await api('GET', `/repo/tree?project_id=${id}`, viewer.token)).statusCode).toBe(200);
      const denied = await api('POST', '/repo/sync', viewer.token, { project_id: id });
      expect(denied.statusCode).toBe(403);
      expect(
        (await api('PUT', `/projects/${id}/credential`, viewer.token, { type: 'https_token', token: 'x' })).statusCode,
      ).toBe(403);
    });

    it('syncs new commits incrementally and serves them, older commits still readable by hash', async () => {
      const before = head;
      for (let i = 0; i < 3; i++)
        commitFiles(remote, { [`docs/page${i}.md`]: `page ${i}\n`, 'README.md': `# Demo v${i}\n` });
      const next = git(remote, 'rev-parse', 'HEAD');
      const sync = await syncAndWait(id);
      expect(sync).toMatchObject({ status: 'completed', commit: next });
      const readme = (await api('GET', `/repo/file?project_id=${id}&path=README.md`, owner.token)).json();
      expect(readme).toMatchObject({ commit: next, content: '# Demo v2\n' });
      const old = (await api('GET', `/repo/file?project_id=${id}&path=README.md&commit=${before}`, owner.token)).json();
      expect(old.content).toBe('# Demo\nHello mirror\n');
      expect((await api('GET', `/repo/search?project_id=${id}&q=page%202`, owner.token)).json().matches).toHaveLength(
        1,
      );
      expect(
        (await api('GET', `/repo/file?project_id=${id}&path=README.md&commit=${'0'.repeat(40)}`, owner.token))
          .statusCode,
      ).toBe(404);
      head = next;
    });

    it('recovers a corrupted mirror by re-cloning', async () => {
      const view = await server.runtime.services.repo.mirrors.current(id);
      // A stale lock left by a killed git, and a missing object store.
      fs.writeFileSync(path.join(view!.gitDir, 'index.lock'), '');
      fs.rmSync(path.join(view!.gitDir, 'objects'), { recursive: true, force: true });
      commitFiles(remote, { 'after-corruption.txt': 'fresh\n' });
      const sync = await syncAndWait(id);
      expect(sync).toMatchObject({ status: 'completed', commit: git(remote, 'rev-parse', 'HEAD') });
      const after = await server.runtime.services.repo.mirrors.current(id);
      expect(after!.gitDir).not.toBe(view!.gitDir);
      expect(
        (await api('GET', `/repo/file?project_id=${id}&path=after-corruption.txt`, owner.token)).json().content,
      ).toBe('fresh\n');
    });
  });

  it('follows a change of repo_url: a new mirror of the new remote, switched to atomically', async () => {
    const a = sampleRepo('url-a');
    const b = makeRepo(path.join(work.dir, 'url-b'), { 'README.md': '# B\n', 'only-in-b.txt': 'b\n' });
    const id = await projectFor(a);
    expect((await syncAndWait(id)).commit).toBe(git(a, 'rev-parse', 'HEAD'));
    const thread = await api('POST', `/projects/${id}/threads`, owner.token, {
      path: 'README.md',
      start_line: 1,
      body: 'on A',
    });
    expect(thread.statusCode, thread.body).toBe(201);
    const before = await server.runtime.services.repo.mirrors.current(id);

    await api('PATCH', `/projects/${id}`, owner.token, { repo_url: b });
    // Until the next sync, reads still answer from A's mirror.
    const stillA = (await api('GET', `/repo/file?project_id=${id}&path=README.md`, owner.token)).json();
    expect(stillA.content).toBe('# Demo\nHello mirror\n');

    const sync = await syncAndWait(id);
    expect(sync).toMatchObject({ status: 'completed', commit: git(b, 'rev-parse', 'HEAD') });
    const readme = (await api('GET', `/repo/file?project_id=${id}&path=README.md`, owner.token)).json();
    expect(readme).toMatchObject({ commit: git(b, 'rev-parse', 'HEAD'), content: '# B\n' });
    const after = await server.runtime.services.repo.mirrors.current(id);
    expect(path.dirname(after!.worktree)).not.toBe(path.dirname(before!.worktree)); // a new generation
    // Threads keep answering: the one on A's README is placed on B's (or marked outdated), never a 500.
    const threads = await api('GET', `/projects/${id}/threads?state=all`, owner.token);
    expect(threads.statusCode, threads.body).toBe(200);
  });

  it('removes a stale lock file and fetches, instead of cloning the whole repository again', async () => {
    const remote = sampleRepo('stale-lock');
    const id = await projectFor(remote);
    await syncAndWait(id);
    const before = await server.runtime.services.repo.mirrors.current(id);
    const lock = path.join(before!.gitDir, 'shallow.lock');
    fs.writeFileSync(lock, '');
    const longAgo = new Date(Date.now() - 2 * 24 * 3600_000); // older than any git of a sync may run
    fs.utimesSync(lock, longAgo, longAgo);
    const next = commitFiles(remote, { 'CHANGES.md': 'more\n' });

    expect(await syncAndWait(id)).toMatchObject({ status: 'completed', commit: next });
    const after = await server.runtime.services.repo.mirrors.current(id);
    expect(path.dirname(after!.worktree)).toBe(path.dirname(before!.worktree)); // the same generation: fetched
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('answers a second sync request with the sync already queued or running', async () => {
    const id = await projectFor(sampleRepo('dedupe'));
    const [a, b] = await Promise.all([
      api('POST', '/repo/sync', owner.token, { project_id: id }),
      api('POST', '/repo/sync', owner.token, { project_id: id }),
    ]);
    expect(a.json().sync_id).toBe(b.json().sync_id);
    await eventually(
      async () => (await api('GET', `/repo/sync/${a.json().sync_id}`, owner.token)).json().status === 'completed',
    );
  });

  it('fails a branch that does not exist with repo_branch_not_found, naming the branches there are', async () => {
    const remote = sampleRepo('nobranch');
    git(remote, 'branch', 'release/1.x');
    const id = await projectFor(remote, 'does-not-exist');
    const sync = await syncAndWait(id);
    expect(sync).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'repo_branch_not_found' } });
    expect(sync.error.message).toBe(
      'The branch "does-not-exist" does not exist on the remote; its branches are: main, release/1.x. ' +
        "Set the project's branch to one of them, or clear it to follow the remote's default branch.",
    );
    expect(sync.error.message).not.toContain(work.dir);
    const notes = (await api('GET', '/notifications?limit=200', owner.token)).json().notifications;
    expect(
      notes.find((n: { type: string; project_id: string }) => n.type === 'repo_sync_failed' && n.project_id === id),
    ).toBeTruthy();
  });

  it("follows the remote's default branch when none is given, and again when the branch is cleared", async () => {
    const remote = sampleRepo('trunk-default');
    git(remote, 'branch', '-m', 'main', 'trunk');
    const created = await api('POST', '/projects', owner.token, { name: 'trunk', repo_url: remote });
    expect(created.json()).toMatchObject({ branch: 'main', follows_default_branch: true });
    const id = created.json().id;
    const sync = await syncAndWait(id);
    expect(sync).toMatchObject({ status: 'completed', commit: git(remote, 'rev-parse', 'trunk') });
    const project = (await api('GET', `/projects/${id}`, owner.token)).json();
    expect(project).toMatchObject({ branch: 'trunk', follows_default_branch: true });

    // Choosing a branch pins it; clearing it follows the default again.
    git(remote, 'branch', 'other');
    const pinned = await api('PATCH', `/projects/${id}`, owner.token, { branch: 'other' });
    expect(pinned.json()).toMatchObject({ branch: 'other', follows_default_branch: false });
    const cleared = await api('PATCH', `/projects/${id}`, owner.token, { branch: null });
    expect(cleared.json()).toMatchObject({ follows_default_branch: true });
    expect((await syncAndWait(id)).status).toBe('completed');
    expect((await api('GET', `/projects/${id}`, owner.token)).json().branch).toBe('trunk');
  });

  it('tells an authentication failure (not retried) from success with the stored token', async () => {
    sampleRepo('private.git');
    const id = await projectFor(`${http.url}/private.git`);
    const noCredential = await syncAndWait(id);
    expect(noCredential).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'repo_auth_failed' } });

    const wrong = await api('PUT', `/projects/${id}/credential`, owner.token, {
      type: 'https_token',
      token: 'wrong-token',
    });
    expect(wrong.json()).toEqual({ credential: 'set', type: 'https_token' });
    expect((await syncAndWait(id)).error.code).toBe('repo_auth_failed');

    await api('PUT', `/projects/${id}/credential`, owner.token, { type: 'https_token', token: TOKEN, username: 'git' });
    const ok = await syncAndWait(id);
    expect(ok).toMatchObject({ status: 'completed', error: null });
    expect((await api('GET', `/repo/file?project_id=${id}&path=README.md`, owner.token)).json().content).toContain(
      'Hello mirror',
    );

    // The credential is write-only and never leaks into any answer.
    const project = await api('GET', `/projects/${id}`, owner.token);
    expect(project.json().credential).toBe('set');
    for (const res of [
      project,
      await api('GET', `/projects/${id}/credential`, owner.token),
      await api('GET', '/notifications?limit=200', owner.token),
      await api('GET', `/repo/syncs?project_id=${id}`, owner.token),
    ]) {
      expect(res.body).not.toContain(TOKEN);
    }
    const row = await server.runtime.services.repo.repo.findProject(id);
    expect(row!.credentialCiphertext).not.toContain(TOKEN);
    expect((await api('DELETE', `/projects/${id}/credential`, owner.token)).statusCode).toBe(204);
    expect((await api('GET', `/projects/${id}/credential`, owner.token)).json()).toEqual({
      credential: 'not set',
      type: null,
    });
  });

  it("detaches the credential when an admin points the URL at another host, so the owner's token never goes there", async () => {
    sampleRepo('guarded.git');
    const id = await projectFor(`${http.url}/guarded.git`);
    const admin = await registerUser(server);
    await api('POST', `/projects/${id}/members`, owner.token, { email: admin.email, role: 'admin' });
    const setToken = () =>
      api('PUT', `/projects/${id}/credential`, owner.token, { type: 'https_token', token: TOKEN, username: 'git' });
    const credential = async () => (await api('GET', `/projects/${id}`, owner.token)).json().credential;

    // The owner moves the repository to another path on the same host: the token stays.
    await setToken();
    sampleRepo('moved.git');
    await api('PATCH', `/projects/${id}`, owner.token, { repo_url: `${http.url}/moved.git` });
    expect(await credential()).toBe('set');
    expect((await syncAndWait(id)).status).toBe('completed');

    // An admin who did not store it changes the path: the token is dropped.
    await api('PATCH', `/projects/${id}`, admin.token, { repo_url: `${http.url}/guarded.git` });
    expect(await credential()).toBe('not set');

    // Another host (same port, another name) drops it whoever asks; the next sync sends no token anywhere.
    await setToken();
    const other = http.url.replace('127.0.0.1', 'localhost');
    const moved = await api('PATCH', `/projects/${id}`, owner.token, { repo_url: `${other}/guarded.git` });
    expect(moved.json().credential).toBe('not set');
    expect((await syncAndWait(id)).error.code).toBe('repo_auth_failed');
    const audit = await api('GET', `/admin/audit?project_id=${id}&action=repo.credential_detached`, server.admin.token);
    expect(audit.json().entries.map((e: { details: { reason: string } }) => e.details.reason)).toEqual(
      expect.arrayContaining(['path_changed_by_other', 'host_changed']),
    );
  });

  it('retries a network failure and then fails with repo_network_error', async () => {
    sampleRepo('flaky.git');
    const id = await projectFor(`${http.url}/flaky.git`);
    await api('PUT', `/projects/${id}/credential`, owner.token, { type: 'https_token', token: TOKEN, username: 'git' });
    http.failWith = 503;
    try {
      const sync = await syncAndWait(id);
      // One attempt (with its immediate retry inside), then the queued retry: HIVESYNC_SYNC_RETRY_LIMIT=1.
      expect(sync).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'repo_network_error' } });
    } finally {
      http.failWith = undefined;
    }
    expect((await syncAndWait(id)).status).toBe('completed');
  });

  it('keeps serving the old mirror while a re-clone is under way', async () => {
    sampleRepo('slow.git');
    const id = await projectFor(`${http.url}/slow.git`);
    await api('PUT', `/projects/${id}/credential`, owner.token, { type: 'https_token', token: TOKEN, username: 'git' });
    const first = await syncAndWait(id);
    const view = await server.runtime.services.repo.mirrors.current(id);
    fs.writeFileSync(path.join(view!.gitDir, 'HEAD.lock'), '');
    http.delayMs = 1500;
    try {
      const started = (await api('POST', '/repo/sync', owner.token, { project_id: id })).json();
      await eventually(
        async () => (await api('GET', `/repo/sync/${started.sync_id}`, owner.token)).json().status !== 'queued',
      );
      // Mid re-clone: reads answer from the old generation.
      for (let i = 0; i < 3; i++) {
        const res = await api('GET', `/repo/file?project_id=${id}&path=README.md`, owner.token);
        expect(res.statusCode).toBe(200);
        expect(res.json().commit).toBe(first.commit);
      }
      const done = await eventually(async () => {
        const s = (await api('GET', `/repo/sync/${started.sync_id}`, owner.token)).json();
        return s.status === 'completed' && s;
      }, 30_000);
      expect(done.commit).toBe(first.commit);
    } finally {
      http.delayMs = 0;
    }
  });

  it('runs scheduled syncs for projects with an interval', async () => {
    const id = await projectFor(sampleRepo('scheduled'));
    await api('PATCH', `/projects/${id}`, owner.token, { sync_interval_minutes: 5 });
    const syncs = await eventually(async () => {
      const list = (await api('GET', `/repo/syncs?project_id=${id}`, owner.token)).json().syncs;
      return list.length > 0 && list[0].status === 'completed' && list;
    }, 20_000);
    expect(syncs[0].trigger).toBe('schedule');
    // Not again within the interval.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await api('GET', `/repo/syncs?project_id=${id}`, owner.token)).json().syncs).toHaveLength(1);
  });

  it('never sends the token to another host: redirects are not followed and askpass answers its own host only', async () => {
    sampleRepo('redirected.git');
    const target = await startGitHttpServer(work.dir, { username: 'git', token: TOKEN });
    const front = await startGitHttpServer(work.dir, { username: 'git', token: TOKEN });
    // The same machine under another name: a different host as far as git and the credential are concerned.
    front.redirectTo = target.url.replace('127.0.0.1', 'localhost');
    try {
      const id = await projectFor(`${front.url}/redirected.git`);
      await api('PUT', `/projects/${id}/credential`, owner.token, {
        type: 'https_token',
        token: TOKEN,
        username: 'git',
      });
      const sync = await syncAndWait(id);
      expect(sync).toMatchObject({ status: 'failed', error: { code: 'repo_not_found' } });
      expect(sync.error.message).toMatch(/redirect \(HTTP 302\).*does not follow redirects/);
      const secret = Buffer.from(`git:${TOKEN}`).toString('base64');
      expect(target.authorizations.join('\n')).not.toContain(secret);
      expect(target.requests).toBe(0);
      expect(front.authorizations).toEqual([]);
    } finally {
      await front.close();
      await target.close();
    }
  });

  it('caps each search answer by size and keeps the search index pages within their byte budget', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `export const value${i} = "${'e'.repeat(60)}";`).join('\n');
    const id = await projectFor(makeRepo(path.join(work.dir, 'broad'), { 'a.ts': lines, 'b.ts': lines }));
    expect((await syncAndWait(id)).status).toBe('completed');
    const broad = await api('GET', `/repo/search?project_id=${id}&q=value&limit=10000`, owner.token);
    expect(broad.statusCode).toBe(200);
    expect(broad.json().truncated).toBe(true);
    expect(broad.json().matches.length).toBeGreaterThan(100);
    expect(broad.json().matches.length).toBeLessThan(6000);
    // HIVESYNC_SEARCH_MAX_RESPONSE_BYTES=64 KiB, plus the envelope's commit and flags.
    expect(Buffer.byteLength(broad.body)).toBeLessThanOrEqual(64 * 1024 + 200);
    for (let i = 0; i < 40; i++) {
      const res = await api('GET', `/repo/search?project_id=${id}&q=value&limit=${9000 + i}`, owner.token);
      expect(res.json().truncated).toBe(true);
    }
    const cached = server.runtime.services.codeSearch.cachedBytes;
    expect(cached).toBeGreaterThan(0);
    expect(cached).toBeLessThanOrEqual(1024 * 1024);
  });

  it('repairs damaged objects in a mirror: reads answer 503 repo_repairing, then 200 from a fresh clone', async () => {
    const remote = sampleRepo('damaged.git');
    // Over 100 objects: the first clone keeps them as a pack (git unpacks smaller transfers into loose objects).
    commitFiles(remote, Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`gen/f${i}.txt`, `file ${i}\n`])));
    const id = await projectFor(`${http.url}/damaged.git`);
    await api('PUT', `/projects/${id}/credential`, owner.token, { type: 'https_token', token: TOKEN, username: 'git' });
    expect((await syncAndWait(id)).status).toBe('completed');
    // A small fetch is stored as loose objects.
    commitFiles(remote, { 'later.txt': 'fetched later\n' });
    expect((await syncAndWait(id)).status).toBe('completed');
    const before = (await server.runtime.services.repo.mirrors.current(id))!;
    expect(corruptObject(before.gitDir, git(remote, 'rev-parse', 'HEAD:later.txt'))).toBe('loose');
    expect(corruptObject(before.gitDir, git(remote, 'rev-parse', 'HEAD:README.md'))).toBe('packed');

    http.delayMs = 400; // keep the repair under way while the damaged objects are read
    try {
      let syncId: string | undefined;
      for (const url of [
        `/repo/file?project_id=${id}&path=later.txt`,
        `/repo/file?project_id=${id}&path=README.md`,
        `/repo/tree?project_id=${id}`,
      ]) {
        const res = await api('GET', url, owner.token);
        expect(res.statusCode, url).toBe(503);
        expect(res.json().error, url).toMatchObject({ code: 'repo_repairing', retryable: true });
        expect(res.headers['retry-after'], url).toBe('30');
        syncId ??= res.json().error.details.sync_id;
        expect(res.json().error.details.sync_id, url).toBe(syncId);
      }
      // Objects that are whole are still served meanwhile.
      expect((await api('GET', `/repo/file?project_id=${id}&path=src/index.ts`, owner.token)).statusCode).toBe(200);
      const repair = await eventually(async () => {
        const s = (await api('GET', `/repo/sync/${syncId}`, owner.token)).json();
        return ['completed', 'failed'].includes(s.status) && s;
      }, 30_000);
      expect(repair).toMatchObject({ status: 'completed', commit: git(remote, 'rev-parse', 'HEAD') });
    } finally {
      http.delayMs = 0;
    }
    const after = (await server.runtime.services.repo.mirrors.current(id))!;
    expect(after.gitDir).not.toBe(before.gitDir);
    expect((await api('GET', `/repo/file?project_id=${id}&path=later.txt`, owner.token)).json().content).toBe(
      'fetched later\n',
    );
    expect((await api('GET', `/repo/file?project_id=${id}&path=README.md`, owner.token)).json().content).toBe(
      '# Demo\nHello mirror\n',
    );
    expect((await api('GET', `/repo/tree?project_id=${id}`, owner.token)).statusCode).toBe(200);
  });

  describe('on a server that keeps syncs off internal networks', () => {
    let strict: TestServer;
    let strictOwner: { token: string };
    let allowed: GitHttpServer;
    beforeAll(async () => {
      strict = await startTestServer(backend, {
        ...REPO_ENV,
        HIVESYNC_ALLOW_PRIVATE_REMOTES: 'false',
        HIVESYNC_REPO_ALLOWED_HOSTS: '127.0.0.2/32, git.internal.test',
      });
      strictOwner = await registerUser(strict);
      allowed = await startGitHttpServer(work.dir, { username: 'git', token: TOKEN }, { host: '127.0.0.2' });
    });
    afterAll(async () => {
      await allowed?.close();
      await strict?.stop();
    });
    const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, body?: unknown) =>
      strict.request({ method, url: `/api/v1${url}`, token: strictOwner.token, body });
    const create = (repo_url: string) => call('POST', '/projects', { name: 'r', repo_url, branch: 'main' });
    const syncOn = async (projectId: string) => {
      const id = (await call('POST', '/repo/sync', { project_id: projectId })).json().sync_id;
      return eventually(async () => {
        const s = (await call('GET', `/repo/sync/${id}`)).json();
        return ['completed', 'failed'].includes(s.status) && s;
      }, 30_000);
    };

    it('refuses repository URLs on loopback, private, link-local and other internal addresses', async () => {
      for (const repo_url of [
        'http://169.254.169.254/latest/meta-data/',
        'http://127.0.0.1:5432/',
        'http://[::1]:6379/',
        'http://localhost:6379/',
        'http://2130706433/',
        'https://10.0.0.8/r.git',
        'https://172.16.5.4/r.git',
        'https://192.168.1.10/r.git',
        'https://100.64.0.1/r.git',
        'https://0.0.0.0/r.git',
        'https://224.0.0.1/r.git',
        'https://[fc00::1]/r.git',
        'https://[fe80::1]/r.git',
        'https://[::ffff:127.0.0.1]/r.git',
        'https://[::ffff:a9fe:a9fe]/r.git',
        'ssh://git@127.0.0.1/r.git',
        'git@10.1.2.3:r.git',
        'git://[::1]/r.git',
      ]) {
        const res = await create(repo_url);
        expect(res.statusCode, repo_url).toBe(400);
        expect(res.json().error, repo_url).toMatchObject({
          code: 'repo_url_forbidden',
          details: { field: 'repo_url' },
        });
        expect(res.json().error.message, repo_url).toMatch(/HIVESYNC_REPO_ALLOWED_HOSTS/);
      }
      for (const repo_url of [
        'https://93.184.216.34/r.git',
        'https://git.internal.test/r.git',
        'https://not-yet-resolvable.invalid/r.git',
      ]) {
        expect((await create(repo_url)).statusCode, repo_url).toBe(201);
      }
      const id = (await create('https://93.184.216.34/r.git')).json().id;
      const moved = await call('PATCH', `/projects/${id}`, { repo_url: 'http://127.0.0.1:5432/' });
      expect(moved.statusCode).toBe(400);
      expect(moved.json().error.code).toBe('repo_url_forbidden');
    });

    it('syncs from an allowed range, pins git to the address it checked, and refuses a name that rebinds', async () => {
      sampleRepo('allowed.git');
      const direct = (await create(`${allowed.url}/allowed.git`)).json().id;
      await call('PUT', `/projects/${direct}/credential`, { type: 'https_token', token: TOKEN, username: 'git' });
      expect(await syncOn(direct)).toMatchObject({ status: 'completed' });

      const guard = strict.runtime.services.repo.mirrors.guard;
      const realLookup = guard.lookup;
      let rebindCalls = 0;
      guard.lookup = async (host) => {
        // Names only this test knows: git could never resolve them itself, so a sync works only if pinned.
        if (host === 'pinned.test') return ['127.0.0.2'];
        if (host === 'rebind.test') return rebindCalls++ === 0 ? ['127.0.0.2'] : ['127.0.0.1'];
        return realLookup(host);
      };
      try {
        const port = new URL(allowed.url).port;
        const pinned = (await create(`http://pinned.test:${port}/allowed.git`)).json().id;
        await call('PUT', `/projects/${pinned}/credential`, { type: 'https_token', token: TOKEN, username: 'git' });
        expect(await syncOn(pinned)).toMatchObject({ status: 'completed' });

        const rebound = await create(`http://rebind.test:${http.url.split(':').pop()}/allowed.git`);
        expect(rebound.statusCode).toBe(201);
        const requests = http.requests;
        const sync = await syncOn(rebound.json().id);
        expect(sync).toMatchObject({ status: 'failed', error: { code: 'repo_url_forbidden' } });
        expect(sync.error.message).toMatch(/rebind\.test resolves to 127\.0\.0\.1, a loopback address/);
        expect(http.requests).toBe(requests);
      } finally {
        guard.lookup = realLookup;
      }
    });
  });
});
