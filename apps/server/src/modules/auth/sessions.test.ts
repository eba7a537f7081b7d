import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../infra/logger.js';
import { startRuntime } from '../../runtime.js';
import { backends, registerUser, startTestServer, tempDir, type TestServer } from '../../test/harness.js';

interface Login {
  access_token: string;
  refresh_token: string;
}

describe.each(backends())('sessions on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.stop());

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, token?: string, body?: unknown) =>
    server.request({ method, url: `/api/v1${url}`, ...(token && { token }), body });
  const login = async (u: { email: string; password: string }, client: string, userAgent: string) => {
    const res = await server.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { email: u.email, password: u.password, remember: true },
      headers: { 'x-hivesync-client': client, 'user-agent': userAgent },
    });
    expect(res.statusCode).toBe(200);
    return res.json<Login>();
  };
  const me = (token: string) => call('GET', '/auth/me', token);
  const audit = async (action: string, userId: string) =>
    (await call('GET', `/admin/audit?action=${action}`, server.admin.token))
      .json<{ entries: { actor_id: string; details: Record<string, unknown> }[] }>()
      .entries.filter((e) => e.actor_id === userId);

  it('lists one session per login with its client and user agent, the caller’s marked current', async () => {
    const u = await registerUser(server);
    const web = await login(u, 'web', 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140');
    const cli = await login(u, 'CLI', 'hivesync-cli/0.1.0 hivesync-sdk/0.1.0 node/v22');
    const res = await call('GET', '/auth/sessions', web.access_token);
    expect(res.statusCode).toBe(200);
    const sessions = res.json<{ sessions: Record<string, unknown>[] }>().sessions;
    // The registration's session too (an access token only, open for its lifetime).
    expect(sessions).toHaveLength(3);
    const current = sessions.filter((s) => s.current);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({ client: 'web', user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140' });
    expect(sessions.find((s) => s.client === 'cli')).toMatchObject({ current: false });
    for (const s of sessions) {
      expect(Date.parse(String(s.created_at))).not.toBeNaN();
      expect(Date.parse(String(s.last_used_at))).toBeGreaterThanOrEqual(Date.parse(String(s.created_at)));
      expect(Date.parse(String(s.expires_at))).toBeGreaterThan(Date.now());
    }
    // Another user sees only their own.
    const other = await registerUser(server);
    expect((await call('GET', '/auth/sessions', other.token)).json().sessions).toHaveLength(1);
    // The CLI's view: its own session is the current one.
    const fromCli = (await call('GET', '/auth/sessions', cli.access_token)).json<{
      sessions: { client: string; current: boolean }[];
    }>();
    expect(fromCli.sessions.find((s) => s.current)?.client).toBe('cli');
  });

  it('revokes one session: its access and refresh tokens stop at once, the others keep working', async () => {
    const u = await registerUser(server);
    const a = await login(u, 'web', 'browser A');
    const b = await login(u, 'web', 'browser B');
    // B's session is seen open (and remembered as such) before it is revoked.
    expect((await me(b.access_token)).statusCode).toBe(200);
    const list = (await call('GET', '/auth/sessions', a.access_token)).json<{
      sessions: { id: string; user_agent: string }[];
    }>();
    const bId = list.sessions.find((s) => s.user_agent === 'browser B')!.id;

    const revoke = await call('DELETE', `/auth/sessions/${bId}`, a.access_token);
    expect(revoke.statusCode).toBe(204);
    const refused = await me(b.access_token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error).toMatchObject({
      code: 'unauthorized',
      message: expect.stringMatching(/session has ended/),
    });
    expect((await call('POST', '/auth/refresh', undefined, { refresh_token: b.refresh_token })).statusCode).toBe(401);
    expect((await me(a.access_token)).statusCode).toBe(200);
    const after = (await call('GET', '/auth/sessions', a.access_token)).json<{ sessions: { id: string }[] }>();
    expect(after.sessions.map((s) => s.id)).not.toContain(bId);
    // Revoked twice, or never there: 404.
    expect((await call('DELETE', `/auth/sessions/${bId}`, a.access_token)).statusCode).toBe(404);
    expect((await call('DELETE', '/auth/sessions/no-such-session', a.access_token)).json().error.code).toBe(
      'not_found',
    );
    const [entry] = await audit('auth.session_revoked', u.id);
    expect(entry?.details).toMatchObject({ session_id: bId, current: false });
  });

  it('answers 404 to revoking someone else’s session, and leaves it open', async () => {
    const owner = await registerUser(server);
    const session = await login(owner, 'web', 'browser');
    const sid = (await call('GET', '/auth/sessions', session.access_token))
      .json<{ sessions: { id: string; current: boolean }[] }>()
      .sessions.find((s) => s.current)!.id;
    const stranger = await registerUser(server);
    const res = await call('DELETE', `/auth/sessions/${sid}`, stranger.token);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect((await me(session.access_token)).statusCode).toBe(200);
  });

  it('logs out everywhere: every access and refresh token of the caller stops at once, others’ do not', async () => {
    const u = await registerUser(server);
    const a = await login(u, 'web', 'browser A');
    const b = await login(u, 'cli', 'cli');
    const bystander = await registerUser(server);
    for (const token of [a.access_token, b.access_token, u.token]) expect((await me(token)).statusCode).toBe(200);

    const res = await call('POST', '/auth/logout_all', a.access_token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ revoked_sessions: 3 });
    for (const token of [a.access_token, b.access_token, u.token]) {
      const out = await me(token);
      expect(out.statusCode).toBe(401);
      expect(out.json().error.code).toBe('unauthorized');
    }
    for (const refresh_token of [a.refresh_token, b.refresh_token]) {
      expect((await call('POST', '/auth/refresh', undefined, { refresh_token })).statusCode).toBe(401);
    }
    expect((await me(bystander.token)).statusCode).toBe(200);
    // Logging in again starts afresh.
    const again = await login(u, 'web', 'browser A');
    expect((await call('GET', '/auth/sessions', again.access_token)).json().sessions).toHaveLength(1);
    const [entry] = await audit('auth.logout_all', u.id);
    expect(entry?.details).toEqual({ revoked_sessions: 3 });
  });

  it('logout ends the access token’s session too, with or without a refresh token', async () => {
    const u = await registerUser(server);
    const out = await call('POST', '/auth/logout', u.token, {});
    expect(out.statusCode).toBe(204);
    expect((await me(u.token)).statusCode).toBe(401);
    const [entry] = await audit('auth.logout', u.id);
    expect(entry?.details.session_ids).toHaveLength(1);
  });

  it('a replayed refresh token ends its session’s access tokens as well', async () => {
    const u = await registerUser(server);
    const first = await login(u, 'web', 'browser');
    const second = (
      await call('POST', '/auth/refresh', undefined, { refresh_token: first.refresh_token })
    ).json<Login>();
    expect((await me(second.access_token)).statusCode).toBe(200);
    expect((await call('POST', '/auth/refresh', undefined, { refresh_token: first.refresh_token })).statusCode).toBe(
      401,
    );
    expect((await me(second.access_token)).statusCode).toBe(401);
    expect((await me(first.access_token)).statusCode).toBe(401);
  });

  it('pages the sessions newest first with next_cursor, each one once, and refuses a made-up cursor', async () => {
    const u = await registerUser(server);
    const tokens: string[] = [];
    for (let i = 0; i < 4; i++) tokens.push((await login(u, 'cli', `agent ${i}`)).access_token);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const page = (await call('GET', `/auth/sessions${query}`, tokens[0])).json<{
        sessions: { id: string; user_agent: string | null; created_at: string }[];
        next_cursor: string | null;
      }>();
      expect(page.sessions.length).toBeLessThanOrEqual(2);
      seen.push(...page.sessions.map((s) => String(s.user_agent)));
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null);
    // Four logins and the registration, newest first, in three pages.
    expect(pages).toBe(3);
    expect(seen.slice(0, 4)).toEqual(['agent 3', 'agent 2', 'agent 1', 'agent 0']);
    expect(seen).toHaveLength(5);
    const bad = await call('GET', '/auth/sessions?cursor=bm90LWEtY3Vyc29y', tokens[0]);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_error');
    expect((await call('GET', '/auth/sessions?limit=0', tokens[0])).statusCode).toBe(400);
  });

  it('needs a token for every sessions endpoint', async () => {
    for (const [method, url] of [
      ['GET', '/auth/sessions'],
      ['DELETE', '/auth/sessions/x'],
      ['POST', '/auth/logout_all'],
    ] as const) {
      expect((await call(method, url)).statusCode, `${method} ${url}`).toBe(401);
    }
  });
});

// Two API instances over one PostgreSQL and Redis: a revocation made through one is heard by the other at once,
// even for a session the other had just seen open (and so remembers as open).
describe.runIf(backends().some((b) => b.name === 'postgres+redis'))('sessions across API instances', () => {
  const backend = backends().find((b) => b.name === 'postgres+redis')!;
  let server: TestServer;
  let second: Awaited<ReturnType<typeof startRuntime>>;
  let secondDir: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    server = await startTestServer(backend);
    secondDir = tempDir();
    const secret = fs.readFileSync(path.join(server.dataDir, 'jwt-secret'), 'utf8').trim();
    const config = loadConfig({ ...server.env, HIVESYNC_DATA_DIR: secondDir.dir, HIVESYNC_JWT_SECRET: secret }, {});
    second = await startRuntime(config, { logger: createLogger('silent'), listen: false });
  });
  afterAll(async () => {
    await second?.stop();
    secondDir?.remove();
    await server?.stop();
  });

  const meOn = (app: 'first' | 'second', token: string) =>
    (app === 'first' ? server.runtime.app! : second.app!).inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });

  it('refuses, on the other instance, the tokens of sessions revoked on this one', async () => {
    const u = await registerUser(server);
    const login = async () =>
      (
        await server.request({
          method: 'POST',
          url: '/api/v1/auth/login',
          body: { email: u.email, password: u.password, remember: true },
        })
      ).json<Login>();
    const a = await login();
    const b = await login();
    expect((await meOn('second', a.access_token)).statusCode).toBe(200);
    expect((await meOn('second', b.access_token)).statusCode).toBe(200);
    const sessions = (
      await server.request({ method: 'GET', url: '/api/v1/auth/sessions', token: a.access_token })
    ).json<{ sessions: { id: string; current: boolean }[] }>().sessions;
    const bId = sessions.find((s) => !s.current && s.id)!.id;

    await server.request({ method: 'DELETE', url: `/api/v1/auth/sessions/${bId}`, token: a.access_token });
    await expectRefusedSoon(() => meOn('second', b.access_token));
    expect((await meOn('second', a.access_token)).statusCode).toBe(200);

    await server.request({ method: 'POST', url: '/api/v1/auth/logout_all', token: a.access_token });
    await expectRefusedSoon(() => meOn('second', a.access_token));
  });
});

// Pub/sub delivery takes a moment; "at once" here means well under the 5 s the cache would otherwise keep it.
async function expectRefusedSoon(request: () => Promise<{ statusCode: number }>): Promise<void> {
  const start = Date.now();
  for (;;) {
    if ((await request()).statusCode === 401) break;
    if (Date.now() - start > 1000) throw new Error('still accepted 1 s after the revocation');
    await new Promise((r) => setTimeout(r, 20));
  }
}
