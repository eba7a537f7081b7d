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
import type { JobDefinition, PeriodicTask } from './jobs/job-runner.js';
import { repoSyncJob } from './jobs/repo-sync.job.js';
import { canaryJob } from './jobs/system-canary.job.js';
import { AdminService } from './modules/admin/admin.service.js';
import { AuthService } from './modules/auth/auth.service.js';
import type { AccessTokens } from './modules/auth/tokens.js';
import { HealthService } from './modules/health/health.service.js';
import { NotificationsService } from './modules/notifications/notifications.service.js';
import { ProjectsService } from './modules/projects/projects.service.js';
import { MirrorStore } from './modules/repo/mirror.repository.js';
import { checkBranch, checkRepoUrl } from './modules/repo/repo-url.js';
import { RepoService } from './modules/repo/repo.service.js';

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
  /** Signs local-storage URLs (used by the routes that serve them when storage is local files). */
  fsSigner: FsUrlSigner;
  rateLimiter: RateLimiterFactory;
  tokens: AccessTokens;
  secrets: SecretBox;
  git: Git;
}

/** Every service, wired once per process. */
export interface Services {
  auth: AuthService;
  projects: ProjectsService;
  notifications: NotificationsService;
  admin: AdminService;
  health: HealthService;
  repo: RepoService;
}

/** Wires the services over the given backends. */
export function createServices(infra: Infra): Services {
  const { config, db } = infra;
  const notifications = new NotificationsService(db, infra.bus, infra.logger);
  const git = infra.git;
  const mirrors = new MirrorStore(path.join(config.dataDir, 'repos'), git, {
    sshHostKeyChecking: config.repos.sshHostKeyChecking,
    knownHostsFile: path.join(config.dataDir, 'ssh', 'known_hosts'),
  });
  const projects = new ProjectsService(
    db,
    notifications,
    { repoUrl: (url) => checkRepoUrl(url, config.repos), branch: (b) => checkBranch(git, b) },
    (projectId) => mirrors.remove(projectId),
  );
  return {
    auth: new AuthService(db, infra.tokens, infra.rateLimiter, {
      loginPerIpPerMinute: config.auth.loginPerIpPerMinute,
      loginFailuresPerAccount: config.auth.loginFailuresPerAccount,
      registerPerIpPerHour: config.auth.registerPerIpPerHour,
      refreshTokenTtlDays: config.auth.refreshTokenTtlDays,
    }),
    projects,
    repo: new RepoService(db, infra.queue, projects, notifications, mirrors, infra.secrets, infra.logger, {
      maxFileBytes: config.repos.maxFileBytes,
      syncRetryLimit: config.repos.syncRetryLimit,
    }),
    notifications,
    admin: new AdminService(db, infra.queue, notifications),
    health: new HealthService({
      version: config.version,
      db,
      redis: infra.redis,
      storage: infra.storage,
      queue: infra.queue,
      heartbeats: infra.heartbeats,
      dataDir: config.dataDir,
      minFreeDiskMb: config.health.minFreeDiskMb,
      heartbeatIntervalMs: config.jobs.heartbeatIntervalMs,
    }),
  };
}

/** Every background job kind; each queue is declared by every process, and worked by worker processes. */
export function jobDefinitions(services: Services, config: Config): JobDefinition<never>[] {
  return [
    canaryJob(services.admin.repo, services.notifications),
    repoSyncJob(services.repo, {
      retryLimit: config.repos.syncRetryLimit,
      retryDelaySeconds: config.repos.syncRetryDelaySeconds,
      gitTimeoutMs: config.repos.gitTimeoutMs,
    }),
  ] as unknown as JobDefinition<never>[];
}

/** Timed work of worker processes: scheduled syncs. */
export function periodicTasks(services: Services, config: Config): PeriodicTask[] {
  return [
    {
      name: 'scheduled-syncs',
      intervalMs: config.repos.schedulerIntervalMs,
      run: async () => {
        for (const id of await services.repo.repo.projectsDueForSync(new Date())) {
          await services.repo.startScheduledSync(id);
        }
      },
    },
  ];
}
