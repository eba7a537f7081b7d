import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CredentialStore, type ServerCredentials } from '../credentials.js';

/** A fake HiveSync API started by `startFakeApi`. */
export interface FakeApi {
  /** `http://127.0.0.1:PORT`, what the tests pass as `--server`. */
  url: string;
  /** A new temp dir, to use as XDG_CONFIG_HOME (the credentials are in `hivesync/credentials.json` under it). */
  dir: string;
  server: http.Server;
  /** Drops every open connection (event streams included), closes the server and removes `dir`. */
  stop(): Promise<void>;
}

/** The session stored by default: logged in as a@example.com (user u1) with access token a1 and no refresh token. */
const CREDENTIALS: ServerCredentials = {
  access_token: 'a1',
  refresh_token: null,
  email: 'a@example.com',
  user_id: 'u1',
  updated_at: '2025-01-01T00:00:00.000Z',
};

/**
 * Starts `handler` as the API on 127.0.0.1 (a free port) and makes a new temp dir holding a session for its URL:
 * `CREDENTIALS` with `options.credentials` over them, or no session at all when `options.credentials` is null.
 * The command tests start one in `beforeEach` and `stop()` it in `afterEach`.
 */
export async function startFakeApi(
  handler: http.RequestListener,
  options: { credentials?: Partial<ServerCredentials> | null } = {},
): Promise<FakeApi> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hivesync-cli-'));
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (options.credentials !== null) {
    await new CredentialStore(path.join(dir, 'hivesync', 'credentials.json')).set(url, {
      ...CREDENTIALS,
      ...options.credentials,
    });
  }
  return {
    url,
    dir,
    server,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** One request as the fake API saw it, its body read whole (parsed as JSON when there is one). */
export interface SeenRequest {
  method: string;
  path: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** A handler that gets each request once its body has arrived. */
export function onRequest(handle: (seen: SeenRequest, res: http.ServerResponse) => void): http.RequestListener {
  return (req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body: unknown = text ? JSON.parse(text) : undefined;
      handle({ method: req.method ?? '', path: url.pathname, url, headers: req.headers, body }, res);
    });
  };
}

/** Answers `status` with `body` as JSON, or with no body when it is undefined. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}
