import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errors } from '@hivesync/core';
import { z } from 'zod';
import { caller } from '../../http/auth-hook.js';
import { withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';

const EventsQuery = z.object({
  ticket: z.string().max(200).optional(),
  last_event_id: z
    .string()
    .regex(/^\d{1,15}$/)
    .optional(),
});

/** /events (Server-Sent Events) and /events/ticket. */
export function eventRoutes({ services, authenticate }: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['notifications'];
    app.post(
      '/events/ticket',
      {
        onRequest: authenticate,
        schema: {
          tags,
          security: [{ bearer: [] }],
          summary:
            'A single-use, 60-second ticket for GET /events?ticket= (for EventSource, which cannot send headers)',
          response: withErrors({ 200: z.object({ ticket: z.string(), expires_in: z.number().int() }) }),
        },
      },
      async (req) => services.events.issueTicket(caller(req)),
    );
    app.get(
      '/events',
      {
        onRequest: async (req, reply) => {
          if (req.headers.authorization) return authenticate.call(app, req, reply);
          const ticket = (req.query as { ticket?: string }).ticket;
          if (!ticket)
            throw errors.unauthorized('Send a bearer token, or a ticket from POST /events/ticket as ?ticket=.');
          const owner = await services.events.redeemTicket(ticket);
          if (!owner) throw errors.unauthorized('The ticket is not valid (unknown, used or expired).');
          // The session that asked for the ticket must still be open (and the account enabled) when it is used.
          req.auth = owner.sessionId
            ? await services.auth.admit({ userId: owner.userId, role: 'user', sessionId: owner.sessionId })
            : { userId: owner.userId, role: 'user' };
        },
        schema: {
          tags,
          security: [{ bearer: [] }],
          summary: 'Server-Sent Events: each new Notification as `event: notification` with `id` = its sequence',
          description:
            'Resumable: a reconnect with Last-Event-ID (or ?last_event_id=) first replays what was missed. A comment line is sent every 15 s as a heartbeat.',
          querystring: EventsQuery,
        },
      },
      async (req, reply) => {
        const header = req.headers['last-event-id'];
        const last =
          typeof header === 'string' && /^\d{1,15}$/.test(header)
            ? Number(header)
            : req.query.last_event_id
              ? Number(req.query.last_event_id)
              : undefined;
        reply.hijack();
        // A hijacked reply sends none of Fastify's headers: carry over the ones set so far (security headers,
        // x-request-id) onto the raw response.
        for (const [name, value] of Object.entries(reply.getHeaders())) {
          if (value !== undefined) reply.raw.setHeader(name, value);
        }
        await services.events.open(caller(req), reply.raw, last);
      },
    );
  };
}
