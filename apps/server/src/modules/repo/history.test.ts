import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommitDetail, CommitList, Diff, DiffFile } from '@hivesync/core';
import { backends, eventually, registerUser, startTestServer, tempDir, type TestServer } from '../../test/harness.js';
import { addLinkAndSubmodule, commitFiles, git, makeRepo } from '../../test/git-fixtures.js';
import { cloneTestRepo, skipWithoutTestRepos } from '../../test/test-repos.js';
import { gitQuote, parseListing } from './history.repository.js';

const ENV = {
  HIVESYNC_ALLOW_LOCAL_REPOS: 'true',
  HIVESYNC_ALLOW_PRIVATE_REMOTES: 'true',
  HIVESYNC_SYNC_RETRY_LIMIT: '0',
  HIVESYNC_DIFF_MAX_FILE_BYTES: String(16 * 1024),
  HIVESYNC_DIFF_MAX_BYTES: String(512 * 1024),
  HIVESYNC_DIFF_MAX_FILES: '100',
};

/** Lines of a file's hunks by kind. */
function counted(file: DiffFile): { add: number; delete: number } {
  const lines = file.hunks.flatMap((h) => h.lines);
  return { add: lines.filter((l) => l.type === 'add').length, delete: lines.filter((l) => l.type === 'delete').length };
}

describe.each(backends())('repository history on $name', (backend) => {
  let server: TestServer;
  let owner: { token: string; id: string; email: string };
  const work = tempDir('hivesync-history-');

  beforeAll(async () => {
    server = await startTestServer(backend, ENV);
    owner = await registerUser(server);
  });
  afterAll(async () => {
    await server?.stop();
    work.remove();
  });

  const get = (url: string, token = owner.token) => server.request({ method: 'GET', url: `/api/v1${url}`, token });

  async function syncedProject(remote: string, branch = 'main', timeoutMs = 30_000): Promise<string> {
    const created = await server.request({
      method: 'POST',
      url: '/api/v1/projects',
      token: owner.token,
      body: { name: path.basename(remote), repo_url: remote, branch },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    await sync(id, timeoutMs);
    return id;
  }

  async function sync(id: string, timeoutMs = 30_000): Promise<void> {
    const started = await server.request({
      method: 'POST',
      url: '/api/v1/repo/sync',
      token: owner.token,
      body: { project_id: id },
    });
    expect(started.statusCode, started.body).toBe(202);
    const done = await eventually(async () => {
      const s = (await get(`/repo/sync/${started.json().sync_id}`)).json();
      return ['completed', 'failed'].includes(s.status) && s;
    }, timeoutMs);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
  }

  describe.skipIf(skipWithoutTestRepos('express'))('on express', () => {
    let remote: string;
    let id: string;
    const rev = (...args: string[]) => git(work.dir, '--git-dir', remote, ...args);

    beforeAll(async () => {
      remote = cloneTestRepo('express', work.dir);
      id = await syncedProject(remote, 'master', 120_000);
    }, 180_000);

    it('pages through the whole log, newest first, exactly as git lists it', async () => {
      const expected = rev('rev-list', 'master').split('\n');
      expect(expected.length).toBeGreaterThan(5000);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await get(
          `/projects/${id}/repo/commits?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(res.statusCode, res.body).toBe(200);
        const page = res.json<CommitList>();
        expect(page.head).toBe(expected[0]);
        expect(page.commits.length).toBeLessThanOrEqual(200);
        seen.push(...page.commits.map((c) => c.sha));
        cursor = page.next_cursor;
        pages++;
      } while (cursor && pages < 100);
      expect(seen).toEqual(expected);

      // Default page size, and one commit's fields as git prints them.
      const first = (await get(`/projects/${id}/repo/commits`)).json<CommitList>();
      expect(first.commits).toHaveLength(50);
      const c = first.commits[0]!;
      const [an, ae, aI, cn, ce, cI, s, p] = rev(
        'log',
        '-1',
        '--format=%an%n%ae%n%aI%n%cn%n%ce%n%cI%n%s%n%P',
        c.sha,
      ).split('\n');
      expect(c).toMatchObject({
        author: { name: an, email: ae },
        committer: { name: cn, email: ce },
        authored_at: new Date(aI!).toISOString(),
        committed_at: new Date(cI!).toISOString(),
        subject: s,
        parents: p!.split(' '),
      });
      expect(c.body).toBe(rev('log', '-1', '--format=%b', c.sha).trimEnd());
    });

    it('filters the log to a path, and starts at a given commit or branch', async () => {
      const touching = rev('rev-list', '--max-count=30', 'master', '--', 'lib/response.js').split('\n');
      const page = (await get(`/projects/${id}/repo/commits?path=lib/response.js&limit=30`)).json<CommitList>();
      expect(page.commits.map((c) => c.sha)).toEqual(touching);

      const v500 = rev('rev-parse', 'v5.0.0^{commit}');
      const fromTag = (await get(`/projects/${id}/repo/commits?ref=${v500}&limit=3`)).json<CommitList>();
      expect(fromTag.head).toBe(v500);
      expect(fromTag.commits.map((c) => c.sha)).toEqual(rev('rev-list', '--max-count=3', v500).split('\n'));
      const short = (await get(`/projects/${id}/repo/commits?ref=${v500.slice(0, 10)}&limit=1`)).json<CommitList>();
      expect(short.head).toBe(v500);
      const branch = (await get(`/projects/${id}/repo/commits?ref=master&limit=1`)).json<CommitList>();
      expect(branch.head).toBe(rev('rev-parse', 'master'));
    });

    it('diffs two releases file by file, as git counts them', async () => {
      const [from, to] = [rev('rev-parse', 'v5.1.0^{commit}'), rev('rev-parse', 'v5.2.0^{commit}')];
      const res = await get(`/projects/${id}/repo/diff?from=${from}&to=${to}`);
      expect(res.statusCode, res.body).toBe(200);
      const diff = res.json<Diff>();
      expect(diff).toMatchObject({ from, to, truncated: false });
      const numstat = rev('diff', '--numstat', '-M', from, to)
        .split('\n')
        .map((l) => l.split('\t'));
      expect(diff.total_files).toBe(numstat.length);
      expect(diff.files).toHaveLength(numstat.length);
      expect(diff.additions).toBe(numstat.reduce((n, [a]) => n + Number(a), 0));
      expect(diff.deletions).toBe(numstat.reduce((n, [, d]) => n + Number(d), 0));
      const statuses = rev('diff', '--name-status', '-M', from, to)
        .split('\n')
        .map((l) => l.split('\t'));
      for (const [i, [letter, a, b]] of statuses.entries()) {
        const file = diff.files[i]!;
        expect(file.path).toBe(b ?? a);
        expect(file.status).toBe({ M: 'modified', A: 'added', D: 'deleted' }[letter!] ?? 'renamed');
        if (letter!.startsWith('R')) expect(file.old_path).toBe(a);
        expect(file.truncated).toBe(false);
        // Every added and deleted line is in the hunks, numbered from the hunk's start.
        expect(counted(file)).toEqual({ add: file.additions, delete: file.deletions });
        for (const h of file.hunks) {
          const news = h.lines.filter((l) => l.new_line !== null).map((l) => l.new_line);
          expect(news).toEqual(Array.from({ length: h.new_lines }, (_, k) => h.new_start + k));
        }
      }
      // The lines are the files' own: an added line of a modified file is in the new version at its number.
      const modified = diff.files.find((f) => f.status === 'modified' && f.additions > 0)!;
      const newText = rev('show', `${to}:${modified.path}`).split('\n');
      for (const line of modified.hunks.flatMap((h) => h.lines).filter((l) => l.type === 'add')) {
        expect(line.text).toBe(newText[line.new_line! - 1]);
      }

      // The same answer again (from memory), and the commit endpoint agrees with git show.
      expect((await get(`/projects/${id}/repo/diff?from=v5.1.0&to=${to}`)).statusCode).toBe(404); // tags are not mirrored
      const one = (await get(`/projects/${id}/repo/commits/${to}`)).json<CommitDetail>();
      expect(one.commit.sha).toBe(to);
      expect(one.diff.from).toBe(one.commit.parents[0]);
      expect(one.diff.files.map((f) => f.path)).toEqual(
        rev('diff', '--name-only', '-M', `${to}^`, to).split('\n').filter(Boolean),
      );
    });
  });

  describe('on small repositories', () => {
    let repo: string;
    let id: string;
    let root: string;

    beforeAll(async () => {
      repo = makeRepo(path.join(work.dir, 'toy'), {
        'README.md': '# Toy\n',
        'src/a.ts': 'export const a = 1;\n',
      });
      root = git(repo, 'rev-parse', 'HEAD');
      id = await syncedProject(repo);
    });

    it('diffs a root commit against the empty tree', async () => {
      const res = await get(`/projects/${id}/repo/commits/${root}`);
      expect(res.statusCode, res.body).toBe(200);
      const { commit, diff } = res.json<CommitDetail>();
      expect(commit).toMatchObject({ sha: root, parents: [], subject: 'initial', body: '' });
      expect(diff.from).toBeNull();
      expect(diff.files.map((f) => [f.path, f.status, f.old_mode, f.new_mode, f.additions])).toEqual([
        ['README.md', 'added', null, '100644', 1],
        ['src/a.ts', 'added', null, '100644', 1],
      ]);
      expect(diff.files[1]!.hunks).toEqual([
        {
          old_start: 0,
          old_lines: 0,
          new_start: 1,
          new_lines: 1,
          heading: '',
          lines: [{ type: 'add', old_line: null, new_line: 1, text: 'export const a = 1;' }],
        },
      ]);
      // An abbreviated hash names the same commit.
      expect((await get(`/projects/${id}/repo/commits/${root.slice(0, 8)}`)).json().commit.sha).toBe(root);
    });

    it('reports renames, binary files, deletions, mode and type changes, odd names and missing newlines', async () => {
      const body = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
      const before = commitFiles(repo, {
        'docs/old name.md': `${body}\n`,
        'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]),
        'gone.txt': 'bye\n',
        'run.sh': 'echo hi\n',
        'link-me': 'plain\n',
        'tail.txt': 'no newline',
      });
      fs.renameSync(path.join(repo, 'docs/old name.md'), path.join(repo, 'docs/new "näme".md'));
      fs.appendFileSync(path.join(repo, 'docs/new "näme".md'), 'one more\n');
      fs.chmodSync(path.join(repo, 'run.sh'), 0o755);
      fs.rmSync(path.join(repo, 'link-me'));
      fs.symlinkSync('README.md', path.join(repo, 'link-me'));
      const after = commitFiles(
        repo,
        {
          'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 9, 9]),
          'gone.txt': null,
          'tail.txt': 'no newline\nstill',
        },
        'second\n\nWith a body\nof two lines.',
      );
      await sync(id);

      const res = await get(`/projects/${id}/repo/diff?from=${before}&to=${after}`);
      expect(res.statusCode, res.body).toBe(200);
      const diff = res.json<Diff>();
      const byPath = new Map(diff.files.map((f) => [f.path, f]));
      expect(byPath.get('docs/new "näme".md')).toMatchObject({
        status: 'renamed',
        old_path: 'docs/old name.md',
        additions: 1,
        deletions: 0,
        binary: false,
      });
      const renamed = byPath.get('docs/new "näme".md')!;
      expect(renamed.hunks[0]!.lines.at(-1)).toEqual({ type: 'add', old_line: null, new_line: 21, text: 'one more' });
      expect(byPath.get('logo.png')).toMatchObject({ status: 'modified', binary: true, hunks: [], truncated: false });
      expect(byPath.get('gone.txt')).toMatchObject({ status: 'deleted', old_mode: '100644', new_mode: null });
      expect(byPath.get('gone.txt')!.hunks[0]!.lines).toEqual([
        { type: 'delete', old_line: 1, new_line: null, text: 'bye' },
      ]);
      expect(byPath.get('run.sh')).toMatchObject({
        status: 'modified',
        old_mode: '100644',
        new_mode: '100755',
        hunks: [],
        truncated: false,
      });
      // A file that became a symlink: one entry, whose hunks show the old content going and the link target coming.
      const link = byPath.get('link-me')!;
      expect(link).toMatchObject({ status: 'modified', old_mode: '100644', new_mode: '120000' });
      expect(link.hunks.flatMap((h) => h.lines.map((l) => [l.type, l.text]))).toEqual([
        ['delete', 'plain'],
        ['add', 'README.md'],
      ]);
      expect(byPath.get('tail.txt')!.hunks[0]!.lines).toEqual([
        { type: 'delete', old_line: 1, new_line: null, text: 'no newline', no_newline: true },
        { type: 'add', old_line: null, new_line: 1, text: 'no newline' },
        { type: 'add', old_line: null, new_line: 2, text: 'still', no_newline: true },
      ]);

      const { commit } = (await get(`/projects/${id}/repo/commits/${after}`)).json<CommitDetail>();
      expect(commit).toMatchObject({ subject: 'second', body: 'With a body\nof two lines.', parents: [before] });
      // `to` defaults to the synced commit.
      expect((await get(`/projects/${id}/repo/diff?from=${before}`)).json<Diff>().to).toBe(after);

      // A symlink and a submodule: their target and commit are shown as text, nothing is followed.
      const linked = addLinkAndSubmodule(repo, '/etc/passwd');
      await sync(id);
      const { diff: withLink } = (await get(`/projects/${id}/repo/commits/${linked}`)).json<CommitDetail>();
      expect(
        withLink.files.map((f) => [f.path, f.status, f.new_mode, f.hunks.flatMap((h) => h.lines.map((l) => l.text))]),
      ).toEqual([
        ['escape', 'added', '120000', ['/etc/passwd']],
        ['vendor/sub', 'added', '160000', [`Subproject commit ${'1'.repeat(40)}`]],
      ]);
    });

    it('cuts a file over HIVESYNC_DIFF_MAX_FILE_BYTES and an answer over its byte and file caps, saying so', async () => {
      const start = git(repo, 'rev-parse', 'HEAD');
      const long = Array.from({ length: 2000 }, (_, i) => `a rather long line of text number ${i}`).join('\n');
      const big = commitFiles(repo, { 'big.txt': `${long}\n`, 'small.txt': 'small\n' }, 'big');
      const many: Record<string, string> = {};
      for (let i = 0; i < 40; i++) many[`many/f${String(i).padStart(2, '0')}.txt`] = `${long.slice(0, 12_000)}\n`;
      const wide = commitFiles(repo, many, 'wide');
      const files: Record<string, string> = {};
      for (let i = 0; i < 130; i++) files[`tiny/t${String(i).padStart(3, '0')}.txt`] = `${i}\n`;
      const numerous = commitFiles(repo, files, 'numerous');
      await sync(id);

      const one = (await get(`/projects/${id}/repo/diff?from=${start}&to=${big}`)).json<Diff>();
      const bigFile = one.files.find((f) => f.path === 'big.txt')!;
      expect(bigFile).toMatchObject({ truncated: true, additions: 2000 });
      const shown = counted(bigFile).add;
      expect(shown).toBeGreaterThan(100);
      expect(shown).toBeLessThan(2000);
      expect(one.files.find((f) => f.path === 'small.txt')).toMatchObject({ truncated: false });
      expect(one.truncated).toBe(false);

      const res = await get(`/projects/${id}/repo/diff?from=${big}&to=${wide}`);
      const capped = res.json<Diff>();
      expect(res.body.length).toBeLessThan(600 * 1024);
      expect(capped).toMatchObject({ truncated: true, total_files: 40 });
      expect(capped.files).toHaveLength(40);
      const cut = capped.files.filter((f) => f.truncated);
      expect(cut.length).toBeGreaterThan(0);
      expect(cut.at(-1)!.hunks).toEqual([]); // files past the cap are listed, with their counts, without hunks
      expect(cut.at(-1)!.additions).toBeGreaterThan(0);

      const counted100 = (await get(`/projects/${id}/repo/diff?from=${wide}&to=${numerous}`)).json<Diff>();
      expect(counted100).toMatchObject({ truncated: true, total_files: 130, additions: 130 });
      expect(counted100.files).toHaveLength(100);
      expect(counted100.files.every((f) => !f.truncated && f.hunks.length === 1)).toBe(true);
    });

    it('keeps paging stable while syncs move the branch', async () => {
      const first = (await get(`/projects/${id}/repo/commits?limit=2`)).json<CommitList>();
      expect(first.next_cursor).toMatch(/^[0-9a-f]{40}\.2$/);
      commitFiles(repo, { 'later.txt': 'later\n' }, 'later');
      await sync(id);
      const second = (await get(`/projects/${id}/repo/commits?limit=2&cursor=${first.next_cursor}`)).json<CommitList>();
      expect(second.head).toBe(first.head);
      const all = git(repo, 'rev-list', first.head).split('\n');
      expect([...first.commits, ...second.commits].map((c) => c.sha)).toEqual(all.slice(0, 4));
      // A fresh first page starts at the new commit.
      expect((await get(`/projects/${id}/repo/commits?limit=1`)).json<CommitList>().commits[0]!.subject).toBe('later');
    });

    it('refuses hostile and malformed refs, shas, paths and cursors, and writes nothing', async () => {
      const trap = path.join(work.dir, 'pwned');
      const hostile = [
        `--output=${trap}`,
        '-p',
        'HEAD;rm',
        '../',
        '..',
        'main..HEAD',
        'HEAD~1',
        'main^',
        '@{-1}',
        ':/x',
        'a b',
        `x\ny`,
      ];
      for (const ref of hostile) {
        const q = encodeURIComponent(ref);
        const urls = [
          `/projects/${id}/repo/commits?ref=${q}`,
          `/projects/${id}/repo/diff?from=${q}`,
          `/projects/${id}/repo/diff?from=main&to=${q}`,
          // `commits/..` is resolved by the router before it gets here (no such route): not a sha at all.
          ...(ref === '..' ? [] : [`/projects/${id}/repo/commits/${q}`]),
        ];
        for (const url of urls) {
          const res = await get(url);
          expect(res.statusCode, `${url} ${res.body}`).toBe(400);
          expect(res.json().error).toMatchObject({ code: 'validation_error', retryable: false });
        }
      }
      expect(fs.existsSync(trap)).toBe(false);
      for (const url of [
        `/projects/${id}/repo/commits/xyz`,
        `/projects/${id}/repo/commits/${'a'.repeat(41)}`,
        `/projects/${id}/repo/commits?path=../etc/passwd`,
        `/projects/${id}/repo/commits?path=${encodeURIComponent(':(glob)**')}`,
        `/projects/${id}/repo/commits?path=%2Fetc%2Fpasswd`,
        `/projects/${id}/repo/commits?cursor=abc`,
        `/projects/${id}/repo/commits?cursor=${'f'.repeat(40)}.2`,
        `/projects/${id}/repo/commits?limit=201`,
        `/projects/${id}/repo/diff`,
      ]) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(400);
        expect(res.json().error).toMatchObject({ code: 'validation_error', retryable: false });
      }
      // Unknown branches and commits are 404s that say what was not found.
      for (const url of [
        `/projects/${id}/repo/commits?ref=no-such-branch`,
        `/projects/${id}/repo/commits/${'f'.repeat(40)}`,
        `/projects/${id}/repo/diff?from=${'e'.repeat(40)}`,
        `/projects/${id}/repo/diff?from=main&to=nope`,
      ]) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(404);
        expect(res.json().error.message).toMatch(/commit ".*" was not found/);
      }
      expect(fs.existsSync(trap)).toBe(false);
      expect(fs.readdirSync(work.dir)).not.toContain('pwned');
    });

    it('answers 503 repo_repairing when a diff meets a damaged object, and 200 again after the re-clone', async () => {
      const remote = makeRepo(path.join(work.dir, 'damaged'), { 'a.txt': 'one\n' });
      const before = git(remote, 'rev-parse', 'HEAD');
      const after = commitFiles(remote, { 'a.txt': 'one\ntwo\n' });
      const damagedId = await syncedProject(remote);
      const mirror = (await server.runtime.services.repo.mirrors.current(damagedId))!;
      // The local clone hard-links its loose objects: replace the mirror's copy, never the remote's.
      const blob = git(remote, 'rev-parse', `${after}:a.txt`);
      const file = path.join(mirror.gitDir, 'objects', blob.slice(0, 2), blob.slice(2));
      fs.rmSync(file);
      fs.writeFileSync(file, 'this is not a zlib stream');

      const res = await get(`/projects/${damagedId}/repo/diff?from=${before}&to=${after}`);
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json().error).toMatchObject({ code: 'repo_repairing', retryable: true });
      expect(fs.existsSync(path.join(path.dirname(mirror.gitDir), 'damaged'))).toBe(true);
      const syncId = res.json().error.details.sync_id;
      await eventually(async () => (await get(`/repo/sync/${syncId}`)).json().status === 'completed', 30_000);
      const again = await get(`/projects/${damagedId}/repo/diff?from=${before}&to=${after}`);
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json<Diff>().files[0]!.hunks[0]!.lines.at(-1)).toMatchObject({ type: 'add', text: 'two' });
    });

    it('lets viewers read, and answers non-members and unsynced projects like every repo read', async () => {
      const viewer = await registerUser(server);
      const stranger = await registerUser(server);
      await server.request({
        method: 'POST',
        url: `/api/v1/projects/${id}/members`,
        token: owner.token,
        body: { email: viewer.email, role: 'viewer' },
      });
      const urls = [
        `/projects/${id}/repo/commits`,
        `/projects/${id}/repo/commits/${root}`,
        `/projects/${id}/repo/diff?from=${root}`,
      ];
      for (const url of urls) {
        expect((await get(url, viewer.token)).statusCode, url).toBe(200);
        const hidden = await get(url, stranger.token);
        const missing = await get(url.replace(id, '00000000-0000-0000-0000-000000000000'), stranger.token);
        expect(hidden.statusCode, url).toBe(404);
        expect(hidden.json().error.code).toBe('not_found');
        expect(hidden.json().error.message).toBe(missing.json().error.message);
        expect((await server.request({ method: 'GET', url: `/api/v1${url}` })).statusCode).toBe(401);
      }
      const empty = await server.request({
        method: 'POST',
        url: '/api/v1/projects',
        token: owner.token,
        body: { name: 'unsynced', repo_url: repo, branch: 'main' },
      });
      const res = await get(`/projects/${empty.json().id}/repo/commits`);
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('repo_not_synced');
    });
  });
});

describe('git output parsing', () => {
  it('quotes paths the way git prints them in patch headers', () => {
    expect(gitQuote('a/plain name.txt')).toBe('a/plain name.txt');
    expect(gitQuote('a/new "näme".md')).toBe('"a/new \\"n\\303\\244me\\".md"');
    expect(gitQuote('a/tab\there')).toBe('"a/tab\\there"');
  });

  it('reads a raw + numstat listing with renames and binary files', () => {
    const out = Buffer.from(
      [
        ':100644 100644 aaa bbb M',
        'bin',
        ':100644 100755 ccc ccc R100',
        'r.txt',
        's.txt',
        ':000000 100644 000 ddd A',
        'new',
        '-\t-\tbin',
        '0\t0\t',
        'r.txt',
        's.txt',
        '3\t0\tnew',
        '',
      ].join('\0'),
    );
    expect(parseListing(out).map((f) => [f.path, f.oldPath, f.status, f.binary, f.additions, f.newMode])).toEqual([
      ['bin', 'bin', 'modified', true, 0, '100644'],
      ['s.txt', 'r.txt', 'renamed', false, 0, '100755'],
      ['new', 'new', 'added', false, 3, '100644'],
    ]);
  });
});
