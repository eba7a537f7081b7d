import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BroadcastBody, BroadcastResult, Canary, CanaryBody, Id } from '@hivesync/core';
import { z } from 'zod';
import { caller } from '../../http/auth-hook.js';
import { withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';

/** /admin: instance administration (instance admins only). */
export function adminRoutes({ services, authenticate }: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onRequest', authenticate);
    const tags = ['admin'];
    const security = [{ bearer: [] }];
    app.post(
      '/admin/canary',
      {
        schema: {
          tags,
          security,
          summary: 'Send a canary job through the queue to prove the workers pick up work',
          body: CanaryBody,
          response: withErrors({ 202: Canary }, 403),
        },
      },
      async (req, reply) => reply.code(202).send(await services.admin.startCanary(caller(req), req.body)),
    );
    app.get(
      '/admin/canary/:id',
      {
        schema: {
          tags,
          security,
          summary: 'A canary job',
          params: z.object({ id: Id }),
          response: withErrors({ 200: Canary }, 403, 404),
        },
      },
      async (req) => services.admin.getCanary(caller(req), req.params.id),
    );
    app.post(
      '/admin/broadcast',
      {
        schema: {
          tags,
          security,
          summary: 'Send a system_maintenance_warning notification to every user',
          body: BroadcastBody,
          response: withErrors({ 200: BroadcastResult }, 403),
        },
      },
      async (req) => services.admin.broadcast(caller(req), req.body),
    );
  };
}
