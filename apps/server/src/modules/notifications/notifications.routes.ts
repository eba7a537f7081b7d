import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ListNotificationsQuery, MarkReadBody, MarkReadResult, NotificationList } from '@hivesync/core';
import { z } from 'zod';
import { caller } from '../../http/auth-hook.js';
import { sendEmpty, withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';

/** /notifications: the cheap poll (ETag / 304, X-Poll-Interval) and mark_read. */
export function notificationRoutes({ services, authenticate }: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onRequest', authenticate);
    const tags = ['notifications'];
    const security = [{ bearer: [] }];
    app.get(
      '/notifications',
      {
        schema: {
          tags,
          security,
          summary: 'Poll notifications; send If-None-Match with the last ETag to get 304 when nothing changed',
          description:
            'Answers carry X-Poll-Interval (seconds until the next poll: 15 while the caller has work queued or running, else 45) and an ETag.',
          querystring: ListNotificationsQuery,
          response: withErrors({ 200: NotificationList, 304: z.null().describe('Not modified') }),
        },
      },
      async (req, reply) => {
        const result = await services.notifications.poll(caller(req), req.query, req.headers['if-none-match']);
        void reply
          .header('x-poll-interval', String(result.pollInterval))
          .header('etag', result.etag)
          .header('cache-control', 'private, no-cache');
        if (result.notModified) return sendEmpty(reply, 304);
        return result.body;
      },
    );
    app.post(
      '/notifications/mark_read',
      {
        schema: {
          tags,
          security,
          summary: 'Mark notifications read, by ids or all',
          body: MarkReadBody,
          response: withErrors({ 200: MarkReadResult }),
        },
      },
      async (req) => services.notifications.markRead(caller(req), req.body),
    );
  };
}
