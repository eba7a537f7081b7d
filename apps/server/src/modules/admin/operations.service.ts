import {
  errors,
  type AdminJob,
  type AdminJobPage,
  type AdminJobQuery,
  type AdminJobStatus,
  type AdminQueueList,
  type AdminWorker,
  type AdminWorkerCommand,
  type AdminWorkerList,
} from '@hivesync/core';
import { pageCursor } from '../../http/page-cursor.js';
import type { Database } from '../../infra/db.js';
import type { EventBus } from '../../infra/event-bus.js';
import type { HeartbeatStore, WorkerRecord } from '../../infra/heartbeats.js';
import type { Logger } from '../../infra/logger.js';
import type { Queue } from '../../infra/queue.js';
import type { JobDefinition, JobRunner } from '../../jobs/job-runner.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AuthContext } from '../auth/auth.types.js';
import { badInput, requireInstanceAdmin } from './admin-access.js';
import { JOB_STATES_BY_STATUS, OperationsRepository, type JobRow } from './operations.repository.js';

/** Bus message: a worker is asked to drain or resume; body `{ worker_id, command }`. */
export const BUS_WORKER_COMMAND = 'admin.worker_command';
/** Bus message: a job was cancelled; whichever worker runs it aborts it; body `{ job_id }`. */
export const BUS_JOB_CANCELLED = 'admin.job_cancelled';
/** The pool of a worker that names none (before worker pools exist). */
export const DEFAULT_POOL = 'default';
/** A heartbeat is stale after this many missed intervals (as the job runner reaps). */
const STALE_AFTER_BEATS = 3;
const PAGE_DEFAULT = 50;

/** Workers, queues and jobs for instance admins: see them, drain and resume workers, retry and cancel jobs. */
export class OperationsService {
  readonly repo: OperationsRepository;
  private runner: JobRunner | undefined;
  private readonly definitions = new Map<string, JobDefinition>();

  constructor(
    private readonly deps: {
      db: Database;
      queue: Queue;
      heartbeats: HeartbeatStore;
      bus: EventBus;
      audit: AuditService;
      logger: Logger;
      heartbeatIntervalMs: number;
    },
  ) {
    this.repo = new OperationsRepository(deps.db.sql);
    deps.bus.subscribe((m) => {
      if (m.kind === BUS_WORKER_COMMAND && this.runner && m.body.worker_id === this.runner.workerId) {
        const run = m.body.command === 'drain' ? this.runner.drain() : this.runner.resume();
        run.catch((err: Error) => deps.logger.warn({ err: { message: err.message } }, 'worker command failed'));
      }
      if (m.kind === BUS_JOB_CANCELLED && this.runner) this.runner.cancel(String(m.body.job_id));
    });
  }

  /** Lets this process act on drain, resume and cancel (a process that runs workers), and give up cancelled jobs. */
  attach(definitions: JobDefinition<never>[], runner: JobRunner | undefined): void {
    for (const def of definitions) this.definitions.set(def.queue, def as unknown as JobDefinition);
    this.runner = runner;
  }

  /** Every worker with its pools, host, version, jobs held, last heartbeat and state. */
  async workers(auth: AuthContext): Promise<AdminWorkerList> {
    requireInstanceAdmin(auth);
    const records = await this.deps.heartbeats.list();
    const staleBefore = Date.now() - STALE_AFTER_BEATS * this.deps.heartbeatIntervalMs;
    return {
      workers: records
        .map((r) => toAdminWorker(r, staleBefore))
        .sort((a, b) => a.host.localeCompare(b.host) || a.worker_id.localeCompare(b.worker_id)),
    };
  }

  /** Live workers per pool (fresh heartbeats), for autoscaling. */
  async liveWorkersByPool(): Promise<Map<string, { workers: number; queues: Set<string> | null }>> {
    const staleBefore = Date.now() - STALE_AFTER_BEATS * this.deps.heartbeatIntervalMs;
    const out = new Map<string, { workers: number; queues: Set<string> | null }>();
    for (const record of await this.deps.heartbeats.list()) {
      const w = toAdminWorker(record, staleBefore);
      if (w.state === 'stale') continue;
      const queues = recordQueues(record);
      for (const pool of w.pools) {
        const entry = out.get(pool) ?? { workers: 0, queues: null };
        entry.workers++;
        if (queues) entry.queues = new Set([...(entry.queues ?? []), ...queues]);
        out.set(pool, entry);
      }
    }
    return out;
  }

  /** Asks a worker to drain (finish what it holds, take nothing new) or resume; its next heartbeat shows it. */
  async command(auth: AuthContext, workerId: string, command: 'drain' | 'resume'): Promise<AdminWorkerCommand> {
    requireInstanceAdmin(auth);
    const record = (await this.deps.heartbeats.list()).find((w) => w.id === workerId);
    if (!record) throw errors.notFound('worker');
    await this.deps.bus.publish({ kind: BUS_WORKER_COMMAND, body: { worker_id: workerId, command } });
    await this.deps.audit.record({
      actorId: auth.userId,
      action: `admin.worker_${command}`,
      target: { type: 'worker', id: workerId },
      ip: auth.ip ?? null,
    });
    return { worker_id: workerId, requested: command };
  }

  async queues(auth: AuthContext): Promise<AdminQueueList> {
    requireInstanceAdmin(auth);
    const figures = await this.repo.queueFigures();
    return {
      queues: figures.map((q) => ({
        name: q.name,
        waiting: q.waiting,
        running: q.running,
        failed: q.failed,
        completed_last_hour: q.completedLastHour,
        oldest_waiting_seconds: q.oldestWaitingSeconds,
        p50_run_ms: q.p50RunMs,
        p95_run_ms: q.p95RunMs,
      })),
    };
  }

  async jobs(auth: AuthContext, query: AdminJobQuery): Promise<AdminJobPage> {
    requireInstanceAdmin(auth);
    if (query.queue !== undefined) {
      const names = await this.repo.queueNames();
      if (!names.includes(query.queue)) throw badInput('queue', `unknown queue; one of ${names.join(', ')}`);
    }
    const limit = query.limit ?? PAGE_DEFAULT;
    const after = query.cursor === undefined ? undefined : pageCursor.decode(query.cursor);
    const rows = await this.repo.jobs(
      { queue: query.queue, states: query.status && JOB_STATES_BY_STATUS[query.status] },
      limit + 1,
      after,
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      jobs: page.map(toAdminJob),
      next_cursor: rows.length > limit && last ? pageCursor.encode({ at: last.createdOn, id: last.id }) : null,
    };
  }

  /** Sends a failed job back to its queue; 409 for a job that is not failed. */
  async retry(auth: AuthContext, id: string): Promise<AdminJob> {
    requireInstanceAdmin(auth);
    const job = await this.repo.job(id);
    if (!job) throw errors.notFound('job');
    if (job.state !== 'failed') {
      throw errors.conflict(`Only a failed job can be retried; this one is ${statusOf(job.state)}.`, {
        status: statusOf(job.state),
      });
    }
    await this.deps.queue.retry(job.name, job.id);
    await this.deps.audit.record({
      actorId: auth.userId,
      action: 'admin.job_retried',
      target: { type: 'job', id },
      ip: auth.ip ?? null,
      details: { queue: job.name },
    });
    return toAdminJob((await this.repo.job(id)) ?? job);
  }

  /**
   * Cancels a waiting or running job (409 once it has finished). A running job's worker aborts its handler's
   * signal and records the end on the job's own row after the handler stopped; a waiting job's row is told here.
   */
  async cancel(auth: AuthContext, id: string): Promise<AdminJob> {
    requireInstanceAdmin(auth);
    const job = await this.repo.job(id);
    if (!job) throw errors.notFound('job');
    const status = statusOf(job.state);
    if (status !== 'waiting' && status !== 'running') {
      throw errors.conflict(`Only a waiting or running job can be cancelled; this one is ${status}.`, { status });
    }
    await this.deps.queue.cancel(job.name, job.id);
    const after = (await this.repo.job(id)) ?? job;
    if (after.state !== 'cancelled') {
      // It finished between the read and the cancel.
      throw errors.conflict(`The job finished before it could be cancelled (${statusOf(after.state)}).`, {
        status: statusOf(after.state),
      });
    }
    await this.deps.bus.publish({ kind: BUS_JOB_CANCELLED, body: { job_id: id } });
    if (status === 'waiting') {
      const def = this.definitions.get(job.name);
      await def
        ?.giveUp?.(job.data as Record<string, unknown>, 'cancelled by an administrator')
        .catch((err: Error) =>
          this.deps.logger.error({ job_id: id, err: { message: err.message } }, 'could not record a cancelled job'),
        );
    }
    await this.deps.audit.record({
      actorId: auth.userId,
      action: 'admin.job_cancelled',
      target: { type: 'job', id },
      ip: auth.ip ?? null,
      details: { queue: job.name, was: status },
    });
    return toAdminJob(after);
  }
}

/** The admin API's status of a pg-boss state. */
export function statusOf(state: string): AdminJobStatus {
  for (const [status, states] of Object.entries(JOB_STATES_BY_STATUS)) {
    if ((states as readonly string[]).includes(state)) return status as AdminJobStatus;
  }
  return 'failed';
}

function toAdminJob(row: JobRow): AdminJob {
  return {
    job_id: row.id,
    queue: row.name,
    status: statusOf(row.state),
    retry_count: row.retryCount,
    retry_limit: row.retryLimit,
    created_at: row.createdOn.toISOString(),
    started_at: row.startedOn ? row.startedOn.toISOString() : null,
    finished_at: row.completedOn ? row.completedOn.toISOString() : null,
    error: row.error,
  };
}

/**
 * A heartbeat as the admin API shows it. Pools, version and queues are read generically, so that whatever a
 * worker adds to its heartbeat (`pools: string[]` or `pool: string`, `version`, `queues`) shows without a change
 * here; a worker that names no pool is in `default`.
 */
export function toAdminWorker(record: WorkerRecord, staleBefore: number): AdminWorker {
  const extra = record as unknown as Record<string, unknown>;
  const pools = Array.isArray(extra.pools)
    ? extra.pools.map(String)
    : typeof extra.pool === 'string'
      ? [extra.pool]
      : [DEFAULT_POOL];
  const [host = record.id, pid] = record.id.split(':');
  const stale = new Date(record.last_heartbeat_at).getTime() < staleBefore;
  return {
    worker_id: record.id,
    pools: pools.length > 0 ? pools : [DEFAULT_POOL],
    host: typeof extra.host === 'string' ? extra.host : host,
    pid: pid !== undefined && /^\d+$/.test(pid) ? Number(pid) : null,
    version: typeof extra.version === 'string' ? extra.version : null,
    kind: record.kind,
    state: stale ? 'stale' : record.draining ? 'draining' : 'running',
    jobs_held: record.active_jobs.length,
    active_jobs: record.active_jobs.map((j) => ({ queue: j.queue, job_id: j.id, started_at: j.started_at })),
    started_at: record.started_at,
    last_heartbeat_at: record.last_heartbeat_at,
  };
}

function recordQueues(record: WorkerRecord): string[] | null {
  const queues = (record as unknown as Record<string, unknown>).queues;
  return Array.isArray(queues) ? queues.map(String) : null;
}
