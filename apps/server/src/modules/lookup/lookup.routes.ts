import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LookupQuery, LookupResult } from '@hivesync/core';
import { caller } from '../../http/auth-hook.js';
import { withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';

/** /lookup: a resource's full id from a prefix of it (short ids, like git's). */
export function lookupRoutes({ services, authenticate }: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onRequest', authenticate);
    app.get(
      '/lookup',
      {
        schema: {
          tags: ['lookup'],
          security: [{ bearer: [] }],
          summary:
            'The full id of the one thread, suggestion, AI job, preview or sync in your projects whose id starts with ' +
            '`prefix` (8+ characters); 409 with `details.candidates` when several do',
          querystring: LookupQuery,
          response: withErrors({ 200: LookupResult }, 404, 409),
        },
      },
      async (req) => services.lookup.resolve(caller(req), req.query.kind, req.query.prefix),
    );
  };
}
