import { afterAll, describe, expect, it } from 'vitest';
import { backends, eventually, tempDir } from '../../apps/server/src/test/harness.js';
import { call, spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';
import { seedEmbeddedDatabase } from '../../apps/server/src/test/pglite-template.js';

const FAST = {
  HIVESYNC_HEARTBEAT_INTERVAL_MS: '500',
  HIVESYNC_JOB_POLL_INTERVAL_MS: '500',
  HIVESYNC_JOB_RETRY_DELAY_SECONDS: '0',
};

/** Starts a canary that takes a while, and waits until a worker is running it. */
async function startCanaryAndWaitRunning(url: string) {
  const admin = await call(url, 'POST', '/api/v1/auth/register', {
    body: { email: 'ops@example.test', password: 'operations password' },
  });
  const token = admin.body.access_token as string;
  const canary = await call(url, 'POST', '/api/v1/admin/canary', { token, body: { delay_ms: 3000 } });
  expect(canary.status).toBe(202);
  const id = canary.body.canary_id as string;
  const running = await eventually(async () => {
    const c = await call(url, 'GET', `/api/v1/admin/canary/${id}`, { token });
    return c.body.status === 'running' && c.body;
  });
  return { token, id, firstWorker: running.worker_id as string };
}

describe('a worker killed with SIGKILL while holding a job', () => {
  const started: ServerProcess[] = [];
  const tracked = (...args: Parameters<typeof spawnServer>) => {
    const s = spawnServer(...args);
    started.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of started) await stopServer(s, 'SIGKILL');
  });

  it('embedded: after a restart the job runs to completion', async () => {
    const data = tempDir();
    try {
      await seedEmbeddedDatabase(data.dir);
      const first = tracked({ HIVESYNC_DATA_DIR: data.dir, ...FAST });
      await first.ready;
      const { token, id, firstWorker } = await startCanaryAndWaitRunning(first.url);
      first.proc.kill('SIGKILL');
      await first.exited;

      const second = tracked({ HIVESYNC_DATA_DIR: data.dir, ...FAST });
      await second.ready;
      const done = await eventually(async () => {
        const c = await call(second.url, 'GET', `/api/v1/admin/canary/${id}`, { token });
        return c.body.status === 'completed' && c.body;
      }, 30_000);
      expect(done.attempts).toBe(2);
      expect(done.worker_id).not.toBe(firstWorker);
      await stopServer(second);
    } finally {
      data.remove();
    }
  });

  const external = backends().find((b) => b.name === 'postgres+redis');
  it.runIf(external)('distributed: a surviving worker hands the job back and it completes', async () => {
    const { env, cleanup } = await external!.provision();
    const data = tempDir();
    try {
      const shared = {
        ...env,
        ...FAST,
        HIVESYNC_DATA_DIR: data.dir,
        HIVESYNC_JWT_SECRET: 'a'.repeat(40),
        HIVESYNC_SECRETS_KEY: 'b'.repeat(64),
      };
      const api = tracked(shared, { args: ['api'] });
      await api.ready;
      const worker1 = tracked(shared, { args: ['worker'] });
      await worker1.ready;
      const { token, id, firstWorker } = await startCanaryAndWaitRunning(api.url);
      worker1.proc.kill('SIGKILL');
      await worker1.exited;

      const worker2 = tracked(shared, { args: ['worker'] });
      await worker2.ready;
      const done = await eventually(async () => {
        const c = await call(api.url, 'GET', `/api/v1/admin/canary/${id}`, { token });
        return c.body.status === 'completed' && c.body;
      }, 30_000);
      expect(done.attempts).toBe(2);
      expect(done.worker_id).not.toBe(firstWorker);

      const health = await call(api.url, 'GET', '/health/workers');
      const states = Object.fromEntries(
        health.body.workers.map((w: { id: string; status: string }) => [w.id, w.status]),
      );
      expect(states[firstWorker]).toBe('stale');
      expect(states[done.worker_id]).toBe('healthy');
      // Admins hear about the lost worker.
      const notes = await call(api.url, 'GET', '/api/v1/notifications', { token });
      expect(notes.body.notifications.map((n: { type: string }) => n.type)).toContain('worker_unavailable');
      await Promise.all([stopServer(worker2), stopServer(api)]);
    } finally {
      data.remove();
      await cleanup();
    }
  });
});
