import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CredentialStatus,
  FileQuery,
  Id,
  Manifest,
  ProjectParams,
  RepoFile,
  SearchQuery,
  SearchResult,
  SetCredentialBody,
  StartSyncBody,
  Sync,
  SyncList,
  SyncParams,
  Tree,
  TreeQuery,
} from '@hivesync/core';
import { z } from 'zod';
import { caller } from '../../http/auth-hook.js';
import { NoContent, sendEmpty, withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';
import { registerHistoryRoutes } from './history.routes.js';

/**
 * /repo (syncs and reads over the mirror), /projects/{id}/manifest, /projects/{id}/credential and the history
 * under /projects/{id}/repo.
 */
export function repoRoutes({ services, authenticate }: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onRequest', authenticate);
    const tags = ['repo'];
    const security = [{ bearer: [] }];
    app.post(
      '/repo/sync',
      {
        config: { userLimit: 'syncs' },
        schema: {
          tags,
          security,
          summary: 'Queue a sync of the project’s mirror (member role); answers the active one if there is one',
          body: StartSyncBody,
          response: withErrors({ 202: Sync }, 403, 404, 409),
        },
      },
      async (req, reply) => reply.code(202).send(await services.repo.startSync(caller(req), req.body.project_id)),
    );
    app.get(
      '/repo/sync/:sync_id',
      {
        schema: {
          tags,
          security,
          summary: 'A sync, with its stage',
          params: SyncParams,
          response: withErrors({ 200: Sync }, 404),
        },
      },
      async (req) => services.repo.getSync(caller(req), req.params.sync_id),
    );
    app.get(
      '/repo/syncs',
      {
        schema: {
          tags,
          security,
          summary: 'Recent syncs of a project, newest first',
          querystring: z.object({ project_id: Id, limit: z.coerce.number().int().min(1).max(100).optional() }),
          response: withErrors({ 200: SyncList }, 404),
        },
      },
      async (req) => ({
        syncs: await services.repo.listSyncs(caller(req), req.query.project_id, req.query.limit ?? 20),
      }),
    );
    app.get(
      '/repo/tree',
      {
        schema: {
          tags,
          security,
          summary: 'A directory of the mirror (one level, or recursive); symlinks and submodules are not listed',
          querystring: TreeQuery,
          response: withErrors({ 200: Tree }, 404, 409, 503),
        },
      },
      async (req) => services.repo.tree(caller(req), req.query),
    );
    app.get(
      '/repo/file',
      {
        schema: {
          tags,
          security,
          summary: 'A file of the mirror: utf8 text, or base64 for binary',
          querystring: FileQuery,
          response: withErrors({ 200: RepoFile }, 404, 409, 413, 503),
        },
      },
      async (req) => services.repo.file(caller(req), req.query),
    );
    app.get(
      '/repo/search',
      {
        config: { userLimit: 'search' },
        schema: {
          tags,
          security,
          summary:
            'Search the mirror through its trigram index: a fixed string by default, an RE2 regular expression with ' +
            'regex=true; file names with files=true',
          querystring: SearchQuery,
          response: withErrors({ 200: SearchResult }, 404, 409),
        },
      },
      async (req, reply) => {
        const result = await services.codeSearch.search(caller(req), req.query);
        void reply.header('x-hivesync-search-engine', 'index');
        return result;
      },
    );
    app.get(
      '/projects/:id/manifest',
      {
        schema: {
          tags,
          security,
          summary: 'Every file of the mirror with size and git blob hash, and an overall hash',
          params: ProjectParams,
          response: withErrors({ 200: Manifest }, 404, 409, 503),
        },
      },
      async (req, reply) => {
        const manifest = await services.repo.manifest(caller(req), req.params.id);
        const etag = `"${manifest.hash}"`;
        void reply.header('etag', etag).header('cache-control', 'private, no-cache');
        if (req.headers['if-none-match'] === etag) return sendEmpty(reply, 304);
        return manifest;
      },
    );
    app.get(
      '/projects/:id/credential',
      {
        schema: {
          tags,
          security,
          summary: 'Whether a repository credential is set (never the credential itself)',
          params: ProjectParams,
          response: withErrors({ 200: CredentialStatus }, 404),
        },
      },
      async (req) => services.repo.credentialStatus(caller(req), req.params.id),
    );
    app.put(
      '/projects/:id/credential',
      {
        schema: {
          tags,
          security,
          summary:
            'Store the repository credential (admin role): an HTTPS token or an SSH private key, encrypted at rest',
          params: ProjectParams,
          body: SetCredentialBody,
          response: withErrors({ 200: CredentialStatus }, 403, 404),
        },
      },
      async (req) => services.repo.setCredential(caller(req), req.params.id, req.body),
    );
    app.delete(
      '/projects/:id/credential',
      {
        schema: {
          tags,
          security,
          summary: 'Remove the repository credential (admin role)',
          params: ProjectParams,
          response: withErrors({ 204: NoContent }, 403, 404),
        },
      },
      async (req, reply) => {
        await services.repo.deleteCredential(caller(req), req.params.id);
        return sendEmpty(reply, 204);
      },
    );
    registerHistoryRoutes(app, { services });
  };
}
