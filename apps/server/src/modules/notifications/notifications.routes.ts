import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CLIENT_HEADER,
  ClientName,
  errors,
  ListNotificationsQuery,
  MarkReadBody,
  MarkReadResult,
  NotificationList,
  NotificationPreferences,
  UpdateNotificationPreferencesBody,
} from '@hivesync/core';
import type { IncomingHttpHeaders } from 'node:http';
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
            'Answers carry X-Poll-Interval (seconds until the next poll: 15 while the caller has work queued or running, else 45) and an ETag. A client naming itself in X-HiveSync-Client sees its own read state (read_at, unread_only).',
          querystring: ListNotificationsQuery,
          response: withErrors({ 200: NotificationList, 304: z.null().describe('Not modified') }),
        },
      },
      async (req, reply) => {
        const result = await services.notifications.poll(
          caller(req),
          req.query,
          req.headers['if-none-match'],
          clientName(req),
        );
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
          summary: 'Mark notifications read, by ids or all; for every client (scope all) or the calling one (client)',
          body: MarkReadBody,
          response: withErrors({ 200: MarkReadResult }),
        },
      },
      async (req) => services.notifications.markRead(caller(req), req.body, clientName(req)),
    );
    app.get(
      '/me/notification-preferences',
      {
        schema: {
          tags,
          security,
          summary: "The caller's notification channels (in_app, push) for every notification type; all on by default",
          response: withErrors({ 200: NotificationPreferences }),
        },
      },
      async (req) => services.notifications.preferences(caller(req)),
    );
    app.put(
      '/me/notification-preferences',
      {
        schema: {
          tags,
          security,
          summary: 'Turn channels of notification types on or off; types and channels not sent keep their setting',
          body: UpdateNotificationPreferencesBody,
          response: withErrors({ 200: NotificationPreferences }),
        },
      },
      async (req) => services.notifications.updatePreferences(caller(req), req.body),
    );
  };
}

/** The calling client's name from X-HiveSync-Client; undefined when it does not say. */
export function clientName(req: { headers: IncomingHttpHeaders }): string | undefined {
  const raw = req.headers[CLIENT_HEADER];
  if (raw === undefined || raw === '') return undefined;
  const parsed = ClientName.safeParse(Array.isArray(raw) ? raw[0] : raw);
  if (!parsed.success) {
    throw errors.validation('X-HiveSync-Client must be a short lowercase token such as vscode or cli.', {
      field: CLIENT_HEADER,
    });
  }
  return parsed.data;
}
