import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

// 64-bit integers are declared with mode 'number' everywhere: PGlite hands them back as numbers and node-postgres as
// strings, and drizzle's number mode maps both to one representation (see db.int.test.ts).

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: ['user', 'admin'] }).notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** Set while an instance admin has disabled the account: its tokens are refused and it cannot log in. */
    disabledAt: ts('disabled_at'),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email)],
);

/**
 * Sessions: one per login (or registration). Access tokens carry their session's id (`sid`), and a refresh token
 * family is a session's chain of refresh tokens (refresh_tokens.family_id = sessions.id), so revoking a session ends
 * both at once.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The X-HiveSync-Client of the login (web, cli…), if it sent one. */
    client: text('client'),
    userAgent: text('user_agent'),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastUsedAt: ts('last_used_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: text('family_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: ts('expires_at').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    rotatedAt: ts('rotated_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('refresh_tokens_hash_key').on(t.tokenHash), index('refresh_tokens_family_idx').on(t.familyId)],
);

export const projects = pgTable('projects', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  repoUrl: text('repo_url'),
  branch: text('branch').notNull().default('main'),
  /** True while `branch` follows the remote's default branch (HEAD), resolved again at every sync. */
  followsDefaultBranch: boolean('follows_default_branch').notNull().default(false),
  createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  lastSyncedAt: ts('last_synced_at'),
  lastCommit: text('last_commit'),
  /** 'https_token' | 'ssh_key' when a credential is stored. */
  credentialType: text('credential_type', { enum: ['https_token', 'ssh_key'] }),
  /** The credential, encrypted with AES-256-GCM (never returned by the API). */
  credentialCiphertext: text('credential_ciphertext'),
  /** Who stored the credential: only they (or the owner) may keep it when the URL's path changes. */
  credentialSetBy: text('credential_set_by'),
  /** Minutes between scheduled syncs; null means no schedule. */
  syncIntervalMinutes: integer('sync_interval_minutes'),
  /** The project's plan: `pro` projects' jobs go to the priority queues that workers drain first. */
  plan: text('plan', { enum: ['free', 'pro'] })
    .notNull()
    .default('free'),
});

export const projectMembers = pgTable(
  'project_members',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['owner', 'admin', 'member', 'viewer'] }).notNull(),
    addedAt: ts('added_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] }), index('project_members_user_idx').on(t.userId)],
);

export const notifications = pgTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    projectId: text('project_id').references(() => projects.id, { onDelete: 'set null' }),
    type: text('type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    readAt: ts('read_at'),
  },
  (t) => [
    index('notifications_user_created_idx').on(t.userId, t.createdAt),
    uniqueIndex('notifications_user_seq_idx').on(t.userId, t.seq),
    index('notifications_user_unread_idx')
      .on(t.userId, t.seq)
      .where(sql`${t.readAt} is null`),
    // The retention job's scan: read notifications by age.
    index('notifications_read_created_idx')
      .on(t.createdAt)
      .where(sql`${t.readAt} is not null`),
  ],
);

/**
 * Read marks of one client (its X-HiveSync-Client name): a notification read there stays unread on the user's other
 * clients until read there too, or marked read for all (notifications.read_at).
 */
export const notificationClientReads = pgTable(
  'notification_client_reads',
  {
    notificationId: text('notification_id')
      .notNull()
      .references(() => notifications.id, { onDelete: 'cascade' }),
    client: text('client').notNull(),
    readAt: ts('read_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.notificationId, t.client] })],
);

/** One row per user: bumped whenever that user's notifications change, so an unchanged poll costs one lookup. */
export const notificationState = pgTable('notification_state', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  version: bigint('version', { mode: 'number' }).notNull().default(0),
});

export const canaries = pgTable(
  'canaries',
  {
    id: text('id').primaryKey(),
    requestedBy: text('requested_by').references(() => users.id, { onDelete: 'set null' }),
    status: text('status', { enum: ['queued', 'running', 'completed', 'failed'] }).notNull(),
    delayMs: integer('delay_ms').notNull(),
    attempts: integer('attempts').notNull().default(0),
    workerId: text('worker_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
  },
  (t) => [index('canaries_requested_by_status_idx').on(t.requestedBy, t.status)],
);

/** Sync stages that count as "in progress": at most one such sync per project. */
export const ACTIVE_SYNC_STATUSES = ['queued', 'running', 'updating_files', 'cleaning', 'finalizing'] as const;

export const repoSyncs = pgTable(
  'repo_syncs',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    requestedBy: text('requested_by').references(() => users.id, { onDelete: 'set null' }),
    trigger: text('trigger', { enum: ['manual', 'schedule'] }).notNull(),
    status: text('status', {
      enum: ['queued', 'running', 'updating_files', 'cleaning', 'finalizing', 'completed', 'failed'],
    }).notNull(),
    commit: text('commit'),
    /** The pg-boss job that runs this sync, to tell a sync whose job died from one still under way. */
    jobId: text('job_id'),
    attempts: integer('attempts').notNull().default(0),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    createdAt: ts('created_at').notNull().defaultNow(),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
    durationMs: integer('duration_ms'),
  },
  (t) => [
    uniqueIndex('repo_syncs_one_active_per_project')
      .on(t.projectId)
      .where(sql`${t.status} in ('queued', 'running', 'updating_files', 'cleaning', 'finalizing')`),
    index('repo_syncs_project_created_idx').on(t.projectId, t.createdAt),
    index('repo_syncs_requested_by_status_idx').on(t.requestedBy, t.status),
    // Admin analytics: syncs in a time range by outcome and duration (covering, so the scan skips the table).
    index('repo_syncs_created_status_idx').on(t.createdAt, t.status, t.durationMs, t.errorCode),
  ],
);

/** Preview statuses in which a code is live (and must be unique). */
export const LIVE_PREVIEW_STATUSES = ['pending_upload', 'ready'] as const;

export const previews = pgTable(
  'previews',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    platform: text('platform', { enum: ['ios', 'android', 'web'] }).notNull(),
    status: text('status', { enum: ['pending_upload', 'ready', 'consumed', 'expired', 'deleted', 'failed'] }).notNull(),
    code: text('code').notNull(),
    /** Where the client uploads (a per-preview key), and the deduplicated bundle it becomes. */
    uploadKey: text('upload_key').notNull(),
    bundleKey: text('bundle_key'),
    /** The hash the token names when the client declared it at creation. */
    claimedSha256: text('claimed_sha256'),
    sha256: text('sha256'),
    size: integer('size'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    expiresAt: ts('expires_at').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    readyAt: ts('ready_at'),
    consumedAt: ts('consumed_at'),
    expiredAt: ts('expired_at'),
    deletedAt: ts('deleted_at'),
  },
  (t) => [
    uniqueIndex('previews_live_code_key')
      .on(t.code)
      .where(sql`${t.status} in ('pending_upload', 'ready')`),
    index('previews_project_created_idx').on(t.projectId, t.createdAt),
    index('previews_status_expires_idx').on(t.status, t.expiresAt),
    index('previews_bundle_key_idx').on(t.bundleKey),
    // Admin analytics: previews in a time range, and failed ones by platform, hour and reason.
    index('previews_created_idx').on(t.createdAt),
    index('previews_failed_created_idx')
      .on(t.createdAt, t.platform, t.errorCode)
      .where(sql`${t.status} = 'failed'`),
  ],
);

export const threads = pgTable(
  'threads',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    state: text('state', { enum: ['open', 'resolved'] }).notNull(),
    path: text('path').notNull(),
    commit: text('commit').notNull(),
    startLine: integer('start_line').notNull(),
    endLine: integer('end_line').notNull(),
    /** The anchored lines' text at `commit`, for finding them again when they move or change. */
    anchorText: text('anchor_text').notNull(),
    symbol: text('symbol'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    resolvedAt: ts('resolved_at'),
    resolvedBy: text('resolved_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [
    index('threads_project_path_idx').on(t.projectId, t.path),
    index('threads_project_state_idx').on(t.projectId, t.state),
  ],
);

export const comments = pgTable(
  'comments',
  {
    id: text('id').primaryKey(),
    threadId: text('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    authorId: text('author_id').references(() => users.id, { onDelete: 'set null' }),
    /** Set when an AI job posted the comment. */
    aiJobId: text('ai_job_id'),
    body: text('body').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    editedAt: ts('edited_at'),
    deletedAt: ts('deleted_at'),
  },
  (t) => [index('comments_thread_created_idx').on(t.threadId, t.createdAt)],
);

/** Where a thread's code is at a commit, computed on the server once per commit. */
export const threadPositions = pgTable(
  'thread_positions',
  {
    threadId: text('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    commit: text('commit').notNull(),
    path: text('path').notNull(),
    startLine: integer('start_line').notNull(),
    endLine: integer('end_line').notNull(),
    status: text('status', { enum: ['current', 'moved', 'edited', 'outdated'] }).notNull(),
    reason: text('reason', { enum: ['deleted', 'file_deleted', 'too_costly'] }),
    /** The lines' text at this commit (what the next commit is matched against). */
    text: text('text').notNull(),
    computedAt: ts('computed_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.commit] })],
);

export const tasks = pgTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    status: text('status', { enum: ['todo', 'in_progress', 'done'] }).notNull(),
    assigneeId: text('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    threadId: text('thread_id').references(() => threads.id, { onDelete: 'set null' }),
    filePath: text('file_path'),
    fileLine: integer('file_line'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('tasks_project_status_idx').on(t.projectId, t.status), index('tasks_assignee_idx').on(t.assigneeId)],
);

/** Append-only record of security- and content-relevant actions (a trigger refuses UPDATE and DELETE). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull().defaultNow(),
    actorId: text('actor_id'),
    actorEmail: text('actor_email'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    projectId: text('project_id'),
    ip: text('ip'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_actor_idx').on(t.actorId, t.at),
    index('audit_log_action_idx').on(t.action, t.at),
    index('audit_log_project_idx').on(t.projectId, t.at),
  ],
);

export const aiJobs = pgTable(
  'ai_jobs',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    requestedBy: text('requested_by').references(() => users.id, { onDelete: 'set null' }),
    action: text('action', {
      enum: [
        'document_function',
        'document_file',
        'summarize_file',
        'rename_symbol',
        'refactor',
        'explain',
        'suggest_fix',
      ],
    }).notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: ['queued', 'running', 'completed', 'failed'] }).notNull(),
    /** The mirror commit the job reads, fixed when it is created. */
    commit: text('commit').notNull(),
    result: jsonb('result').$type<Record<string, unknown>>(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    /** Why a completed job has no suggestion ("`init` in lib/app.js:59 already has a doc comment."). */
    message: text('message'),
    /** The provider that ran the job (`local`, `openai`), and the tokens it reported, where it reports them. */
    provider: text('provider'),
    promptTokens: integer('prompt_tokens'),
    completionTokens: integer('completion_tokens'),
    /** The job's prompt/context and raw model output in the `ai-logs` bucket (null: none kept, or expired). */
    logKey: text('log_key'),
    /** A result too large for the row, in the `artifacts` bucket (`result` is then null). */
    resultKey: text('result_key'),
    createdAt: ts('created_at').notNull().defaultNow(),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
  },
  (t) => [
    index('ai_jobs_project_created_idx').on(t.projectId, t.createdAt),
    index('ai_jobs_requested_by_status_idx').on(t.requestedBy, t.status),
    // Admin analytics: AI jobs in a time range by action and outcome.
    index('ai_jobs_created_idx').on(t.createdAt, t.action, t.status),
  ],
);

export const suggestions = pgTable(
  'suggestions',
  {
    id: text('id').primaryKey(),
    jobId: text('job_id')
      .notNull()
      .references(() => aiJobs.id, { onDelete: 'cascade' }),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    description: text('description').notNull(),
    files: jsonb('files').$type<string[]>().notNull(),
    /** The patch itself, for suggestions made before patches moved to the `artifacts` bucket (else null). */
    patch: text('patch'),
    /** Where the patch is in the `artifacts` bucket (content-addressed); null for older rows, which hold `patch`. */
    patchKey: text('patch_key'),
    state: text('state', { enum: ['proposed', 'approved', 'rejected', 'applied', 'reverted'] }).notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('suggestions_project_state_idx').on(t.projectId, t.state),
    index('suggestions_job_idx').on(t.jobId),
    // Admin analytics: suggestions created in a time range, by state.
    index('suggestions_created_state_idx').on(t.createdAt, t.state),
  ],
);

/** Every state move of a suggestion: who, when, from and to. */
export const suggestionEvents = pgTable(
  'suggestion_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    suggestionId: text('suggestion_id')
      .notNull()
      .references(() => suggestions.id, { onDelete: 'cascade' }),
    fromState: text('from_state').notNull(),
    toState: text('to_state').notNull(),
    actorId: text('actor_id'),
    /** What the person said with the move (approve and reject take one). */
    comment: text('comment'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('suggestion_events_suggestion_idx').on(t.suggestionId, t.id)],
);

/** Worker liveness when no Redis is configured (embedded mode). */
export const workerHeartbeats = pgTable('worker_heartbeats', {
  id: text('id').primaryKey(),
  kind: text('kind').notNull(),
  startedAt: ts('started_at').notNull(),
  lastHeartbeatAt: ts('last_heartbeat_at').notNull(),
  activeJobs: jsonb('active_jobs').$type<ActiveJobLease[]>().notNull().default([]),
  /** What else the worker says about itself (its pools and queues, its sandbox, draining), as in the Redis store. */
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
});

/** A job a worker holds, as recorded in its heartbeat so that a survivor can hand it back if the worker dies. */
export interface ActiveJobLease {
  queue: string;
  id: string;
  started_at: string;
}

/** Requests refused by a per-user limit, counted per minute, user, IP and route (for admins: who hits limits). */
export const rateLimitRefusals = pgTable(
  'rate_limit_refusals',
  {
    minute: ts('minute').notNull(),
    limitName: text('limit_name').notNull(),
    route: text('route').notNull(),
    userId: text('user_id').notNull(),
    ip: text('ip').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.minute, t.limitName, t.route, t.userId, t.ip] })],
);

/**
 * Roll-ups of the admin analytics' largest sources (AI jobs, syncs), so that a range of months reads a few thousand
 * rows instead of millions (see modules/admin/analytics-rollup.ts). `grain` is `hour` (the series: one row per hour
 * and status), `day` (the breakdowns: one row per day and AI action/provider/status, or sync status/error code) or
 * `week` (the day rows of a 7-day block summed, so that a year reads 52 of them).
 * `hist` counts the rows' durations in bins a fourth of a power of two wide, starting at bin `hist_lo`.
 */
export const analyticsRollups = pgTable(
  'analytics_rollups',
  {
    source: text('source', { enum: ['ai', 'syncs'] }).notNull(),
    grain: text('grain', { enum: ['hour', 'day', 'week'] }).notNull(),
    at: ts('at').notNull(),
    d1: text('d1').notNull(),
    d2: text('d2').notNull().default(''),
    d3: text('d3').notNull().default(''),
    n: integer('n').notNull(),
    promptTokens: bigint('prompt_tokens', { mode: 'number' }),
    completionTokens: bigint('completion_tokens', { mode: 'number' }),
    histLo: integer('hist_lo').notNull().default(0),
    hist: integer('hist')
      .array()
      .notNull()
      .default(sql`'{}'`),
  },
  (t) => [primaryKey({ columns: [t.source, t.grain, t.at, t.d1, t.d2, t.d3] })],
);

/** How far each roll-up source is rolled: every hour before `rolled_until` is in analytics_rollups. */
export const analyticsRollupState = pgTable('analytics_rollup_state', {
  source: text('source').primaryKey(),
  rolledUntil: ts('rolled_until').notNull(),
});

/**
 * Conditions the system watch found (an unhealthy backend, low disk, a deep queue): one open row per condition, so
 * admins are told once per incident however many workers look.
 */
export const systemIncidents = pgTable(
  'system_incidents',
  {
    id: text('id').primaryKey(),
    /** `health`, `disk` or `queue`. */
    kind: text('kind').notNull(),
    /** What it is about within its kind: '' for health and disk, the queue's name for queue depth. */
    subject: text('subject').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
    openedAt: ts('opened_at').notNull().defaultNow(),
    closedAt: ts('closed_at'),
  },
  (t) => [
    uniqueIndex('system_incidents_open_key')
      .on(t.kind, t.subject)
      .where(sql`${t.closedAt} is null`),
  ],
);

/** Autoscaling rules: at most one per worker pool (issue #15; evaluated by the server, see docs/OPERATIONS.md). */
export const autoscalingRules = pgTable('autoscaling_rules', {
  pool: text('pool').primaryKey(),
  minWorkers: integer('min_workers').notNull(),
  maxWorkers: integer('max_workers').notNull(),
  /** Scale up when the oldest waiting job is older than this many seconds (null: not a trigger). */
  scaleUpOldestSeconds: integer('scale_up_oldest_seconds'),
  /** Scale up when more jobs than this wait (null: not a trigger). */
  scaleUpDepth: integer('scale_up_depth'),
  /** Scale down by one after this many minutes with nothing waiting or running. */
  scaleDownIdleMinutes: integer('scale_down_idle_minutes').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  updatedBy: text('updated_by'),
});

/** Where each pool stands: the desired worker count last decided, a manual override, and since when it is idle. */
export const poolScaling = pgTable('pool_scaling', {
  pool: text('pool').primaryKey(),
  desired: integer('desired'),
  manualDesired: integer('manual_desired'),
  manualUntil: ts('manual_until'),
  idleSince: ts('idle_since'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Every scaling decision: when, which rule (as it was), what it saw, what it wanted, and whether the target did it. */
export const autoscalingDecisions = pgTable(
  'autoscaling_decisions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull().defaultNow(),
    pool: text('pool').notNull(),
    source: text('source', { enum: ['rule', 'manual'] }).notNull(),
    rule: jsonb('rule').$type<Record<string, unknown>>(),
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
    previous: integer('previous'),
    desired: integer('desired').notNull(),
    reason: text('reason').notNull(),
    target: text('target').notNull(),
    applied: boolean('applied').notNull(),
    error: text('error'),
  },
  (t) => [index('autoscaling_decisions_pool_idx').on(t.pool, t.id)],
);

/** Deep-health samples (one row per check per sample), kept for a week: the admin API's health history. */
export const healthSamples = pgTable(
  'health_samples',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull().defaultNow(),
    check: text('check').notNull(),
    status: text('status', { enum: ['ok', 'degraded', 'fail', 'disabled'] }).notNull(),
    latencyMs: integer('latency_ms').notNull(),
    message: text('message'),
  },
  (t) => [index('health_samples_at_idx').on(t.at)],
);

/** One file of a server-side preview build: where it goes in the tree and the blob it is. */
export interface PreviewBuildFile {
  path: string;
  sha256: string;
  size: number;
}

/**
 * A preview built on the server: its file list (set by POST /previews/{id}/files, then frozen by /build), and the
 * build's progress and outcome. One per preview.
 */
export const previewBuilds = pgTable(
  'preview_builds',
  {
    id: text('id').primaryKey(),
    previewId: text('preview_id')
      .notNull()
      .references(() => previews.id, { onDelete: 'cascade' }),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['awaiting_files', 'queued', 'running', 'succeeded', 'failed'] }).notNull(),
    stage: text('stage').notNull(),
    entry: text('entry'),
    files: jsonb('files').$type<PreviewBuildFile[]>().notNull(),
    fileCount: integer('file_count').notNull(),
    totalBytes: bigint('total_bytes', { mode: 'number' }).notNull(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    /** Where the bundler's first error is, when it names a file. */
    errorFile: text('error_file'),
    errorLine: integer('error_line'),
    errorColumn: integer('error_column'),
    createdAt: ts('created_at').notNull().defaultNow(),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
  },
  (t) => [uniqueIndex('preview_builds_preview_key').on(t.previewId)],
);

/** Source blobs of server-side builds a project holds (content-addressed in the artifacts bucket, checked once). */
export const previewBlobs = pgTable(
  'preview_blobs',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    sha256: text('sha256').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.sha256] })],
);

/**
 * Devices that receive push notifications (issue #20): a mobile app's Expo push token, or a browser's Web Push
 * subscription. A token or endpoint belongs to one device, so registering it again (after another sign-in on that
 * device) moves it to the new user instead of duplicating it.
 */
export const devices = pgTable(
  'devices',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    platform: text('platform', { enum: ['ios', 'android', 'web'] }).notNull(),
    provider: text('provider', { enum: ['expo', 'webpush'] }).notNull(),
    /** The Expo push token, or the Web Push endpoint URL (never returned by the API). */
    token: text('token').notNull(),
    /** Web Push: the browser's p256dh and auth keys (never returned by the API). */
    keys: jsonb('keys').$type<{ p256dh: string; auth: string }>(),
    appVersion: text('app_version'),
    name: text('name'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    lastPushAt: ts('last_push_at'),
  },
  (t) => [uniqueIndex('devices_token_key').on(t.token), index('devices_user_idx').on(t.userId)],
);

/** A user's channels for one notification type; no row means every channel on. */
export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    inApp: boolean('in_app').notNull().default(true),
    push: boolean('push').notNull().default(true),
  },
  (t) => [primaryKey({ columns: [t.userId, t.type] })],
);

/**
 * One push of one notification to one device: what lets a retried delivery job skip the devices already reached,
 * and the receipt worker find Expo tickets to check.
 */
export const pushDeliveries = pgTable(
  'push_deliveries',
  {
    notificationId: text('notification_id')
      .notNull()
      .references(() => notifications.id, { onDelete: 'cascade' }),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id, { onDelete: 'cascade' }),
    /** `sent`: the provider accepted it; `delivered`: its receipt said ok; `failed`: the provider refused it for good. */
    status: text('status', { enum: ['sent', 'delivered', 'failed'] }).notNull(),
    /** Expo's ticket id, whose receipt is fetched later. */
    receiptId: text('receipt_id'),
    error: text('error'),
    sentAt: ts('sent_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.notificationId, t.deviceId] }),
    index('push_deliveries_receipts_idx')
      .on(t.sentAt)
      .where(sql`${t.status} = 'sent' and ${t.receiptId} is not null`),
  ],
);
