import type { SqlExecutor } from '../../infra/db.js';
import { QUEUE_SCHEMA } from '../../infra/queue.js';

/** pg-boss's job states, and what the admin API calls them. */
export const JOB_STATES_BY_STATUS = {
  waiting: ['created', 'retry'],
  running: ['active'],
  completed: ['completed'],
  failed: ['failed'],
  cancelled: ['cancelled'],
} as const;

/** One queue's figures, straight from the queue's tables. */
export interface QueueFigures {
  name: string;
  waiting: number;
  running: number;
  failed: number;
  completedLastHour: number;
  oldestWaitingSeconds: number | null;
  p50RunMs: number | null;
  p95RunMs: number | null;
}

/** A job row of the queue. */
export interface JobRow {
  id: string;
  name: string;
  state: string;
  retryCount: number;
  retryLimit: number;
  createdOn: Date;
  startedOn: Date | null;
  completedOn: Date | null;
  error: string | null;
  data: unknown;
}

const JOB_COLUMNS = `id::text as id, name, state::text as state, retry_count, retry_limit, created_on, started_on,
  completed_on, case when state in ('failed', 'retry') then coalesce(output->>'message', output::text) end as error, data`;

/** Read-only SQL over pg-boss's tables (the queue itself changes jobs, through infra/queue.ts). */
export class OperationsRepository {
  constructor(private readonly sql: SqlExecutor) {}

  /** Per queue: waiting, running, failed, completed in the last hour, oldest waiting age, p50/p95 run time. */
  async queueFigures(): Promise<QueueFigures[]> {
    const { rows } = await this.sql.executeSql(
      `select q.name,
              count(j.id) filter (where j.state in ('created', 'retry'))::int as waiting,
              count(j.id) filter (where j.state = 'active')::int as running,
              count(j.id) filter (where j.state = 'failed')::int as failed,
              count(j.id) filter (where j.state = 'completed' and j.completed_on > now() - interval '1 hour')::int
                as completed_last_hour,
              extract(epoch from now() - min(j.created_on) filter (where j.state in ('created', 'retry')))::float8
                as oldest_waiting_seconds,
              percentile_cont(0.5) within group (order by extract(epoch from j.completed_on - j.started_on) * 1000)
                filter (where j.state = 'completed' and j.completed_on > now() - interval '1 hour') as p50,
              percentile_cont(0.95) within group (order by extract(epoch from j.completed_on - j.started_on) * 1000)
                filter (where j.state = 'completed' and j.completed_on > now() - interval '1 hour') as p95
         from ${QUEUE_SCHEMA}.queue q
         left join ${QUEUE_SCHEMA}.job j on j.name = q.name
        group by q.name
        order by q.name`,
      [],
    );
    return rows.map((r) => ({
      name: String(r.name),
      waiting: Number(r.waiting),
      running: Number(r.running),
      failed: Number(r.failed),
      completedLastHour: Number(r.completed_last_hour),
      oldestWaitingSeconds: numberOrNull(r.oldest_waiting_seconds),
      p50RunMs: numberOrNull(r.p50),
      p95RunMs: numberOrNull(r.p95),
    }));
  }

  async queueNames(): Promise<string[]> {
    const { rows } = await this.sql.executeSql(`select name from ${QUEUE_SCHEMA}.queue order by name`, []);
    return rows.map((r) => String(r.name));
  }

  /** Jobs newest first (by created_on, then id), filtered by queue and states, after the cursor's key. */
  async jobs(
    filter: { queue?: string | undefined; states?: readonly string[] | undefined },
    limit: number,
    after?: { at: Date; id: string },
  ): Promise<JobRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.queue) {
      params.push(filter.queue);
      where.push(`name = $${params.length}`);
    }
    if (filter.states) {
      params.push(filter.states);
      where.push(`state::text = any($${params.length}::text[])`);
    }
    if (after) {
      params.push(after.at.toISOString(), after.id);
      where.push(
        `(date_trunc('milliseconds', created_on), id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(limit);
    const { rows } = await this.sql.executeSql(
      `select ${JOB_COLUMNS}
         from ${QUEUE_SCHEMA}.job
        ${where.length ? `where ${where.join(' and ')}` : ''}
        order by date_trunc('milliseconds', created_on) desc, id desc
        limit $${params.length}`,
      params,
    );
    return rows.map(toJobRow);
  }

  /** A job by id, in whatever queue; undefined when there is none (or the id is not a job id). */
  async job(id: string): Promise<JobRow | undefined> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
    const { rows } = await this.sql.executeSql(`select ${JOB_COLUMNS} from ${QUEUE_SCHEMA}.job where id = $1`, [id]);
    return rows[0] ? toJobRow(rows[0]) : undefined;
  }
}

function toJobRow(r: Record<string, unknown>): JobRow {
  return {
    id: String(r.id),
    name: String(r.name),
    state: String(r.state),
    retryCount: Number(r.retry_count),
    retryLimit: Number(r.retry_limit),
    createdOn: new Date(r.created_on as string),
    startedOn: r.started_on ? new Date(r.started_on as string) : null,
    completedOn: r.completed_on ? new Date(r.completed_on as string) : null,
    error: r.error === null || r.error === undefined ? null : String(r.error),
    data: r.data,
  };
}

function numberOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10;
}

/** Waiting jobs and the oldest one's age per queue: the cheap read behind the Prometheus gauges. */
export async function waitingByQueue(
  sql: SqlExecutor,
): Promise<{ name: string; waiting: number; oldestSeconds: number }[]> {
  const { rows } = await sql.executeSql(
    `select name, count(*)::int as waiting, extract(epoch from now() - min(created_on))::float8 as oldest
       from ${QUEUE_SCHEMA}.job
      where state in ('created', 'retry')
      group by name`,
    [],
  );
  return rows.map((r) => ({ name: String(r.name), waiting: Number(r.waiting), oldestSeconds: Number(r.oldest) }));
}
