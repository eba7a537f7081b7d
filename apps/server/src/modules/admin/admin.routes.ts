import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AdminProject,
  AdminProjectBody,
  AiJobLog,
  BroadcastBody,
  BroadcastResult,
  Canary,
  CanaryBody,
  Id,
} from '@hivesync/core';
import { z } from 'zod';
import { caller } from '../../http/auth-hook.js';
import { withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { adminOnly } from './admin-access.js';
import { adminOperationRoutes } from './operations.routes.js';
import { adminUserRoutes } from './users.routes.js';

/** /admin: instance administration (instance admins only: anyone else gets 404, as for an unknown route). */
export function adminRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const { services, authenticate } = deps;
  return async (app) => {
    app.addHook('onRequest', authenticate);
    app.addHook('onRequest', adminOnly);
    await app.register(adminUserRoutes(deps));
    await app.register(adminOperationRoutes(deps));
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
          response: withErrors({ 202: Canary }, 404),
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
          response: withErrors({ 200: Canary }, 404),
        },
      },
      async (req) => services.admin.getCanary(caller(req), req.params.id),
    );
    const Probe = z.object({
      probe_id: Id,
      total: z.number().int(),
      completed: z.number().int(),
      failed: z.number().int(),
    });
    app.post(
      '/admin/queue-probe',
      {
        schema: {
          tags,
          security,
          summary: 'Enqueue N no-op jobs to measure the queue end to end (follow with GET /admin/queue-probe/{id})',
          body: z.object({ jobs: z.number().int().min(1).max(100_000) }),
          response: withErrors(
            { 202: z.object({ probe_id: Id, enqueued: z.number().int(), enqueue_ms: z.number().int() }) },
            404,
          ),
        },
      },
      async (req, reply) => reply.code(202).send(await services.admin.startProbe(caller(req), req.body.jobs)),
    );
    app.get(
      '/admin/queue-probe/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Progress of a queue probe',
          params: z.object({ id: Id }),
          response: withErrors({ 200: Probe }, 404),
        },
      },
      async (req) => services.admin.probeStatus(caller(req), req.params.id),
    );
    app.get(
      '/admin/ai-jobs/:id/log',
      {
        schema: {
          tags,
          security,
          summary:
            "An AI job's log: its parameters, the files it read, the prompts it sent and the raw model output (secrets redacted); 404 once expired. Each read is audited",
          params: z.object({ id: Id }),
          response: withErrors({ 200: AiJobLog }, 404),
        },
      },
      async (req) => services.ai.readLog(caller(req), req.params.id),
    );
    app.patch(
      '/admin/projects/:id',
      {
        schema: {
          tags,
          security,
          summary: "Set a project's plan (`free` or `pro`: pro projects' jobs go to the priority queues); audited",
          params: z.object({ id: Id }),
          body: AdminProjectBody,
          response: withErrors({ 200: AdminProject }, 404),
        },
      },
      async (req) => services.admin.setProjectPlan(caller(req), req.params.id, req.body.plan),
    );
    app.post(
      '/admin/broadcast',
      {
        schema: {
          tags,
          security,
          summary: 'Send a system_maintenance_warning notification to every user',
          body: BroadcastBody,
          response: withErrors({ 200: BroadcastResult }, 404),
        },
      },
      async (req) => services.admin.broadcast(caller(req), req.body),
    );
  };
}
