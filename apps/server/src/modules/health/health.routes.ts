import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DeepHealth, Health, WorkersHealth } from '@hivesync/core';
import type { RouteDeps } from '../../http/route-deps.js';
import type { AuthContext } from '../auth/auth.types.js';

/** /health, /health/deep, /health/workers (public, outside /api/v1). */
export function healthRoutes({ services, authenticate }: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['health'];
    app.get('/health', { schema: { tags, summary: 'Liveness', response: { 200: Health } } }, async () =>
      services.health.basic(),
    );
    app.get(
      '/health/deep',
      {
        schema: {
          tags,
          summary:
            'Readiness of each backend (a result at most 10 s old); 503 when a required one fails. Public: each ' +
            "check's status and latency; with an admin's bearer token, its message too",
          response: { 200: DeepHealth, 503: DeepHealth },
        },
      },
      async (req, reply) => {
        // Public: a missing, invalid or expired token is simply not an admin's.
        let auth: AuthContext | null = null;
        if (req.headers.authorization) {
          auth = await authenticate.call(app, req, reply).then(
            () => req.auth,
            () => null,
          );
        }
        const result = await services.health.deep(auth);
        return reply.code(result.status === 'fail' ? 503 : 200).send(result);
      },
    );
    app.get(
      '/health/workers',
      { schema: { tags, summary: 'Worker heartbeats and queue depths', response: { 200: WorkersHealth } } },
      async () => services.health.workers(),
    );
  };
}
