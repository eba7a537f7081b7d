import crypto from 'node:crypto';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActiveJobLease } from '../db/schema.js';
import type { Database } from '../infra/db.js';
import type { HeartbeatStore, WorkerRecord } from '../infra/heartbeats.js';
import type { Logger } from '../infra/logger.js';
import { Outage, withTimeout } from '../infra/outage.js';
import type { Queue, QueuedJob, QueuePolicy } from '../infra/queue.js';
import type { Metrics } from '../infra/metrics.js';
import { poolOf, POOLS, queuesOf, type Pool } from './pools.js';

/** What a handler gets besides the job's data. */
export interface JobContext {
  jobId: string;
  /** 1 on the first attempt. */
  attempt: number;
  workerId: string;
  /**
   * Aborted when the process is shutting down and the grace period is over, or when an admin cancels this job
   * (`signal.reason` is then a JobCancelled): the handler stops without finishing its writes.
   */
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
  /**
   * Called once when the queue gives up on a job whose last attempt failed outside the handler's own bookkeeping
   * (the handler threw on its last attempt, or its worker died then): records the failure and `reason` on the job's
   * own row, so the user sees it ended instead of a job that stays queued. Must leave a finished row alone.
   */
  giveUp?(data: T, reason: string): Promise<void>;
}

/** Work a worker process does on a timer rather than from the queue (every worker process runs it). */
export interface PeriodicTask {
  name: string;
  intervalMs: number;
  run(): Promise<void>;
}

/** The abort reason a handler sees when an admin cancelled its job. */
export class JobCancelled extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} was cancelled by an administrator`);
    this.name = 'JobCancelled';
  }
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
  /** Each running job's own controller, so that one job can be cancelled (admin cancel hook). */
  private readonly running = new Map<string, AbortController>();
  /** Draining: the queues' polling loops are off; running jobs finish (admin drain hook). */
  private draining = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly periodicTimers: NodeJS.Timeout[] = [];
  private beating: Promise<void> | undefined;
  private readonly definitions = new Map<string, JobDefinition>();
  /** The definition of every queue this worker may hold a job of (a kind's own queue and its gpu variant). */
  private readonly byQueue = new Map<string, JobDefinition>();
  /** Free slots per pool with a concurrency, and who waits for one. */
  private readonly slots = new Map<Pool, { free: number; waiting: (() => void)[] }>();
  /** The heartbeat store (Redis, or the database) failing: jobs run on, beats are retried with a backoff. */
  private readonly storeOutage: Outage;
  /** No worker is reaped before this time: after an outage of the store, every live worker first beats again. */
  private reapNotBefore = 0;
  /** Delay before the next beat while the store is unavailable. */
  private retryDelay = 0;

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
      /** More for every heartbeat (its sandbox, …): additive fields of the worker record. */
      details?: () => Partial<WorkerRecord>;
      /**
       * The pools this worker serves, each with the jobs it runs at once (undefined: each queue's own concurrency).
       * Default: every pool (embedded mode: one process serves them all).
       */
      pools?: ReadonlyMap<Pool, number | undefined>;
      /** The starvation guard's window: free jobs waiting longer are taken in turn with pro ones (off if unset). */
      starvationSeconds?: number;
    },
  ) {
    this.storeOutage = new Outage(
      logger,
      {
        down: `heartbeats not recorded (${heartbeats.description} unavailable); jobs keep running from the queue, retrying`,
        up: 'heartbeats recorded again',
        fields: { worker_id: this.workerId },
      },
      // Never wait longer than one interval between attempts: once the store is back, every live worker must have
      // beaten again well before anyone reaps (see reapNotBefore).
      { firstMs: Math.min(250, options.heartbeatIntervalMs), maxDelayMs: options.heartbeatIntervalMs },
    );
  }

  /** How long one beat may take before it counts as failed: a hung store must not hold jobs up. */
  private get beatTimeoutMs(): number {
    return Math.min(Math.max(this.options.heartbeatIntervalMs, 1000), 5000);
  }

  /** Starts the workers of every queue, and `periodic` tasks (schedulers) on their intervals. */
  async start(definitions: JobDefinition<never>[], periodic: PeriodicTask[] = []): Promise<void> {
    for (const def of definitions) {
      this.definitions.set(def.queue, def as unknown as JobDefinition);
      for (const q of queuesOf(def.queue)) this.byQueue.set(q, def as unknown as JobDefinition);
    }
    for (const [pool, n] of this.pools) if (n !== undefined) this.slots.set(pool, { free: n, waiting: [] });
    // Neither needs the heartbeat store to be up: without it the worker still runs every job from the queue.
    const beaten = await this.beatSafely();
    if (beaten) {
      await this.reap(this.options.othersAreDead).catch((err: Error) =>
        this.logger.warn({ err: { message: err.message } }, 'reaping lost workers failed'),
      );
    }
    for (const def of definitions) await this.workQueue(def as unknown as JobDefinition);
    this.scheduleBeat(beaten ? this.options.heartbeatIntervalMs : this.retryDelay);
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
    const window = this.options.starvationSeconds;
    if (window !== undefined) {
      // Every worker runs the guard: one UPDATE, harmless when several do it at once.
      const t = setInterval(
        () => {
          void this.queue
            .promoteWaiting(window)
            .catch((err: Error) => this.logger.warn({ err: { message: err.message } }, 'starvation guard failed'));
        },
        Math.max(250, Math.min(15_000, (window * 1000) / 4)),
      );
      t.unref();
      this.periodicTimers.push(t);
    }
    this.logger.info(
      { worker_id: this.workerId, pools: [...this.pools.keys()], queues: this.servedQueues() },
      'worker started',
    );
  }

  /** The pools this worker serves, with their concurrency. */
  get pools(): ReadonlyMap<Pool, number | undefined> {
    return this.options.pools ?? new Map(POOLS.map((p) => [p, undefined]));
  }

  /** Every queue this worker polls: each kind's queues that belong to a pool it serves. */
  private servedQueues(def?: JobDefinition): string[] {
    const defs = def ? [def] : [...this.definitions.values()];
    return defs.flatMap((d) => queuesOf(d.queue).filter((q) => this.pools.has(poolOf(q))));
  }

  /** Waits for a slot of the job's pool (when the pool has a concurrency); returns its release. */
  private async slot(queue: string): Promise<() => void> {
    const s = this.slots.get(poolOf(queue));
    if (!s) return () => undefined;
    if (s.free > 0) s.free--;
    else await new Promise<void>((resolve) => s.waiting.push(resolve));
    return () => {
      const next = s.waiting.shift();
      if (next) next();
      else s.free++;
    };
  }

  /** True while drained (shown in the heartbeat as `draining`). */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Drain: takes no new jobs from any queue; the jobs it holds run to their end. */
  async drain(): Promise<void> {
    if (this.draining || this.stopped) return;
    this.draining = true;
    for (const queue of this.servedQueues()) await this.queue.offWork(queue);
    await this.beatSafely();
    this.logger.info({ worker_id: this.workerId }, 'worker draining: no new jobs');
  }

  /** Ends a drain: the queues' polling loops start again. */
  async resume(): Promise<void> {
    if (!this.draining || this.stopped) return;
    this.draining = false;
    for (const def of this.definitions.values()) await this.workQueue(def);
    await this.beatSafely();
    this.logger.info({ worker_id: this.workerId }, 'worker resumed');
  }

  /** Aborts a job this worker is running (its handler's signal fires with a JobCancelled); false if not held here. */
  cancel(jobId: string): boolean {
    const ctrl = this.running.get(jobId);
    if (!ctrl) return false;
    ctrl.abort(new JobCancelled(jobId));
    return true;
  }

  private async workQueue(def: JobDefinition): Promise<void> {
    for (const queue of this.servedQueues(def)) {
      // A pool's concurrency caps its queues' loops too (more loops would only fetch jobs that wait for a slot).
      const cap = this.pools.get(poolOf(queue));
      await this.queue.work<Record<string, unknown>>(
        queue,
        { batchSize: def.batchSize ?? 1, loops: Math.min(def.loops ?? 1, cap ?? Infinity) },
        (jobs) => this.run(def, jobs, queue),
      );
    }
  }

  /** Stops taking jobs; running ones get `timeoutMs` to finish before they are handed back to the queue. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const t of this.periodicTimers) clearInterval(t);
    const grace = sleep(timeoutMs, undefined, { ref: false }).then(() => this.abort.abort());
    await this.queue.stop(timeoutMs);
    void grace;
    // A beat still in flight would otherwise write the record back after it is removed.
    await this.beating?.catch(() => undefined);
    await this.heartbeats.remove(this.workerId).catch(() => undefined);
  }

  private async run(
    def: JobDefinition,
    jobs: QueuedJob<Record<string, unknown>>[],
    queue: string = def.queue,
  ): Promise<void> {
    const release = await this.slot(queue);
    try {
      await this.runHeld(def, jobs, queue);
    } finally {
      release();
    }
  }

  private async runHeld(def: JobDefinition, jobs: QueuedJob<Record<string, unknown>>[], queue: string): Promise<void> {
    if (def.lease !== false) {
      for (const job of jobs) {
        this.leases.set(job.id, { queue, id: job.id, started_at: job.startedOn.toISOString() });
      }
      // Recording the lease is best effort: while the store is away the job runs anyway (its lease is written
      // by the first beat that works), and a worker that dies meanwhile is covered by the queue's timeout.
      if (!this.storeOutage.down) await this.beatSafely();
    }
    try {
      const results = await Promise.allSettled(
        jobs.map(async (job) => {
          const started = performance.now();
          let outcome = 'failed';
          const own = new AbortController();
          this.running.set(job.id, own);
          try {
            await def.handle(job.data, {
              jobId: job.id,
              attempt: job.retryCount + 1,
              workerId: this.workerId,
              signal: AbortSignal.any([this.abort.signal, own.signal]),
              logger: this.logger.child({ queue, job_id: job.id }),
            });
            outcome = 'completed';
          } catch (err) {
            // A cancelled job: the queue already marked it cancelled; its row is told it ended, once.
            if (own.signal.aborted) {
              outcome = 'cancelled';
              await this.giveUp(def, [{ job }], () => 'cancelled by an administrator');
            }
            throw err;
          } finally {
            this.running.delete(job.id);
            this.metrics.jobs.inc({ queue, outcome });
            this.metrics.jobDuration.observe({ queue, outcome }, (performance.now() - started) / 1000);
          }
        }),
      );
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ job: jobs[i]!, err: r.reason }] : []));
      // Fail just the jobs that failed (pg-boss completes the rest when this returns); when all failed, throwing
      // fails them all.
      for (const { job, err } of failed.length === jobs.length ? [] : failed) {
        this.logger.warn({ queue, job_id: job.id, err: { message: errorMessage(err) } }, 'job failed');
        await this.queue.fail(queue, job.id, errorMessage(err));
      }
      await this.giveUp(
        def,
        failed.filter(({ job }) => job.retryCount >= def.policy.retryLimit),
        ({ err }) => errorMessage(err),
      );
      if (failed.length === jobs.length && failed.length > 0) throw failed[0]!.err;
    } finally {
      for (const job of jobs) this.leases.delete(job.id);
    }
  }

  /** The next beat (and, after it, a check for lost workers) in `delayMs`; then again, at the interval or sooner. */
  private scheduleBeat(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void (async () => {
        if (this.stopped) return;
        const ok = await this.beatSafely();
        if (ok && Date.now() >= this.reapNotBefore) {
          await this.reap(false).catch((err: Error) =>
            this.logger.warn({ err: { message: err.message } }, 'reaping lost workers failed'),
          );
        }
        this.scheduleBeat(ok ? this.options.heartbeatIntervalMs : this.retryDelay);
      })();
    }, delayMs);
    this.timer.unref();
  }

  /**
   * One beat that never throws: false (and one warning per outage, and a growing retry delay) when the store is
   * unavailable. After an outage no worker is reaped for STALE_AFTER_BEATS intervals: the records of every worker
   * went stale together, and each live one beats again within an interval of the store's return.
   */
  private async beatSafely(): Promise<boolean> {
    try {
      await this.beat();
      if (this.storeOutage.recovered()) {
        this.reapNotBefore = Date.now() + STALE_AFTER_BEATS * this.options.heartbeatIntervalMs;
      }
      return true;
    } catch (err) {
      this.retryDelay = this.storeOutage.failed(err);
      return false;
    }
  }

  private async beat(): Promise<void> {
    // Beats never overlap: a slow store must not reorder them (but a hung one must not hold the next forever).
    const previous = this.beating;
    const next = (async () => {
      if (previous) await withTimeout(previous, this.beatTimeoutMs, 'the previous heartbeat').catch(() => undefined);
      await withTimeout(
        this.heartbeats.beat({
          id: this.workerId,
          kind: 'worker',
          started_at: this.startedAt,
          last_heartbeat_at: new Date().toISOString(),
          active_jobs: [...this.leases.values()],
          ...(this.draining && { draining: true }),
          pools: [...this.pools.keys()],
          concurrency: Object.fromEntries([...this.pools].filter(([, n]) => n !== undefined)) as Record<string, number>,
          queues: this.servedQueues(),
          ...this.options.details?.(),
        }),
        this.beatTimeoutMs,
        'the heartbeat',
      );
    })();
    this.beating = next;
    await next;
  }

  /** Calls the definition's giveUp for jobs whose last attempt failed; a failure there is logged, never thrown. */
  private async giveUp<T extends { job: { id: string; data: unknown } }>(
    def: JobDefinition,
    jobs: T[],
    reason: (item: T) => string,
  ): Promise<void> {
    if (!def.giveUp) return;
    for (const item of jobs) {
      await def
        .giveUp(item.job.data as Record<string, unknown>, reason(item))
        .catch((err: Error) =>
          this.logger.error(
            { queue: def.queue, job_id: item.job.id, err: { message: err.message } },
            'could not record that a job gave up',
          ),
        );
    }
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
      const reason = `worker ${worker.id} stopped responding`;
      const exhausted: { queue: string; job: { id: string; data: unknown } }[] = [];
      const reclaimed = await this.db.transaction(async (tx) => {
        // One reaper per installation at a time, so a job is never failed twice.
        const { rows } = await tx.sql.executeSql('select pg_try_advisory_xact_lock($1) as locked', [REAP_LOCK]);
        if (rows[0]?.locked !== true) return 0;
        let n = 0;
        for (const lease of worker.active_jobs) {
          const job = await this.queue.jobState(lease.queue, lease.id, tx.sql);
          if (job?.state !== 'active' || job.startedOn?.toISOString() !== lease.started_at) continue;
          await this.queue.fail(lease.queue, lease.id, reason, tx.sql);
          if (job.retryCount >= job.retryLimit) exhausted.push({ queue: lease.queue, job: { id: lease.id, ...job } });
          n++;
        }
        return n;
      });
      // Jobs that were on their last attempt will not run again: their rows say so.
      for (const item of exhausted) {
        const def = this.byQueue.get(item.queue);
        if (def) await this.giveUp(def, [item], () => reason);
      }
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
