import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, eventually, registerUser, startTestServer, type TestServer } from '../../test/harness.js';
import { HealthService } from './health.service.js';

describe.each(backends())('health on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.stop());

  it('answers /health without auth', async () => {
    const res = await server.request({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', version: '0.1.0' });
  });

  it('checks every backend in /health/deep, with the details for an admin only', async () => {
    const res = await server.request({ method: 'GET', url: '/health/deep', token: server.admin.token });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ok');
    for (const name of ['database', 'storage', 'git', 'disk']) expect(body.checks[name].status).toBe('ok');
    expect(body.checks.redis.status).toBe(backend.name === 'embedded' ? 'disabled' : 'ok');
    expect(body.checks.git.message).toMatch(/^git version/);
    expect(body.checks.disk.message).toMatch(/MiB free/);

    // Anyone else, or a token that is not valid: the same shape and statuses, no messages.
    const user = await registerUser(server);
    for (const token of [undefined, user.token, 'not-a-token', `${server.admin.token}x`]) {
      const other = await server.request({ method: 'GET', url: '/health/deep', token });
      expect(other.statusCode, String(token)).toBe(200);
      const { status, checks } = other.json();
      expect(status).toBe(body.status);
      expect(Object.keys(checks).sort()).toEqual(['database', 'disk', 'git', 'redis', 'storage']);
      for (const [name, check] of Object.entries(checks as Record<string, Record<string, unknown>>)) {
        expect(Object.keys(check).sort(), name).toEqual(['latency_ms', 'status']);
        expect(check.status).toBe(body.checks[name].status);
      }
    }
  });

  it('shows this process’s worker and each queue in /health/workers', async () => {
    const body = await eventually(async () => {
      const res = (await server.request({ method: 'GET', url: '/health/workers' })).json();
      return res.workers.length > 0 && res;
    });
    expect(body.workers[0]).toMatchObject({ id: server.runtime.runner!.workerId, kind: 'worker', status: 'healthy' });
    expect(body.queues).toContainEqual({ name: 'system-canary', queued: 0, active: 0, failed: 0 });
  });
});

describe.each(backends())('health/deep cache on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.stop());

  it('runs the checks once for 50 concurrent callers, and answers from that result afterwards', async () => {
    const { storage, db } = server.runtime.infra;
    const probe = vi.spyOn(storage, 'check');
    const ping = vi.spyOn(db, 'ping');
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        server.request({ method: 'GET', url: '/health/deep', ...(i % 2 === 0 && { token: server.admin.token }) }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(50).fill(200));
    expect(probe).toHaveBeenCalledTimes(1);
    expect(ping).toHaveBeenCalledTimes(1);
    // One result: every caller sees the same latencies.
    expect(new Set(answers.map((a) => a.json().checks.database.latency_ms)).size).toBe(1);

    // A caller after them is answered from the same result: no check runs again.
    const again = await server.request({ method: 'GET', url: '/health/deep' });
    expect(again.statusCode).toBe(200);
    expect(probe).toHaveBeenCalledTimes(1);
    expect(ping).toHaveBeenCalledTimes(1);
    probe.mockRestore();
    ping.mockRestore();
  });
});

describe('health/deep cache window', () => {
  it('runs the checks again once the cached result is older than the window, once for concurrent callers', async () => {
    let pings = 0;
    const health = new HealthService({
      version: 'test',
      db: { ping: async () => void pings++ } as never,
      redis: undefined,
      storage: { check: async () => undefined } as never,
      queue: {} as never,
      heartbeats: {} as never,
      dataDir: '.',
      minFreeDiskMb: 0,
      heartbeatIntervalMs: 1000,
      deepCacheMs: 200,
    });
    // The clock moves only when the test says so: a slow machine cannot age the cached result behind its back.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      await Promise.all(Array.from({ length: 10 }, () => health.deep(null)));
      vi.setSystemTime(Date.now() + 199);
      await health.deep(null);
      expect(pings).toBe(1);
      vi.setSystemTime(Date.now() + 2);
      await Promise.all(Array.from({ length: 10 }, () => health.deep(null)));
      expect(pings).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('health/deep failing', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backends()[0]!, { HIVESYNC_MIN_FREE_DISK_MB: '9999999' });
  });
  afterAll(() => server?.stop());

  it('answers 503 naming the failed check when a required one fails', async () => {
    const res = await server.request({ method: 'GET', url: '/health/deep', token: server.admin.token });
    expect(res.statusCode).toBe(503);
    expect(res.json().status).toBe('fail');
    expect(res.json().checks.disk).toMatchObject({ status: 'fail' });
    expect(res.json().checks.disk.message).toMatch(/below the 9999999 MiB minimum/);
  });
});
