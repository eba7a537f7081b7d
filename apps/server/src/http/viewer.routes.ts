import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

const ASSETS = fileURLToPath(new URL('../../viewer/', import.meta.url));

// The bundle runs in a sandboxed iframe built from srcdoc, which inherits this policy: its inline script must
// be allowed, while the iframe's sandbox (no allow-same-origin) keeps it away from this page and the API.
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  'img-src * data: blob:',
  'connect-src *',
  "frame-src 'self' about: blob: data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** /p: the web preview viewer (type a code, the web bundle renders in a sandboxed iframe). */
export function viewerRoutes(): FastifyPluginAsync {
  const page = fs.readFileSync(`${ASSETS}index.html`, 'utf8');
  const assets: Record<string, { body: string; type: string }> = {
    'viewer.js': { body: fs.readFileSync(`${ASSETS}viewer.js`, 'utf8'), type: 'text/javascript; charset=utf-8' },
    'viewer.css': { body: fs.readFileSync(`${ASSETS}viewer.css`, 'utf8'), type: 'text/css; charset=utf-8' },
  };
  return async (app) => {
    const sendPage = async (_req: unknown, reply: FastifyReply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', CSP)
        .header('referrer-policy', 'no-referrer')
        .header('x-content-type-options', 'nosniff')
        .send(page);
    app.get('/p', { schema: { hide: true } }, sendPage);
    app.get('/p/:code', { schema: { hide: true } }, sendPage);
    app.get<{ Params: { name: string } }>('/p/assets/:name', { schema: { hide: true } }, async (req, reply) => {
      const asset = assets[req.params.name];
      if (!asset) return reply.callNotFound();
      return reply
        .type(asset.type)
        .header('cache-control', 'public, max-age=300')
        .header('x-content-type-options', 'nosniff')
        .send(asset.body);
    });
  };
}
