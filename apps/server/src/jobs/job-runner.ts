import crypto from 'node:crypto';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActiveJobLease } from '../db/schema.js';
import type { Database } from '../infra/db.js';
import type { HeartbeatStore, WorkerRecord } from '../infra/heartbeats.js';
import type { Logger } from '../infra/logger.js';
import type { Queue, QueuedJob, QueuePolicy } from '../infra/queue.js';
import type { Metrics } from '../infra/metrics.js';

/** What a handler gets besides the job's data. */
export interface JobContext {
  jobId: string;
  /** 1 on the first attempt. */
  attempt: number;
  workerId: string;
  /** Aborted when the process is shutting down and the grace period is over. */
  signal: AbortSignal;
  logger: Logger;
}

/** One kind of background job: its queue, its policy and its (idempotent) handler. */
export interface JobDefinition<T = Record<string, unknown>> {
  queue: string;
  policy: QueuePolicy;
  /** Jobs fetched per poll; several run concurrently. */
  batchSize?: number;
  /** Parallel polling loops in each worker process. */
  loops?: number;
  /**
   * Record the job in this worker's heartbeat while it runs, so that if the process dies a surviving worker hands
   * it back to the queue at once rather than after the queue's timeout. Off for tiny jobs where the timeout is fine.
   */
  lease?: boolean;
  handle(data: T, ctx: JobContext): Promise<void>;
}

/** Work a worker process does on a timer rather than from the queue (every worker process runs it). */
export interface PeriodicTask {
  name: string;
  intervalMs: number;
  run(): Promise<void>;
}

/** A worker process's heartbeat is stale after this many missed intervals. */
const STALE_AFTER_BEATS = 3;
/** Records of dead workers stay visible in /health/workers for this long. */
const FORGET_AFTER_MS = 60 * 60 * 1000;
const REAP_LOCK = 7_244_193_003;

/**
 * Runs job handlers, reports liveness, and reclaims jobs of workers that died: the other half of "no job vanishes
 * when a process dies" (the first is pg-boss's durable queue).
 */
export class JobRunner {
  readonly workerId = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  private readonly startedAt = new Date().toISOString();
  private readonly leases = new Map<string, ActiveJobLease>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly periodicTimers: NodeJS.Timeout[] = [];
  private beating: Promise<void> | undefined;

  constructor(
    private readonly queue: Queue,
    private readonly db: Database,
    private readonly heartbeats: HeartbeatStore,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly options: {
      heartbeatIntervalMs: number;
      /** Every recorded worker is known dead (the embedded data directory is locked by this process). */
      othersAreDead: boolean;
      onWorkerLost: (worker: WorkerRecord) => Promise<void>;
    },
  ) {}

  /** Starts the workers of every queue, and `periodic` tasks (schedulers) on their intervals. */
  async start(definitions: JobDefinition<never>[], periodic: PeriodicTask[] = []): Promise<void> {
    await this.beat();
    await this.reap(this.options.othersAreDead);
    for (const def of definitions) {
      await this.queue.work<Record<string, unknown>>(
        def.queue,
        { batchSize: def.batchSize ?? 1, loops: def.loops ?? 1 },
        (jobs) => this.run(def as unknown as JobDefinition, jobs),
      );
    }
    this.timer = setInterval(() => {
      void this.beat()
        .then(() => this.reap(false))
        .catch((err: Error) => this.logger.warn({ err: { message: err.message } }, 'heartbeat failed'));
    }, this.options.heartbeatIntervalMs);
    this.timer.unref();
    for (const task of periodic) {
      const t = setInterval(() => {
        void task
          .run()
          .catch((err: Error) =>
            this.logger.warn({ task: task.name, err: { message: err.message } }, 'periodic task failed'),
          );
      }, task.intervalMs);
      t.unref();
      this.periodicTimers.push(t);
    }
    this.logger.info({ worker_id: this.workerId, queues: definitions.map((d) => d.queue) }, 'worker started');
  }

  /** Stops taking jobs; running ones get `timeoutMs` to finish before they are handed back to the queue. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const t of this.periodicTimers) clearInterval(t);
    const grace = sleep(timeoutMs, undefined, { ref: false }).then(() => this.abort.abort());
    await this.queue.stop(timeoutMs);
    void grace;
    await this.heartbeats.remove(this.workerId).catch(() => undefined);
  }

  private async run(def: JobDefinition, jobs: QueuedJob<Record<string, unknown>>[]): Promise<void> {
    if (def.lease !== false) {
      for (const job of jobs) {
        this.leases.set(job.id, { queue: def.queue, id: job.id, started_at: job.startedOn.toISOString() });
      }
      await this.beat();
    }
    try {
      const results = await Promise.allSettled(
        jobs.map(async (job) => {
          const started = performance.now();
          let outcome = 'failed';
          try {
            await def.handle(job.data, {
              jobId: job.id,
              attempt: job.retryCount + 1,
              workerId: this.workerId,
              signal: this.abort.signal,
              logger: this.logger.child({ queue: def.queue, job_id: job.id }),
            });
            outcome = 'completed';
          } finally {
            this.metrics.jobs.inc({ queue: def.queue, outcome });
            this.metrics.jobDuration.observe({ queue: def.queue, outcome }, (performance.now() - started) / 1000);
          }
        }),
      );
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ job: jobs[i]!, err: r.reason }] : []));
      if (failed.length === jobs.length && failed.length > 0) throw failed[0]!.err;
      // Fail just the jobs that failed; pg-boss completes the rest when this returns.
      for (const { job, err } of failed) {
        this.logger.warn({ queue: def.queue, job_id: job.id, err: { message: errorMessage(err) } }, 'job failed');
        await this.queue.fail(def.queue, job.id, errorMessage(err));
      }
    } finally {
      for (const job of jobs) this.leases.delete(job.id);
    }
  }

  private async beat(): Promise<void> {
    // Beats never overlap: a slow store must not reorder them.
    const previous = this.beating;
    const next = (async () => {
      await previous?.catch(() => undefined);
      await this.heartbeats.beat({
        id: this.workerId,
        kind: 'worker',
        started_at: this.startedAt,
        last_heartbeat_at: new Date().toISOString(),
        active_jobs: [...this.leases.values()],
      });
    })();
    this.beating = next;
    await next;
  }

  /** Hands back the jobs of workers whose heartbeat stopped; `all` treats every other worker as dead. */
  private async reap(all: boolean): Promise<void> {
    const now = Date.now();
    const staleBefore = now - STALE_AFTER_BEATS * this.options.heartbeatIntervalMs;
    const workers = await this.heartbeats.list();
    const dead = workers.filter(
      (w) => w.id !== this.workerId && (all || new Date(w.last_heartbeat_at).getTime() < staleBefore),
    );
    for (const worker of dead) {
      if (worker.active_jobs.length === 0) continue;
      const reclaimed = await this.db.transaction(async (tx) => {
        // One reaper per installation at a time, so a job is never failed twice.
        const { rows } = await tx.sql.executeSql('select pg_try_advisory_xact_lock($1) as locked', [REAP_LOCK]);
        if (rows[0]?.locked !== true) return 0;
        let n = 0;
        for (const lease of worker.active_jobs) {
          const job = await this.queue.jobState(lease.queue, lease.id, tx.sql);
          if (job?.state !== 'active' || job.startedOn?.toISOString() !== lease.started_at) continue;
          await this.queue.fail(lease.queue, lease.id, `worker ${worker.id} stopped responding`, tx.sql);
          n++;
        }
        return n;
      });
      // Keep the record (it shows as stale) but without leases, so it is reaped only once.
      await this.heartbeats.beat({ ...worker, active_jobs: [] });
      this.logger.warn({ worker_id: worker.id, reclaimed }, 'worker lost; its jobs went back to the queue');
      await this.options.onWorkerLost(worker).catch(() => undefined);
    }
    await this.heartbeats.prune(new Date(now - FORGET_AFTER_MS));
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
