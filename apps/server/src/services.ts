import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { Database } from './infra/db.js';
import type { EventBus } from './infra/event-bus.js';
import type { HeartbeatStore } from './infra/heartbeats.js';
import type { Logger } from './infra/logger.js';
import type { Queue } from './infra/queue.js';
import type { RateLimiterFactory } from './infra/rate-limit.js';
import type { ObjectStorage } from './infra/storage.js';
import type { JobDefinition } from './jobs/job-runner.js';
import { canaryJob } from './jobs/system-canary.job.js';
import { AdminService } from './modules/admin/admin.service.js';
import { AuthService } from './modules/auth/auth.service.js';
import type { AccessTokens } from './modules/auth/tokens.js';
import { HealthService } from './modules/health/health.service.js';
import { NotificationsService } from './modules/notifications/notifications.service.js';
import { ProjectsService } from './modules/projects/projects.service.js';

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
  rateLimiter: RateLimiterFactory;
  tokens: AccessTokens;
}

/** Every service, wired once per process. */
export interface Services {
  auth: AuthService;
  projects: ProjectsService;
  notifications: NotificationsService;
  admin: AdminService;
  health: HealthService;
}

/** Wires the services over the given backends. */
export function createServices(infra: Infra): Services {
  const { config, db } = infra;
  const notifications = new NotificationsService(db, infra.bus, infra.logger);
  return {
    auth: new AuthService(db, infra.tokens, infra.rateLimiter, {
      loginPerIpPerMinute: config.auth.loginPerIpPerMinute,
      loginFailuresPerAccount: config.auth.loginFailuresPerAccount,
      registerPerIpPerHour: config.auth.registerPerIpPerHour,
      refreshTokenTtlDays: config.auth.refreshTokenTtlDays,
    }),
    projects: new ProjectsService(db, notifications),
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
export function jobDefinitions(services: Services): JobDefinition<never>[] {
  return [canaryJob(services.admin.repo, services.notifications)] as unknown as JobDefinition<never>[];
}
