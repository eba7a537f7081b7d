import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  AdminJobQuery,
  AdminUpdateUserBody,
  AdminUserQuery,
  AnalyticsQuery,
  AuditQuery,
  AutoscalingDecisionQuery,
  AutoscalingRule,
  ScalePoolBody,
} from '@hivesync/sdk';
import { useClient } from '../session/session.js';

/** How often what moves (workers, queues, the decision log) is asked for again while a view shows it. */
export const LIVE_REFETCH_MS = 5_000;
/** How often slower figures (analytics, health history) are asked for again while a view shows them. */
export const SLOW_REFETCH_MS = 60_000;
/** Rows per page of the admin tables. */
export const ADMIN_PAGE_SIZE = 25;

/** The analytics kinds of GET /admin/analytics/{kind}. */
export type AnalyticsKind = 'previews' | 'ai' | 'syncs' | 'rate-limits';

/** Query keys of the admin section; every one starts with `adminKeys.all` (the section's data, for admins only). */
export const adminKeys = {
  all: ['admin'] as const,
  users: () => [...adminKeys.all, 'users'] as const,
  userList: (query: AdminUserQuery) => [...adminKeys.users(), 'list', query] as const,
  user: (id: string) => [...adminKeys.users(), 'detail', id] as const,
  workers: () => [...adminKeys.all, 'workers'] as const,
  queues: () => [...adminKeys.all, 'queues'] as const,
  jobs: () => [...adminKeys.all, 'jobs'] as const,
  jobList: (query: AdminJobQuery) => [...adminKeys.jobs(), query] as const,
  analytics: (kind: AnalyticsKind, query: AnalyticsQuery) => [...adminKeys.all, 'analytics', kind, query] as const,
  autoscaling: () => [...adminKeys.all, 'autoscaling'] as const,
  rules: () => [...adminKeys.autoscaling(), 'rules'] as const,
  decisions: (query: AutoscalingDecisionQuery) => [...adminKeys.autoscaling(), 'decisions', query] as const,
  audit: (query: AuditQuery) => [...adminKeys.all, 'audit', query] as const,
  health: () => [...adminKeys.all, 'health'] as const,
  healthHistory: (hours: number) => [...adminKeys.health(), 'history', hours] as const,
  deepHealth: () => [...adminKeys.health(), 'deep'] as const,
};

// --- users ------------------------------------------------------------------------------------------------------

/** A page of users (search and filters on the server), the previous page kept on screen while the next loads. */
export function useAdminUsersQuery(query: AdminUserQuery) {
  const client = useClient();
  return useQuery({
    queryKey: adminKeys.userList(query),
    queryFn: ({ signal }) => client.admin.listUsers(query, { signal }),
    placeholderData: keepPreviousData,
  });
}

/** A user with their projects and sessions. */
export function useAdminUserQuery(id: string) {
  const client = useClient();
  return useQuery({
    queryKey: adminKeys.user(id),
    queryFn: ({ signal }) => client.admin.getUser(id, { signal }),
  });
}

/** Changes a user's role or disables/enables them; every user query is fetched again. */
export function useUpdateUserMutation(id: string) {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: AdminUpdateUserBody) => client.admin.updateUser(id, body),
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminKeys.users() }),
  });
}

/** Ends every session of a user. */
export function useLogoutUserMutation(id: string) {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => client.admin.logoutUser(id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminKeys.user(id) }),
  });
}

/** Deletes a user (refused with `conflict` while they own a project); every user query is fetched again. */
export function useDeleteUserMutation(id: string) {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => client.admin.deleteUser(id),
    onSuccess: () => queryClient.removeQueries({ queryKey: adminKeys.user(id) }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminKeys.users() }),
  });
}

// --- workers, queues and jobs -----------------------------------------------------------------------------------

/** Every worker with its state; asked again every few seconds, and at once on a worker's live event (AdminLive). */
export function useWorkersQuery() {
  const client = useClient();
  return useQuery({
    queryKey: adminKeys.workers(),
    queryFn: ({ signal }) => client.admin.workers({ signal }),
    refetchInterval: LIVE_REFETCH_MS,
  });
}

/** Drains or resumes a worker; the worker list is fetched again. */
export function useWorkerCommandMutation() {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, command }: { id: string; command: 'drain' | 'resume' }) =>
      command === 'drain' ? client.admin.drainWorker(id) : client.admin.resumeWorker(id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminKeys.workers() }),
  });
}

/** Per-queue figures, asked again every few seconds. */
export function useQueuesQuery() {
  const client = useClient();
  return useQuery({
    queryKey: adminKeys.queues(),
    queryFn: ({ signal }) => client.admin.queues({ signal }),
    refetchInterval: LIVE_REFETCH_MS,
  });
}

/** A page of jobs filtered on the server, asked again every few seconds (their states move). */
export function useJobsQuery(query: AdminJobQuery) {
  const client = useClient();
  return useQuery({
    queryKey: adminKeys.jobList(query),
    queryFn: ({ signal }) => client.admin.listJobs(query, { signal }),
    placeholderData: keepPreviousData,
    refetchInterval: LIVE_REFETCH_MS,
  });
}

/** Retries a failed job or cancels a waiting or running one; the jobs and the queues are fetched again. */
export function useJobCommandMutation() {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, command }: { id: string; command: 'retry' | 'cancel' }) =>
      command === 'retry' ? client.admin.retryJob(id) : client.admin.cancelJob(id),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: adminKeys.jobs() }),
        queryClient.invalidateQueries({ queryKey: adminKeys.queues() }),
      ]),
  });
}

// --- analytics --------------------------------------------------------------------------------------------------

/** The ranges the analytics views offer, each with the bucket its charts use. */
export const ANALYTICS_RANGES = {
  '1h': { label: 'Last hour', ms: 3_600_000, bucket: '5m' },
  '24h': { label: 'Last 24 hours', ms: 86_400_000, bucket: '1h' },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000, bucket: '6h' },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000, bucket: '1d' },
  '90d': { label: 'Last 90 days', ms: 90 * 86_400_000, bucket: '1d' },
  '365d': { label: 'Last 365 days', ms: 365 * 86_400_000, bucket: '1d' },
} as const;
export type AnalyticsRangeName = keyof typeof ANALYTICS_RANGES;

/** The buckets a chart can be cut into (the server takes any duration of a minute or more). */
export const ANALYTICS_BUCKETS = {
  '1m': { label: '1 minute', ms: 60_000 },
  '5m': { label: '5 minutes', ms: 300_000 },
  '15m': { label: '15 minutes', ms: 900_000 },
  '1h': { label: '1 hour', ms: 3_600_000 },
  '6h': { label: '6 hours', ms: 6 * 3_600_000 },
  '1d': { label: '1 day', ms: 86_400_000 },
} as const;
export type AnalyticsBucketName = keyof typeof ANALYTICS_BUCKETS;

/** The server's limit on buckets per answer. */
const MAX_BUCKETS = 2000;

/** Whether `value` names a range of ANALYTICS_RANGES (as read from the URL). */
export function isAnalyticsRange(value: string | null): value is AnalyticsRangeName {
  return value !== null && Object.hasOwn(ANALYTICS_RANGES, value);
}

/** The buckets that make sense for a range: shorter than the range, and no more of them than the server gives. */
export function bucketsFor(range: AnalyticsRangeName): AnalyticsBucketName[] {
  const ms = ANALYTICS_RANGES[range].ms;
  return (Object.keys(ANALYTICS_BUCKETS) as AnalyticsBucketName[]).filter(
    (b) => ANALYTICS_BUCKETS[b].ms < ms && ms / ANALYTICS_BUCKETS[b].ms <= MAX_BUCKETS,
  );
}

/** The bucket named in the URL if it suits the range, else the range's default. */
export function bucketOf(range: AnalyticsRangeName, value: string | null): AnalyticsBucketName {
  return bucketsFor(range).find((b) => b === value) ?? ANALYTICS_RANGES[range].bucket;
}

/**
 * The query of a range ending now, rounded down to the minute so that the key (and the server's answer) stays the same
 * for a minute rather than changing at every render.
 */
export function rangeQuery(
  name: AnalyticsRangeName,
  now = Date.now(),
  bucket: AnalyticsBucketName = ANALYTICS_RANGES[name].bucket,
): AnalyticsQuery {
  const range = ANALYTICS_RANGES[name];
  const to = Math.floor(now / 60_000) * 60_000 + 60_000;
  return { from: new Date(to - range.ms).toISOString(), to: new Date(to).toISOString(), bucket };
}

/** One of the analytics answers for a range, asked again every minute. */
export function usePreviewAnalyticsQuery(query: AnalyticsQuery) {
  const client = useClient();
  return useQuery({
    queryKey: adminKeys.analytics('previews', query),
    queryFn: ({ signal }) => client.admin.previewAnalytics(query, { signal }),
    placeholderData: keepPreviousData,
    refetchInterval: SLOW_REFETCH_MS,
  });
}

/** AI jobs and suggestions over a range. */
export function useAiAnalyticsQuery(query: AnalyticsQuery) {
  const client = useClient();
  return useQuery({
    queryKey: adminKeys.analytics('ai', query),
    queryFn: ({ signal }) => client.admin.aiAnalytics(query, { signal }),
    placeholderData: keepPreviousData,
    refetchInterval: SLOW_REFETCH_MS,
  });
}

/** Syncs over a range. */
export function useSyncAnalyticsQuery(query: AnalyticsQuery) {
  const client = useClient();
  return useQuery({
    queryKey: adminKeys.analytics('syncs', query),
    queryFn: ({ signal }) => client.admin.syncAnalytics(query, { signal }),
    placeholderData: keepPreviousData,
    refetchInterval: SLOW_REFETCH_MS,
  });
}

/** Rate-limit refusals over a range. */
export function useRateLimitAnalyticsQuery(query: AnalyticsQuery) {
  const client = useClient();
  return useQuery({
    queryKey: adminKeys.analytics('rate-limits', query),
    queryFn: ({ signal }) => client.admin.rateLimitAnalytics(query, { signal }),
    placeholderData: keepPreviousData,
    refetchInterval: SLOW_REFETCH_MS,
  });
}

// --- autoscaling ------------------------------------------------------------------------------------------------

/** The scaling rules, the target and each pool's desired count. */
export function useAutoscalingRulesQuery() {
  const client = useClient();
  return useQuery({
    queryKey: adminKeys.rules(),
    queryFn: ({ signal }) => client.admin.autoscalingRules({ signal }),
    refetchInterval: LIVE_REFETCH_MS,
  });
}

/** Replaces the rules; the rules and the decision log are fetched again. */
export function usePutRulesMutation() {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (rules: AutoscalingRule[]) => client.admin.putAutoscalingRules({ rules }),
    onSuccess: (answer) => queryClient.setQueryData(adminKeys.rules(), answer),
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminKeys.autoscaling() }),
  });
}

/** A page of the decision log, newest first, asked again every few seconds (the evaluator keeps deciding). */
export function useDecisionsQuery(query: AutoscalingDecisionQuery) {
  const client = useClient();
  return useQuery({
    queryKey: adminKeys.decisions(query),
    queryFn: ({ signal }) => client.admin.autoscalingDecisions(query, { signal }),
    placeholderData: keepPreviousData,
    refetchInterval: LIVE_REFETCH_MS,
  });
}

/** Holds a pool at a count for a while; the rules (with the pools) and the decision log are fetched again. */
export function useScalePoolMutation() {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ pool, body }: { pool: string; body: ScalePoolBody }) => client.admin.scalePool(pool, body),
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminKeys.autoscaling() }),
  });
}

// --- audit and health -------------------------------------------------------------------------------------------

/** A page of the audit log, filtered on the server. */
export function useAuditQuery(query: AuditQuery) {
  const client = useClient();
  return useQuery({
    queryKey: adminKeys.audit(query),
    queryFn: ({ signal }) => client.admin.audit(query, { signal }),
    placeholderData: keepPreviousData,
  });
}

/** Each health check's samples over the last `hours`. */
export function useHealthHistoryQuery(hours: number) {
  const client = useClient();
  return useQuery({
    queryKey: adminKeys.healthHistory(hours),
    queryFn: ({ signal }) => client.admin.healthHistory({ hours }, { signal }),
    refetchInterval: SLOW_REFETCH_MS,
  });
}

/** The deep health now (with each check's message, for an admin), asked again every few seconds. */
export function useDeepHealthQuery() {
  const client = useClient();
  return useQuery({
    queryKey: adminKeys.deepHealth(),
    queryFn: ({ signal }) => client.health.deep({ signal }),
    refetchInterval: LIVE_REFETCH_MS * 2,
  });
}
