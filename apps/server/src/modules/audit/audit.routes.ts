import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AuditPage, AuditQuery } from '@hivesync/core';
import { caller } from '../../http/auth-hook.js';
import { withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { adminOnly } from '../admin/admin-access.js';
import { auditCsv } from './audit-csv.js';

/** /admin/audit: search the audit log (read only; there is no route that changes it). */
export function auditRoutes({ services, authenticate }: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/admin/audit',
      {
        onRequest: [authenticate, adminOnly],
        schema: {
          tags: ['admin'],
          security: [{ bearer: [] }],
          summary:
            'Search the audit log by actor (id or email), action (exact, or a prefix like "member.*"), project, time range and text (q); newest first, paged by cursor; format=csv answers text/csv',
          querystring: AuditQuery,
          response: withErrors({ 200: AuditPage }, 404),
        },
      },
      async (req, reply) => {
        const page = await services.audit.search(caller(req), req.query);
        if (req.query.format !== 'csv') return page;
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="hivesync-audit.csv"')
          .serializer((text) => text as string)
          .send(auditCsv(page.entries));
      },
    );
  };
}
