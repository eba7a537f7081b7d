import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../apps/server/src/infra/db.js';
import { createLogger } from '../../apps/server/src/infra/logger.js';
import { AnalyticsService } from '../../apps/server/src/modules/admin/analytics.service.js';
import type { AuthContext } from '../../apps/server/src/modules/auth/auth.types.js';
import { alternate, ratioFields } from '../lib/alternate.js';
import type { Figure, Suite } from '../lib/report.js';
import { median, ms, time } from '../lib/stats.js';

const JOBS = 1_000_000;
const PREVIEWS = 100_000;
const SUGGESTIONS = 100_000;
const REFUSALS = 200_000;
const PER_ROUND = 9;
const GOAL_MS = 100;
const ADMIN: AuthContext = { userId: 'bench-admin', role: 'admin' };

/**
 * The admin analytics queries (GET /admin/analytics/*, the service call the route makes) over generated data: 1,000,000
 * AI jobs and 1,000,000 syncs, 100,000 previews, 100,000 suggestions and 200,000 rate-limit refusal rows spread
 * evenly over the last 365 days, made with SQL generate_series (not real traffic), then rolled up as a worker would
 * (timed once). Each query asks for the last 7 days in hourly buckets (the dashboard's week view: exact, from the
 * rows), and 30 and 365 days in daily buckets (from the roll-ups, with the unrolled edges from the rows). Baseline, in
 * alternating rounds: a trivial count(*) of the same window's AI jobs over the created_at index.
 */
export const adminAnalytics: Suite = {
  name: 'admin analytics',
  async run({ env, label, rounds }): Promise<Figure[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-analytics-'));
    let dropDb: (() => Promise<void>) | undefined;
    let url: string | undefined;
    if (env.DATABASE_URL) {
      const name = `hivesync_bench_${crypto.randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: env.DATABASE_URL });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const u = new URL(env.DATABASE_URL);
      u.pathname = `/${name}`;
      url = u.toString();
      dropDb = async () => {
        const c = new pg.Client({ connectionString: env.DATABASE_URL });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      };
    }
    const db = await openDatabase({ url, poolSize: 4, dataDir: dir }, createLogger('silent'));
    try {
      await db.migrate();
      await generate(db);
      const service = new AnalyticsService(db);
      const to = new Date();
      const week = { from: new Date(to.getTime() - 7 * 86_400_000).toISOString(), to: to.toISOString(), bucket: '1h' };
      const month = {
        from: new Date(to.getTime() - 30 * 86_400_000).toISOString(),
        to: to.toISOString(),
        bucket: '1d',
      };
      const year = {
        from: new Date(to.getTime() - 365 * 86_400_000).toISOString(),
        to: to.toISOString(),
        bucket: '1d',
      };
      // What a worker does on its timer: the year's backlog rolled up once (timed, for the record), then nothing due.
      const scanMs = await time(async () => {
        for (const table of ['ai_jobs', 'repo_syncs']) await db.sql.executeSql(`select count(*) from ${table}`);
      });
      const rollupMs = await time(() => service.rollups.rollUp(to.getTime()));
      const count = (q: { from: string; to: string }) => async () =>
        db.sql.executeSql('select count(*) from ai_jobs where created_at >= $1 and created_at < $2', [q.from, q.to]);
      const queries = {
        previews: (q: typeof week) => () => service.previews(ADMIN, q),
        ai: (q: typeof week) => () => service.ai(ADMIN, q),
        syncs: (q: typeof week) => () => service.syncs(ADMIN, q),
        'rate-limits': (q: typeof week) => () => service.rateLimits(ADMIN, q),
      };
      const p50 = async (fn: () => Promise<unknown>) => {
        const times: number[] = [];
        for (let k = 0; k < PER_ROUND; k++) times.push(await time(fn));
        return median(times);
      };
      const figures: Figure[] = [
        {
          suite: 'admin analytics',
          name: `roll-up of the whole year (1,000,000 AI jobs, 1,000,000 syncs, 200,000 refusal rows), once (${label})`,
          value: `${(rollupMs / 1000).toFixed(1)} s for 365 days of each source`,
          baseline: `count(*) of both tables: ${ms(scanMs)} ms (a worker rolls each new day once it has settled)`,
          ratio: rollupMs / scanMs,
          goal: 'none set; reported',
          met: undefined,
        },
      ];
      for (const [window, q, goal] of [
        ['7 days, hourly buckets', week, GOAL_MS],
        ['30 days, daily buckets', month, GOAL_MS],
        ['365 days, daily buckets', year, GOAL_MS],
      ] as const) {
        for (const [kind, make] of Object.entries(queries)) {
          const subject = make(q);
          const baseline = count(q);
          await subject(); // warm: the first run reads the pages in
          const r = await alternate({ rounds, baseline: () => p50(baseline), subject: () => p50(subject), swap: true });
          const value = median(r.subjects);
          figures.push({
            suite: 'admin analytics',
            name: `GET /admin/analytics/${kind}, ${window} (${label})`,
            value: `p50 ${ms(value)} ms (median of ${rounds} rounds of ${PER_ROUND})`,
            baseline: `count(*) of the window's AI jobs over the created_at index: p50 ${ms(median(r.baselines))} ms`,
            ...ratioFields(r),
            goal: goal === undefined ? '' : `p50 < ${goal} ms`,
            met: goal === undefined ? undefined : value < goal,
          });
        }
      }
      return figures;
    } finally {
      await db.close();
      await dropDb?.();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** The generated rows (see the suite's comment), then ANALYZE so the planner knows them. */
async function generate(db: Database): Promise<void> {
  const run = (text: string, values: unknown[] = []) => db.sql.executeSql(text, values);
  // Row g's time: evenly over the last 365 days.
  const at = (n: number) => `now() - (g::float8 / ${n}) * interval '365 days'`;
  await run(
    `insert into users (id, email, password_hash, display_name, role)
     select 'bench-user-' || g, 'bench' || g || '@example.test', 'x', 'Bench ' || g, 'user' from generate_series(1, 100) g`,
  );
  await run(`insert into projects (id, name) values ('bench-project', 'bench')`);
  await run(
    `insert into ai_jobs (id, project_id, action, params, status, commit, created_at, started_at, finished_at,
                          provider, prompt_tokens, completion_tokens)
     select 'job-' || g, 'bench-project',
            (array['document_function','document_file','summarize_file','rename_symbol','refactor'])[1 + g % 5],
            '{}', (array['completed','completed','completed','failed'])[1 + g % 4], 'c',
            ${at(JOBS)}, ${at(JOBS)} + interval '1 second', ${at(JOBS)} + (2 + g % 40) * interval '1 second',
            (array['local','openai'])[1 + g % 2],
            case when g % 2 = 1 then 200 + g % 1800 end, case when g % 2 = 1 then 20 + g % 400 end
       from generate_series(1, ${JOBS}) g`,
  );
  await run(
    `insert into repo_syncs (id, project_id, trigger, status, created_at, duration_ms, error_code)
     select 'sync-' || g, 'bench-project', 'schedule', case when g % 10 = 0 then 'failed' else 'completed' end,
            ${at(JOBS)}, 200 + (g::bigint * 7919) % 20000, case when g % 10 = 0 then (array['git_timeout','auth_failed'])[1 + g % 2] end
       from generate_series(1, ${JOBS}) g`,
  );
  await run(
    `insert into previews (id, project_id, platform, status, code, upload_key, expires_at, created_at, error_code)
     select 'preview-' || g, 'bench-project', (array['ios','android','web'])[1 + g % 3],
            case when g % 5 = 0 then 'failed' else 'consumed' end, 'C' || g, 'k' || g, now(), ${at(PREVIEWS)},
            case when g % 5 = 0 then (array['bundle_invalid','upload_timeout','too_large'])[1 + g % 3] end
       from generate_series(1, ${PREVIEWS}) g`,
  );
  await run(
    `insert into suggestions (id, job_id, project_id, description, files, patch, state, created_at)
     select 'sugg-' || g, 'job-' || (g * 10), 'bench-project', 'd', '[]', 'p',
            (array['proposed','approved','rejected','applied','reverted'])[1 + g % 5], ${at(SUGGESTIONS)}
       from generate_series(1, ${SUGGESTIONS}) g`,
  );
  await run(
    `insert into rate_limit_refusals (minute, limit_name, route, user_id, ip, count)
     select date_trunc('minute', ${at(REFUSALS)}), (array['search','syncs','ai_jobs'])[1 + g % 3],
            (array['GET /api/v1/repo/search','POST /api/v1/repo/sync','POST /api/v1/ai/jobs'])[1 + g % 3],
            'bench-user-' || (1 + g % 100), '10.0.' || (g % 250) || '.' || (g % 7), 1 + g % 5
       from generate_series(1, ${REFUSALS}) g
     on conflict do nothing`,
  );
  for (const table of ['ai_jobs', 'repo_syncs', 'previews', 'suggestions', 'rate_limit_refusals', 'users']) {
    // Vacuumed as autovacuum would leave them: the visibility map lets the covering indexes answer alone.
    await run(`vacuum analyze ${table}`);
  }
}
