import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AiCapabilities,
  AiJob,
  AiJobList,
  CreateAiJobBody,
  Diff,
  Id,
  ListAiJobsQuery,
  Suggestion,
  SuggestionList,
  SuggestionMoveBody,
  SuggestionState,
} from '@hivesync/core';
import { z } from 'zod';
import { caller } from '../../http/auth-hook.js';
import { withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';

/** /ai/capabilities, /ai/jobs and /ai/suggestions. */
export function aiRoutes({ services, authenticate }: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onRequest', authenticate);
    const tags = ['ai'];
    const security = [{ bearer: [] }];
    app.get(
      '/ai/capabilities',
      {
        schema: {
          tags,
          security,
          summary: "The actions the server's AI provider runs (refactor only with a language model)",
          response: withErrors({ 200: AiCapabilities }),
        },
      },
      async () => services.ai.capabilities(),
    );
    app.post(
      '/ai/jobs',
      {
        config: { userLimit: 'aiJobs' },
        schema: {
          tags,
          security,
          summary: 'Queue an AI job (member role); it proposes a patch, it never changes anything',
          body: CreateAiJobBody,
          response: withErrors({ 202: AiJob }, 403, 404, 409),
        },
      },
      async (req, reply) => reply.code(202).send(await services.ai.create(caller(req), req.body)),
    );
    app.get(
      '/ai/jobs',
      {
        schema: {
          tags,
          security,
          summary: 'AI jobs of a project, newest first, a page at a time (next_cursor)',
          querystring: ListAiJobsQuery,
          response: withErrors({ 200: AiJobList }, 404),
        },
      },
      async (req) => {
        const { project_id, ...page } = req.query;
        return services.ai.list(caller(req), project_id, page);
      },
    );
    app.get(
      '/ai/jobs/:job_id',
      {
        schema: {
          tags,
          security,
          summary: 'An AI job with its suggestions',
          params: z.object({ job_id: Id }),
          response: withErrors({ 200: AiJob }, 404),
        },
      },
      async (req) => services.ai.get(caller(req), req.params.job_id),
    );
    app.get(
      '/ai/suggestions',
      {
        schema: {
          tags,
          security,
          summary: 'Suggestions of a project, newest first',
          querystring: z.object({ project_id: Id, state: SuggestionState.optional() }),
          response: withErrors({ 200: SuggestionList }, 404),
        },
      },
      async (req) => ({
        suggestions: await services.ai.listSuggestions(caller(req), req.query.project_id, req.query.state),
      }),
    );
    app.get(
      '/ai/suggestions/:id',
      {
        schema: {
          tags,
          security,
          summary: 'A suggestion with its patch and history',
          params: z.object({ id: Id }),
          response: withErrors({ 200: Suggestion }, 404),
        },
      },
      async (req) => services.ai.getSuggestion(caller(req), req.params.id),
    );
    app.get(
      '/ai/suggestions/:id/diff',
      {
        schema: {
          tags,
          security,
          summary: "A suggestion's patch as files, hunks and numbered lines (from and to: the job's commit)",
          params: z.object({ id: Id }),
          response: withErrors({ 200: Diff }, 404),
        },
      },
      async (req) => services.ai.getSuggestionDiff(caller(req), req.params.id),
    );
    for (const [verb, state] of [
      ['approve', 'approved'],
      ['reject', 'rejected'],
      ['applied', 'applied'],
      ['reverted', 'reverted'],
    ] as const) {
      app.post(
        `/ai/suggestions/:id/${verb}`,
        {
          schema: {
            tags,
            security,
            summary: `Move a suggestion to ${state} (member role; 409 for a move the states do not allow)`,
            params: z.object({ id: Id }),
            // An optional comment, kept in the suggestion's history; the body itself may be absent.
            body: SuggestionMoveBody.nullish(),
            response: withErrors({ 200: Suggestion }, 403, 404, 409),
          },
        },
        async (req) => services.ai.move(caller(req), req.params.id, state, req.body?.comment),
      );
    }
  };
}
