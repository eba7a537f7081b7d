import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DeepHealth, Health, WorkersHealth } from '@hivesync/core';
import type { RouteDeps } from '../../http/route-deps.js';

/** /health, /health/deep, /health/workers (public, outside /api/v1). */
export function healthRoutes({ services }: RouteDeps): FastifyPluginAsyncZod {
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
          summary: 'Readiness of each backend; 503 when a required one fails',
          response: { 200: DeepHealth, 503: DeepHealth },
        },
      },
      async (_req, reply) => {
        const result = await services.health.deep();
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
