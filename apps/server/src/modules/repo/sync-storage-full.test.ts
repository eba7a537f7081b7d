import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitFiles, makeRepo } from '../../test/git-fixtures.js';
import { backends, eventually, registerUser, startTestServer, tempDir, type TestServer } from '../../test/harness.js';
import { filesUnder, mountTmpfs, type Tmpfs } from '../../test/tmpfs.js';

const DISK_BYTES = 2 * 1024 * 1024;

/**
 * A sync into a full disk, on a real filesystem: the mirrors directory is a 2 MiB tmpfs and the repository is larger
 * than that (random bytes, which git cannot compress). The sync ends `failed` with `storage_full` (507 in the error
 * catalogue), and leaves nothing of itself on the disk: no half-made clone, and a mirror that was there before still
 * serves its commit.
 */
describe.each(backends())('a sync into a full disk on $name', (backend) => {
  let server: TestServer;
  let owner: { token: string };
  let disk: Tmpfs | undefined;
  let skipped: string | undefined;
  const work = tempDir('hivesync-full-remotes-');

  beforeAll(async () => {
    server = await startTestServer(backend, {
      HIVESYNC_ALLOW_LOCAL_REPOS: 'true',
      HIVESYNC_SYNC_RETRY_LIMIT: '1',
      HIVESYNC_SYNC_RETRY_DELAY_SECONDS: '0',
      HIVESYNC_MIN_FREE_DISK_MB: '0',
    });
    owner = await registerUser(server);
    const mounted = mountTmpfs(path.join(server.dataDir, 'repos'), DISK_BYTES);
    if ('unavailable' in mounted) {
      skipped = mounted.unavailable;
      console.log(`skipping the disk-full sync tests: ${skipped}`);
    } else disk = mounted;
  });
  afterAll(async () => {
    disk?.unmount();
    await server?.stop();
    work.remove();
  });

  const api = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    server.request({ method, url: `/api/v1${url}`, token: owner.token, body });

  async function project(remote: string): Promise<string> {
    const res = await api('POST', '/projects', { name: path.basename(remote), repo_url: remote, branch: 'main' });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  }

  async function sync(projectId: string) {
    const started = await api('POST', '/repo/sync', { project_id: projectId });
    expect(started.statusCode, started.body).toBe(202);
    const id = started.json().sync_id;
    return eventually(async () => {
      const s = (await api('GET', `/repo/sync/${id}`)).json();
      return ['completed', 'failed'].includes(s.status) && s;
    }, 60_000);
  }

  /** 3 MiB that git cannot compress. */
  const incompressible = () => ({
    'data/a.bin': crypto.randomBytes(1536 * 1024),
    'data/b.bin': crypto.randomBytes(1536 * 1024),
  });

  it('fails a first clone that does not fit with storage_full, and leaves no half-made clone', async (ctx) => {
    if (skipped) return ctx.skip();
    // 1.2 MiB: git's copy of the objects fits on the 2 MiB disk, the checked-out files after it do not.
    const id = await project(
      makeRepo(path.join(work.dir, 'big'), { 'README.md': '# big\n', 'data/a.bin': crypto.randomBytes(1200 * 1024) }),
    );
    const result = await sync(id);
    expect(result).toMatchObject({ status: 'failed', error: { code: 'storage_full' } });
    expect(result.error.message).toMatch(/space/i);
    // Nothing of the clone is left: no file anywhere in the project's mirror directory.
    expect(filesUnder(path.join(disk!.dir, id))).toEqual([]);
    expect(disk!.used()).toBeLessThan(64 * 1024);
    const tree = await api('GET', `/repo/tree?project_id=${id}`);
    expect(tree.statusCode).toBe(409);
    expect(tree.json().error.code).toBe('repo_not_synced');
  });

  it('fails a fetch larger than the free space with storage_full, and keeps serving the commit it had', async (ctx) => {
    if (skipped) return ctx.skip();
    const remote = makeRepo(path.join(work.dir, 'grows'), { 'README.md': '# small\n' });
    const id = await project(remote);
    const first = await sync(id);
    expect(first.status, JSON.stringify(first.error)).toBe('completed');
    // After a sync, a spare worktree is made in the background (the search index is written before the sync
    // completes): wait for both.
    const before = await eventually(async () => {
      const files = filesUnder(path.join(disk!.dir, id)).sort();
      return files.some((f) => /(^|\/)search-index\/manifest\.json$/.test(f)) &&
        files.some((f) => /\/wt-b\/README\.md$/.test(f))
        ? files
        : undefined;
    });
    const usedBefore = disk!.used();

    commitFiles(remote, { 'README.md': '# grown\n', ...incompressible() }, 'too big for the disk');
    const second = await sync(id);
    expect(second).toMatchObject({ status: 'failed', error: { code: 'storage_full' } });

    // The mirror still serves the first commit, and the failed fetch left nothing behind.
    const readme = await api('GET', `/repo/file?project_id=${id}&path=README.md`);
    expect(readme.statusCode, readme.body).toBe(200);
    expect(readme.json().content).toBe('# small\n');
    // (FETCH_HEAD is git's note of the last fetch, rewritten by every fetch: not an object, not served.)
    expect(
      filesUnder(path.join(disk!.dir, id))
        .filter((f) => !f.endsWith('/git/FETCH_HEAD'))
        .sort(),
    ).toEqual(before);
    expect(disk!.used()).toBeLessThanOrEqual(usedBefore + 64 * 1024);
    const synced = (await api('GET', `/projects/${id}`)).json();
    expect(synced.last_commit).toBe(first.commit);
  });
});
