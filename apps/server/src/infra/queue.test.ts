import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { canaries } from '../db/schema.js';
import { backends, startTestServer, type TestServer } from '../test/harness.js';
import { CANARY_QUEUE } from '../modules/admin/admin.service.js';

describe.each(backends())('queue and database on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.stop());

  /** Jobs ever enqueued for a canary id, whatever their state now. */
  const jobsFor = async (canaryId: string) => {
    const { rows } = await server.runtime.infra.db.sql.executeSql(
      `select count(*)::int as n from pgboss.job where name = $1 and data->>'canary_id' = $2`,
      [CANARY_QUEUE, canaryId],
    );
    return Number(rows[0]!.n);
  };

  it('enqueues nothing when the transaction that sent the job rolls back', async () => {
    const { db, queue } = server.runtime.infra;
    await expect(
      db.transaction(async (tx) => {
        await tx.orm.insert(canaries).values({ id: 'rolled-back', status: 'queued', delayMs: 0 });
        await queue.send(CANARY_QUEUE, { canary_id: 'rolled-back' }, tx);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await jobsFor('rolled-back')).toBe(0);
    const rows = await db.orm
      .select()
      .from(canaries)
      .where(sql`${canaries.id} = 'rolled-back'`);
    expect(rows).toEqual([]);
  });

  it('commits the row and its job together', async () => {
    const { db, queue } = server.runtime.infra;
    await db.transaction(async (tx) => {
      await tx.orm.insert(canaries).values({ id: 'committed', status: 'queued', delayMs: 0 });
      await queue.send(CANARY_QUEUE, { canary_id: 'committed' }, tx);
    });
    expect(await jobsFor('committed')).toBe(1);
  });

  it('hands 64-bit integers back as numbers on both drivers', async () => {
    const u = server.admin;
    await server.runtime.services.notifications.notify({
      userIds: [u.id],
      projectId: null,
      type: 'worker_unavailable',
      payload: {},
    });
    const [row] = await server.runtime.infra.db.orm
      .execute(sql`select 1`)
      .then(() => server.runtime.infra.db.orm.query.notifications.findMany({ limit: 1 }));
    expect(typeof row!.seq).toBe('number');
    const res = await server.request({ method: 'GET', url: '/api/v1/notifications', token: u.token });
    expect(res.json().cursor).toBe(String(row!.seq));
  });
});
