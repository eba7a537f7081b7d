import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AuditPage, AuditQuery } from '@hivesync/core';
import { caller } from '../../http/auth-hook.js';
import { withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';

/** /admin/audit: search the audit log (read only; there is no route that changes it). */
export function auditRoutes({ services, authenticate }: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/admin/audit',
      {
        onRequest: authenticate,
        schema: {
          tags: ['admin'],
          security: [{ bearer: [] }],
          summary:
            'Search the audit log by actor (id or email), action (exact, or a prefix like "member.*"), project and time range; newest first, paged by cursor',
          querystring: AuditQuery,
          response: withErrors({ 200: AuditPage }, 403),
        },
      },
      async (req) => services.audit.search(caller(req), req.query),
    );
  };
}
