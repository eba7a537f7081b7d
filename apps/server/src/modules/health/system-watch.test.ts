import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, registerUser, startTestServer, type TestServer } from '../../test/harness.js';
import { HealthService } from './health.service.js';
import { SystemWatchService } from './system-watch.service.js';

type Note = { type: string; payload: Record<string, unknown> };

async function notes(server: TestServer, token: string): Promise<Note[]> {
  const res = await server.request({ method: 'GET', url: '/api/v1/notifications?limit=200', token });
  return res.json<{ notifications: Note[] }>().notifications;
}

/** The watch as the workers run it, over the server's own backends, with the thresholds given. */
function watchOf(server: TestServer, o: { minFreeDiskMb: number; diskWarningFreePercent: number }) {
  const { infra, services, config } = server.runtime;
  return new SystemWatchService({
    db: infra.db,
    health: new HealthService({
      version: config.version,
      db: infra.db,
      redis: infra.redis,
      storage: infra.storage,
      queue: infra.queue,
      heartbeats: infra.heartbeats,
      dataDir: config.dataDir,
      minFreeDiskMb: o.minFreeDiskMb,
      heartbeatIntervalMs: config.jobs.heartbeatIntervalMs,
      deepCacheMs: 0,
    }),
    queue: infra.queue,
    notifications: services.notifications,
    adminIds: () => services.admin.adminIds(),
    logger: server.runtime.logger,
    options: {
      dataDir: config.dataDir,
      diskWarningFreePercent: o.diskWarningFreePercent,
      queueDepthWarning: config.health.queueDepthWarning,
    },
  });
}

describe.each(backends())('the system watch on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { HIVESYNC_SYSTEM_WATCH_INTERVAL_SECONDS: '86400' });
  });
  afterAll(() => server?.stop());

  it('tells admins once per incident when health fails or the disk runs low, and again after it cleared', async () => {
    const user = await registerUser(server);
    // A disk check that demands more space than any disk has, and a warning line above any free share.
    const troubled = watchOf(server, { minFreeDiskMb: 10_000_000, diskWarningFreePercent: 100 });
    const opened = await troubled.check();
    expect(opened.map((c) => c.type).sort()).toEqual(['resource_limit_warning', 'system_health_issue']);

    const health = (await notes(server, server.admin.token)).filter((n) => n.type === 'system_health_issue');
    expect(health).toHaveLength(1);
    expect(health[0]!.payload).toMatchObject({
      status: 'fail',
      checks: expect.arrayContaining([expect.objectContaining({ check: 'disk', status: 'fail' })]),
    });
    const disk = (await notes(server, server.admin.token)).filter((n) => n.type === 'resource_limit_warning');
    expect(disk).toHaveLength(1);
    expect(disk[0]!.payload).toMatchObject({ resource: 'disk', threshold_percent: 100 });
    expect(disk[0]!.payload.free_percent).toEqual(expect.any(Number));
    // Only admins hear about the system.
    expect((await notes(server, user.token)).map((n) => n.type)).not.toContain('system_health_issue');

    // Still troubled: no second notification for the same incident, from this worker or another.
    expect(await troubled.check()).toEqual([]);
    expect(await watchOf(server, { minFreeDiskMb: 10_000_000, diskWarningFreePercent: 100 }).check()).toEqual([]);
    expect((await notes(server, server.admin.token)).filter((n) => n.type === 'system_health_issue')).toHaveLength(1);

    // It clears; the next time it happens is a new incident.
    expect(await watchOf(server, { minFreeDiskMb: 0, diskWarningFreePercent: 0 }).check()).toEqual([]);
    expect(await server.runtime.services.systemWatch.repo.openIncidents()).toEqual([]);
    expect((await troubled.check()).length).toBe(2);
    expect((await notes(server, server.admin.token)).filter((n) => n.type === 'system_health_issue')).toHaveLength(2);
    await watchOf(server, { minFreeDiskMb: 0, diskWarningFreePercent: 0 }).check();
  });
});

describe.runIf(backends().some((b) => b.name === 'postgres+redis'))('queue depth on an API-only instance', () => {
  let server: TestServer;
  beforeAll(async () => {
    const backend = backends().find((b) => b.name === 'postgres+redis')!;
    // No worker takes the jobs this instance queues: the queue backs up as it would with every worker down.
    server = await startTestServer(backend, {
      HIVESYNC_ROLE: 'api',
      HIVESYNC_JWT_SECRET: crypto.randomBytes(32).toString('hex'),
      HIVESYNC_SECRETS_KEY: crypto.randomBytes(32).toString('base64'),
      HIVESYNC_QUEUE_DEPTH_WARNING: '2',
    });
  });
  afterAll(() => server?.stop());

  it('warns admins when more jobs wait in one queue than the threshold', async () => {
    const watch = server.runtime.services.systemWatch;
    for (let i = 0; i < 3; i++) {
      const res = await server.request({
        method: 'POST',
        url: '/api/v1/admin/canary',
        token: server.admin.token,
        body: {},
      });
      expect(res.statusCode).toBe(202);
      if (i < 2) expect((await watch.check()).filter((c) => c.kind === 'queue')).toEqual([]);
    }
    const opened = await watch.check();
    expect(opened).toMatchObject([
      { kind: 'queue', type: 'resource_limit_warning', details: { waiting: 3, threshold: 2 } },
    ]);
    const warning = (await notes(server, server.admin.token)).find((n) => n.type === 'resource_limit_warning');
    expect(warning?.payload).toMatchObject({ resource: 'queue', queue: opened[0]!.subject, waiting: 3, threshold: 2 });
  });
});
