import type { SqlExecutor } from '../../infra/db.js';

/** A resolved analytics window: [from, to) cut into buckets of `bucketSeconds`. */
export interface Window {
  from: Date;
  to: Date;
  bucketSeconds: number;
}

type Row = Record<string, unknown>;

// A row's bucket ($3 is the bucket's length in seconds; buckets start at multiples of it since the epoch), and its
// start as epoch seconds (computed once per group: the select names the grouped expression).
const binOf = (column: string) => `date_bin(make_interval(secs => $3), ${column}, timestamptz 'epoch')`;
const bucketOf = (column: string) => `extract(epoch from ${binOf(column)})::float8`;

/**
 * The analytics queries: each one aggregate in SQL over an index on the time column (see the 0014 migration and
 * bench/admin-analytics.ts). $1/$2 are the window's bounds, $3 the bucket in seconds (queries without buckets still
 * name it, as `$3::int > 0`, so that every statement takes the same three parameters).
 */
export class AnalyticsRepository {
  constructor(private readonly sql: SqlExecutor) {}

  private async run(text: string, w: Window): Promise<Row[]> {
    return (await this.sql.executeSql(text, [w.from.toISOString(), w.to.toISOString(), w.bucketSeconds])).rows;
  }

  /** Previews created and failed per bucket. */
  previewSeries(w: Window): Promise<Row[]> {
    return this.run(
      `select ${bucketOf('created_at')} as t, count(*)::int as created,
              count(*) filter (where status = 'failed')::int as failed
         from previews
        where created_at >= $1 and created_at < $2
        group by ${binOf('created_at')} order by 1`,
      w,
    );
  }

  /** Failed previews by platform and hour of day (UTC). */
  previewHeatmap(w: Window): Promise<Row[]> {
    return this.run(
      `select platform, extract(hour from created_at at time zone 'UTC')::int as hour, count(*)::int as failures
         from previews
        where status = 'failed' and created_at >= $1 and created_at < $2 and $3::int > 0
        group by 1, 2 order by 1, 2`,
      w,
    );
  }

  /** Failed previews by error code. */
  previewReasons(w: Window): Promise<Row[]> {
    return this.run(
      `select coalesce(error_code, 'unknown') as reason, count(*)::int as count
         from previews
        where status = 'failed' and created_at >= $1 and created_at < $2 and $3::int > 0
        group by 1 order by 2 desc, 1 limit 50`,
      w,
    );
  }

  /** AI jobs finished per bucket. */
  aiSeries(w: Window): Promise<Row[]> {
    return this.run(
      `select ${bucketOf('created_at')} as t,
              count(*) filter (where status = 'completed')::int as completed,
              count(*) filter (where status = 'failed')::int as failed
         from ai_jobs
        where created_at >= $1 and created_at < $2
        group by ${binOf('created_at')} order by 1`,
      w,
    );
  }

  /** AI jobs by action, provider and outcome, with run-time percentiles and reported tokens. */
  aiByAction(w: Window): Promise<Row[]> {
    return this.run(
      `select action, coalesce(provider, 'unknown') as provider, status as outcome, count(*)::int as count,
              percentile_cont(0.5) within group (order by extract(epoch from finished_at - started_at) * 1000)
                as p50_ms,
              percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at) * 1000)
                as p95_ms,
              sum(prompt_tokens)::bigint as prompt_tokens, sum(completion_tokens)::bigint as completion_tokens
         from ai_jobs
        where created_at >= $1 and created_at < $2 and $3::int > 0
        group by 1, 2, 3 order by 1, 2, 3`,
      w,
    );
  }

  /** Suggestions created in the window, by state. */
  suggestionStates(w: Window): Promise<Row[]> {
    return this.run(
      `select state, count(*)::int as count
         from suggestions
        where created_at >= $1 and created_at < $2 and $3::int > 0
        group by 1`,
      w,
    );
  }

  /** Syncs per bucket with duration percentiles of the completed ones. */
  syncSeries(w: Window): Promise<Row[]> {
    return this.run(
      `select ${bucketOf('created_at')} as t,
              count(*) filter (where status = 'completed')::int as completed,
              count(*) filter (where status = 'failed')::int as failed,
              percentile_cont(0.5) within group (order by duration_ms) filter (where status = 'completed') as p50_ms,
              percentile_cont(0.95) within group (order by duration_ms) filter (where status = 'completed') as p95_ms
         from repo_syncs
        where created_at >= $1 and created_at < $2
        group by ${binOf('created_at')} order by 1`,
      w,
    );
  }

  /** Syncs by outcome (status) with duration percentiles. */
  syncByOutcome(w: Window): Promise<Row[]> {
    return this.run(
      `select status as outcome, count(*)::int as count,
              percentile_cont(0.5) within group (order by duration_ms) as p50_ms,
              percentile_cont(0.95) within group (order by duration_ms) as p95_ms
         from repo_syncs
        where created_at >= $1 and created_at < $2 and $3::int > 0
        group by 1 order by 2 desc`,
      w,
    );
  }

  /** Failed syncs by error code. */
  syncErrors(w: Window): Promise<Row[]> {
    return this.run(
      `select coalesce(error_code, 'unknown') as code, count(*)::int as count
         from repo_syncs
        where status = 'failed' and created_at >= $1 and created_at < $2 and $3::int > 0
        group by 1 order by 2 desc, 1 limit 50`,
      w,
    );
  }

  /** Refused requests per bucket. */
  refusalSeries(w: Window): Promise<Row[]> {
    return this.run(
      `select ${bucketOf('minute')} as t, sum(count)::int as refusals
         from rate_limit_refusals
        where minute >= $1 and minute < $2
        group by ${binOf('minute')} order by 1`,
      w,
    );
  }

  refusalsByRoute(w: Window): Promise<Row[]> {
    return this.run(
      `select route, limit_name, sum(count)::int as count
         from rate_limit_refusals
        where minute >= $1 and minute < $2 and $3::int > 0
        group by 1, 2 order by 3 desc, route collate "C", limit_name collate "C" limit 50`,
      w,
    );
  }

  refusalsByUser(w: Window): Promise<Row[]> {
    return this.run(
      `select r.user_id, u.email, r.count
         from (select user_id, sum(count)::int as count
                 from rate_limit_refusals
                where minute >= $1 and minute < $2 and $3::int > 0
                group by 1 order by 2 desc, user_id collate "C" limit 50) r
         left join users u on u.id = r.user_id
        order by r.count desc, r.user_id collate "C"`,
      w,
    );
  }

  refusalsByIp(w: Window): Promise<Row[]> {
    return this.run(
      `select ip, sum(count)::int as count
         from rate_limit_refusals
        where minute >= $1 and minute < $2 and $3::int > 0
        group by 1 order by 2 desc, ip collate "C" limit 50`,
      w,
    );
  }

  /** The email of each of `ids` that is a user. */
  userEmails(ids: string[]): Promise<Row[]> {
    return this.sql.executeSql(`select id, email from users where id = any($1::text[])`, [ids]).then((r) => r.rows);
  }
}
