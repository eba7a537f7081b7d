import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build` puts the web app (apps/web/dist), the same from src/ and from dist/. */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/**
 * The web app's policy: scripts, styles, fonts and images from this origin only, no inline script or style
 * element, calls to this origin only. CodeMirror's styles go through constructable stylesheets, which CSP allows.
 */
export const WEB_APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

// Path prefixes the server owns: never answered with the app, so their unknown URLs keep the JSON 404 envelope.
const SERVER_PREFIXES = [
  '/api',
  '/health',
  '/docs',
  '/p',
  '/metrics',
  '/storage',
  '/internal',
  '/assets',
  '/favicon.ico',
];
// The app's own first path segments (apps/web/src/main.tsx): these answer 200, any other URL the app's 404 page.
const APP_PREFIXES = ['/login', '/register', '/account', '/projects', '/notifications', '/admin'];

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

const within = (url: string, prefixes: readonly string[]) =>
  prefixes.some((p) => url === p || url.startsWith(`${p}/`) || url.startsWith(`${p}?`));

const notBuiltPage = (dir: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HiveSync: the web app is not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>HiveSync is running, but its web app is not built</h1>
<p>This server found no web app in <code>${dir.replace(/[&<>]/g, '')}</code>. Build it from the repository root with</p>
<pre>npm run build</pre>
<p>(or <code>npm start</code>, which builds first), then reload this page. The API works meanwhile:
see <a href="/docs">the API docs</a>; the command-line client needs no web app.</p>
</body></html>
`;

/**
 * `/`: the web app (apps/web). `/assets/*` are content-hashed files, cached for a year as immutable and sent
 * gzip-compressed when the browser accepts it; index.html is answered for the app's URLs, never cached, with a
 * strict CSP. URLs under the server's own prefixes (/api, /health, /docs, /p…) never get the app: their unknown
 * routes answer the JSON not_found envelope. Without a build, `/` says how to make one.
 */
export function webAppRoutes(options: { dir?: string } = {}): FastifyPluginAsync {
  const dir = options.dir ?? WEB_DIST;
  return async (app) => {
    const indexFile = path.join(dir, 'index.html');
    const built = fs.existsSync(indexFile);
    const index = built ? fs.readFileSync(indexFile) : Buffer.from(notBuiltPage(dir));
    // Only files that exist at start-up are served (a fixed list: no path from the URL reaches the filesystem).
    const assetsDir = path.join(dir, 'assets');
    const assets = new Map<string, string>();
    if (built && fs.existsSync(assetsDir)) {
      for (const name of fs.readdirSync(assetsDir)) assets.set(name, path.join(assetsDir, name));
    }
    const gzipped = new Map<string, Buffer>();

    const sendIndex = (reply: FastifyReply, status: number) =>
      reply
        .code(built ? status : 503)
        .type('text/html; charset=utf-8')
        .header('content-security-policy', built ? WEB_APP_CSP : "default-src 'none'; style-src 'unsafe-inline'")
        .header('cache-control', 'no-cache')
        .header('referrer-policy', 'no-referrer')
        .header('x-content-type-options', 'nosniff')
        .send(index);

    app.get('/', { schema: { hide: true } }, async (_req, reply) => sendIndex(reply, 200));

    app.get<{ Params: { name: string } }>('/assets/:name', { schema: { hide: true } }, async (req, reply) => {
      const file = assets.get(req.params.name);
      if (!file) return reply.callNotFound();
      const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
      void reply
        .type(type)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .header('vary', 'accept-encoding');
      const body = await fs.promises.readFile(file);
      if (
        body.length > 1024 &&
        /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) &&
        !type.startsWith('image/png') &&
        type !== 'font/woff2'
      ) {
        let zipped = gzipped.get(file);
        if (!zipped) {
          zipped = zlib.gzipSync(body);
          gzipped.set(file, zipped);
        }
        return reply.header('content-encoding', 'gzip').send(zipped);
      }
      return reply.send(body);
    });

    // Every other GET: the app's routes (client-side routing) unless the server owns the prefix.
    app.get('/*', { schema: { hide: true } }, async (req: FastifyRequest, reply) => {
      const url = req.url;
      if (within(url, SERVER_PREFIXES)) return reply.callNotFound();
      return sendIndex(reply, within(url, APP_PREFIXES) ? 200 : 404);
    });
  };
}
