import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createProject, startTestServer, type TestServer } from '../../test/harness.js';
import type { AuthContext } from '../auth/auth.types.js';
import { Histogram } from './analytics-rollup.js';
import { AnalyticsService, resolveWindow } from './analytics.service.js';

const ADMIN: AuthContext = { userId: 'admin', role: 'admin' };
const DAY = 86_400_000;
/** The histogram's promise: an estimate within 2^(1/8) − 1 of the exact percentile (plus the answer's 0.1 ms rounding). */
const within = (estimate: number | null, exact: number | null) => {
  if (exact === null) return estimate === null;
  return estimate !== null && Math.abs(estimate - exact) <= exact * (2 ** (1 / 8) - 1) + 0.1;
};

/** percentile_cont over a list, as PostgreSQL computes it. */
function percentileCont(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  return sorted[lo]! + (rank - lo) * (sorted[Math.ceil(rank)]! - sorted[lo]!);
}

describe('Histogram', () => {
  it('estimates percentiles within 9.1% of percentile_cont, from 1 ms to hours', () => {
    // A deterministic spread of durations over seven orders of magnitude.
    let seed = 7;
    const next = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    for (const size of [1, 2, 5, 100, 5000]) {
      const values = Array.from({ length: size }, () => Math.round(10 ** (next() * 7)));
      const h = new Histogram();
      for (const v of values) h.add(Math.min(95, Math.floor(Math.log2(Math.max(v, 1)) * 4)), 1);
      for (const p of [0, 0.5, 0.95, 1]) expect(within(h.percentile(p), percentileCont(values, p))).toBe(true);
      // Stored and read back, the same histogram.
      const { lo, hist } = h.stored();
      const back = new Histogram();
      back.addStored(lo, hist);
      expect(back.percentile(0.5)).toBe(h.percentile(0.5));
    }
    expect(new Histogram().percentile(0.5)).toBeNull();
  });
});

describe.each(backends())('analytics roll-ups on $name', (backend) => {
  let server: TestServer;
  let service: AnalyticsService;
  const now = Date.now();
  beforeAll(async () => {
    server = await startTestServer(backend);
    service = new AnalyticsService(server.runtime.infra.db);
    const db = server.runtime.infra.db;
    const project = (await createProject(server, server.admin.token, 'rollups')).id;
    // 40 days of AI jobs and syncs (3 and 2 an hour), with durations from 1 ms to an hour; the last day's jobs are
    // still running.
    const at = (n: number) => `$2::timestamptz - interval '960 hours' + (g * interval '960 hours') / ${n}`;
    await db.sql.executeSql(
      `insert into ai_jobs (id, project_id, action, params, status, commit, created_at, started_at, finished_at,
                            provider, prompt_tokens, completion_tokens)
       select 'job-' || g, $1, (array['document_function','rename_symbol','refactor'])[1 + g % 3], '{}',
              case when g > 2800 then 'running' when g % 7 = 0 then 'failed' else 'completed' end, 'c',
              ${at(2880)}, ${at(2880)}, case when g <= 2800 then ${at(2880)} + ((g * 7919) % 3600000) * interval '1 ms' end,
              (array['local','openai'])[1 + g % 2],
              case when g % 2 = 1 then g % 1000 end, case when g % 2 = 1 then g % 100 end
         from generate_series(0, 2879) g`,
      [project, new Date(now).toISOString()],
    );
    await db.sql.executeSql(
      `insert into repo_syncs (id, project_id, trigger, status, created_at, duration_ms, error_code)
       select 'sync-' || g, $1, 'schedule', case when g % 9 = 0 then 'failed' else 'completed' end, ${at(1920)},
              1 + (g * 104729) % 600000,
              case when g % 9 = 0 then (array['git_timeout', null, 'auth_failed'])[1 + g % 3] end
         from generate_series(0, 1919) g`,
      [project, new Date(now).toISOString()],
    );
    // 40 days of rate-limit refusals (6 an hour) over 3 routes, 7 users (one of them the admin, who has an email)
    // and 60 addresses: more than the 50 an answer lists, with ties at the cut.
    await db.sql.executeSql(
      `insert into rate_limit_refusals (minute, limit_name, route, user_id, ip, count)
       select date_trunc('minute', ${at(5760)}), (array['search','syncs','ai_jobs'])[1 + g % 3],
              (array['GET /api/v1/repo/search','POST /api/v1/repo/sync','POST /api/v1/ai/jobs'])[1 + g % 3],
              case when g % 7 = 0 then $1 else 'user-' || (g % 7) end, '10.0.' || (g % 60) || '.1', 1 + g % 4
         from generate_series(0, 5759) g
       on conflict do nothing`,
      [server.admin.id, new Date(now).toISOString()],
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** The service's answers compared with the exact SQL of the same window (counts equal, percentiles within 9.1%). */
  const compare = async (query: { from: string; to: string; bucket: string }) => {
    const w = resolveWindow(query, now);
    const ai = await service.ai(ADMIN, query);
    const syncs = await service.syncs(ADMIN, query);
    expect(ai.range.percentiles).toBe('estimated');
    const exactAiSeries = await service.repo.aiSeries(w);
    const aiCounts = (s: { completed: number; failed: number }[]) => s.map((b) => [b.completed, b.failed]);
    const bucketed = new Map(exactAiSeries.map((r) => [Math.round(Number(r.t)) * 1000, r]));
    expect(aiCounts(ai.series)).toEqual(
      ai.series.map((b) => {
        const r = bucketed.get(Date.parse(b.t));
        return [Number(r?.completed ?? 0), Number(r?.failed ?? 0)];
      }),
    );
    const exactByAction = await service.repo.aiByAction(w);
    expect(
      ai.by_action.map((r) => [r.action, r.provider, r.outcome, r.count, r.prompt_tokens, r.completion_tokens]),
    ).toEqual(
      exactByAction.map((r) => [
        r.action,
        r.provider,
        r.outcome,
        Number(r.count),
        r.prompt_tokens === null ? null : Number(r.prompt_tokens),
        r.completion_tokens === null ? null : Number(r.completion_tokens),
      ]),
    );
    ai.by_action.forEach((r, i) => {
      const exact = exactByAction[i]!;
      expect(within(r.p50_ms, exact.p50_ms === null ? null : Number(exact.p50_ms))).toBe(true);
      expect(within(r.p95_ms, exact.p95_ms === null ? null : Number(exact.p95_ms))).toBe(true);
    });

    const exactOutcomes = await service.repo.syncByOutcome(w);
    expect(syncs.by_outcome.map((r) => [r.outcome, r.count])).toEqual(
      exactOutcomes.map((r) => [r.outcome, Number(r.count)]),
    );
    syncs.by_outcome.forEach((r, i) => expect(within(r.p95_ms, Number(exactOutcomes[i]!.p95_ms))).toBe(true));
    expect(syncs.by_error).toEqual(
      (await service.repo.syncErrors(w)).map((r) => ({ code: r.code, count: Number(r.count) })),
    );
    const exactSyncs = new Map((await service.repo.syncSeries(w)).map((r) => [Math.round(Number(r.t)) * 1000, r]));
    for (const b of syncs.series) {
      const r = exactSyncs.get(Date.parse(b.t));
      expect([b.completed, b.failed]).toEqual([Number(r?.completed ?? 0), Number(r?.failed ?? 0)]);
      for (const p of ['p50_ms', 'p95_ms'] as const) {
        expect(within(b[p], r?.[p] === null || r === undefined ? null : Number(r[p]))).toBe(true);
      }
    }

    const limits = await service.rateLimits(ADMIN, query);
    const exactLimits = await service.repo.refusalSeries(w);
    const refusals = new Map(exactLimits.map((r) => [Math.round(Number(r.t)) * 1000, Number(r.refusals)]));
    expect(limits.series.map((b) => b.refusals)).toEqual(limits.series.map((b) => refusals.get(Date.parse(b.t)) ?? 0));
    expect(limits.by_route).toEqual(
      (await service.repo.refusalsByRoute(w)).map((r) => ({
        route: r.route,
        limit_name: r.limit_name,
        count: r.count,
      })),
    );
    expect(limits.by_user).toEqual(
      (await service.repo.refusalsByUser(w)).map((r) => ({ user_id: r.user_id, email: r.email, count: r.count })),
    );
    expect(limits.by_user.find((u) => u.user_id === server.admin.id)?.email).toBe(server.admin.email);
    expect(limits.by_ip).toEqual((await service.repo.refusalsByIp(w)).map((r) => ({ ip: r.ip, count: r.count })));
    expect(limits.by_ip).toHaveLength(50);
    return { ai, syncs };
  };

  const iso = (t: number) => new Date(t).toISOString();

  it('answers long ranges from the rows before any roll-up, and the same from the roll-ups after', async () => {
    const month = { from: iso(now - 30 * DAY), to: iso(now), bucket: '1d' };
    const before = await compare(month);
    const rollups = service.rollups;
    expect(await rollups.rolledUntil()).toEqual({});

    // The last day still has running jobs and has not settled: AI jobs are rolled up to the day before it.
    const rolled = await rollups.rollUp(now);
    expect(rolled).toBeGreaterThan(60);
    const until = await rollups.rolledUntil();
    expect(until.syncs).toBe(Math.floor((now - DAY) / DAY) * DAY);
    expect(until.refusals).toBe(until.syncs);
    const firstRunning = now - 40 * DAY + (2801 * 40 * DAY) / 2880;
    expect(until.ai).toBe(Math.min(Math.floor(firstRunning / DAY) * DAY, until.syncs!));
    // Rolling again finds nothing due.
    expect(await rollups.rollUp(now)).toBe(0);
    // Whole 7-day blocks have their week rows, which the month's breakdowns read.
    const weeks = await server.runtime.infra.db.sql.executeSql(
      `select count(distinct at)::int as n from analytics_rollups where grain = 'week'`,
    );
    expect(Number(weeks.rows[0]!.n)).toBeGreaterThanOrEqual(4);

    const after = await compare(month);
    expect(after.ai.by_action.map((r) => r.count)).toEqual(before.ai.by_action.map((r) => r.count));
    // Ranges not on day boundaries, with buckets of several hours: the edges come from the rows.
    await compare({ from: iso(now - 20.5 * DAY - 3_600_000 * 5), to: iso(now - 2.25 * DAY), bucket: '6h' });
    await compare({ from: iso(now - 39 * DAY), to: iso(now - 8 * DAY + 1234), bucket: '1h' });

    // Ranges of a week or less, or buckets that are not whole hours, stay exact.
    expect((await service.ai(ADMIN, { from: iso(now - 7 * DAY), to: iso(now), bucket: '1h' })).range.percentiles).toBe(
      'exact',
    );
    expect(
      (await service.syncs(ADMIN, { from: iso(now - 10 * DAY), to: iso(now), bucket: '30m' })).range.percentiles,
    ).toBe('exact');
  });

  it('rolls a day once its jobs have finished, and a crash mid-day leaves it to be rolled again', async () => {
    const db = server.runtime.infra.db;
    const rollups = service.rollups;
    const held = (await rollups.rolledUntil()).ai!;
    await db.sql.executeSql(`update ai_jobs set status = 'failed' where status = 'running'`);
    // A roll-up that fails inside its transaction (here: its insert refused) leaves neither rows nor state.
    await db.sql.executeSql(
      `alter table analytics_rollups add constraint rollup_test_refuses check (source <> 'ai' or at < $$${iso(held)}$$)`,
    );
    await expect(rollups.rollUp(now + 2 * DAY)).rejects.toThrow(/rollup_test_refuses/);
    expect((await rollups.rolledUntil()).ai).toBe(held);
    await db.sql.executeSql(`alter table analytics_rollups drop constraint rollup_test_refuses`);

    expect(await rollups.rollUp(now + 2 * DAY)).toBeGreaterThan(0);
    expect((await rollups.rolledUntil()).ai).toBe(Math.floor((now + DAY) / DAY) * DAY);
    const { rows } = await db.sql.executeSql(
      `select sum(n)::int as n from analytics_rollups where source = 'ai' and grain = 'hour'`,
    );
    expect(Number(rows[0]!.n)).toBe(2880);
  });
});
