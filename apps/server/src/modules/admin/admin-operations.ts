import type { Database } from '../../infra/db.js';
import type { EventBus } from '../../infra/event-bus.js';
import type { HeartbeatStore } from '../../infra/heartbeats.js';
import type { Logger } from '../../infra/logger.js';
import type { Metrics } from '../../infra/metrics.js';
import type { OnceStore } from '../../infra/once.js';
import type { Queue } from '../../infra/queue.js';
import type { JobDefinition, JobRunner } from '../../jobs/job-runner.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AuthService } from '../auth/auth.service.js';
import type { HealthService } from '../health/health.service.js';
import { AnalyticsService } from './analytics.service.js';
import { AutoscalingService } from './autoscaling.service.js';
import { HealthHistoryService } from './health-history.service.js';
import { waitingByQueue } from './operations.repository.js';
import { OperationsService } from './operations.service.js';
import { createScalingTarget, type ScalingTargetConfig } from './scaling-targets.js';
import { AdminUsersService } from './users.service.js';

/** What the operations API needs from the process. */
export interface AdminOperationsDeps {
  db: Database;
  queue: Queue;
  heartbeats: HeartbeatStore;
  bus: EventBus;
  once: OnceStore;
  auth: AuthService;
  audit: AuditService;
  health: HealthService;
  logger: Logger;
  options: {
    heartbeatIntervalMs: number;
    autoscaleIntervalMs: number;
    healthSampleIntervalMs: number;
    target: ScalingTargetConfig;
  };
}

/**
 * The operations API's services (issue #15), and the timed work behind them that every process runs and one
 * process of the installation does per interval: autoscaling evaluation and health sampling.
 */
export class AdminOperations {
  readonly users: AdminUsersService;
  readonly ops: OperationsService;
  readonly analytics: AnalyticsService;
  readonly autoscaling: AutoscalingService;
  readonly healthHistory: HealthHistoryService;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly deps: AdminOperationsDeps) {
    const { db, options, logger } = deps;
    this.users = new AdminUsersService(db, deps.auth, deps.audit);
    this.ops = new OperationsService({
      db,
      queue: deps.queue,
      heartbeats: deps.heartbeats,
      bus: deps.bus,
      audit: deps.audit,
      logger,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
    });
    this.analytics = new AnalyticsService(db, logger);
    this.autoscaling = new AutoscalingService({
      db,
      ops: this.ops,
      target: createScalingTarget(options.target),
      once: deps.once,
      audit: deps.audit,
      logger,
      intervalMs: options.autoscaleIntervalMs,
    });
    this.healthHistory = new HealthHistoryService({
      db,
      health: deps.health,
      once: deps.once,
      logger,
      intervalMs: options.healthSampleIntervalMs,
    });
  }

  /**
   * Starts the timed work and the queue gauges; `runner` (in a process that runs workers) takes drain, resume and
   * cancel commands. Returns the function that stops it.
   */
  start(definitions: JobDefinition<never>[], runner: JobRunner | undefined, metrics: Metrics): () => void {
    this.ops.attach(definitions, runner);
    const every = (name: string, ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => {
        fn().catch((err: Error) => this.deps.logger.warn({ task: name, err: { message: err.message } }, 'failed'));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every('autoscaling', this.deps.options.autoscaleIntervalMs, () => this.autoscaling.tick());
    every('health-sample', this.deps.options.healthSampleIntervalMs, () => this.healthHistory.tick());
    // For KEDA or an HPA on external metrics: depth and the oldest waiting job's age per queue, and each pool's
    // desired worker count as the evaluator decided it.
    metrics.gauge('hivesync_queue_waiting_jobs', 'Jobs waiting per queue (created or retry)', ['queue'], async (g) => {
      g.reset();
      for (const q of await waitingByQueue(this.deps.db.sql)) g.set({ queue: q.name }, q.waiting);
    });
    metrics.gauge(
      'hivesync_queue_oldest_waiting_seconds',
      'Age of the oldest waiting job per queue, in seconds (absent when none waits)',
      ['queue'],
      async (g) => {
        g.reset();
        for (const q of await waitingByQueue(this.deps.db.sql)) g.set({ queue: q.name }, q.oldestSeconds);
      },
    );
    metrics.gauge(
      'hivesync_pool_desired_workers',
      'Desired workers per pool, as the autoscaling rules (or a manual override) decided',
      ['pool'],
      async (g) => {
        g.reset();
        for (const p of await this.autoscaling.repo.pools()) if (p.desired !== null) g.set({ pool: p.pool }, p.desired);
      },
    );
    return () => {
      for (const t of this.timers) clearInterval(t);
      this.timers.length = 0;
    };
  }
}
