import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AdminJob,
  AdminJobPage,
  AdminJobQuery,
  AdminQueueList,
  AdminWorkerCommand,
  AdminWorkerList,
  AiAnalytics,
  AnalyticsQuery,
  AutoscalingDecisionPage,
  AutoscalingDecisionQuery,
  AutoscalingRules,
  HealthHistory,
  HealthHistoryQuery,
  PoolScale,
  PreviewAnalytics,
  PutAutoscalingRulesBody,
  RateLimitAnalytics,
  ScalePoolBody,
  SyncAnalytics,
} from '@hivesync/core';
import { z } from 'zod';
import { caller } from '../../http/auth-hook.js';
import { withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';

/**
 * Workers, queues and jobs, analytics, autoscaling and health history (registered inside adminRoutes, behind its
 * authenticate and admin-only hooks).
 */
export function adminOperationRoutes({ services }: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['admin'];
    const security = [{ bearer: [] }];
    const ops = () => services.operations;
    const workerParams = z.object({ id: z.string().min(1).max(300) });
    const jobParams = z.object({ id: z.string().min(1).max(64) });

    app.get(
      '/admin/workers',
      {
        schema: {
          tags,
          security,
          summary: 'Every worker with its pools, host, version, jobs held, last heartbeat and state',
          response: withErrors({ 200: AdminWorkerList }, 404),
        },
      },
      async (req) => ops().ops.workers(caller(req)),
    );
    for (const command of ['drain', 'resume'] as const) {
      app.post(
        `/admin/workers/:id/${command}`,
        {
          schema: {
            tags,
            security,
            summary:
              command === 'drain'
                ? 'Drain a worker: it finishes the jobs it holds and takes no new ones'
                : 'Resume a drained worker',
            params: workerParams,
            response: withErrors({ 202: AdminWorkerCommand }, 404),
          },
        },
        async (req, reply) => reply.code(202).send(await ops().ops.command(caller(req), req.params.id, command)),
      );
    }
    app.get(
      '/admin/queues',
      {
        schema: {
          tags,
          security,
          summary:
            'Per queue: waiting, running, failed, completed in the last hour, oldest waiting age, p50/p95 run time',
          response: withErrors({ 200: AdminQueueList }, 404),
        },
      },
      async (req) => ops().ops.queues(caller(req)),
    );
    app.get(
      '/admin/jobs',
      {
        schema: {
          tags,
          security,
          summary: 'Jobs newest first, filtered by queue and status, paged by cursor',
          querystring: AdminJobQuery,
          response: withErrors({ 200: AdminJobPage }, 404),
        },
      },
      async (req) => ops().ops.jobs(caller(req), req.query),
    );
    app.post(
      '/admin/jobs/:id/retry',
      {
        schema: {
          tags,
          security,
          summary: 'Send a failed job back to its queue (409 when it is not failed)',
          params: jobParams,
          response: withErrors({ 200: AdminJob }, 404, 409),
        },
      },
      async (req) => ops().ops.retry(caller(req), req.params.id),
    );
    app.post(
      '/admin/jobs/:id/cancel',
      {
        schema: {
          tags,
          security,
          summary: 'Cancel a waiting or running job (a running handler is aborted); 409 once it has finished',
          params: jobParams,
          response: withErrors({ 200: AdminJob }, 404, 409),
        },
      },
      async (req) => ops().ops.cancel(caller(req), req.params.id),
    );

    const analytics = {
      previews: {
        schema: PreviewAnalytics,
        summary: 'Preview failures: per bucket, platform × hour-of-day, by reason',
      },
      ai: { schema: AiAnalytics, summary: 'AI jobs by action, provider and outcome; suggestion approval rates' },
      syncs: { schema: SyncAnalytics, summary: 'Syncs per bucket and by outcome, with durations' },
      'rate-limits': { schema: RateLimitAnalytics, summary: 'Rate-limit refusals per bucket and by route, user, IP' },
    } as const;
    const handlers = {
      previews: (req: Parameters<typeof caller>[0], q: AnalyticsQuery) => ops().analytics.previews(caller(req), q),
      ai: (req: Parameters<typeof caller>[0], q: AnalyticsQuery) => ops().analytics.ai(caller(req), q),
      syncs: (req: Parameters<typeof caller>[0], q: AnalyticsQuery) => ops().analytics.syncs(caller(req), q),
      'rate-limits': (req: Parameters<typeof caller>[0], q: AnalyticsQuery) =>
        ops().analytics.rateLimits(caller(req), q),
    };
    for (const kind of Object.keys(analytics) as (keyof typeof analytics)[]) {
      app.get(
        `/admin/analytics/${kind}`,
        {
          schema: {
            tags,
            security,
            summary: `${analytics[kind].summary} (from, to: at most 366 days; bucket: 1m or more, at most 2,000)`,
            querystring: AnalyticsQuery,
            response: withErrors({ 200: analytics[kind].schema }, 404),
          },
        },
        async (req) => handlers[kind](req, req.query),
      );
    }

    app.get(
      '/admin/autoscaling/rules',
      {
        schema: {
          tags,
          security,
          summary: "The scaling rules, the configured target, and each pool's desired count and manual override",
          response: withErrors({ 200: AutoscalingRules }, 404),
        },
      },
      async (req) => ops().autoscaling.rules(caller(req)),
    );
    app.put(
      '/admin/autoscaling/rules',
      {
        schema: {
          tags,
          security,
          summary: 'Replace every scaling rule (one per pool)',
          body: PutAutoscalingRulesBody,
          response: withErrors({ 200: AutoscalingRules }, 404),
        },
      },
      async (req) => ops().autoscaling.putRules(caller(req), req.body),
    );
    app.get(
      '/admin/autoscaling/decisions',
      {
        schema: {
          tags,
          security,
          summary: 'The scaling decision log, newest first',
          querystring: AutoscalingDecisionQuery,
          response: withErrors({ 200: AutoscalingDecisionPage }, 404),
        },
      },
      async (req) => ops().autoscaling.decisions(caller(req), req.query),
    );
    app.post(
      '/admin/pools/:pool/scale',
      {
        schema: {
          tags,
          security,
          summary: 'Hold a pool at a desired worker count for a while (default 60 minutes), overriding its rule',
          params: z.object({ pool: z.string().min(1).max(63) }),
          body: ScalePoolBody,
          response: withErrors({ 200: PoolScale }, 404),
        },
      },
      async (req) => ops().autoscaling.scalePool(caller(req), req.params.pool, req.body),
    );
    app.get(
      '/admin/health/history',
      {
        schema: {
          tags,
          security,
          summary: "Each deep-health check's recorded states over the last hours (default 24)",
          querystring: HealthHistoryQuery,
          response: withErrors({ 200: HealthHistory }, 404),
        },
      },
      async (req) => ops().healthHistory.history(caller(req), req.query),
    );
  };
}
