import type { Redis } from 'ioredis';
import path from 'node:path';
import type { Config } from './config.js';
import type { Git } from './infra/git.js';
import { type SecretBox } from './infra/secrets.js';
import type { Database } from './infra/db.js';
import type { EventBus } from './infra/event-bus.js';
import type { HeartbeatStore } from './infra/heartbeats.js';
import type { Logger } from './infra/logger.js';
import type { Queue } from './infra/queue.js';
import type { RateLimiterFactory } from './infra/rate-limit.js';
import type { FsUrlSigner, ObjectStorage } from './infra/storage.js';
import type { Metrics } from './infra/metrics.js';
import type { JobDefinition, PeriodicTask } from './jobs/job-runner.js';
import { repoSyncJob } from './jobs/repo-sync.job.js';
import { searchIndexJob } from './jobs/search-index.job.js';
import { CodeSearchStore } from './modules/repo/code-search.repository.js';
import { CodeSearchService } from './modules/repo/code-search.service.js';
import { SearchPinsRepository } from './modules/repo/search-pins.repository.js';
import { canaryJob } from './jobs/system-canary.job.js';
import { noopJob } from './jobs/system-noop.job.js';
import { AdminService } from './modules/admin/admin.service.js';
import { AdminOperations } from './modules/admin/admin-operations.js';
import { AuthService } from './modules/auth/auth.service.js';
import type { AccessTokens } from './modules/auth/tokens.js';
import { HealthService } from './modules/health/health.service.js';
import { SystemWatchService } from './modules/health/system-watch.service.js';
import { NotificationsService } from './modules/notifications/notifications.service.js';
import { ProjectsService } from './modules/projects/projects.service.js';
import { MirrorStore } from './modules/repo/mirror.repository.js';
import { RemoteGuard } from './modules/repo/remote-guard.js';
import { checkBranch, checkRepoUrlAndHost } from './modules/repo/repo-url.js';
import { RepoService } from './modules/repo/repo.service.js';
import { HistoryStore } from './modules/repo/history.repository.js';
import { HistoryService } from './modules/repo/history.service.js';
import { AuditService } from './modules/audit/audit.service.js';
import { ThreadsService } from './modules/threads/threads.service.js';
import { AiService } from './modules/ai/ai.service.js';
import { aiJob } from './jobs/ai-job.job.js';
import { PreviewTokens } from './modules/previews/preview-tokens.js';
import { PreviewsService } from './modules/previews/previews.service.js';
import { PreviewBuildsService } from './modules/previews/preview-builds.service.js';
import { previewBuildJob } from './jobs/preview-build.job.js';
import { createOnceStore, type OnceStore } from './infra/once.js';
import { createTicketStore } from './infra/tickets.js';
import { EventsService } from './modules/events/events.service.js';
import { LimitsService } from './modules/limits/limits.service.js';
import { LookupService } from './modules/lookup/lookup.service.js';
import { DevicesService } from './modules/devices/devices.service.js';
import { PushEndpointPolicy } from './modules/devices/push-endpoint-policy.js';
import { PushDeliveryService } from './modules/devices/push-delivery.service.js';
import { ExpoPushProvider, WebPushProvider } from './modules/devices/push-providers.js';
import { resolveVapidKeys } from './modules/devices/vapid-keys.js';
import { pushDeliverJob } from './jobs/push-deliver.job.js';

/** The backends of one process, opened by the runtime. */
export interface Infra {
  config: Config;
  logger: Logger;
  db: Database;
  redis: Redis | undefined;
  bus: EventBus;
  queue: Queue;
  heartbeats: HeartbeatStore;
  storage: ObjectStorage;
  /** The `artifacts` bucket: source blobs of server-side builds, AI patches and large AI results. */
  artifacts: ObjectStorage;
  /** The `ai-logs` bucket: AI jobs' prompts/context and raw outputs. */
  aiLogs: ObjectStorage;
  metrics: Metrics;
  /** Signs local-storage URLs (used by the routes that serve them when storage is local files). */
  fsSigner: FsUrlSigner;
  rateLimiter: RateLimiterFactory;
  tokens: AccessTokens;
  secrets: SecretBox;
  /** Key material derived for preview tokens (never the secrets key itself). */
  previewKey: Buffer;
  git: Git;
}

/** Every service, wired once per process. */
export interface Services {
  auth: AuthService;
  projects: ProjectsService;
  notifications: NotificationsService;
  admin: AdminService;
  /** The operations API: users, workers, queues and jobs, analytics, autoscaling, health history. */
  operations: AdminOperations;
  health: HealthService;
  systemWatch: SystemWatchService;
  repo: RepoService;
  /** Code search over the trigram index of each mirror. */
  codeSearch: CodeSearchService;
  /** Commit log and diffs of the mirrors. */
  history: HistoryService;
  previews: PreviewsService;
  /** Server-side preview builds (file lists, blobs, the sandboxed build job). */
  previewBuilds: PreviewBuildsService;
  events: EventsService;
  audit: AuditService;
  threads: ThreadsService;
  ai: AiService;
  lookup: LookupService;
  limits: LimitsService;
  /** Remembers seen worker-callback signatures (replay protection). */
  once: OnceStore;
  /** Devices that receive push (Expo tokens, Web Push subscriptions). */
  devices: DevicesService;
  /** Push delivery to those devices, and Expo receipts. */
  push: PushDeliveryService;
}

/** Wires the services over the given backends. */
export function createServices(infra: Infra): Services {
  const { config, db } = infra;
  const notifications = new NotificationsService(db, infra.bus, infra.logger);
  const audit = new AuditService(db, infra.logger);
  // Push (issue #20): every notification goes to its users' devices too, by the push delivery job.
  const pushEndpoints = new PushEndpointPolicy({
    allowedHosts: config.push.webpushAllowedHosts,
    trustedOrigins: config.push.webpushTrustedOrigins,
  });
  const vapid = resolveVapidKeys(config.push.vapid, config.dataDir, config.role);
  const devices = new DevicesService(db, pushEndpoints, vapid, infra.logger);
  const push = new PushDeliveryService(
    db,
    infra.queue,
    {
      expo: new ExpoPushProvider({
        baseUrl: config.push.expoUrl,
        accessToken: config.push.expoAccessToken,
        timeoutMs: config.push.timeoutMs,
      }),
      webpush: new WebPushProvider(vapid, pushEndpoints, { timeoutMs: config.push.timeoutMs }),
    },
    infra.logger,
    { receiptDelayMs: config.push.receiptDelayMs },
  );
  notifications.push = (tx, request) => push.enqueue(tx, request);
  const git = infra.git;
  const remoteGuard = new RemoteGuard(config.repos);
  const mirrors = new MirrorStore(path.join(config.dataDir, 'repos'), git, {
    sshHostKeyChecking: config.repos.sshHostKeyChecking,
    knownHostsFile: path.join(config.dataDir, 'ssh', 'known_hosts'),
    guard: remoteGuard,
  });
  const auth = new AuthService({
    db,
    tokens: infra.tokens,
    limiter: infra.rateLimiter,
    limits: config.auth,
    audit,
    notifications,
    bus: infra.bus,
    logger: infra.logger,
  });
  const projects = new ProjectsService({
    db,
    notifications,
    remote: {
      repoUrl: (url) => checkRepoUrlAndHost(url, config.repos, remoteGuard),
      branch: (b) => checkBranch(git, b),
    },
    onDeleted: (projectId) => mirrors.remove(projectId),
    audit,
    userIdByEmail: (email) => auth.userIdByEmail(email),
    bus: infra.bus,
  });
  const admin = new AdminService(db, infra.queue, notifications, audit);
  const health = new HealthService({
    version: config.version,
    db,
    redis: infra.redis,
    storage: infra.storage,
    queue: infra.queue,
    heartbeats: infra.heartbeats,
    dataDir: config.dataDir,
    minFreeDiskMb: config.health.minFreeDiskMb,
    heartbeatIntervalMs: config.jobs.heartbeatIntervalMs,
  });
  const once = createOnceStore(infra.redis, config.redis.prefix);
  const operations = new AdminOperations({
    db,
    queue: infra.queue,
    heartbeats: infra.heartbeats,
    bus: infra.bus,
    once,
    auth,
    audit,
    health,
    logger: infra.logger,
    options: {
      heartbeatIntervalMs: config.jobs.heartbeatIntervalMs,
      autoscaleIntervalMs: config.admin.autoscaleIntervalMs,
      healthSampleIntervalMs: config.admin.healthSampleIntervalMs,
      target: config.admin.target,
    },
  });
  const repo = new RepoService({
    db,
    queue: infra.queue,
    projects,
    notifications,
    mirrors,
    secrets: infra.secrets,
    logger: infra.logger,
    options: {
      maxFileBytes: config.repos.maxFileBytes,
      syncRetryLimit: config.repos.syncRetryLimit,
      searchCacheBytes: config.repos.searchCacheBytes,
    },
    audit,
    observeSync: (outcome, seconds) => infra.metrics.syncDuration.observe({ outcome }, seconds),
  });
  const threads = new ThreadsService(db, projects, mirrors, notifications, audit, infra.logger);
  const searchPins = new SearchPinsRepository(db.orm);
  const codeSearch = new CodeSearchService({
    queue: infra.queue,
    projects,
    mirrors,
    store: new CodeSearchStore(path.join(config.dataDir, 'repos'), git.baseEnv, {
      pageCacheBytes: config.repos.searchPageCacheBytes,
      threads: config.repos.searchThreads,
    }),
    logger: infra.logger,
    options: {
      keepCommits: config.repos.searchKeepCommits,
      timeBudgetMs: config.repos.searchTimeBudgetMs,
      maxResponseBytes: config.repos.searchMaxResponseBytes,
    },
    // Open threads and undecided suggestions keep their commit indexed.
    pinnedCommits: (projectId) => searchPins.pinnedCommits(projectId),
  });
  // A sync indexes the commit it brings before it completes (only the blobs that are new).
  repo.indexSynced = (projectId, commit, log) => codeSearch.indexSynced(projectId, commit, log);
  const services: Services = {
    devices,
    push,
    codeSearch,
    previewBuilds: new PreviewBuildsService({
      db,
      queue: infra.queue,
      storage: infra.storage,
      artifacts: infra.artifacts,
      projects,
      previews: () => services.previews,
      notifications,
      heartbeats: infra.heartbeats,
      logger: infra.logger,
      options: {
        ...config.builds,
        maxBundleBytes: config.previews.maxBundleBytes,
        heartbeatIntervalMs: config.jobs.heartbeatIntervalMs,
        sandbox: config.sandbox,
      },
    }),
    threads,
    ai: new AiService({
      db,
      queue: infra.queue,
      projects,
      mirrors,
      notifications,
      audit,
      logger: infra.logger,
      artifacts: infra.artifacts,
      aiLogs: infra.aiLogs,
      threads,
      settings: config.ai,
    }),
    auth,
    projects,
    previews: new PreviewsService({
      db,
      storage: infra.storage,
      tokens: new PreviewTokens(infra.previewKey),
      projects,
      notifications,
      resolveLimiter: infra.rateLimiter('preview-resolve-ip', config.previews.resolvePerIpPerMinute, 60),
      logger: infra.logger,
      options: config.previews,
      audit,
    }),
    once,
    events: new EventsService({
      notifications,
      bus: infra.bus,
      tickets: createTicketStore(infra.redis, config.redis.prefix),
      logger: infra.logger,
      options: { heartbeatMs: config.sseHeartbeatMs, maxStreamsPerUser: config.maxStreamsPerUser },
    }),
    repo,
    history: new HistoryService({
      projects,
      mirrors,
      repo,
      store: new HistoryStore(git, mirrors),
      logger: infra.logger,
      options: {
        maxFileBytes: config.repos.diffMaxFileBytes,
        maxBytes: config.repos.diffMaxBytes,
        maxFiles: config.repos.diffMaxFiles,
        cacheBytes: config.repos.searchCacheBytes,
      },
    }),
    notifications,
    lookup: new LookupService(db),
    limits: new LimitsService(db, infra.rateLimiter, config.userLimits, infra.logger),
    admin,
    operations,
    audit,
    health,
    systemWatch: new SystemWatchService({
      db,
      health,
      queue: infra.queue,
      notifications,
      adminIds: () => admin.adminIds(),
      logger: infra.logger,
      options: {
        dataDir: config.dataDir,
        diskWarningFreePercent: config.health.diskWarningFreePercent,
        queueDepthWarning: config.health.queueDepthWarning,
      },
    }),
  };
  // Threads are placed again at every commit a sync brings.
  services.repo.onSynced = (projectId, commit) => threads.repositionAll(projectId, commit).then(() => undefined);
  return services;
}

/** Every background job kind; each queue is declared by every process, and worked by worker processes. */
export function jobDefinitions(services: Services, config: Config): JobDefinition<never>[] {
  return [
    canaryJob(services.admin.repo, services.notifications),
    noopJob(),
    aiJob(services.ai),
    repoSyncJob(services.repo, {
      retryLimit: config.repos.syncRetryLimit,
      retryDelaySeconds: config.repos.syncRetryDelaySeconds,
      gitTimeoutMs: config.repos.gitTimeoutMs,
    }),
    searchIndexJob(services.codeSearch, { gitTimeoutMs: config.repos.gitTimeoutMs }),
    previewBuildJob(services.previewBuilds, { timeoutMs: config.builds.timeoutMs }),
    pushDeliverJob(services.push, { retryLimit: config.push.retryLimit, timeoutMs: config.push.timeoutMs }),
  ] as unknown as JobDefinition<never>[];
}

/** How often workers delete AI job logs past their retention. */
const AI_LOG_RETENTION_INTERVAL_MS = 60 * 60 * 1000;

/** How often workers roll settled days of AI jobs and syncs into the analytics roll-ups. */
const ANALYTICS_ROLLUP_INTERVAL_MS = 10 * 60 * 1000;

/** How often workers delete read notifications past their retention. */
const NOTIFICATION_RETENTION_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Timed work of worker processes: scheduled syncs, preview expiry and cleanup, notification retention, the system
 * watch (health, disk and queue incidents for admins).
 */
export function periodicTasks(services: Services, config: Config): PeriodicTask[] {
  return [
    {
      name: 'preview-cleanup',
      intervalMs: config.previews.cleanupIntervalMs,
      run: async () => void (await services.previews.cleanup()),
    },
    {
      name: 'preview-blob-sweep',
      intervalMs: config.previews.cleanupIntervalMs,
      run: async () => void (await services.previewBuilds.sweepUploads(config.previews.uploadSweepMinutes * 60_000)),
    },
    {
      name: 'notification-retention',
      intervalMs: NOTIFICATION_RETENTION_INTERVAL_MS,
      run: async () => void (await services.notifications.deleteExpired(config.notificationRetentionDays)),
    },
    {
      name: 'push-receipts',
      intervalMs: config.push.receiptIntervalMs,
      run: async () => void (await services.push.checkReceipts()),
    },
    {
      name: 'ai-log-retention',
      intervalMs: AI_LOG_RETENTION_INTERVAL_MS,
      run: async () => void (await services.ai.deleteExpiredLogs(config.ai.logRetentionDays)),
    },
    {
      name: 'analytics-rollup',
      intervalMs: ANALYTICS_ROLLUP_INTERVAL_MS,
      run: async () => void (await services.operations.analytics.rollups.rollUp()),
    },
    {
      name: 'system-watch',
      intervalMs: config.health.watchIntervalMs,
      run: async () => void (await services.systemWatch.check()),
    },
    {
      // Within a minute of a worker starting, then every ten: old shard indexes removed, served commits indexed.
      name: 'search-index-reconcile',
      intervalMs: 60_000,
      run: () => services.codeSearch.reconcileDue(Date.now()),
    },
    {
      name: 'scheduled-syncs',
      intervalMs: config.repos.schedulerIntervalMs,
      run: () => services.repo.startDueSyncs(new Date()),
    },
  ];
}
