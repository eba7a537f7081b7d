import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, tempDir } from '../../apps/server/src/test/harness.js';
import { makeRepo, startGitHttpServer, type GitHttpServer } from '../../apps/server/src/test/git-fixtures.js';
import { call, spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';
import { seedEmbeddedDatabase } from '../../apps/server/src/test/pglite-template.js';

describe('a worker killed with SIGKILL in the middle of a clone', () => {
  const data = tempDir();
  const remotes = tempDir('hivesync-remotes-');
  const started: ServerProcess[] = [];
  let http: GitHttpServer | undefined;
  afterAll(async () => {
    for (const s of started) await stopServer(s, 'SIGKILL');
    await http?.close();
    data.remove();
    remotes.remove();
  });

  it('never serves the half-clone, and the next attempt completes the sync', async () => {
    makeRepo(path.join(remotes.dir, 'app.git'), { 'README.md': '# App\n', 'src/main.ts': 'export {};\n' });
    http = await startGitHttpServer(remotes.dir, { username: 'git', token: 'secret-token-1' });
    const env = {
      HIVESYNC_DATA_DIR: data.dir,
      HIVESYNC_ALLOW_HTTP_REPOS: 'true',
      HIVESYNC_HEARTBEAT_INTERVAL_MS: '500',
      HIVESYNC_JOB_POLL_INTERVAL_MS: '500',
      HIVESYNC_SYNC_RETRY_DELAY_SECONDS: '0',
    };
    await seedEmbeddedDatabase(data.dir);
    const first = spawnServer(env);
    started.push(first);
    await first.ready;
    const token = (
      await call(first.url, 'POST', '/api/v1/auth/register', {
        body: { email: 'k@example.test', password: 'kill -9 password' },
      })
    ).body.access_token as string;
    const project = (
      await call(first.url, 'POST', '/api/v1/projects', {
        token,
        body: { name: 'app', repo_url: `${http.url}/app.git` },
      })
    ).body.id as string;
    await call(first.url, 'PUT', `/api/v1/projects/${project}/credential`, {
      token,
      body: { type: 'https_token', token: 'secret-token-1', username: 'git' },
    });

    // A slow remote keeps the clone in flight long enough to kill the process under it.
    http.delayMs = 1500;
    const sync = (await call(first.url, 'POST', '/api/v1/repo/sync', { token, body: { project_id: project } })).body;
    await eventually(
      async () =>
        (await call(first.url, 'GET', `/api/v1/repo/sync/${sync.sync_id}`, { token })).body.status === 'running',
    );
    await eventually(async () => http!.requests > 0);
    first.proc.kill('SIGKILL');
    await first.exited;
    // What the killed clone left on disk is a generation that `current` never pointed at.
    const base = path.join(data.dir, 'repos', project);
    expect(fs.existsSync(path.join(base, 'current'))).toBe(false);

    http.delayMs = 0;
    const second = spawnServer(env);
    started.push(second);
    await second.ready;
    const tree = await call(second.url, 'GET', `/api/v1/repo/tree?project_id=${project}`, { token });
    expect([409, 200]).toContain(tree.status);
    if (tree.status === 409) expect(tree.body.error.code).toBe('repo_not_synced');

    const done = await eventually(async () => {
      const s = (await call(second.url, 'GET', `/api/v1/repo/sync/${sync.sync_id}`, { token })).body;
      return s.status === 'completed' && s;
    }, 40_000);
    expect(done.attempts).toBe(2);
    const file = await call(second.url, 'GET', `/api/v1/repo/file?project_id=${project}&path=README.md`, { token });
    expect(file.body.content).toBe('# App\n');
    // Only the served generation remains once the worker cleaned up behind the killed attempt.
    const gens = fs.readdirSync(base).filter((e) => /^g\d+-/.test(e));
    expect(gens).toHaveLength(1);
    expect(fs.readlinkSync(path.join(base, 'current')).startsWith(gens[0]!)).toBe(true);
    await stopServer(second);
  });
});
