import PgBoss from 'pg-boss';
import type { Database, SqlExecutor, Tx } from './db.js';
import type { EventBus } from './event-bus.js';
import type { Logger } from './logger.js';
import { PRO_PRIORITY, poolOf, queuesOf, routeJob } from '../jobs/pools.js';

/** Bus message: a job was enqueued on `body.queue`. */
export const BUS_JOB_ENQUEUED = 'job-enqueued';

/** The schema pg-boss keeps its tables in, beside ours in the same database. */
export const QUEUE_SCHEMA = 'pgboss';

/** Retry and timeout policy of one queue. */
export interface QueuePolicy {
  /** Retries after the first attempt; the job then moves to the queue's dead-letter queue. */
  retryLimit: number;
  /** Doubles the retry delay after each attempt. */
  retryBackoff: boolean;
  /** First retry delay in seconds; defaults to HIVESYNC_JOB_RETRY_DELAY_SECONDS. */
  retryDelaySeconds?: number;
  /** A job still running after this long is failed (and retried): the backstop for a hung or lost worker. */
  expireInSeconds: number;
  /** At most one job per singleton key runs at a time (others wait their turn). */
  onePerKey?: boolean;
}

/** Depth of one queue, as /health/workers shows it. */
export interface QueueDepth {
  name: string;
  /** The worker pool that runs this queue's jobs (jobs/pools.ts). */
  pool: string;
  queued: number;
  active: number;
  failed: number;
}

/** A job as a handler sees it. */
export interface QueuedJob<T> {
  id: string;
  data: T;
  retryCount: number;
  startedOn: Date;
}

/**
 * The durable job queue: pg-boss on the same database as everything else (PGlite or PostgreSQL), so a job's own
 * row and its queue entry commit in one transaction (`send(..., tx.sql)`).
 */
export class Queue {
  readonly description = 'pg-boss';
  private readonly boss: PgBoss;
  private readonly workers = new Map<string, string[]>();

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly options: {
      pollIntervalMs: number;
      maintenanceSeconds: number;
      retryDelaySeconds: number;
      /** Only processes that run workers supervise (expire timed-out jobs, archive): an API instance stays light. */
      supervise: boolean;
    },
    private readonly logger: Logger,
  ) {
    this.boss = new PgBoss({
      db: db.sql as PgBoss.Db,
      schema: QUEUE_SCHEMA,
      maintenanceIntervalSeconds: options.maintenanceSeconds,
      supervise: options.supervise,
      // pg-boss's cron scheduler is not used; HiveSync's schedules live in its own tables.
      schedule: false,
    });
    this.boss.on('error', (err: Error) => logger.warn({ err: { message: err.message } }, 'queue error'));
    // A job enqueued anywhere wakes this process's idle workers of that queue instead of waiting for their poll.
    bus.subscribe((m) => {
      if (m.kind === BUS_JOB_ENQUEUED) this.wake(String(m.body.queue));
    });
  }

  /** Creates pg-boss's schema on first use and starts its maintenance loop. */
  async start(): Promise<void> {
    await this.boss.start();
  }

  /** Creates or updates the queues of a job kind (its own and its gpu variant, each with a dead-letter queue). */
  async declare(name: string, policy: QueuePolicy): Promise<void> {
    for (const queue of queuesOf(name)) await this.declareOne(queue, policy);
  }

  private async declareOne(name: string, policy: QueuePolicy): Promise<void> {
    const deadLetter = `${name}-dead`;
    await this.upsertQueue({ name: deadLetter, retryLimit: 0 });
    await this.upsertQueue({
      name,
      policy: policy.onePerKey ? 'singleton' : 'standard',
      retryLimit: policy.retryLimit,
      retryDelay: policy.retryDelaySeconds ?? this.options.retryDelaySeconds,
      retryBackoff: policy.retryBackoff,
      expireInSeconds: policy.expireInSeconds,
      deadLetter,
    });
  }

  private async upsertQueue(queue: PgBoss.Queue): Promise<void> {
    const existing = await this.boss.getQueue(queue.name);
    if (existing) await this.boss.updateQueue(queue.name, queue);
    else await this.boss.createQueue(queue.name, queue);
  }

  /**
   * Enqueues a job. Pass the caller's transaction to commit the job together with the caller's own rows; workers
   * everywhere are woken once it has committed.
   */
  async send(name: string, data: object, tx?: Tx, options: { singletonKey?: string } = {}): Promise<string> {
    // The project's plan decides the job's priority (pro first) and, for some kinds, its pool (jobs/pools.ts).
    const route = await routeJob(name, data, tx ? tx.sql : this.db.sql);
    const id = await this.boss.send(route.queue, data, {
      ...(tx && { db: tx.sql as PgBoss.Db }),
      ...options,
      priority: route.priority,
    });
    if (!id) throw new Error(`queue ${route.queue} refused the job`);
    const wake = () => this.bus.publish({ kind: BUS_JOB_ENQUEUED, body: { queue: route.queue } });
    if (tx) tx.afterCommit(wake);
    else await wake();
    return id;
  }

  /** Enqueues many jobs in one statement (no transaction of the caller's). */
  async sendMany(name: string, data: object[]): Promise<void> {
    const jobs = await Promise.all(
      data.map(async (d) => {
        const route = await routeJob(name, d, this.db.sql);
        return { name: route.queue, data: d, priority: route.priority };
      }),
    );
    await this.boss.insert(jobs);
    for (const queue of new Set(jobs.map((j) => j.name))) {
      await this.bus.publish({ kind: BUS_JOB_ENQUEUED, body: { queue } });
    }
  }

  /**
   * The starvation guard: jobs of `free` projects waiting longer than `olderThanSeconds` are raised to the priority
   * of `pro` ones, so they are taken in their turn (oldest first) however much `pro` work keeps arriving.
   */
  async promoteWaiting(olderThanSeconds: number): Promise<number> {
    const { rows } = await this.db.sql.executeSql(
      `with promoted as (
         update ${QUEUE_SCHEMA}.job set priority = $1
          where state in ('created', 'retry') and priority < $1 and created_on < now() - make_interval(secs => $2)
          returning 1)
       select count(*)::int as n from promoted`,
      [PRO_PRIORITY, olderThanSeconds],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Jobs of a queue whose data has `key` = `value`, by state. */
  async countByData(name: string, key: string, value: string): Promise<Record<string, number>> {
    const { rows } = await this.db.sql.executeSql(
      `select state, count(*)::int as n from ${QUEUE_SCHEMA}.job where name = $1 and data->>$2 = $3 group by state`,
      [name, key, value],
    );
    return Object.fromEntries(rows.map((r) => [String(r.state), Number(r.n)]));
  }

  private wake(name: string): void {
    for (const id of this.workers.get(name) ?? []) this.boss.notifyWorker(id);
  }

  /** Runs `loops` polling loops for a queue, each fetching up to `batchSize` jobs at a time. */
  async work<T>(
    name: string,
    options: { batchSize: number; loops: number },
    handler: (jobs: QueuedJob<T>[]) => Promise<void>,
  ): Promise<void> {
    for (let i = 0; i < options.loops; i++) {
      let id = '';
      id = await this.boss.work<T>(
        name,
        {
          batchSize: options.batchSize,
          includeMetadata: true,
          pollingIntervalSeconds: this.options.pollIntervalMs / 1000,
        },
        async (jobs) => {
          await handler(
            jobs.map((j) => ({ id: j.id, data: j.data, retryCount: j.retryCount, startedOn: j.startedOn })),
          );
          // A full batch means more are waiting: fetch again at once instead of after the polling interval.
          if (jobs.length >= options.batchSize) this.boss.notifyWorker(id);
        },
      );
      this.workers.set(name, [...(this.workers.get(name) ?? []), id]);
    }
  }

  /**
   * Stops this process's polling loops of a queue (a drain): jobs they are running finish, no new one is fetched.
   * `work()` starts them again.
   */
  async offWork(name: string): Promise<void> {
    const ids = this.workers.get(name) ?? [];
    this.workers.delete(name);
    for (const id of ids) await this.boss.offWork({ id });
  }

  /** Cancels a waiting or running job (a running handler is told by its worker; see JobRunner.cancel). */
  async cancel(name: string, id: string): Promise<void> {
    await this.boss.cancel(name, id);
  }

  /** Sends a failed job back to the queue for another attempt. */
  async retry(name: string, id: string): Promise<void> {
    await this.boss.retry(name, id);
  }

  /** Fails one job of a queue (it is retried while its retry budget lasts). */
  async fail(name: string, id: string, message: string, tx?: SqlExecutor): Promise<void> {
    await this.boss.fail(name, id, { message }, tx ? { db: tx as PgBoss.Db } : {});
  }

  /** The state, start time, retries so far and allowed, and data of a job, or null once it is gone. */
  async jobState(
    name: string,
    id: string,
    tx?: SqlExecutor,
  ): Promise<{ state: string; startedOn: Date | null; retryCount: number; retryLimit: number; data: unknown } | null> {
    const job = await this.boss.getJobById(name, id, tx ? { db: tx as PgBoss.Db, includeArchive: false } : undefined);
    return job
      ? {
          state: job.state,
          startedOn: job.startedOn ? new Date(job.startedOn) : null,
          retryCount: job.retryCount,
          retryLimit: job.retryLimit,
          data: job.data,
        }
      : null;
  }

  /** Queued, active and failed counts per queue. */
  async depths(): Promise<QueueDepth[]> {
    const { rows } = await this.db.sql.executeSql(
      `select q.name,
              count(j.id) filter (where j.state in ('created', 'retry'))::int as queued,
              count(j.id) filter (where j.state = 'active')::int as active,
              count(j.id) filter (where j.state = 'failed')::int as failed
         from ${QUEUE_SCHEMA}.queue q
         left join ${QUEUE_SCHEMA}.job j on j.name = q.name
        group by q.name
        order by q.name`,
      [],
    );
    return rows.map((r) => ({
      name: String(r.name),
      pool: poolOf(String(r.name).replace(/-dead$/, '')),
      queued: Number(r.queued),
      active: Number(r.active),
      failed: Number(r.failed),
    }));
  }

  /** Stops polling; running jobs get `timeoutMs` to finish, then go back to the queue for a retry. */
  async stop(timeoutMs: number): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, close: false, timeout: Math.max(timeoutMs, 1) });
  }
}
