import { createReadStream } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { errors } from '@hivesync/core';
import { assertKey, type FsStorage } from '../infra/storage.js';

/**
 * /storage/*: the presigned URLs of the local-files driver, served by the API itself. Only a valid, unexpired
 * HMAC signature for that method and key is accepted (checked in constant time); no other authentication applies,
 * exactly like an S3 presigned URL. Unlike S3, an upload is also refused once its purpose is over (`uploadGate`
 * throws: a preview already completed, expired or gone), so an upload URL works until its upload is used.
 */
export function storageRoutes(
  storage: FsStorage,
  options: {
    maxUploadBytes: number;
    /** Throws the error to answer when `key` may not be uploaded to any more. */
    uploadGate: (key: string) => Promise<void>;
  },
): FastifyPluginAsync {
  return async (app) => {
    // Uploads are streamed to disk as they arrive, whatever their content type.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

    const authorize = (method: 'PUT' | 'GET', key: string, query: Record<string, string | undefined>) => {
      try {
        assertKey(key);
      } catch {
        throw errors.notFound('object');
      }
      const expires = Number(query.expires);
      if (query.method !== method || !Number.isInteger(expires) || typeof query.signature !== 'string') {
        throw errors.forbidden('This URL is not signed for this request.');
      }
      const verdict = storage.signer.verify({ method, key, expires }, query.signature);
      if (verdict === 'invalid') throw errors.forbidden('The URL signature is not valid.');
      if (verdict === 'expired') throw errors.forbidden('The URL has expired; ask for a new one.');
    };

    app.put<{ Params: { '*': string }; Querystring: Record<string, string | undefined> }>(
      '/storage/*',
      { schema: { hide: true }, bodyLimit: options.maxUploadBytes },
      async (req, reply) => {
        const key = req.params['*'];
        authorize('PUT', key, req.query);
        await options.uploadGate(key);
        const declared = Number(req.headers['content-length']);
        if (Number.isFinite(declared) && declared > options.maxUploadBytes) {
          throw errors.payloadTooLarge(`The upload is above the ${options.maxUploadBytes}-byte limit.`);
        }
        if (!(await storage.putStream(key, req.raw, options.maxUploadBytes))) {
          throw errors.payloadTooLarge(`The upload is above the ${options.maxUploadBytes}-byte limit.`);
        }
        return reply.code(200).send({ stored: true });
      },
    );
    app.get<{ Params: { '*': string }; Querystring: Record<string, string | undefined> }>(
      '/storage/*',
      { schema: { hide: true } },
      async (req, reply) => {
        const key = req.params['*'];
        authorize('GET', key, req.query);
        const head = await storage.head(key);
        if (!head) throw errors.notFound('object');
        return reply
          .header('content-type', 'application/octet-stream')
          .header('content-length', String(head.size))
          .header('cache-control', 'private, max-age=60')
          .header('access-control-allow-origin', '*')
          .send(createReadStream(storage.file(key)));
      },
    );
  };
}
