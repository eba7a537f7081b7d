import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Notification, Sync, SyncStatus } from '@hivesync/core';
import { describe, expect, it, vi } from 'vitest';
import {
  HiveSyncClient,
  HiveSyncError,
  MAX_BACKOFF,
  SDK_VERSION,
  SYNC_POLL_RETRIES,
  backoffSeconds,
  type HiveSyncTokens,
} from './index.js';
import { startServer, type TestServer } from './test/server.js';

interface Received {
  method: string;
  /** The request target as sent (path and raw query string). */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

type Handler = (req: Received, res: ServerResponse) => void | Promise<void>;

interface FakeServer extends TestServer {
  received: Received[];
}

/** A real HTTP server on 127.0.0.1, answering with `handler` and recording every request. */
async function fakeServer(handler: Handler): Promise<FakeServer> {
  const received: Received[] = [];
  const server = await startServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const text = Buffer.concat(chunks).toString();
      const r: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      received.push(r);
      void Promise.resolve(handler(r, res)).catch((err: unknown) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
  });
  return { ...server, received };
}

function reply(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers });
  res.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
}

function envelope(code: string, message: string, extra: Record<string, unknown> = {}) {
  return { error: { code, message, request_id: 'req-123', retryable: false, ...extra } };
}

const project = {
  id: 'p1',
  name: 'demo',
  repo_url: null,
  branch: 'main',
  role: 'owner',
  created_at: '2025-01-01T00:00:00.000Z',
  last_synced_at: null,
  last_commit: null,
};

function notification(id: string): Notification {
  return {
    notification_id: id,
    user_id: 'u1',
    project_id: null,
    type: 'system_maintenance_warning',
    payload: { message: `hello ${id}` },
    created_at: '2025-01-01T00:00:00.000Z',
    read_at: null,
  };
}

async function rejection(promise: Promise<unknown>): Promise<HiveSyncError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HiveSyncError);
  return err as HiveSyncError;
}

describe('requests', () => {
  it('sends the bearer token, a User-Agent, JSON bodies under /api/v1, and X-Request-Id only when given', async () => {
    const server = await fakeServer((req, res) => reply(res, req.method === 'POST' ? 201 : 200, project));
    const client = new HiveSyncClient({ baseUrl: `${server.url}/`, accessToken: 'a1', userAgent: 'test-app/1.0' });

    const created = await client.projects.create({ name: 'demo' }, { requestId: 'my-id-1' });
    await client.projects.get('p 1/x');

    expect(created).toEqual(project);
    const [post, get] = server.received;
    expect(post).toMatchObject({ method: 'POST', path: '/api/v1/projects', body: { name: 'demo' } });
    expect(post!.headers.authorization).toBe('Bearer a1');
    expect(post!.headers['content-type']).toBe('application/json');
    expect(post!.headers['x-request-id']).toBe('my-id-1');
    expect(post!.headers['user-agent']).toMatch(new RegExp(`^test-app/1\\.0 hivesync-sdk/${SDK_VERSION}`));
    expect(get!.path).toBe('/api/v1/projects/p%201%2Fx');
    expect(get!.headers['x-request-id']).toBeUndefined();
    expect(get!.headers['content-type']).toBeUndefined();
  });

  it('calls health outside /api/v1, the deep report with the token (admins see more), and returns it for 503 too', async () => {
    const report = {
      status: 'fail',
      checks: Object.fromEntries(
        ['database', 'redis', 'storage', 'git', 'disk'].map((k) => [k, { status: 'fail', latency_ms: 1 }]),
      ),
    };
    const server = await fakeServer((req, res) =>
      req.path === '/health/deep' ? reply(res, 503, report) : reply(res, 200, { status: 'ok', version: '1.2.3' }),
    );
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    expect(await client.health.basic()).toEqual({ status: 'ok', version: '1.2.3' });
    expect(await client.health.deep()).toEqual(report);
    expect(server.received.map((r) => r.path)).toEqual(['/health', '/health/deep']);
    expect(server.received[0]!.headers.authorization).toBeUndefined();
    expect(server.received[1]!.headers.authorization).toBe('Bearer a1');
  });

  it('keeps SDK_VERSION equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(SDK_VERSION).toBe(pkg.version);
  });
});

describe('errors', () => {
  it('turns the error envelope into a HiveSyncError', async () => {
    const server = await fakeServer((_req, res) =>
      reply(res, 404, envelope('not_found', 'The project was not found.', { details: { id: 'p9' } })),
    );
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    const err = await rejection(client.projects.get('p9'));
    expect(err).toMatchObject({
      name: 'HiveSyncError',
      code: 'not_found',
      status: 404,
      message: 'The project was not found.',
      requestId: 'req-123',
      retryable: false,
      details: { id: 'p9' },
      retryAfter: undefined,
    });
  });

  it('reads Retry-After on rate_limited', async () => {
    const server = await fakeServer((_req, res) =>
      reply(res, 429, envelope('rate_limited', 'Too many requests; try again in 30 s.', { retryable: true }), {
        'retry-after': '30',
      }),
    );
    const client = new HiveSyncClient({ baseUrl: server.url });

    const err = await rejection(client.auth.login({ email: 'a@example.com', password: 'x' }));
    expect(err).toMatchObject({ code: 'rate_limited', status: 429, retryable: true, retryAfter: 30 });
  });

  it('maps a non-JSON error body to internal_error with the HTTP status', async () => {
    const server = await fakeServer((_req, res) =>
      reply(res, 502, '<html>Bad Gateway</html>', { 'content-type': 'text/html', 'x-request-id': 'proxy-1' }),
    );
    const client = new HiveSyncClient({ baseUrl: server.url });

    const err = await rejection(client.projects.list());
    expect(err).toMatchObject({ code: 'internal_error', status: 502, retryable: true, requestId: 'proxy-1' });
  });

  it('maps a refused connection to network_error with status 0', async () => {
    const server = await fakeServer((_req, res) => reply(res, 200, {}));
    await server.close();
    const client = new HiveSyncClient({ baseUrl: server.url });

    const err = await rejection(client.health.basic());
    expect(err).toMatchObject({ code: 'network_error', status: 0, retryable: true });
    expect(err.message).toContain(server.url);
  });

  it('rejects with the abort reason, not a HiveSyncError, when the caller aborts', async () => {
    const server = await fakeServer(() => undefined); // never answers
    const client = new HiveSyncClient({ baseUrl: server.url });
    const controller = new AbortController();

    const pending = client.health.basic({ signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('tokens', () => {
  /** A server whose access tokens are "a<n>": only the newest one is valid; refresh tokens are "r<n>". */
  async function tokenServer(options: { refreshStatus?: number } = {}) {
    let generation = 1;
    let refreshes = 0;
    const server = await fakeServer(async (req, res) => {
      if (req.path === '/api/v1/auth/refresh') {
        refreshes++;
        await new Promise((r) => setTimeout(r, 50)); // long enough for concurrent callers to pile up
        if (options.refreshStatus) return reply(res, options.refreshStatus, envelope('unauthorized', 'Log in again.'));
        expect(req.body).toEqual({ refresh_token: `r${generation}` });
        generation++;
        return reply(res, 200, {
          user: { id: 'u1', email: 'a@example.com', display_name: 'a', role: 'user' },
          access_token: `a${generation}`,
          token_type: 'Bearer',
          expires_in: 900,
          refresh_token: `r${generation}`,
        });
      }
      if (req.headers.authorization !== `Bearer a${generation}`) {
        return reply(res, 401, envelope('token_expired', 'The access token has expired.'));
      }
      return reply(res, 200, { projects: [project] });
    });
    return { server, refreshes: () => refreshes };
  }

  it('refreshes an expired token once for concurrent calls, tells onTokens, and retries each call once', async () => {
    const { server, refreshes } = await tokenServer();
    const seen: HiveSyncTokens[] = [];
    const client = new HiveSyncClient({
      baseUrl: server.url,
      accessToken: 'a0',
      refreshToken: 'r1',
      onTokens: (t) => void seen.push(t),
    });

    const results = await Promise.all([client.projects.list(), client.projects.list(), client.projects.list()]);

    expect(results).toEqual([{ projects: [project] }, { projects: [project] }, { projects: [project] }]);
    expect(refreshes()).toBe(1);
    expect(seen).toEqual([{ accessToken: 'a2', refreshToken: 'r2' }]);
    expect(client.tokens).toEqual({ accessToken: 'a2', refreshToken: 'r2' });
    const listed = server.received.filter((r) => r.path === '/api/v1/projects');
    expect(listed.map((r) => r.headers.authorization)).toEqual([
      'Bearer a0',
      'Bearer a0',
      'Bearer a0',
      'Bearer a2',
      'Bearer a2',
      'Bearer a2',
    ]);
  });

  it('never loops: a retry that is still token_expired is thrown', async () => {
    let refreshes = 0;
    const server = await fakeServer((req, res) => {
      if (req.path === '/api/v1/auth/refresh') {
        refreshes++;
        return reply(res, 200, { access_token: `a${refreshes}`, refresh_token: `r${refreshes}` });
      }
      return reply(res, 401, envelope('token_expired', 'The access token has expired.'));
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a0', refreshToken: 'r0' });

    const err = await rejection(client.auth.me());
    expect(err.code).toBe('token_expired');
    expect(refreshes).toBe(1);
    expect(server.received).toHaveLength(3);
  });

  it('does not refresh on unauthorized, nor without a refresh token', async () => {
    const server = await fakeServer((req, res) =>
      req.headers.authorization === 'Bearer bad'
        ? reply(res, 401, envelope('unauthorized', 'The access token is not valid.'))
        : reply(res, 401, envelope('token_expired', 'The access token has expired.')),
    );
    const bad = new HiveSyncClient({ baseUrl: server.url, accessToken: 'bad', refreshToken: 'r1' });
    const noRefresh = new HiveSyncClient({ baseUrl: server.url, accessToken: 'old' });

    expect((await rejection(bad.auth.me())).code).toBe('unauthorized');
    expect((await rejection(noRefresh.auth.me())).code).toBe('token_expired');
    expect(server.received.map((r) => r.path)).toEqual(['/api/v1/auth/me', '/api/v1/auth/me']);
  });

  it('forgets the tokens when the refresh token is refused', async () => {
    const { server } = await tokenServer({ refreshStatus: 401 });
    const seen: HiveSyncTokens[] = [];
    const client = new HiveSyncClient({
      baseUrl: server.url,
      accessToken: 'a0',
      refreshToken: 'r1',
      onTokens: (t) => void seen.push(t),
    });

    const err = await rejection(client.projects.list());
    expect(err).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(seen).toEqual([{ accessToken: null, refreshToken: null }]);
    expect(client.tokens).toEqual({ accessToken: null, refreshToken: null });
  });

  it('skips the refresh when refreshLock adopts tokens another process stored', async () => {
    const { server, refreshes } = await tokenServer();
    let locked = 0;
    const client: HiveSyncClient = new HiveSyncClient({
      baseUrl: server.url,
      accessToken: 'a0',
      refreshToken: 'r0',
      refreshLock: async (refresh) => {
        locked++;
        client.setTokens({ accessToken: 'a1', refreshToken: 'r1' }); // as if read back from a shared file
        await refresh();
      },
    });

    expect(await client.projects.list()).toEqual({ projects: [project] });
    expect(locked).toBe(1);
    expect(refreshes()).toBe(0);
  });

  it('login stores the tokens; logout sends the refresh token and clears them even when it fails', async () => {
    const server = await fakeServer((req, res) => {
      if (req.path === '/api/v1/auth/login') {
        return reply(res, 200, {
          user: { id: 'u1', email: 'a@example.com', display_name: 'a', role: 'user' },
          access_token: 'a1',
          token_type: 'Bearer',
          expires_in: 900,
          refresh_token: 'r1',
        });
      }
      return reply(res, 503, envelope('service_unavailable', 'Down.', { retryable: true }));
    });
    const seen: HiveSyncTokens[] = [];
    const client = new HiveSyncClient({ baseUrl: server.url, onTokens: (t) => void seen.push(t) });

    const session = await client.auth.login({ email: 'a@example.com', password: 'secret-password', remember: true });
    expect(session.refresh_token).toBe('r1');
    expect(client.tokens).toEqual({ accessToken: 'a1', refreshToken: 'r1' });

    expect((await rejection(client.auth.logout())).code).toBe('service_unavailable');
    const logout = server.received.at(-1)!;
    expect(logout).toMatchObject({ path: '/api/v1/auth/logout', body: { refresh_token: 'r1' } });
    expect(logout.headers.authorization).toBe('Bearer a1');
    expect(client.tokens).toEqual({ accessToken: null, refreshToken: null });
    expect(seen.at(-1)).toEqual({ accessToken: null, refreshToken: null });
  });
});

describe('notification polling', () => {
  it('sends If-None-Match and the cursor, and reads 304, ETag and X-Poll-Interval', async () => {
    const server = await fakeServer((req, res) => {
      const headers = { etag: `W/"v1-${req.query.get('since') ?? ''}"`, 'x-poll-interval': '15' };
      if (req.headers['if-none-match'] === headers.etag) return reply(res, 304, undefined, headers);
      const since = req.query.get('since');
      return reply(res, 200, { notifications: since ? [] : [notification('n1')], cursor: '7' }, headers);
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    const first = await client.notifications.poll();
    const second = await client.notifications.poll();
    const third = await client.notifications.poll();

    expect(first).toEqual({ notModified: false, notifications: [notification('n1')], cursor: '7', pollInterval: 15 });
    expect(second).toEqual({ notModified: false, notifications: [], cursor: '7', pollInterval: 15 });
    expect(third).toEqual({ notModified: true, notifications: [], cursor: '7', pollInterval: 15 });
    expect(server.received.map((r) => [r.query.get('since'), r.headers['if-none-match']])).toEqual([
      [null, undefined],
      ['7', 'W/"v1-"'],
      ['7', 'W/"v1-7"'],
    ]);
  });

  it('list() sends before and types (comma-separated), and returns older_cursor', async () => {
    const server = await fakeServer((_req, res) =>
      reply(res, 200, { notifications: [notification('n1')], cursor: '9', older_cursor: '3' }),
    );
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    const page = await client.notifications.list({ before: '7', types: ['thread_reply', 'thread_mention'], limit: 2 });

    expect(page.older_cursor).toBe('3');
    const query = server.received[0]!.query;
    expect([query.get('before'), query.get('types'), query.get('limit')]).toEqual([
      '7',
      'thread_reply,thread_mention',
      '2',
    ]);
  });

  it('watch() calls back with each batch and waits the server-chosen interval between polls', async () => {
    let polls = 0;
    const server = await fakeServer((_req, res) => {
      polls++;
      reply(
        res,
        200,
        { notifications: [notification(`n${polls}`)], cursor: String(polls) },
        { 'x-poll-interval': '1' },
      );
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const controller = new AbortController();
    const batches: Notification[][] = [];

    await client.notifications.watch({
      signal: controller.signal,
      since: '0',
      onNotifications: (batch) => {
        batches.push(batch);
        if (batches.length === 2) controller.abort();
      },
    });

    expect(batches).toEqual([[notification('n1')], [notification('n2')]]);
    expect(server.received.map((r) => r.query.get('since'))).toEqual(['0', '1']);
  });

  it('watch() backs off after a retryable error and continues', async () => {
    let polls = 0;
    const server = await fakeServer((_req, res) => {
      polls++;
      if (polls === 1) {
        return reply(res, 503, envelope('service_unavailable', 'Down.', { retryable: true }), { 'retry-after': '1' });
      }
      reply(res, 200, { notifications: [notification('n1')], cursor: '1' }, { 'x-poll-interval': '1' });
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const controller = new AbortController();
    const retries: [string, number][] = [];

    await client.notifications.watch({
      signal: controller.signal,
      onRetry: (err, wait) => void retries.push([err.code, wait]),
      onNotifications: () => controller.abort(),
    });

    expect(retries).toEqual([['service_unavailable', 1]]);
    expect(polls).toBe(2);
  });

  it('watch() backs off 1, 2, 4… and settles at 120 s while the server stays unreachable', async () => {
    let polls = 0;
    const server = await fakeServer((_req, res) => {
      polls++;
      if (polls <= 10) return reply(res, 503, envelope('service_unavailable', 'Down.', { retryable: true }));
      reply(res, 200, { notifications: [notification('n1')], cursor: '1' });
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const controller = new AbortController();
    const waits: number[] = [];
    // Only setTimeout is faked: each wait is skipped as soon as watch() starts it, the HTTP exchanges stay real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      await client.notifications.watch({
        signal: controller.signal,
        onRetry: (_err, wait) => {
          waits.push(wait);
          setImmediate(() => vi.advanceTimersByTime(wait * 1000));
        },
        onNotifications: () => controller.abort(),
      });
    } finally {
      vi.useRealTimers();
    }

    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 120, 120, 120]);
    expect(MAX_BACKOFF).toBe(120);
    expect(backoffSeconds(20)).toBe(120);
    expect(backoffSeconds(1, 300)).toBe(300);
    expect(polls).toBe(11);
  });

  it('names the client in X-HiveSync-Client on every call, and marks read for this client only when asked', async () => {
    const server = await fakeServer((_req, res) => reply(res, 200, { updated: 1 }));
    const named = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1', client: 'vscode' });
    const anonymous = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    await named.notifications.markRead({ notification_ids: ['n1'], scope: 'client' });
    await anonymous.notifications.markRead({ all: true });

    expect(server.received.map((r) => [r.headers['x-hivesync-client'], r.body])).toEqual([
      ['vscode', { notification_ids: ['n1'], scope: 'client' }],
      [undefined, { all: true }],
    ]);
  });

  it('watch() rejects on a non-retryable error', async () => {
    const server = await fakeServer((_req, res) => reply(res, 403, envelope('forbidden', 'No.')));
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    const err = await rejection(
      client.notifications.watch({ signal: new AbortController().signal, onNotifications: () => undefined }),
    );
    expect(err.code).toBe('forbidden');
  });
});

function sync(status: SyncStatus, extra: Partial<Sync> = {}): Sync {
  const final = status === 'completed' || status === 'failed';
  return {
    sync_id: 's1',
    project_id: 'p1',
    status,
    trigger: 'manual',
    commit: status === 'completed' ? 'c'.repeat(40) : null,
    attempts: status === 'queued' ? 0 : 1,
    created_at: '2025-01-01T00:00:00.000Z',
    started_at: status === 'queued' ? null : '2025-01-01T00:00:01.000Z',
    finished_at: final ? '2025-01-01T00:00:02.000Z' : null,
    duration_ms: final ? 1000 : null,
    error: null,
    ...extra,
  };
}

describe('repo', () => {
  // Every character a query parser may take for syntax: space, #, %, +, &, =, ?, and non-ASCII.
  const awkward = 'docs/a b#c%20d+e&f=g?h/ünïcødé 😀.md';

  it('sends each call to its endpoint, with every query value percent-encoded (%20 for a space)', async () => {
    const server = await fakeServer((req, res) =>
      req.method === 'DELETE' ? reply(res, 204) : reply(res, req.method === 'POST' ? 202 : 200, { ok: req.path }),
    );
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const commit = 'a'.repeat(40);

    await client.repo.sync('p1');
    await client.repo.getSync('s/1');
    await client.repo.listSyncs('p1', { limit: 5 });
    await client.repo.tree('p1', { path: awkward, recursive: true, commit });
    await client.repo.tree('p1');
    await client.repo.file('p1', awkward, { commit });
    await client.repo.search('p1', 'a&b=c #x +y', { regex: true, ignore_case: false, path: awkward, limit: 3 });
    await client.repo.manifest('p 1');
    await client.repo.setCredential('p1', { type: 'https_token', token: 't0k3n', username: 'bot' });
    await client.repo.credential('p1');
    expect(await client.repo.deleteCredential('p1')).toBeUndefined();

    const calls = server.received.map((r) => [r.method, r.path, Object.fromEntries(r.query), r.body]);
    expect(calls).toEqual([
      ['POST', '/api/v1/repo/sync', {}, { project_id: 'p1' }],
      ['GET', '/api/v1/repo/sync/s%2F1', {}, undefined],
      ['GET', '/api/v1/repo/syncs', { project_id: 'p1', limit: '5' }, undefined],
      ['GET', '/api/v1/repo/tree', { project_id: 'p1', path: awkward, recursive: 'true', commit }, undefined],
      ['GET', '/api/v1/repo/tree', { project_id: 'p1' }, undefined],
      ['GET', '/api/v1/repo/file', { project_id: 'p1', path: awkward, commit }, undefined],
      [
        'GET',
        '/api/v1/repo/search',
        { project_id: 'p1', q: 'a&b=c #x +y', regex: 'true', ignore_case: 'false', path: awkward, limit: '3' },
        undefined,
      ],
      ['GET', '/api/v1/projects/p%201/manifest', {}, undefined],
      ['PUT', '/api/v1/projects/p1/credential', {}, { type: 'https_token', token: 't0k3n', username: 'bot' }],
      ['GET', '/api/v1/projects/p1/credential', {}, undefined],
      ['DELETE', '/api/v1/projects/p1/credential', {}, undefined],
    ]);
    // On the wire: no `+` for a space (some parsers keep it literally), and `#` never starts a fragment.
    const file = server.received[5]!.url;
    expect(file).toBe(`/api/v1/repo/file?project_id=p1&path=${encodeURIComponent(awkward)}&commit=${commit}`);
    expect(file).toContain('a%20b%23c%2520d%2Be%26f%3Dg%3Fh');
    expect(file).not.toContain('+');
  });

  it('waitForSync() polls until completed and reports each stage once, in order', async () => {
    const stages: SyncStatus[] = ['queued', 'queued', 'running', 'updating_files', 'updating_files', 'cleaning'];
    const answers = [...stages, 'finalizing', 'completed'] as SyncStatus[];
    let polls = 0;
    const server = await fakeServer((req, res) =>
      reply(res, 200, sync(answers[Math.min(polls++, answers.length - 1)]!)),
    );
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const seen: SyncStatus[] = [];

    const final = await client.repo.waitForSync('s1', { intervalMs: 5, onProgress: (s) => void seen.push(s.status) });

    expect(final).toEqual(sync('completed'));
    expect(seen).toEqual(['queued', 'running', 'updating_files', 'cleaning', 'finalizing', 'completed']);
    expect(polls).toBe(answers.length);
    expect(new Set(server.received.map((r) => `${r.method} ${r.path}`))).toEqual(new Set(['GET /api/v1/repo/sync/s1']));
  });

  it('waitForSync() resolves with a failed sync rather than throwing', async () => {
    const failed = sync('failed', { error: { code: 'repo_auth_failed', message: 'Authentication failed.' } });
    const server = await fakeServer((_req, res) => reply(res, 200, failed));
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    expect(await client.repo.waitForSync('s1', { intervalMs: 5 })).toEqual(failed);
    expect(server.received).toHaveLength(1);
  });

  it('waitForSync() rides out a retryable failure, and rejects on any other', async () => {
    let polls = 0;
    const server = await fakeServer((_req, res) => {
      polls++;
      if (polls === 2) return reply(res, 503, envelope('service_unavailable', 'Restarting.', { retryable: true }));
      if (polls === 4) return reply(res, 404, envelope('not_found', 'The sync was not found.'));
      reply(res, 200, sync('running'));
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const seen: SyncStatus[] = [];

    const err = await rejection(
      client.repo.waitForSync('s1', { intervalMs: 5, onProgress: (s) => void seen.push(s.status) }),
    );
    expect(err.code).toBe('not_found');
    expect(polls).toBe(4);
    expect(seen).toEqual(['running']);
  });

  it('waitForSync() gives up after SYNC_POLL_RETRIES failures in a row', async () => {
    const server = await fakeServer((_req, res) =>
      reply(res, 503, envelope('service_unavailable', 'Down.', { retryable: true })),
    );
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    const err = await rejection(client.repo.waitForSync('s1', { intervalMs: 1 }));
    expect(err.code).toBe('service_unavailable');
    expect(server.received).toHaveLength(1 + SYNC_POLL_RETRIES);
  });

  it('waitForSync() rejects with the abort reason and stops polling when the signal aborts', async () => {
    const server = await fakeServer((_req, res) => reply(res, 200, sync('running')));
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const controller = new AbortController();

    const pending = client.repo.waitForSync('s1', {
      intervalMs: 10_000,
      signal: controller.signal,
      onProgress: () => setTimeout(() => controller.abort(), 10),
    });
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await new Promise((r) => setTimeout(r, 50));
    expect(server.received).toHaveLength(1);
  });
});
