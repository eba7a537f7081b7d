/**
 * Serves the mobile app's web export (apps/mobile/dist) and forwards the API and storage paths to a HiveSync server,
 * so that the app and the API share one origin: the server sends no CORS headers, and a browser refuses a page's
 * calls to another origin without them. `npm run mobile` runs this; the end-to-end test imports serveMobileWeb.
 *
 *   HIVESYNC_SERVER_URL=http://127.0.0.1:8080 PORT=8090 npx tsx apps/mobile/scripts/serve-web.mts
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Paths that belong to the server, not to the app. */
const FORWARDED = /^\/(api|storage)\//;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.css': 'text/css',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.svg': 'image/svg+xml',
  '.ttf': 'font/ttf',
};

/** A running web server of the export. */
export interface MobileWebServer {
  url: string;
  /** Where the API is forwarded to (can be set after start, when the server needs this URL first). */
  setUpstream(url: string): void;
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1:`port` (0: any free port) and forwards /api/ and /storage/ to `upstream`. */
export async function serveMobileWeb(options: {
  dir: string;
  upstream?: string;
  port?: number;
}): Promise<MobileWebServer> {
  let upstream = options.upstream ?? '';
  const root = path.resolve(options.dir);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (FORWARDED.test(url.pathname)) {
      if (!upstream) {
        res.writeHead(502).end('No HiveSync server configured (HIVESYNC_SERVER_URL).');
        return;
      }
      const target = new URL(url.pathname + url.search, upstream);
      const headers = { ...req.headers, host: target.host };
      const out = http.request(target, { method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`The HiveSync server at ${upstream} could not be reached: ${err.message}`);
      });
      req.pipe(out);
      return;
    }
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      file = path.join(root, 'index.html'); // a single-page app: every other path is the app
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
    });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setUpstream: (u) => {
      upstream = u;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dir = fileURLToPath(new URL('../dist', import.meta.url));
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    console.error(`No web export in ${dir}: run npm run export:web -w @hivesync/mobile first.`);
    process.exit(1);
  }
  const upstream = process.env.HIVESYNC_SERVER_URL ?? 'http://127.0.0.1:8080';
  const web = await serveMobileWeb({ dir, upstream, port: Number(process.env.PORT ?? 8090) });
  console.log(`HiveSync mobile (web) on ${web.url}, API forwarded to ${upstream}`);
}
