import type {
  AdminJob,
  AdminProject,
  AiJobLog,
  ProjectPlan,
  AdminJobPage,
  AdminJobQuery,
  AdminLogoutResult,
  AdminQueueList,
  AdminUpdateUserBody,
  AdminUser,
  AdminUserDetail,
  AdminUserPage,
  AdminUserQuery,
  AdminWorkerCommand,
  AdminWorkerList,
  AiAnalytics,
  AnalyticsQuery,
  AuditEntry,
  AuditPage,
  AuditQuery,
  AutoscalingDecisionPage,
  AutoscalingDecisionQuery,
  AutoscalingRules,
  BroadcastBody,
  BroadcastResult,
  Canary,
  CanaryBody,
  HealthHistory,
  HealthHistoryQuery,
  PoolScale,
  PreviewAnalytics,
  PutAutoscalingRulesBody,
  RateLimitAnalytics,
  ScalePoolBody,
  SyncAnalytics,
} from '@hivesync/core';
import type { RequestOptions, Transport } from './transport.js';

/**
 * /admin: instance administration and the operations API. Instance admins only: everyone else gets `not_found`, as
 * if the routes did not exist. Every call that changes something is recorded in the audit log.
 */
export class AdminApi {
  constructor(private readonly transport: Transport) {}

  /** Sends a canary job through the queue, to prove the workers pick up work. */
  canary(body: CanaryBody = {}, opts?: RequestOptions): Promise<Canary> {
    return this.transport.json<Canary>({ method: 'POST', path: '/admin/canary', body }, opts);
  }

  /** A canary job, to see whether a worker ran it. */
  getCanary(id: string, opts?: RequestOptions): Promise<Canary> {
    return this.transport.json<Canary>({ method: 'GET', path: `/admin/canary/${encodeURIComponent(id)}` }, opts);
  }

  /** Sends a system_maintenance_warning notification to every user. */
  broadcast(body: BroadcastBody, opts?: RequestOptions): Promise<BroadcastResult> {
    return this.transport.json<BroadcastResult>({ method: 'POST', path: '/admin/broadcast', body }, opts);
  }

  /**
   * One page of the audit log, newest first: filtered by actor (a user id or an email), action (exact, or a prefix
   * such as `member.*`), project and time range (`from`, `to`). `next_cursor`, passed back as `cursor`, gives the
   * next (older) page; it is null on the last one.
   */
  audit(query: Omit<AuditQuery, 'format'> = {}, opts?: RequestOptions): Promise<AuditPage> {
    return this.transport.json<AuditPage>({ method: 'GET', path: '/admin/audit', query: { ...query } }, opts);
  }

  /** The same page as audit(), as CSV text (`?format=csv`): a header row, then one row per entry. */
  async auditCsv(query: Omit<AuditQuery, 'format'> = {}, opts?: RequestOptions): Promise<string> {
    const res = await this.transport.stream(
      { method: 'GET', path: '/admin/audit', query: { ...query, format: 'csv' } },
      opts,
    );
    return res.text();
  }

  /**
   * Every entry of the audit log that matches, newest first, page after page (`limit` is the page size): follows
   * `next_cursor` until the last page, fetching a page only when the previous one is used up.
   */
  async *auditAll(
    query: Omit<AuditQuery, 'format'> = {},
    opts?: RequestOptions,
  ): AsyncGenerator<AuditEntry, void, undefined> {
    let cursor = query.cursor;
    do {
      const page = await this.audit({ ...query, ...(cursor !== undefined && { cursor }) }, opts);
      yield* page.entries;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  // --- users ---------------------------------------------------------------------------------------------------

  /** One page of users (search `q` in email and name; filter by role and disabled), by email. */
  listUsers(query: AdminUserQuery = {}, opts?: RequestOptions): Promise<AdminUserPage> {
    return this.transport.json<AdminUserPage>({ method: 'GET', path: '/admin/users', query: { ...query } }, opts);
  }

  /** A user with their projects, last login and live sessions. */
  getUser(id: string, opts?: RequestOptions): Promise<AdminUserDetail> {
    return this.transport.json<AdminUserDetail>({ method: 'GET', path: `/admin/users/${enc(id)}` }, opts);
  }

  /**
   * Changes a user's instance role and/or disables (or enables) them. Disabling revokes every session and refuses
   * their tokens at once on every API instance. The last enabled admin cannot demote or disable themselves
   * (`conflict`).
   */
  updateUser(id: string, body: AdminUpdateUserBody, opts?: RequestOptions): Promise<AdminUser> {
    return this.transport.json<AdminUser>({ method: 'PATCH', path: `/admin/users/${enc(id)}`, body }, opts);
  }

  /** Ends every session of the user (they must log in again). */
  logoutUser(id: string, opts?: RequestOptions): Promise<AdminLogoutResult> {
    return this.transport.json<AdminLogoutResult>({ method: 'POST', path: `/admin/users/${enc(id)}/logout` }, opts);
  }

  /** Deletes a user. Refused (`conflict`) while they own a project: transfer or delete those projects first. */
  async deleteUser(id: string, opts?: RequestOptions): Promise<void> {
    await this.transport.send<void>({ method: 'DELETE', path: `/admin/users/${enc(id)}` }, opts);
  }

  // --- projects and AI logs ---------------------------------------------------------------------------------------

  /** Sets a project's plan: `pro` projects' jobs go to the priority queues that workers drain first (audited). */
  setProjectPlan(projectId: string, plan: ProjectPlan, opts?: RequestOptions): Promise<AdminProject> {
    return this.transport.json<AdminProject>(
      { method: 'PATCH', path: `/admin/projects/${enc(projectId)}`, body: { plan } },
      opts,
    );
  }

  /**
   * An AI job's log: its parameters, the files it read, the prompts it sent and the raw model output, secrets
   * redacted. `not_found` once the log has expired (HIVESYNC_AI_LOG_RETENTION_DAYS). Each read is audited.
   */
  aiJobLog(jobId: string, opts?: RequestOptions): Promise<AiJobLog> {
    return this.transport.json<AiJobLog>({ method: 'GET', path: `/admin/ai-jobs/${enc(jobId)}/log` }, opts);
  }

  // --- workers, queues and jobs --------------------------------------------------------------------------------

  /** Every worker process with its pools, host, jobs held, last heartbeat and state. */
  workers(opts?: RequestOptions): Promise<AdminWorkerList> {
    return this.transport.json<AdminWorkerList>({ method: 'GET', path: '/admin/workers' }, opts);
  }

  /** Drains a worker: it finishes the jobs it holds and takes no new ones (its state becomes `draining`). */
  drainWorker(id: string, opts?: RequestOptions): Promise<AdminWorkerCommand> {
    return this.transport.json<AdminWorkerCommand>({ method: 'POST', path: `/admin/workers/${enc(id)}/drain` }, opts);
  }

  /** Lets a drained worker take jobs again. */
  resumeWorker(id: string, opts?: RequestOptions): Promise<AdminWorkerCommand> {
    return this.transport.json<AdminWorkerCommand>({ method: 'POST', path: `/admin/workers/${enc(id)}/resume` }, opts);
  }

  /** Per queue: waiting, running, failed, completed in the last hour, oldest waiting age, p50/p95 run time. */
  queues(opts?: RequestOptions): Promise<AdminQueueList> {
    return this.transport.json<AdminQueueList>({ method: 'GET', path: '/admin/queues' }, opts);
  }

  /** One page of jobs, newest first, filtered by queue and status. */
  listJobs(query: AdminJobQuery = {}, opts?: RequestOptions): Promise<AdminJobPage> {
    return this.transport.json<AdminJobPage>({ method: 'GET', path: '/admin/jobs', query: { ...query } }, opts);
  }

  /** Retries a failed job (`conflict` when it is not failed). */
  retryJob(id: string, opts?: RequestOptions): Promise<AdminJob> {
    return this.transport.json<AdminJob>({ method: 'POST', path: `/admin/jobs/${enc(id)}/retry` }, opts);
  }

  /**
   * Cancels a waiting or running job: a running handler sees it through its AbortSignal and stops (`conflict` when
   * the job has already finished).
   */
  cancelJob(id: string, opts?: RequestOptions): Promise<AdminJob> {
    return this.transport.json<AdminJob>({ method: 'POST', path: `/admin/jobs/${enc(id)}/cancel` }, opts);
  }

  // --- analytics -----------------------------------------------------------------------------------------------

  /** Preview failures: per bucket, as a platform × hour-of-day heatmap, and by reason. */
  previewAnalytics(query: AnalyticsQuery = {}, opts?: RequestOptions): Promise<PreviewAnalytics> {
    return this.analytics<PreviewAnalytics>('previews', query, opts);
  }

  /** AI jobs by action, provider and outcome with durations and tokens; suggestion approval and rejection rates. */
  aiAnalytics(query: AnalyticsQuery = {}, opts?: RequestOptions): Promise<AiAnalytics> {
    return this.analytics<AiAnalytics>('ai', query, opts);
  }

  /** Syncs by outcome and duration. */
  syncAnalytics(query: AnalyticsQuery = {}, opts?: RequestOptions): Promise<SyncAnalytics> {
    return this.analytics<SyncAnalytics>('syncs', query, opts);
  }

  /** Rate-limit refusals per bucket and by route, user and IP. */
  rateLimitAnalytics(query: AnalyticsQuery = {}, opts?: RequestOptions): Promise<RateLimitAnalytics> {
    return this.analytics<RateLimitAnalytics>('rate-limits', query, opts);
  }

  private analytics<T>(kind: string, query: AnalyticsQuery, opts?: RequestOptions): Promise<T> {
    return this.transport.json<T>({ method: 'GET', path: `/admin/analytics/${kind}`, query: { ...query } }, opts);
  }

  // --- autoscaling ---------------------------------------------------------------------------------------------

  /** The scaling rules, the configured target, and each pool's desired count and manual override. */
  autoscalingRules(opts?: RequestOptions): Promise<AutoscalingRules> {
    return this.transport.json<AutoscalingRules>({ method: 'GET', path: '/admin/autoscaling/rules' }, opts);
  }

  /** Replaces every scaling rule (one per pool). */
  putAutoscalingRules(body: PutAutoscalingRulesBody, opts?: RequestOptions): Promise<AutoscalingRules> {
    return this.transport.json<AutoscalingRules>({ method: 'PUT', path: '/admin/autoscaling/rules', body }, opts);
  }

  /** The decision log, newest first. */
  autoscalingDecisions(query: AutoscalingDecisionQuery = {}, opts?: RequestOptions): Promise<AutoscalingDecisionPage> {
    return this.transport.json<AutoscalingDecisionPage>(
      { method: 'GET', path: '/admin/autoscaling/decisions', query: { ...query } },
      opts,
    );
  }

  /** Holds a pool at `desired` workers for `minutes` (default 60), overriding its rule; recorded as a decision. */
  scalePool(pool: string, body: ScalePoolBody, opts?: RequestOptions): Promise<PoolScale> {
    return this.transport.json<PoolScale>({ method: 'POST', path: `/admin/pools/${enc(pool)}/scale`, body }, opts);
  }

  // --- health --------------------------------------------------------------------------------------------------

  /** Each deep-health check's recorded state over the last `hours` (default 24). */
  healthHistory(query: HealthHistoryQuery = {}, opts?: RequestOptions): Promise<HealthHistory> {
    return this.transport.json<HealthHistory>(
      { method: 'GET', path: '/admin/health/history', query: { ...query } },
      opts,
    );
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
