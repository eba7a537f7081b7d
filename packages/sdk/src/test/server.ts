import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

/** A real HTTP server started by `startServer`. */
export interface TestServer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Drops every open connection (event streams included) and closes the server; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts `handler` as a real HTTP server on 127.0.0.1 (a free port), for the SDK to call over the network. Call it
 * inside a test: the server is closed when that test finishes, if the test has not closed it already.
 */
export async function startServer(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  onTestFinished(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
}
