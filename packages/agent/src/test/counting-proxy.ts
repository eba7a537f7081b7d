import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the proxy saw. */
export interface SeenRequest {
  method: string;
  path: string;
  userAgent: string;
  authorized: boolean;
  /** The server's answer once it came: its status, and whether it was replayed for an Idempotency-Key. */
  answer?: { status: number; replayed: boolean };
}

/**
 * A reverse proxy in front of a HiveSync server for tests and benchmarks: it counts what reaches the server (every
 * request, and the event streams open right now), and can hold the next request to a path back for a while (to
 * kill the agent in the middle of a call).
 */
export interface CountingProxy {
  url: string;
  seen: SeenRequest[];
  /** Event streams (GET /api/v1/events) open through the proxy now. */
  openStreams(): number;
  /** Holds the next request whose path starts with `prefix` for `ms`; resolves when that request arrived. */
  delayNext(prefix: string, ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a counting proxy on 127.0.0.1 in front of `target`. */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const base = new URL(target);
  const seen: SeenRequest[] = [];
  let streams = 0;
  const delays: { prefix: string; ms: number; arrived: () => void }[] = [];
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    const entry: SeenRequest = {
      method: req.method ?? 'GET',
      path,
      userAgent: String(req.headers['user-agent'] ?? ''),
      authorized: req.headers.authorization !== undefined,
    };
    seen.push(entry);
    const i = delays.findIndex((d) => path.startsWith(d.prefix));
    const delay = i === -1 ? undefined : delays.splice(i, 1)[0];
    delay?.arrived();
    const isStream = req.method === 'GET' && path.split('?')[0] === '/api/v1/events';
    const forward = () => {
      const up = http.request(
        {
          host: base.hostname,
          port: base.port,
          method: req.method,
          path,
          headers: { ...req.headers, host: base.host },
          agent,
        },
        (upRes) => {
          entry.answer = {
            status: upRes.statusCode ?? 0,
            replayed: upRes.headers['idempotency-replayed'] === 'true',
          };
          if (isStream && upRes.statusCode === 200) {
            streams++;
            let counted = true;
            const done = () => {
              if (counted) streams--;
              counted = false;
            };
            upRes.once('close', done);
            res.once('close', done);
          }
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.once('error', () => res.destroy());
      res.once('close', () => up.destroy());
      req.pipe(up);
    };
    if (delay) setTimeout(forward, delay.ms);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    openStreams: () => streams,
    delayNext: (prefix, ms) => new Promise<void>((arrived) => delays.push({ prefix, ms, arrived })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
