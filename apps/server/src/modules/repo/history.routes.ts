import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CommitDetail, CommitList, CommitParams, CommitsQuery, Diff, DiffQuery, ProjectParams } from '@hivesync/core';
import { caller } from '../../http/auth-hook.js';
import { withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';

type App = Parameters<FastifyPluginAsyncZod>[0];

/**
 * /projects/{id}/repo/{commits,diff}: the history of a project's mirror. Registered by repoRoutes, inside its
 * authenticated scope.
 */
export function registerHistoryRoutes(app: App, { services }: Pick<RouteDeps, 'services'>): void {
  const tags = ['repo'];
  const security = [{ bearer: [] }];
  app.get(
    '/projects/:id/repo/commits',
    {
      schema: {
        tags,
        security,
        summary:
          'A page of the mirror’s commit log, newest first (50 by default, at most 200; `next_cursor` for the next), from a branch or commit (the synced commit by default), optionally only commits touching `path`',
        params: ProjectParams,
        querystring: CommitsQuery,
        response: withErrors({ 200: CommitList }, 404, 409, 503),
      },
    },
    async (req) => services.history.commits(caller(req), req.params.id, req.query),
  );
  app.get(
    '/projects/:id/repo/commits/:sha',
    {
      schema: {
        tags,
        security,
        summary:
          'One commit with its diff against its first parent (the empty tree for a root commit), capped like /repo/diff',
        params: CommitParams,
        response: withErrors({ 200: CommitDetail }, 404, 409, 503),
      },
    },
    async (req) => services.history.commit(caller(req), req.params.id, req.params.sha),
  );
  app.get(
    '/projects/:id/repo/diff',
    {
      schema: {
        tags,
        security,
        summary:
          'The diff between two commits of the mirror (`to` defaults to the synced commit), per file with hunks; capped per file and in all, saying `truncated`',
        params: ProjectParams,
        querystring: DiffQuery,
        response: withErrors({ 200: Diff }, 404, 409, 413, 503),
      },
    },
    async (req) => services.history.diff(caller(req), req.params.id, req.query),
  );
}
