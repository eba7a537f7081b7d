import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';

const PAGE = fileURLToPath(new URL('../../home/index.html', import.meta.url));

// A static page with its own stylesheet inline and no script at all.
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * `/`: until the web app is served there, a small page that says what this server is, its version, and how to start
 * with the CLI, so a person who opens the address in a browser is not answered with JSON.
 */
export function homeRoutes(options: { version: string }): FastifyPluginAsync {
  const page = fs.readFileSync(PAGE, 'utf8').replaceAll('{{version}}', escapeHtml(options.version));
  return async (app) => {
    app.get('/', { schema: { hide: true } }, async (req, reply) => {
      const origin = `${req.protocol}://${req.host}`;
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', CSP)
        .header('referrer-policy', 'no-referrer')
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-cache')
        .send(page.replaceAll('{{origin}}', escapeHtml(origin)));
    });
  };
}
