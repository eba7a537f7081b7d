import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_SCHEMA } from '../infra/queue.js';
import { backends, createProject, eventually, startTestServer, type TestServer } from '../test/harness.js';
import { parsePools, poolOf, PRO_PRIORITY, routeJob } from './pools.js';

describe('parsePools', () => {
  it('reads pools with optional concurrencies and refuses unknown ones', () => {
    expect([...(parsePools('cpu,gpu') as Map<string, number | undefined>)]).toEqual([
      ['cpu', undefined],
      ['gpu', undefined],
    ]);
    expect([...(parsePools(' cpu:4 , gpu:1') as Map<string, number | undefined>)]).toEqual([
      ['cpu', 4],
      ['gpu', 1],
    ]);
    expect(parsePools('cpu,tpu')).toMatch(/unknown pool "tpu"/);
    expect(parsePools('cpu:0')).toMatch(/concurrency of cpu/);
    expect(parsePools('')).toMatch(/at least one pool/);
    expect(poolOf('ai-job-gpu')).toBe('gpu');
    expect(poolOf('preview-build')).toBe('cpu');
  });
});

describe.each(backends())('pools and plans on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    // A worker of the gpu pool only: cpu jobs wait, and say so.
    server = await startTestServer(backend, { HIVESYNC_WORKER_POOLS: 'gpu:1', HIVESYNC_STARVATION_SECONDS: '3600' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const waiting = async (queue: string) => {
    const { rows } = await server.runtime.infra.db.sql.executeSql(
      `select data->>'n' as n, priority from ${QUEUE_SCHEMA}.job where name = $1 and state = 'created'
        order by priority desc, created_on, id`,
      [queue],
    );
    return rows.map((r) => ({ n: String(r.n), priority: Number(r.priority) }));
  };

  it('a job whose pool has no worker waits; heartbeats name the pools served and queue depths the pool of each queue', async () => {
    const { queue, heartbeats } = server.runtime.infra;
    await queue.send('system-noop', { n: 'waits' });
    const workers = await eventually(async () => {
      const list = await heartbeats.list();
      return list.length > 0 && list[0]!.pools ? list : undefined;
    });
    expect(workers[0]!.pools).toEqual(['gpu']);
    expect(workers[0]!.concurrency).toEqual({ gpu: 1 });
    expect(workers[0]!.queues).toEqual(['ai-job-gpu']);
    const depth = (await queue.depths()).find((d) => d.name === 'system-noop')!;
    expect(depth).toMatchObject({ pool: 'cpu', queued: 1, active: 0 });
    expect(await waiting('system-noop')).toEqual([{ n: 'waits', priority: 0 }]);
  });

  it("pro projects' jobs come first; the starvation guard lets waiting free jobs take their turn", async () => {
    const { queue, db } = server.runtime.infra;
    const free = (await createProject(server, server.admin.token, 'free-one')).id;
    const pro = (await createProject(server, server.admin.token, 'pro-one')).id;
    await db.sql.executeSql(`update projects set plan = 'pro' where id = $1`, [pro]);
    // The plan is read from the job's project (here a search-index job names it).
    expect(await routeJob('search-index', { project_id: pro }, db.sql)).toEqual({
      queue: 'search-index',
      priority: PRO_PRIORITY,
      plan: 'pro',
    });
    expect((await routeJob('search-index', { project_id: free }, db.sql)).priority).toBe(0);
    // AI jobs of pro projects go to the gpu pool.
    expect((await routeJob('ai-job', { plan: 'pro' }, db.sql)).queue).toBe('ai-job-gpu');

    // Jobs of one priority are taken oldest first; PGlite's clock counts whole milliseconds, so the jobs are sent
    // a few milliseconds apart to give each its own created_on.
    for (const [n, plan] of [
      ['free-1', 'free'],
      ['free-2', 'free'],
      ['pro-1', 'pro'],
    ]) {
      await queue.send('system-canary', { n, plan });
      await new Promise((r) => setTimeout(r, 5));
    }
    expect((await waiting('system-canary')).map((j) => j.n)).toEqual(['pro-1', 'free-1', 'free-2']);
    // Past the window, the free jobs are taken in their turn: oldest first, ahead of the newer pro job.
    await new Promise((r) => setTimeout(r, 50));
    expect(await queue.promoteWaiting(0.01)).toBeGreaterThanOrEqual(2);
    expect((await waiting('system-canary')).map((j) => j.n)).toEqual(['free-1', 'free-2', 'pro-1']);
  });
});
