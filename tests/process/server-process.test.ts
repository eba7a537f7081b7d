import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../apps/server/src/test/harness.js';
import { call, spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';

describe('the server process (embedded)', () => {
  const data = tempDir();
  const started: ServerProcess[] = [];
  const spawnTracked = (...args: Parameters<typeof spawnServer>) => {
    const s = spawnServer(...args);
    started.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of started) await stopServer(s, 'SIGKILL');
    data.remove();
  });

  it('prints its URL, data dir and each backend, refuses a second process on the same data dir, stops cleanly on SIGTERM, and keeps the data', async () => {
    const first = spawnTracked({ HIVESYNC_DATA_DIR: data.dir });
    await first.ready;
    const banner = first.output();
    expect(banner).toMatch(/^url: http:\/\/127\.0\.0\.1:\d+$/m);
    expect(banner).toContain(`data dir: ${data.dir}`);
    expect(banner).toContain(`database: embedded PGlite at ${data.dir}/pgdata`);
    expect(banner).toMatch(/^queue: pg-boss$/m);
    expect(banner).toMatch(/^cache: memory$/m);
    expect(banner).toContain(`storage: local files at ${data.dir}/objects`);

    const reg = await call(first.url, 'POST', '/api/v1/auth/register', {
      body: { email: 'keep@example.test', password: 'persistent password' },
    });
    expect(reg.status).toBe(201);

    const second = spawnTracked({ HIVESYNC_DATA_DIR: data.dir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/in use by another HiveSync process \(pid \d+\)/);

    first.proc.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/SIGTERM: shutting down[\s\S]*stopped/);

    const again = spawnTracked({ HIVESYNC_DATA_DIR: data.dir });
    await again.ready;
    const login = await call(again.url, 'POST', '/api/v1/auth/login', {
      body: { email: 'keep@example.test', password: 'persistent password' },
    });
    expect(login.status).toBe(200);
    expect(login.body.user.role).toBe('admin');
    await stopServer(again);
  });

  it('exits 1 with one line per bad variable', async () => {
    const bad = spawnTracked({ HIVESYNC_DATA_DIR: data.dir, HIVESYNC_PORT: 'http', HIVESYNC_ROLE: 'everything' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/Invalid configuration:\n {2}- HIVESYNC_PORT: .*\n {2}- HIVESYNC_ROLE: /);
  });
});
