import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  CompletePreviewBody,
  CreatePreviewBody,
  errors,
  Id,
  ListPreviewsQuery,
  Preview,
  PreviewBuild,
  PreviewBuildCapabilities,
  PreviewCreated,
  PreviewFilesAnswer,
  PreviewFilesBody,
  PreviewList,
  PreviewParams,
  ResolvedPreview,
  ResolvePreviewBody,
  WorkerCallbackBody,
} from '@hivesync/core';
import { z } from 'zod';
import { caller } from '../../http/auth-hook.js';
import { withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';
import type { OnceStore } from '../../infra/once.js';
import { REPLAY_WINDOW_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWorkerCallback } from './worker-signature.js';

/** /previews (members create and complete; anyone with the code or token resolves once). */
export function previewRoutes(
  { services, authenticate }: RouteDeps,
  options: { maxFiles: number },
): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['previews'];
    const security = [{ bearer: [] }];
    app.post(
      '/previews/resolve',
      {
        schema: {
          tags,
          summary: 'Resolve a preview code or token (public, once): a short-lived download URL for the bundle',
          body: ResolvePreviewBody,
          response: withErrors({ 200: ResolvedPreview }, 404, 409, 410, 429),
        },
      },
      async (req) => services.previews.resolve(req.body, req.ip),
    );
    await app.register(async (scope) => {
      const authed = scope.withTypeProvider<ZodTypeProvider>();
      authed.addHook('onRequest', authenticate);
      authed.post(
        '/previews',
        {
          config: { userLimit: 'previews' },
          schema: {
            tags,
            security,
            summary: 'Start a preview: a code, a signed token and a presigned upload URL (member role)',
            body: CreatePreviewBody,
            response: withErrors({ 201: PreviewCreated }, 403, 404, 413),
          },
        },
        async (req, reply) => reply.code(201).send(await services.previews.create(caller(req), req.body)),
      );
      authed.get(
        '/previews',
        {
          schema: {
            tags,
            security,
            summary: "A page of a project's previews, newest first (limit 50 by default, at most 100; cursor)",
            querystring: ListPreviewsQuery,
            response: withErrors({ 200: PreviewList }, 400, 404),
          },
        },
        async (req) => services.previews.list(caller(req), req.query),
      );
      authed.get(
        '/previews/:preview_id',
        {
          schema: {
            tags,
            security,
            summary: 'A preview',
            params: PreviewParams,
            response: withErrors({ 200: Preview }, 404),
          },
        },
        async (req) => services.previews.get(caller(req), req.params.preview_id),
      );
      authed.get(
        '/previews/builders',
        {
          schema: {
            tags,
            security,
            summary: 'Whether this server builds previews (a live worker with a sandbox), and the limits of a build',
            response: withErrors({ 200: PreviewBuildCapabilities }),
          },
        },
        async () => services.previewBuilds.capabilities(),
      );
      authed.post(
        '/previews/:preview_id/files',
        {
          // A file list of the largest allowed tree fits (about 1 KB a file at most).
          bodyLimit: Math.max(1 << 20, options.maxFiles * 1200),
          schema: {
            tags,
            security,
            summary:
              'A server-side build: the tree as paths, hashes and sizes; answers which blobs to upload (member role)',
            params: PreviewParams,
            body: PreviewFilesBody,
            response: withErrors({ 200: PreviewFilesAnswer }, 400, 404, 409, 410, 413, 503),
          },
        },
        async (req) => services.previewBuilds.setFiles(caller(req), req.params.preview_id, req.body),
      );
      authed.post(
        '/previews/:preview_id/build',
        {
          schema: {
            tags,
            security,
            summary: 'Start the server-side build once every blob is uploaded; progress on the event stream',
            params: PreviewParams,
            response: withErrors({ 202: PreviewBuild }, 400, 404, 409, 410, 503),
          },
        },
        async (req, reply) =>
          reply.code(202).send(await services.previewBuilds.start(caller(req), req.params.preview_id)),
      );
      authed.get(
        '/previews/:preview_id/build',
        {
          schema: {
            tags,
            security,
            summary: "A preview's server-side build: stage, and the bundler's error with file and line when it failed",
            params: PreviewParams,
            response: withErrors({ 200: PreviewBuild }, 404),
          },
        },
        async (req) => services.previewBuilds.get(caller(req), req.params.preview_id),
      );
      authed.post(
        '/previews/:preview_id/complete',
        {
          schema: {
            tags,
            security,
            summary: 'Finish the upload: the server checks size and sha256, then the preview is ready',
            params: PreviewParams,
            body: CompletePreviewBody,
            response: withErrors({ 200: Preview }, 403, 404, 409, 410, 413, 507),
          },
        },
        async (req) => services.previews.complete(caller(req), req.params.preview_id, req.body),
      );
    });
  };
}

/** /internal/jobs/{id}/callback: sandboxed build workers report, signed with WORKER_SHARED_SECRET. */
export function workerCallbackRoutes(
  { services }: RouteDeps,
  options: { secret: string | undefined; once: OnceStore },
): FastifyPluginAsyncZod {
  return async (app) => {
    // The signature covers the exact bytes sent: keep them.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, raw, done) => {
      (req as unknown as { rawBody: string }).rawBody = raw as string;
      try {
        done(null, JSON.parse(raw as string));
      } catch {
        done(errors.validation('The request body is not valid JSON.'), undefined);
      }
    });
    app.post(
      '/internal/jobs/:id/callback',
      {
        schema: {
          tags: ['internal'],
          summary: 'A build worker reports on a job (HMAC-signed with WORKER_SHARED_SECRET over timestamp + body)',
          params: z.object({ id: Id }),
          body: WorkerCallbackBody,
          response: withErrors({ 200: Preview }, 403, 404, 409, 503),
        },
        preValidation: async (req) => {
          if (!options.secret)
            throw errors.serviceUnavailable('Worker callbacks are not configured (WORKER_SHARED_SECRET).');
          const raw = (req as unknown as { rawBody?: string }).rawBody ?? '';
          const ts = req.headers[TIMESTAMP_HEADER];
          const sig = req.headers[SIGNATURE_HEADER];
          const verdict = verifyWorkerCallback(
            options.secret,
            raw,
            typeof ts === 'string' ? ts : undefined,
            typeof sig === 'string' ? sig : undefined,
          );
          if (verdict === 'invalid') throw errors.forbidden('The callback signature is not valid.');
          if (verdict === 'stale')
            throw errors.forbidden(`The callback is older than ${REPLAY_WINDOW_SECONDS} s (or from the future).`);
          // The same signed request twice within the window is a replay.
          if (!(await options.once.first(`callback:${String(sig)}`, REPLAY_WINDOW_SECONDS * 2))) {
            throw errors.forbidden('This callback was already received.');
          }
        },
      },
      async (req) => services.previews.workerCallback(req.params.id, req.body),
    );
  };
}
