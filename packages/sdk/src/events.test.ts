import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Notification } from '@hivesync/core';
import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './events.api.js';
import { HiveSyncClient, HiveSyncError, MAX_STREAM_BACKOFF_MS, STREAM_RETRY_MS, type StreamOpen } from './index.js';
import { isSyncProgress, type LiveEvent } from './events.api.js';
import { startServer } from './test/server.js';

/** One request the fake server got; `closed` resolves when its connection closes (the client went away). */
interface Connection {
  n: number;
  path: string;
  headers: IncomingMessage['headers'];
  res: ServerResponse;
  closed: Promise<void>;
}

type Handler = (conn: Connection) => void | Promise<void>;

/** A real HTTP server on 127.0.0.1; `handler` gets every request, numbered from 1, and answers it. */
async function fakeServer(handler: Handler): Promise<{ url: string; connections: Connection[] }> {
  const connections: Connection[] = [];
  const server = await startServer((req, res) => {
    req.resume();
    const conn: Connection = {
      n: connections.length + 1,
      path: new URL(req.url ?? '/', 'http://x').pathname,
      headers: req.headers,
      res,
      closed: new Promise((resolve) => res.once('close', () => resolve())),
    };
    connections.push(conn);
    void Promise.resolve(handler(conn)).catch((err: unknown) => {
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  });
  return { url: server.url, connections };
}

/** Starts an event stream answer, the way the server does. */
function open(res: ServerResponse, first = 'retry: 20\n\n'): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.write(first);
}

function envelope(res: ServerResponse, status: number, code: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(
    JSON.stringify({
      error: { code, message: `${code}.`, request_id: 'r1', retryable: status >= 500 || status === 429 },
    }),
  );
}

function notification(id: string, message = `hello ${id}`): Notification {
  return {
    notification_id: id,
    user_id: 'u1',
    project_id: null,
    type: 'thread_reply',
    payload: { message },
    created_at: '2025-01-01T00:00:00.000Z',
    read_at: null,
  };
}

const event = (seq: number, n: Notification) => `id: ${seq}\nevent: notification\ndata: ${JSON.stringify(n)}\n\n`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs stream() until `until` says stop (it gets what was received so far), and records every callback. */
async function follow(
  client: HiveSyncClient,
  until: (got: { notifications: [string, string | null][]; retries: [string, number][] }) => boolean,
  extra: { lastEventId?: string; openTimeoutMs?: number; idleTimeoutMs?: number } = {},
) {
  const controller = new AbortController();
  const got = {
    notifications: [] as [string, string | null][],
    retries: [] as [string, number][],
    opens: [] as StreamOpen[],
  };
  const check = () => {
    if (until(got)) controller.abort();
  };
  const done = client.events.stream({
    ...extra,
    signal: controller.signal,
    onNotification: (n, id) => {
      got.notifications.push([n.notification_id, id]);
      check();
    },
    onOpen: (o) => void got.opens.push(o),
    onRetry: (err, wait) => {
      got.retries.push([err.code, wait]);
      check();
    },
  });
  return { done, got, controller };
}

describe('events.stream()', () => {
  it('parses notifications split across chunks, with CRLF line ends, multi-line data and UTF-8 split mid-character', async () => {
    const accented = notification('n2', 'héllo wörld 😀');
    const bytes = Buffer.from(event(2, accented).replaceAll('\n', '\r\n'));
    const emoji = bytes.indexOf(Buffer.from('😀'));
    const multiLine = `id: 3\nevent: notification\ndata: {"notification_id":"n3",\ndata: "type":"task_assigned"}\n\n`;
    const server = await fakeServer(async ({ res }) => {
      open(res);
      // One event split in the middle of its `event:` line, and a CRLF split between its CR and its LF.
      const first = event(1, notification('n1')).replaceAll('\n', '\r\n');
      const cut = first.indexOf('notif') + 3;
      res.write(`: heartbeat\r\n\r\n${first.slice(0, cut)}`);
      await pause(20);
      res.write(first.slice(cut, -1));
      await pause(20);
      res.write(first.slice(-1));
      await pause(20);
      // The second event's bytes split inside the 4-byte UTF-8 sequence of the emoji.
      res.write(bytes.subarray(0, emoji + 2));
      await pause(20);
      res.write(bytes.subarray(emoji + 2));
      // Events of other types and unnamed ones are not notifications.
      res.write('event: other\ndata: {}\n\ndata: {"notification_id":"x"}\n\n');
      res.write(multiLine);
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const payloads: unknown[] = [];
    const controller = new AbortController();

    await client.events.stream({
      signal: controller.signal,
      onNotification: (n, id) => {
        payloads.push([id, n.notification_id, n.payload?.message ?? n.type]);
        if (payloads.length === 3) controller.abort();
      },
    });

    expect(payloads).toEqual([
      ['1', 'n1', 'hello n1'],
      ['2', 'n2', 'héllo wörld 😀'],
      ['3', 'n3', 'task_assigned'],
    ]);
    const [conn] = server.connections;
    expect(conn!.path).toBe('/api/v1/events');
    expect(conn!.headers).toMatchObject({ accept: 'text/event-stream', authorization: 'Bearer a1' });
    expect(conn!.headers['last-event-id']).toBeUndefined();
  });

  it('reconnects after a dropped connection with Last-Event-ID, after the retry time the server set', async () => {
    const server = await fakeServer(async ({ n, res }) => {
      open(res, 'retry: 30\n\n');
      if (n === 1) {
        res.write(event(5, notification('n5')));
        res.write('id: 6\nevent: notification\ndata: {"notification_id":"lost"'); // cut off: never dispatched
        res.end();
      } else if (n === 2) {
        res.write(event(6, notification('n6')));
        await pause(50);
        res.socket?.destroy(); // broken off, not ended
      } else {
        res.write(event(7, notification('n7')));
      }
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    const { done, got } = await follow(client, (g) => g.notifications.length === 3, { lastEventId: '4' });
    await done;

    expect(got.notifications).toEqual([
      ['n5', '5'],
      ['n6', '6'],
      ['n7', '7'],
    ]);
    expect(server.connections.map((c) => c.headers['last-event-id'])).toEqual(['4', '5', '6']);
    expect(got.opens).toEqual([
      { lastEventId: '4', reconnected: false },
      { lastEventId: '5', reconnected: true },
      { lastEventId: '6', reconnected: true },
    ]);
    expect(got.retries).toEqual([
      ['stream_closed', 0.03],
      ['network_error', 0.03],
    ]);
  });

  it('backs off from 1 s, doubling after each failed attempt, and starts over once a connection opens', async () => {
    const server = await fakeServer(({ n, res }) => {
      if (n === 1) return envelope(res, 503, 'service_unavailable');
      // The first wait is the default 1 s; every stream after it sets retry: 20, so the test does not wait seconds.
      if (n === 2 || n === 5) {
        open(res);
        return void res.end();
      }
      if (n <= 4) return void res.socket?.destroy();
      if (n <= 7) return envelope(res, 502, 'internal_error');
      open(res);
      res.write(event(1, notification('n1')));
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const retried: [string, number][] = [];
    const controller = new AbortController();

    await client.events.stream({
      signal: controller.signal,
      onNotification: () => controller.abort(),
      onRetry: (err, wait) => void retried.push([err.code, wait]),
    });

    expect(retried).toEqual([
      ['service_unavailable', STREAM_RETRY_MS / 1000],
      ['stream_closed', 0.02],
      ['network_error', 0.04],
      ['network_error', 0.08],
      ['stream_closed', 0.02],
      ['internal_error', 0.04],
      ['internal_error', 0.08],
    ]);
    expect(server.connections).toHaveLength(8);
  });

  it('computes waits that double up to 30 s, and honours a longer retry from the server', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((f) => reconnectDelay(1000, f))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    expect(reconnectDelay(3000, 0)).toBe(3000);
    expect(reconnectDelay(3000, 4)).toBe(MAX_STREAM_BACKOFF_MS);
    expect(reconnectDelay(45_000, 3)).toBe(45_000);
  });

  it('waits Retry-After when the server asks for longer', async () => {
    const server = await fakeServer(({ res }) => envelope(res, 429, 'rate_limited', { 'retry-after': '7' }));
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    const { done, got } = await follow(client, (g) => g.retries.length === 1);
    await done;

    expect(got.retries).toEqual([['rate_limited', 7]]);
  });

  it('refreshes an expired access token and opens the stream with the new one', async () => {
    const tokens: unknown[] = [];
    const server = await fakeServer(({ path, headers, res }) => {
      if (path === '/api/v1/auth/refresh') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ access_token: 'a2', refresh_token: 'r2' }));
      }
      if (headers.authorization !== 'Bearer a2') return envelope(res, 401, 'token_expired');
      open(res);
      res.write(event(1, notification('n1')));
    });
    const client = new HiveSyncClient({
      baseUrl: server.url,
      accessToken: 'a1',
      refreshToken: 'r1',
      onTokens: (t) => void tokens.push(t),
    });

    const { done, got } = await follow(client, (g) => g.notifications.length === 1);
    await done;

    expect(got.notifications).toEqual([['n1', '1']]);
    expect(got.retries).toEqual([]);
    expect(server.connections.map((c) => c.path)).toEqual(['/api/v1/events', '/api/v1/auth/refresh', '/api/v1/events']);
    expect(tokens).toEqual([{ accessToken: 'a2', refreshToken: 'r2' }]);
  });

  it.each([
    ['unauthorized', 401, (res: ServerResponse) => envelope(res, 401, 'unauthorized')],
    ['not_found', 404, (res: ServerResponse) => envelope(res, 404, 'not_found')],
    [
      'not_event_stream',
      200,
      (res: ServerResponse) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>Sign in to the proxy</html>');
      },
    ],
  ])('rejects without retrying on %s', async (code, status, answer) => {
    const server = await fakeServer(({ res }) => answer(res));
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    const { done, got } = await follow(client, () => false);
    const err = await done.then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(HiveSyncError);
    expect(err).toMatchObject({ code, status, retryable: false });
    expect(got.retries).toEqual([]);
    expect(server.connections).toHaveLength(1);
  });

  it('resolves when aborted, and closes the connection', async () => {
    const server = await fakeServer(({ res }) => open(res));
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const controller = new AbortController();
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));

    const done = client.events.stream({ signal: controller.signal, onNotification: () => undefined, onOpen: opened });
    await isOpen;
    controller.abort();

    await expect(done).resolves.toBeUndefined();
    await server.connections[0]!.closed;
  });

  it('resolves at once when aborted while waiting to reconnect', async () => {
    const server = await fakeServer(({ res }) => {
      open(res, 'retry: 60000\n\n');
      res.end();
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    const started = Date.now();
    const { done, got } = await follow(client, (g) => g.retries.length === 1);
    await done;

    expect(got.retries).toEqual([['stream_closed', 60]]);
    // Not after the 60 s the server asked for (half of it leaves room for a loaded machine).
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('passes live events (sync_progress) to onEvent in order with notifications, keeping the last event id', async () => {
    const sync = { sync_id: 's1', project_id: 'p1', status: 'updating_files' };
    const server = await fakeServer(({ n, res }) => {
      open(res);
      if (n === 1) {
        res.write(event(4, notification('n1')));
        res.write(`event: sync_progress\ndata: ${JSON.stringify(sync)}\n\n`);
        // Not JSON, not an object, or unnamed: skipped, the stream goes on.
        res.write('event: sync_progress\ndata: nope\n\nevent: sync_progress\ndata: [1]\n\ndata: {"a":1}\n\n');
        res.write(`event: something_new\ndata: {"x":1}\n\n`);
        res.end();
      } else {
        res.write(event(5, notification('n2')));
      }
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const controller = new AbortController();
    const seen: unknown[] = [];

    await client.events.stream({
      signal: controller.signal,
      onNotification: (n, id) => {
        seen.push(['notification', n.notification_id, id]);
        if (n.notification_id === 'n2') controller.abort();
      },
      onEvent: (e: LiveEvent) => void seen.push([e.type, e.data, isSyncProgress(e)]),
    });

    expect(seen).toEqual([
      ['notification', 'n1', '4'],
      ['sync_progress', sync, true],
      ['something_new', { x: 1 }, false],
      ['notification', 'n2', '5'],
    ]);
    // The live events carry no id: the reconnection resumes after the last notification.
    expect(server.connections[1]!.headers['last-event-id']).toBe('4');
  });

  it('skips live events without onEvent, as clients from before them do', async () => {
    const server = await fakeServer(({ res }) => {
      open(res);
      res.write('event: sync_progress\ndata: {"sync_id":"s1","status":"running"}\n\n');
      res.write(event(1, notification('n1')));
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const controller = new AbortController();
    const ids: string[] = [];
    await client.events.stream({
      signal: controller.signal,
      onNotification: (n) => {
        ids.push(n.notification_id);
        controller.abort();
      },
    });
    expect(ids).toEqual(['n1']);
  });

  it('rejects with the exception of onNotification', async () => {
    const server = await fakeServer(({ res }) => {
      open(res);
      res.write(event(1, notification('n1')));
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const boom = new Error('the callback failed');

    const done = client.events.stream({
      signal: new AbortController().signal,
      onNotification: () => {
        throw boom;
      },
    });

    await expect(done).rejects.toBe(boom);
  });

  it('stops, without reconnecting, when the server closes the stream on purpose (too many streams)', async () => {
    const server = await fakeServer(({ res }) => {
      open(res);
      res.write(event(1, notification('n1')));
      res.end('event: closed\ndata: {"reason":"too_many_streams","message":"Too many open event streams."}\n\n');
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const seen: string[] = [];

    const done = client.events.stream({
      signal: new AbortController().signal,
      onNotification: (n) => void seen.push(n.notification_id),
    });

    await expect(done).rejects.toMatchObject({ code: 'too_many_streams', retryable: false });
    expect(seen).toEqual(['n1']);
    expect(server.connections).toHaveLength(1);
  });

  it('fails a connection that sends nothing in time with stream_timeout, then one that goes silent', async () => {
    const server = await fakeServer(async ({ n, res }) => {
      if (n === 1) {
        res.writeHead(200, { 'content-type': 'text/event-stream' }); // headers, then nothing: a buffering proxy
        return;
      }
      open(res, 'retry: 10\n\n');
      res.write(event(n, notification(`n${n}`))); // then silence
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    const { done, got } = await follow(client, (g) => g.retries.length === 3, {
      openTimeoutMs: 100,
      idleTimeoutMs: 150,
    });
    await done;

    expect(got.retries.map(([code]) => code)).toEqual(['stream_timeout', 'stream_timeout', 'stream_timeout']);
    expect(got.notifications).toEqual([
      ['n2', '2'],
      ['n3', '3'],
    ]);
    expect(got.opens.map((o) => o.reconnected)).toEqual([false, true]);
    await server.connections[0]!.closed;
  });
});

describe('events.ticket()', () => {
  it('POSTs /events/ticket', async () => {
    const server = await fakeServer(({ res }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ticket: 'hst_x', expires_in: 60 }));
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    expect(await client.events.ticket()).toEqual({ ticket: 'hst_x', expires_in: 60 });
    expect(server.connections[0]).toMatchObject({ path: '/api/v1/events/ticket' });
    expect(server.connections[0]!.headers.authorization).toBe('Bearer a1');
  });
});
