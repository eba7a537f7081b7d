import http from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import { authenticate } from './http/auth-hook.js';
import { registerErrorHandling } from './http/error-handler.js';
import { createIdempotencyStore, registerIdempotency } from './http/idempotency.js';
import { helmetHeaders, registerSecurityHeaders } from './http/security-headers.js';
import { requestIdOf, requestLine, requestLoggerFactory } from './http/request-logger.js';
import { type FastPath, unchangedPollFastPath } from './modules/notifications/notifications.fast-path.js';
import { registerTextInputCheck } from './http/text-input.js';
import type { RouteDeps } from './http/route-deps.js';
import type { Logger } from './infra/logger.js';
import { openRedis } from './infra/redis.js';
import { adminRoutes } from './modules/admin/admin.routes.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import type { AccessTokens } from './modules/auth/tokens.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { notificationRoutes } from './modules/notifications/notifications.routes.js';
import { deviceRoutes } from './modules/devices/devices.routes.js';
import { projectRoutes } from './modules/projects/projects.routes.js';
import { repoRoutes } from './modules/repo/repo.routes.js';
import { eventRoutes } from './modules/events/events.routes.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { threadRoutes } from './modules/threads/threads.routes.js';
import { aiRoutes } from './modules/ai/ai.routes.js';
import { lookupRoutes } from './modules/lookup/lookup.routes.js';
import { previewRoutes, workerCallbackRoutes } from './modules/previews/previews.routes.js';
import { webAppRoutes } from './http/web-app.routes.js';
import { storageRoutes } from './http/storage.routes.js';
import { viewerRoutes } from './http/viewer.routes.js';
import { addRouteHook } from './http/route-hooks.js';
import type { ObjectStorage, FsStorage } from './infra/storage.js';
import type { Metrics } from './infra/metrics.js';
import type { Services } from './services.js';

/** The API's base path. */
export const API_PREFIX = '/api/v1';

/** The options Fastify gives its HTTP server (after its defaults). */
interface FastifyHttpOptions {
  http?: http.ServerOptions;
  keepAliveTimeout: number;
  requestTimeout: number;
  connectionTimeout: number;
  maxRequestsPerSocket: number;
}

/** Fastify's HTTP server, with the settings its lib/server.js gives it, and `fastPath` in front of it. */
function serverWithFastPath(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  options: FastifyHttpOptions,
  fastPath: FastPath,
): http.Server {
  const server = http.createServer(options.http ?? {}, (req, res) => {
    const answered = fastPath(req, res);
    if (answered === false) return handler(req, res);
    answered.then(
      (done) => done || handler(req, res),
      () => res.headersSent || handler(req, res),
    );
  });
  server.keepAliveTimeout = options.keepAliveTimeout;
  server.requestTimeout = options.requestTimeout;
  server.setTimeout(options.connectionTimeout);
  if (options.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
  return server;
}

/** Builds the Fastify instance: plugins, error model, then routes. It does not listen. */
export async function buildApp(deps: {
  config: Config;
  logger: Logger;
  services: Services;
  tokens: AccessTokens;
  storage: ObjectStorage;
  metrics: Metrics;
}): Promise<FastifyInstance> {
  const { config, logger, services } = deps;
  // The unchanged notification poll is answered before Fastify (see notifications.fast-path.ts); all else is Fastify's.
  const fastPath = unchangedPollFastPath({
    path: `${API_PREFIX}/notifications`,
    verify: (token) => services.auth.verifyAccessToken(token),
    notifications: services.notifications,
    metrics: deps.metrics,
    logger,
    trustProxy: config.trustProxy.length > 0,
  });
  const app = Fastify({
    serverFactory: (handler, options) =>
      serverWithFastPath(handler, options as unknown as FastifyHttpOptions, fastPath),
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request, written by the onResponse hook below with secrets stripped from the URL.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: requestLoggerFactory(logger),
    bodyLimit: config.bodyLimit,
    // Only the listed proxies' X-Forwarded-For is believed; anyone else's would let a client pick its own IP.
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    genReqId: (req) => requestIdOf(req.headers),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('auth', null);
  registerErrorHandling(app);
  registerTextInputCheck(app);
  // Idempotency-Key on writes (docs/API.md): kept in Redis when distributed, in memory when embedded.
  const idempotencyRedis = config.redis.url ? openRedis(config.redis.url, logger, 'idempotency') : undefined;
  if (idempotencyRedis) {
    await idempotencyRedis.connect().catch(() => undefined);
    app.addHook('onClose', async () => idempotencyRedis.disconnect());
  }
  registerIdempotency(app as unknown as FastifyInstance, createIdempotencyStore(idempotencyRedis, config.redis.prefix));
  // Event streams hold their connections open: end them first, or closing would wait for them forever.
  app.addHook('preClose', async () => services.events.closeAll());

  // Security headers (helmet's, computed once), the request id and HSTS over HTTPS: see security-headers.ts.
  registerSecurityHeaders(app as unknown as FastifyInstance, await helmetHeaders());
  app.addHook('onResponse', (request, reply, done) => {
    // By route pattern (never the raw URL, which would explode the label space); unknown routes as one.
    deps.metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    // Built only when it will be written: at the default level it is, behind `warn` (the bench) it is not.
    if (logger.isLevelEnabled('info')) {
      request.log.info(
        requestLine({
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          ms: reply.elapsedTime,
          userId: request.auth?.userId,
        }),
        'request',
      );
    }
    done();
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'HiveSync API',
        version: config.version,
        description:
          'The HiveSync HTTP API v1. Errors use one envelope: {error: {code, message, request_id, retryable, details?}}.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    // Its own scripts only; inline styles are Swagger UI's. No upgrade-insecure-requests: plain-HTTP installs exist.
    staticCSP:
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
      "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  });

  // Per-user budgets: a route that names one (`config: { userLimit }`) spends from it once its caller is known. Only
  // those routes get the hook, so the others (the notification poll above all) pay nothing for it.
  const spend = async (request: FastifyRequest) => services.limits.spend(request);
  app.addHook('onRoute', (route) => {
    if (route.config?.userLimit) addRouteHook(route, 'preHandler', spend, 'last');
  });
  const routeDeps: RouteDeps = {
    services,
    authenticate: authenticate((token) => services.auth.verifyAccessToken(token)),
  };
  await app.register(healthRoutes(routeDeps));
  await app.register(viewerRoutes());
  await app.register(webAppRoutes());
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
  if (deps.storage.kind === 'fs') {
    await app.register(
      storageRoutes(deps.storage as FsStorage, {
        maxUploadBytes: config.previews.maxBundleBytes,
        uploadGate: (key) => services.previews.assertUploadOpen(key),
      }),
    );
  }
  await app.register(
    async (api) => {
      await api.register(authRoutes(routeDeps));
      await api.register(projectRoutes(routeDeps));
      await api.register(notificationRoutes(routeDeps));
      await api.register(deviceRoutes(routeDeps));
      await api.register(adminRoutes(routeDeps));
      await api.register(repoRoutes(routeDeps));
      await api.register(previewRoutes(routeDeps, { maxFiles: config.builds.maxFiles }));
      await api.register(eventRoutes(routeDeps));
      await api.register(auditRoutes(routeDeps));
      await api.register(threadRoutes(routeDeps));
      await api.register(aiRoutes(routeDeps));
      await api.register(lookupRoutes(routeDeps));
      await api.register(
        workerCallbackRoutes(routeDeps, { secret: config.previews.workerSharedSecret, once: services.once }),
      );
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    },
    { prefix: API_PREFIX },
  );
  return app as unknown as FastifyInstance;
}
