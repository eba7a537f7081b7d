import { describe, expect, expectTypeOf, it } from 'vitest';
import { HiveSyncClient, HiveSyncError, type LogoutAllResult, type Member, type SessionList } from './index.js';
import { startServer } from './test/server.js';

interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** A real HTTP server on 127.0.0.1 that records every call and answers with `route`. */
async function fakeServer(
  route: (req: Received) => [number, unknown?],
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = await startServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        path: new URL(req.url ?? '/', 'http://x').pathname + new URL(req.url ?? '/', 'http://x').search,
        authorization: req.headers.authorization,
        body: raw ? JSON.parse(raw) : undefined,
      };
      received.push(r);
      const [status, body] = route(r);
      if (body === undefined) res.writeHead(status).end();
      else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  return { url: server.url, received };
}

const SESSION = {
  id: 's1',
  client: 'web',
  user_agent: 'Mozilla/5.0',
  created_at: '2026-01-01T00:00:00.000Z',
  last_used_at: '2026-01-02T00:00:00.000Z',
  expires_at: '2026-02-01T00:00:00.000Z',
  current: true,
};

describe('sessions', () => {
  it('lists the sessions and revokes one by id (percent-encoded), with the bearer token', async () => {
    const server = await fakeServer((r) =>
      r.method === 'GET' ? [200, { sessions: [SESSION], next_cursor: null }] : [204],
    );
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1', refreshToken: 'r1' });
    const list = await client.auth.sessions();
    await client.auth.sessions({ limit: 10, cursor: 'c1' });
    expectTypeOf(list).toEqualTypeOf<SessionList>();
    expect(list).toEqual({ sessions: [SESSION], next_cursor: null });
    await client.auth.revokeSession('s 2');
    expect(server.received.map((r) => [r.method, r.path, r.authorization])).toEqual([
      ['GET', '/api/v1/auth/sessions', 'Bearer a1'],
      ['GET', '/api/v1/auth/sessions?limit=10&cursor=c1', 'Bearer a1'],
      ['DELETE', '/api/v1/auth/sessions/s%202', 'Bearer a1'],
    ]);
    // Revoking a session keeps this client's tokens: it may have revoked another one.
    expect(client.tokens).toEqual({ accessToken: 'a1', refreshToken: 'r1' });
  });

  it('revokeSession() throws not_found for an id that is not the caller’s', async () => {
    const server = await fakeServer(() => [
      404,
      { error: { code: 'not_found', message: 'session not found', retryable: false } },
    ]);
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const error = await client.auth.revokeSession('other').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HiveSyncError);
    expect(error).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('logoutAll() posts, then forgets the tokens and tells onTokens', async () => {
    const server = await fakeServer(() => [200, { revoked_sessions: 3 }]);
    const seen: unknown[] = [];
    const client = new HiveSyncClient({
      baseUrl: server.url,
      accessToken: 'a1',
      refreshToken: 'r1',
      onTokens: (t) => void seen.push(t),
    });
    const result = await client.auth.logoutAll();
    expectTypeOf(result).toEqualTypeOf<LogoutAllResult>();
    expect(result).toEqual({ revoked_sessions: 3 });
    expect(server.received.map((r) => [r.method, r.path])).toEqual([['POST', '/api/v1/auth/logout_all']]);
    expect(client.tokens).toEqual({ accessToken: null, refreshToken: null });
    expect(seen).toEqual([{ accessToken: null, refreshToken: null }]);
  });

  it('logoutAll() keeps the tokens when the server could not do it, so it can be tried again', async () => {
    const server = await fakeServer(() => [
      503,
      { error: { code: 'service_unavailable', message: 'database down', retryable: true } },
    ]);
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1', refreshToken: 'r1' });
    await expect(client.auth.logoutAll()).rejects.toMatchObject({ code: 'service_unavailable' });
    expect(client.tokens).toEqual({ accessToken: 'a1', refreshToken: 'r1' });
  });
});

describe('member roles', () => {
  it('members.update() PATCHes the member with the new role and returns the member', async () => {
    const member: Member = {
      user_id: 'u 1',
      email: 'a@example.test',
      display_name: 'A',
      role: 'member',
      added_at: '2026-01-01T00:00:00.000Z',
    };
    const server = await fakeServer(() => [200, member]);
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const updated = await client.members.update('p1', 'u 1', { role: 'member' });
    expectTypeOf(updated).toEqualTypeOf<Member>();
    expect(updated).toEqual(member);
    expect(server.received).toEqual([
      {
        method: 'PATCH',
        path: '/api/v1/projects/p1/members/u%201',
        authorization: 'Bearer a1',
        body: { role: 'member' },
      },
    ]);
    await client.members.page('p1', { limit: 2, cursor: 'c 2' });
    expect(server.received[1]).toMatchObject({
      method: 'GET',
      path: '/api/v1/projects/p1/members?limit=2&cursor=c%202',
    });
    // The owner's role is not grantable: the type refuses it before the server does.
    // @ts-expect-error 'owner' is not a GrantableRole
    void (() => client.members.update('p1', 'u1', { role: 'owner' }));
  });
});
