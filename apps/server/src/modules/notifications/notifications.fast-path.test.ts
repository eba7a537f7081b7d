import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.js';
import { backends, registerUser, startTestServer, type TestServer } from '../../test/harness.js';
import { unchangedPollFastPath } from './notifications.fast-path.js';

const PATH = '/api/v1/notifications';
/** The status the test server below answers when the fast path handed the request on (Fastify's turn). */
const HANDED_ON = 599;

describe.each(backends())('the unchanged poll fast path on $name', (backend) => {
  let server: TestServer;
  let user: { token: string; id: string };
  let fast: http.Server;
  let fastUrl: string;
  const logLines: string[] = [];
  /** The server's own listener (Fastify behind the same fast path). */
  let url: string;

  /** Starts a bare HTTP server running only the fast path, with `trustProxy`; the rest answers HANDED_ON. */
  const fastServer = async (trustProxy: boolean) => {
    const { services, infra } = server.runtime;
    const path = unchangedPollFastPath({
      path: PATH,
      verify: (token) => services.auth.verifyAccessToken(token),
      notifications: services.notifications,
      metrics: infra.metrics,
      logger: createLogger('info', { write: (line: string) => void logLines.push(line) }),
      trustProxy,
    });
    const s = http.createServer((req, res) => {
      const answered = path(req, res);
      void Promise.resolve(answered).then((done) => done || res.writeHead(HANDED_ON).end());
    });
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return { server: s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` };
  };

  const etagOf = async (token: string, query = '', headers: Record<string, string> = {}) => {
    const res = await server.request({ method: 'GET', url: `${PATH}${query}`, token, headers });
    expect(res.statusCode).toBe(200);
    return String(res.headers.etag);
  };

  beforeAll(async () => {
    server = await startTestServer(backend, {}, { listen: true });
    url = server.url!;
    user = await registerUser(server);
    ({ server: fast, url: fastUrl } = await fastServer(false));
  });
  afterAll(async () => {
    fast?.close();
    await server?.stop();
  });

  const get = (base: string, query: string, headers: Record<string, string>, method = 'GET') =>
    fetch(`${base}${PATH}${query}`, { method, headers });

  it('answers the 304 the route answers, with the same headers, and counts and logs it', async () => {
    const etag = await etagOf(user.token);
    const viaRoute = await server.request({
      method: 'GET',
      url: PATH,
      token: user.token,
      headers: { 'if-none-match': etag },
    });
    const before = await server.runtime.infra.metrics.httpDuration.get();
    const count = () =>
      before.values.find(
        (v) =>
          v.metricName === 'hivesync_http_request_duration_seconds_count' &&
          v.labels.route === PATH &&
          v.labels.status === '304',
      )?.value ?? 0;
    const counted = count();
    const res = await get(fastUrl, '', {
      authorization: `Bearer ${user.token}`,
      'if-none-match': etag,
      'x-request-id': 'poll-1',
    });
    expect(res.status).toBe(304);
    for (const h of ['etag', 'x-poll-interval', 'cache-control']) expect(res.headers.get(h)).toBe(viaRoute.headers[h]);
    expect(res.headers.get('x-request-id')).toBe('poll-1');
    // A 304 carries validators and cache headers only, as the route's does.
    expect(res.headers.get('content-security-policy')).toBeNull();
    expect(viaRoute.headers['content-security-policy']).toBeUndefined();
    const after = await server.runtime.infra.metrics.httpDuration.get();
    const now = after.values.find(
      (v) =>
        v.metricName === 'hivesync_http_request_duration_seconds_count' &&
        v.labels.route === PATH &&
        v.labels.status === '304',
    )?.value;
    expect(now).toBe(counted + 1);
    const line = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.reqId === 'poll-1');
    expect(line).toMatchObject({ msg: 'request', method: 'GET', url: PATH, status: 304, user_id: user.id });
  });

  it('answers a query and a client the route takes, each with its own ETag', async () => {
    const query = '?limit=5&unread_only=true&types=thread_reply,thread_mention';
    const etag = await etagOf(user.token, query);
    const auth = { authorization: `Bearer ${user.token}` };
    expect((await get(fastUrl, query, { ...auth, 'if-none-match': etag })).status).toBe(304);
    // Another query's ETag is not this one's.
    expect((await get(fastUrl, '?limit=6', { ...auth, 'if-none-match': etag })).status).toBe(HANDED_ON);
    const vscode = await etagOf(user.token, '', { 'x-hivesync-client': 'vscode' });
    expect((await get(fastUrl, '', { ...auth, 'if-none-match': vscode, 'x-hivesync-client': 'vscode' })).status).toBe(
      304,
    );
    expect((await get(fastUrl, '', { ...auth, 'if-none-match': vscode })).status).toBe(HANDED_ON);
  });

  it('hands on everything it is not sure of, untouched', async () => {
    const etag = await etagOf(user.token);
    const ok = { authorization: `Bearer ${user.token}`, 'if-none-match': etag };
    const handedOn: [string, Record<string, string>, string?][] = [
      ['', { authorization: ok.authorization }], // no If-None-Match
      ['', { ...ok, 'if-none-match': 'W/"n0-other"' }], // changed
      ['', { 'if-none-match': etag }], // no token
      ['', { ...ok, authorization: 'Bearer not-a-token' }],
      ['', { ...ok, authorization: `Basic ${user.token}` }],
      ['?limit=0', ok], // the route refuses it
      ['?limit=5&limit=6', ok], // repeated
      ['?since=%00', ok], // encoded (and refused by the route)
      ['?since=1&before=2', ok], // refused by the service
      ['', { ...ok, 'x-hivesync-client': 'NOT OK' }],
      ['', ok, 'POST'],
      ['/', ok],
    ];
    for (const [query, headers, method] of handedOn) {
      expect(
        (await get(fastUrl, query, headers, method)).status,
        `${method ?? 'GET'} ${query} ${JSON.stringify(headers)}`,
      ).toBe(HANDED_ON);
    }
    // Behind trusted proxies, the client's address and scheme are Fastify's to work out.
    const behindProxy = await fastServer(true);
    try {
      expect((await get(behindProxy.url, '', { ...ok, 'x-forwarded-for': '203.0.113.9' })).status).toBe(HANDED_ON);
      expect((await get(behindProxy.url, '', ok)).status).toBe(304);
    } finally {
      behindProxy.server.close();
    }
  });

  it('stops answering for a disabled user at once, and the route refuses the token', async () => {
    const other = await registerUser(server);
    const etag = await etagOf(other.token);
    const headers = { authorization: `Bearer ${other.token}`, 'if-none-match': etag };
    expect((await get(fastUrl, '', headers)).status).toBe(304);
    const disabled = await server.request({
      method: 'PATCH',
      url: `/api/v1/admin/users/${other.id}`,
      token: server.admin.token,
      body: { disabled: true },
    });
    expect(disabled.statusCode).toBe(200);
    expect((await get(fastUrl, '', headers)).status).toBe(HANDED_ON);
    const refused = await get(url, '', headers);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('on the server itself: 304 while nothing changed, then the new page from the route', async () => {
    const etag = await etagOf(user.token);
    const headers = { authorization: `Bearer ${user.token}`, 'if-none-match': etag };
    expect((await get(url, '', headers)).status).toBe(304);
    const sent = await server.request({
      method: 'POST',
      url: '/api/v1/admin/broadcast',
      token: server.admin.token,
      body: { message: 'maintenance at noon' },
    });
    expect(sent.statusCode).toBeLessThan(300);
    const changed = await get(url, '', headers);
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(changed.headers.get('content-security-policy')).not.toBeNull();
    const body = (await changed.json()) as { notifications: { message?: string; body?: string }[] };
    expect(JSON.stringify(body.notifications)).toContain('maintenance at noon');
  });
});
