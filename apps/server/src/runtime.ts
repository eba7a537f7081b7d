import http from 'node:http';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './infra/db.js';
import { createMemoryBus, createRedisBus, type EventBus } from './infra/event-bus.js';
import { createDbHeartbeatStore, createRedisHeartbeatStore } from './infra/heartbeats.js';
import { createLogger, type Logger } from './infra/logger.js';
import { Queue } from './infra/queue.js';
import { createRateLimiterFactory } from './infra/rate-limit.js';
import { openRedis, redisHost } from './infra/redis.js';
import { resolveSecretsKey, SecretBox } from './infra/secrets.js';
import { createFsStorage, createS3Storage, FsUrlSigner, type ObjectStorage } from './infra/storage.js';
import crypto from 'node:crypto';
import { Git } from './infra/git.js';
import { Metrics } from './infra/metrics.js';
import { JobRunner } from './jobs/job-runner.js';
import { openBuckets } from './infra/buckets.js';
import { Sandbox } from './infra/sandbox.js';
import { AccessTokens, resolveJwtSecret } from './modules/auth/tokens.js';
import { createServices, jobDefinitions, periodicTasks, type Infra, type Services } from './services.js';

/** A running HiveSync process: the API, the workers, or both. */
export interface Runtime {
  config: Config;
  logger: Logger;
  services: Services;
  infra: Infra;
  /** Set when this process serves the API. */
  app: FastifyInstance | undefined;
  /** The API's base URL, when it listens. */
  url: string | undefined;
  /** Set when this process runs workers. */
  runner: JobRunner | undefined;
  /** One line per backend, for the start-up banner. */
  backends: string[];
  /** Stops accepting requests, lets running jobs finish (or hands them back), closes every backend. */
  stop(): Promise<void>;
}

/** Opens the backends, migrates, and starts what the configured role runs. */
export async function startRuntime(
  config: Config,
  options: { logger?: Logger; listen?: boolean } = {},
): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse())
      await close().catch((err: Error) => logger.warn({ err: { message: err.message } }, 'close failed'));
  };
  try {
    const db = await openDatabase({ ...config.database, dataDir: config.dataDir }, logger);
    closers.push(() => db.close());
    await db.migrate();

    let redis: Redis | undefined;
    let bus: EventBus = createMemoryBus();
    if (config.redis.url) {
      redis = openRedis(config.redis.url, logger);
      const subscriber = openRedis(config.redis.url, logger, 'subscriber');
      closers.push(async () => redis?.disconnect());
      await redis
        .connect()
        .catch((err: Error) =>
          logger.warn({ err: { message: err.message } }, 'redis not reachable at start; degraded until it is'),
        );
      bus = createRedisBus(redis, subscriber, `${config.redis.prefix}events`, logger);
    }
    closers.push(() => bus.close());

    const runsWorkers = config.role !== 'api';
    const queue = new Queue(
      db,
      bus,
      {
        pollIntervalMs: config.jobs.pollIntervalMs,
        maintenanceSeconds: config.jobs.maintenanceSeconds,
        retryDelaySeconds: config.jobs.retryDelaySeconds,
        supervise: runsWorkers,
      },
      logger,
    );
    // Several processes starting together must not race creating pg-boss's schema and queues.
    await db.exclusive(() => queue.start());
    let queueStopped = false;
    closers.push(async () => {
      if (!queueStopped) await queue.stop(0);
    });

    const secretsKey = resolveSecretsKey(config.secretsKey, config.dataDir);
    // Where presigned local-storage URLs point: the configured public URL, else the address this process listens on.
    let baseUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
    const fsSigner = new FsUrlSigner(
      crypto.createHmac('sha256', secretsKey).update('hivesync storage urls').digest(),
      () => baseUrl,
    );
    const fsStorage = config.s3 ? undefined : createFsStorage(path.join(config.dataDir, 'objects'), fsSigner);
    const storage: ObjectStorage = fsStorage ?? (await createS3Storage(config.s3!));
    const buckets = await openBuckets(config.s3, fsStorage);
    const tokens = new AccessTokens(
      resolveJwtSecret(config.auth.jwtSecret, config.dataDir),
      config.auth.accessTokenTtlSeconds,
    );
    const infra: Infra = {
      config,
      logger,
      db,
      redis,
      bus,
      queue,
      heartbeats: redis ? createRedisHeartbeatStore(redis, config.redis.prefix) : createDbHeartbeatStore(db),
      storage,
      artifacts: buckets.artifacts,
      aiLogs: buckets.aiLogs,
      fsSigner,
      rateLimiter: createRateLimiterFactory(redis, config.redis.prefix),
      tokens,
      secrets: new SecretBox(secretsKey),
      previewKey: crypto.createHmac('sha256', secretsKey).update('hivesync preview tokens').digest(),
      metrics: new Metrics(config.role),
      git: new Git(config.systemPath, { ...config.repos, timeoutMs: config.repos.gitTimeoutMs }),
    };
    closers.push(async () => infra.git.close());
    const services = createServices(infra);
    closers.push(() => services.codeSearch.close());
    const definitions = jobDefinitions(services, config);
    infra.metrics.gauge(
      'hivesync_queue_jobs',
      'Jobs per queue and state (queued, active, failed)',
      ['queue', 'state'],
      async (g) => {
        for (const q of await queue.depths()) {
          g.set({ queue: q.name, state: 'queued' }, q.queued);
          g.set({ queue: q.name, state: 'active' }, q.active);
          g.set({ queue: q.name, state: 'failed' }, q.failed);
        }
      },
    );
    infra.metrics.gauge('hivesync_event_streams_open', 'Open Server-Sent Events streams in this process', [], (g) =>
      g.set(services.events.openStreams),
    );
    await db.exclusive(async () => {
      for (const def of definitions) await queue.declare(def.queue, def.policy);
    });

    let runner: JobRunner | undefined;
    let sandbox: Sandbox | undefined;
    if (runsWorkers) {
      // Before the first job: how this worker isolates builds (or why it cannot), logged once.
      sandbox = await Sandbox.open(config.sandbox.mode, logger, config.systemPath);
      closers.push(async () => sandbox?.close());
      services.previewBuilds.sandbox = sandbox;
      if (config.role === 'worker' && config.publicUrl && config.previews.workerSharedSecret)
        services.previewBuilds.useSignedCallback(config.publicUrl, config.previews.workerSharedSecret);
      runner = new JobRunner(queue, db, infra.heartbeats, logger, infra.metrics, {
        heartbeatIntervalMs: config.jobs.heartbeatIntervalMs,
        othersAreDead: db.kind === 'pglite',
        details: () => ({ sandbox: sandbox?.kind }),
        pools: new Map(config.pools.serve.map((p) => [p.pool, p.concurrency])),
        starvationSeconds: config.pools.starvationSeconds,
        onWorkerLost: async (worker) => {
          const admins = await services.admin.adminIds();
          await services.notifications.notify({
            userIds: admins,
            projectId: null,
            type: 'worker_unavailable',
            payload: { worker_id: worker.id, last_heartbeat_at: worker.last_heartbeat_at },
          });
        },
      });
      await runner.start(definitions, periodicTasks(services, config));
    }
    // Autoscaling and health sampling (one process per interval), queue gauges, and drain/cancel for this runner.
    const stopOperations = services.operations.start(definitions, runner, infra.metrics);
    closers.push(async () => stopOperations());

    if (config.role === 'worker' && config.metricsPort) {
      // A worker has no API: its job metrics get a port of their own for Prometheus to scrape.
      const metricsServer = http.createServer((req, res) => {
        if (req.url !== '/metrics') return void res.writeHead(404).end();
        void infra.metrics.registry
          .metrics()
          .then((text) => res.writeHead(200, { 'content-type': infra.metrics.registry.contentType }).end(text));
      });
      await new Promise<void>((resolve) => metricsServer.listen(config.metricsPort, config.host, resolve));
      closers.push(() => new Promise<void>((resolve) => metricsServer.close(() => resolve())));
    }

    let app: FastifyInstance | undefined;
    let url: string | undefined;
    if (config.role !== 'worker') {
      app = await buildApp({ config, logger, services, tokens, storage, metrics: infra.metrics });
      if (options.listen !== false) {
        url = await app.listen({ host: config.host, port: config.port });
        if (!config.publicUrl) baseUrl = url;
        // Builds run here report through the signed callback when a shared secret is set (else by the same call).
        if (config.previews.workerSharedSecret)
          services.previewBuilds.useSignedCallback(baseUrl, config.previews.workerSharedSecret);
      } else {
        await app.ready();
      }
    }

    const backends = [
      `database: ${db.description}`,
      `queue: ${queue.description}`,
      `cache: ${redis && config.redis.url ? `redis at ${redisHost(config.redis.url)}` : 'memory'}`,
      `events: ${bus.description}`,
      `heartbeats: ${infra.heartbeats.description}`,
      `storage: ${infra.storage.description}`,
    ];

    let stopping: Promise<void> | undefined;
    return {
      config,
      logger,
      services,
      infra,
      app,
      url,
      runner,
      backends,
      stop: () =>
        (stopping ??= (async () => {
          // Stop taking requests first, then let the workers drain, then close the backends.
          await app?.close();
          if (runner) await runner.stop(config.jobs.shutdownTimeoutMs);
          else await queue.stop(0);
          queueStopped = true;
          await closeAll();
        })()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

export type { Database };
