import { z } from 'zod';
import { Id, Timestamp } from './common.js';

/** A canary job: an admin sends one through the queue to prove the workers are picking up work. */
export const CanaryBody = z
  .object({ delay_ms: z.number().int().min(0).max(600_000).optional() })
  .meta({ id: 'CanaryBody' });
export type CanaryBody = z.infer<typeof CanaryBody>;

export const Canary = z
  .object({
    canary_id: Id,
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    delay_ms: z.number().int(),
    attempts: z.number().int(),
    worker_id: z.string().nullable(),
    created_at: Timestamp,
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
  })
  .meta({ id: 'Canary' });
export type Canary = z.infer<typeof Canary>;

export const BroadcastBody = z
  .object({ message: z.string().trim().min(1).max(2000), starts_at: Timestamp.optional() })
  .meta({ id: 'BroadcastBody' });
export type BroadcastBody = z.infer<typeof BroadcastBody>;

export const BroadcastResult = z.object({ notified: z.number().int() }).meta({ id: 'BroadcastResult' });
export type BroadcastResult = z.infer<typeof BroadcastResult>;

// ---------------------------------------------------------------------------------------------------------------
// The operations API (issue #15): users, workers and pools, queues and jobs, analytics, autoscaling, health history.
// Every query schema is strict: an unknown filter is a 400, never silently ignored.
// ---------------------------------------------------------------------------------------------------------------

/** A page size for admin lists (default 50). */
const PageLimit = z.coerce.number().int().min(1).max(500);
/** An opaque cursor from a previous page's `next_cursor`. */
const Cursor = z.string().min(1).max(200);
/** Query-string booleans: `true`/`false` (and `1`/`0`). */
const QueryBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const InstanceRole = z.enum(['user', 'admin']);
export type InstanceRole = z.infer<typeof InstanceRole>;

/** A user as the admin list shows it. */
export const AdminUser = z
  .object({
    user_id: Id,
    email: z.string(),
    display_name: z.string(),
    role: InstanceRole,
    disabled: z.boolean(),
    disabled_at: Timestamp.nullable(),
    created_at: Timestamp,
    /** When the user last logged in (their newest session), null if never. */
    last_login_at: Timestamp.nullable(),
    /** Projects the user is a member of (any role). */
    project_count: z.number().int(),
  })
  .meta({ id: 'AdminUser' });
export type AdminUser = z.infer<typeof AdminUser>;

export const AdminUserQuery = z.strictObject({
  /** Case-insensitive substring of the email or display name. */
  q: z.string().max(254).optional(),
  role: InstanceRole.optional(),
  disabled: QueryBool.optional(),
  cursor: Cursor.optional(),
  limit: PageLimit.optional(),
});
export type AdminUserQuery = z.infer<typeof AdminUserQuery>;

export const AdminUserPage = z
  .object({ users: z.array(AdminUser), next_cursor: z.string().nullable() })
  .meta({ id: 'AdminUserPage' });
export type AdminUserPage = z.infer<typeof AdminUserPage>;

/** One live session of a user, as an admin sees it. */
export const AdminUserSession = z.object({
  session_id: Id,
  client: z.string().nullable(),
  user_agent: z.string().nullable(),
  created_at: Timestamp,
  last_used_at: Timestamp,
  expires_at: Timestamp,
});
export type AdminUserSession = z.infer<typeof AdminUserSession>;

export const AdminUserDetail = AdminUser.extend({
  projects: z.array(
    z.object({ project_id: Id, name: z.string(), role: z.enum(['owner', 'admin', 'member', 'viewer']) }),
  ),
  /** Live (unrevoked, unexpired) sessions, newest first. */
  sessions: z.array(AdminUserSession),
}).meta({ id: 'AdminUserDetail' });
export type AdminUserDetail = z.infer<typeof AdminUserDetail>;

export const AdminUpdateUserBody = z
  .strictObject({ role: InstanceRole.optional(), disabled: z.boolean().optional() })
  .meta({ id: 'AdminUpdateUserBody' });
export type AdminUpdateUserBody = z.infer<typeof AdminUpdateUserBody>;

export const AdminLogoutResult = z.object({ revoked_sessions: z.number().int() }).meta({ id: 'AdminLogoutResult' });
export type AdminLogoutResult = z.infer<typeof AdminLogoutResult>;

/** A worker process, from its heartbeat. */
export const AdminWorker = z
  .object({
    worker_id: z.string(),
    /** The pools the worker serves (`default` until the worker reports pools). */
    pools: z.array(z.string()),
    host: z.string(),
    pid: z.number().int().nullable(),
    version: z.string().nullable(),
    kind: z.string(),
    /** `running`, `draining` (finishes what it holds, takes nothing new), or `stale` (heartbeat stopped). */
    state: z.enum(['running', 'draining', 'stale']),
    jobs_held: z.number().int(),
    active_jobs: z.array(z.object({ queue: z.string(), job_id: z.string(), started_at: Timestamp })),
    started_at: Timestamp,
    last_heartbeat_at: Timestamp,
  })
  .meta({ id: 'AdminWorker' });
export type AdminWorker = z.infer<typeof AdminWorker>;

export const AdminWorkerList = z.object({ workers: z.array(AdminWorker) }).meta({ id: 'AdminWorkerList' });
export type AdminWorkerList = z.infer<typeof AdminWorkerList>;

/** The answer to drain and resume: the command was sent; the worker's heartbeat shows when it took it. */
export const AdminWorkerCommand = z
  .object({ worker_id: z.string(), requested: z.enum(['drain', 'resume']) })
  .meta({ id: 'AdminWorkerCommand' });
export type AdminWorkerCommand = z.infer<typeof AdminWorkerCommand>;

/** Figures of one queue. */
export const AdminQueue = z
  .object({
    name: z.string(),
    waiting: z.number().int(),
    running: z.number().int(),
    failed: z.number().int(),
    completed_last_hour: z.number().int(),
    /** Age of the oldest waiting job in seconds, null when none waits. */
    oldest_waiting_seconds: z.number().nullable(),
    /** Run time of jobs completed in the last hour, null when none did. */
    p50_run_ms: z.number().nullable(),
    p95_run_ms: z.number().nullable(),
  })
  .meta({ id: 'AdminQueue' });
export type AdminQueue = z.infer<typeof AdminQueue>;

export const AdminQueueList = z.object({ queues: z.array(AdminQueue) }).meta({ id: 'AdminQueueList' });
export type AdminQueueList = z.infer<typeof AdminQueueList>;

/** A job's status as the admin API names it (waiting = created or retry, running = active). */
export const AdminJobStatus = z.enum(['waiting', 'running', 'completed', 'failed', 'cancelled']);
export type AdminJobStatus = z.infer<typeof AdminJobStatus>;

export const AdminJob = z
  .object({
    job_id: z.string(),
    queue: z.string(),
    status: AdminJobStatus,
    retry_count: z.number().int(),
    retry_limit: z.number().int(),
    created_at: Timestamp,
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
    /** The last error message of a failed (or retrying) job. */
    error: z.string().nullable(),
  })
  .meta({ id: 'AdminJob' });
export type AdminJob = z.infer<typeof AdminJob>;

export const AdminJobQuery = z.strictObject({
  queue: z.string().max(200).optional(),
  status: AdminJobStatus.optional(),
  cursor: Cursor.optional(),
  limit: PageLimit.optional(),
});
export type AdminJobQuery = z.infer<typeof AdminJobQuery>;

export const AdminJobPage = z
  .object({ jobs: z.array(AdminJob), next_cursor: z.string().nullable() })
  .meta({ id: 'AdminJobPage' });
export type AdminJobPage = z.infer<typeof AdminJobPage>;

/**
 * The range and bucket of an analytics query. `from`/`to` default to the last 24 hours; the range may not exceed
 * 366 days. `bucket` is a duration (`1m`, `15m`, `1h`, `1d`; at least a minute), default `1h`; at most 2,000
 * buckets per range.
 */
export const AnalyticsQuery = z.strictObject({
  from: Timestamp.optional(),
  to: Timestamp.optional(),
  bucket: z
    .string()
    .regex(/^\d{1,6}[smhd]$/, 'a duration such as 1m, 15m, 1h or 1d')
    .optional(),
});
export type AnalyticsQuery = z.infer<typeof AnalyticsQuery>;

/** The range an analytics answer covers, as the server resolved it. */
export const AnalyticsRange = z.object({
  from: Timestamp,
  to: Timestamp,
  bucket_seconds: z.number().int(),
  /**
   * How the answer's percentiles were computed: `exact` from every row (ranges up to 7 days, or buckets that are
   * not whole hours), or `estimated` from the hourly and daily roll-ups' duration histograms (bins a fourth of a
   * power of two wide: each estimate is within 10% of the exact value). Counts and token sums are exact either way.
   */
  percentiles: z.enum(['exact', 'estimated']),
});
export type AnalyticsRange = z.infer<typeof AnalyticsRange>;

export const PreviewAnalytics = z
  .object({
    range: AnalyticsRange,
    /** Previews created and failed per bucket (`t` is the bucket's start). */
    series: z.array(z.object({ t: Timestamp, created: z.number().int(), failed: z.number().int() })),
    /** Failures by platform and hour of day (0-23, UTC): the heatmap's cells (cells with no failure are left out). */
    heatmap: z.array(z.object({ platform: z.string(), hour: z.number().int(), failures: z.number().int() })),
    by_reason: z.array(z.object({ reason: z.string(), count: z.number().int() })),
  })
  .meta({ id: 'PreviewAnalytics' });
export type PreviewAnalytics = z.infer<typeof PreviewAnalytics>;

export const AiAnalytics = z
  .object({
    range: AnalyticsRange,
    series: z.array(z.object({ t: Timestamp, completed: z.number().int(), failed: z.number().int() })),
    /** Jobs by action, provider and outcome; tokens are null where the provider reported none. */
    by_action: z.array(
      z.object({
        action: z.string(),
        provider: z.string(),
        outcome: z.enum(['completed', 'failed', 'queued', 'running']),
        count: z.number().int(),
        p50_ms: z.number().nullable(),
        p95_ms: z.number().nullable(),
        prompt_tokens: z.number().int().nullable(),
        completion_tokens: z.number().int().nullable(),
      }),
    ),
    /** Suggestions created in the range, by state, and the share approved (approved + applied + reverted) or rejected. */
    suggestions: z.object({
      total: z.number().int(),
      by_state: z.record(z.string(), z.number().int()),
      approval_rate: z.number().nullable(),
      rejection_rate: z.number().nullable(),
    }),
  })
  .meta({ id: 'AiAnalytics' });
export type AiAnalytics = z.infer<typeof AiAnalytics>;

export const SyncAnalytics = z
  .object({
    range: AnalyticsRange,
    series: z.array(
      z.object({
        t: Timestamp,
        completed: z.number().int(),
        failed: z.number().int(),
        p50_ms: z.number().nullable(),
        p95_ms: z.number().nullable(),
      }),
    ),
    by_outcome: z.array(
      z.object({
        outcome: z.string(),
        count: z.number().int(),
        p50_ms: z.number().nullable(),
        p95_ms: z.number().nullable(),
      }),
    ),
    by_error: z.array(z.object({ code: z.string(), count: z.number().int() })),
  })
  .meta({ id: 'SyncAnalytics' });
export type SyncAnalytics = z.infer<typeof SyncAnalytics>;

export const RateLimitAnalytics = z
  .object({
    range: AnalyticsRange,
    series: z.array(z.object({ t: Timestamp, refusals: z.number().int() })),
    /** The top 50 of each, most refused first. */
    by_route: z.array(z.object({ route: z.string(), limit_name: z.string(), count: z.number().int() })),
    by_user: z.array(z.object({ user_id: z.string(), email: z.string().nullable(), count: z.number().int() })),
    by_ip: z.array(z.object({ ip: z.string(), count: z.number().int() })),
  })
  .meta({ id: 'RateLimitAnalytics' });
export type RateLimitAnalytics = z.infer<typeof RateLimitAnalytics>;

/** How one pool scales: per pool, at most one rule. */
export const AutoscalingRule = z
  .object({
    pool: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/)
      .meta({ description: 'The worker pool (`default` until pools exist).' }),
    min_workers: z.number().int().min(0).max(1000),
    max_workers: z.number().int().min(0).max(1000),
    /** Scale up when the oldest waiting job is older than this (seconds); null: not a trigger. */
    scale_up_oldest_seconds: z.number().int().min(1).max(86_400).nullable(),
    /** Scale up when more than this many jobs wait; null: not a trigger. */
    scale_up_depth: z.number().int().min(1).max(10_000_000).nullable(),
    /** Scale down by one after this many minutes with nothing waiting or running. */
    scale_down_idle_minutes: z.number().int().min(1).max(10_080),
    enabled: z.boolean(),
  })
  .meta({ id: 'AutoscalingRule' });
export type AutoscalingRule = z.infer<typeof AutoscalingRule>;

/** Where a pool stands: its desired count and any manual override still in force. */
export const PoolScale = z
  .object({
    pool: z.string(),
    desired: z.number().int().nullable(),
    /** Workers whose heartbeat names this pool and is fresh. */
    live_workers: z.number().int(),
    manual: z.object({ desired: z.number().int(), until: Timestamp }).nullable(),
  })
  .meta({ id: 'PoolScale' });
export type PoolScale = z.infer<typeof PoolScale>;

export const AutoscalingRules = z
  .object({
    rules: z.array(AutoscalingRule),
    /** The configured scaling target (HIVESYNC_AUTOSCALE_TARGET). */
    target: z.enum(['log', 'exec', 'kubernetes']),
    pools: z.array(PoolScale),
  })
  .meta({ id: 'AutoscalingRules' });
export type AutoscalingRules = z.infer<typeof AutoscalingRules>;

export const PutAutoscalingRulesBody = z
  .strictObject({ rules: z.array(AutoscalingRule).max(100) })
  .meta({ id: 'PutAutoscalingRulesBody' });
export type PutAutoscalingRulesBody = z.infer<typeof PutAutoscalingRulesBody>;

/** One scaling decision: what the evaluator saw and what it wanted. */
export const AutoscalingDecision = z
  .object({
    id: z.string(),
    at: Timestamp,
    pool: z.string(),
    /** `rule` (the evaluator) or `manual` (POST /admin/pools/{pool}/scale). */
    source: z.enum(['rule', 'manual']),
    /** The rule as it was when the decision was taken (null for a manual decision with no rule). */
    rule: AutoscalingRule.nullable(),
    input: z.object({
      waiting: z.number().int(),
      running: z.number().int(),
      oldest_waiting_seconds: z.number().nullable(),
      live_workers: z.number().int(),
      idle_minutes: z.number().nullable(),
    }),
    previous: z.number().int().nullable(),
    desired: z.number().int(),
    reason: z.string(),
    target: z.enum(['log', 'exec', 'kubernetes']),
    /** Whether the target carried it out; `error` says why not. */
    applied: z.boolean(),
    error: z.string().nullable(),
  })
  .meta({ id: 'AutoscalingDecision' });
export type AutoscalingDecision = z.infer<typeof AutoscalingDecision>;

export const AutoscalingDecisionQuery = z.strictObject({
  pool: z.string().max(63).optional(),
  cursor: Cursor.optional(),
  limit: PageLimit.optional(),
});
export type AutoscalingDecisionQuery = z.infer<typeof AutoscalingDecisionQuery>;

export const AutoscalingDecisionPage = z
  .object({ decisions: z.array(AutoscalingDecision), next_cursor: z.string().nullable() })
  .meta({ id: 'AutoscalingDecisionPage' });
export type AutoscalingDecisionPage = z.infer<typeof AutoscalingDecisionPage>;

/** Manual scaling: hold the pool at `desired` workers for `minutes` (default 60), overriding its rule. */
export const ScalePoolBody = z
  .strictObject({
    desired: z.number().int().min(0).max(1000),
    minutes: z.number().int().min(1).max(10_080).optional(),
  })
  .meta({ id: 'ScalePoolBody' });
export type ScalePoolBody = z.infer<typeof ScalePoolBody>;

/** Each deep-health check's recorded state over the window (samples every HIVESYNC_HEALTH_SAMPLE_SECONDS). */
export const HealthHistory = z
  .object({
    from: Timestamp,
    to: Timestamp,
    checks: z.array(
      z.object({
        name: z.string(),
        samples: z.array(
          z.object({
            at: Timestamp,
            status: z.enum(['ok', 'degraded', 'fail', 'disabled']),
            latency_ms: z.number(),
            message: z.string().nullable(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'HealthHistory' });
export type HealthHistory = z.infer<typeof HealthHistory>;

export const HealthHistoryQuery = z.strictObject({ hours: z.coerce.number().int().min(1).max(168).optional() });
export type HealthHistoryQuery = z.infer<typeof HealthHistoryQuery>;
