import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, eventually, startTestServer, type TestServer } from '../../test/harness.js';

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

  it('checks every backend in /health/deep', async () => {
    const res = await server.request({ method: 'GET', url: '/health/deep' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ok');
    for (const name of ['database', 'storage', 'git', 'disk']) expect(body.checks[name].status).toBe('ok');
    expect(body.checks.redis.status).toBe(backend.name === 'embedded' ? 'disabled' : 'ok');
    expect(body.checks.git.message).toMatch(/^git version/);
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

describe('health/deep failing', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backends()[0]!, { HIVESYNC_MIN_FREE_DISK_MB: '9999999' });
  });
  afterAll(() => server?.stop());

  it('answers 503 naming the failed check when a required one fails', async () => {
    const res = await server.request({ method: 'GET', url: '/health/deep' });
    expect(res.statusCode).toBe(503);
    expect(res.json().status).toBe('fail');
    expect(res.json().checks.disk).toMatchObject({ status: 'fail' });
    expect(res.json().checks.disk.message).toMatch(/below the 9999999 MiB minimum/);
  });
});
