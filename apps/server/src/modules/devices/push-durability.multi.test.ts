import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../infra/logger.js';
import { startRuntime, type Runtime } from '../../runtime.js';
import { backends, eventually, TEST_DEFAULTS, tempDir } from '../../test/harness.js';
import { PUSH_QUEUE } from './push-delivery.service.js';

const external = backends().find((b) => b.name === 'postgres+redis');

/**
 * A push is a durable job: enqueued with its notification by an API process that runs no worker, it waits in
 * PostgreSQL, and a worker started later, whose Redis is unreachable, still delivers it.
 */
describe.runIf(external)('push delivery across processes', () => {
  const runtimes: Runtime[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const r of runtimes.reverse()) await r.stop();
    for (const c of cleanups.reverse()) await c();
  });

  it('keeps a push queued while no worker runs, and a worker without Redis delivers it', async () => {
    const sent: string[] = [];
    const expo = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        sent.push(body);
        const n = (JSON.parse(body) as unknown[]).length;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ data: Array.from({ length: n }, () => ({ status: 'ok', id: crypto.randomUUID() })) }));
      });
    });
    await new Promise<void>((resolve) => expo.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => expo.close(() => resolve())));
    const { env, cleanup } = await external!.provision();
    cleanups.push(cleanup);
    const shared = {
      ...TEST_DEFAULTS,
      ...env,
      HIVESYNC_JWT_SECRET: crypto.randomBytes(32).toString('hex'),
      HIVESYNC_SECRETS_KEY: crypto.randomBytes(32).toString('hex'),
      HIVESYNC_EXPO_PUSH_URL: `http://127.0.0.1:${(expo.address() as AddressInfo).port}/--/api/v2/push`,
    };
    const start = async (overrides: Record<string, string>) => {
      const dir = tempDir();
      cleanups.push(() => dir.remove());
      const config = loadConfig({ ...shared, HIVESYNC_DATA_DIR: dir.dir, ...overrides }, {});
      const runtime = await startRuntime(config, { logger: createLogger('silent'), listen: false });
      runtimes.push(runtime);
      return runtime;
    };

    const api = await start({ HIVESYNC_ROLE: 'api' });
    const registered = await api.app!.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: {
        email: 'durable-push@example.test',
        password: 'a push that waits for its worker',
        display_name: 'Dora',
      },
    });
    const { access_token: token, user } = registered.json<{ access_token: string; user: { id: string } }>();
    const pushToken = `ExponentPushToken[${crypto.randomBytes(8).toString('hex')}]`;
    const device = await api.app!.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: { authorization: `Bearer ${token}` },
      payload: { platform: 'android', token: pushToken },
    });
    expect(device.statusCode).toBe(201);
    await api.services.notifications.notify({
      userIds: [user.id],
      projectId: null,
      type: 'system_maintenance_warning',
      payload: { message: 'Back in five' },
    });
    // Committed with the notification: queued, with no process to run it.
    const queued = (await api.infra.queue.depths()).find((q) => q.name === PUSH_QUEUE);
    expect(queued?.queued).toBe(1);
    expect(sent).toEqual([]);

    // A worker whose Redis cannot be reached (nothing listens on port 1) still takes the job from PostgreSQL.
    await start({ HIVESYNC_ROLE: 'worker', REDIS_URL: 'redis://127.0.0.1:1' });
    await eventually(async () => sent.some((b) => b.includes(pushToken)));
    const [message] = JSON.parse(sent.find((b) => b.includes(pushToken))!) as { title: string; body: string }[];
    expect(message).toMatchObject({ title: 'Maintenance', body: 'Back in five' });
  });
});
