import crypto from 'node:crypto';
import { SignJWT } from 'jose';
import type * as Argon2 from '@node-rs/argon2';
import { verify as verifyPassword } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, eventually, registerUser, startTestServer, type TestServer } from '../../test/harness.js';

// argon2's verify, watched: the login timing test counts its calls and reads which hash each was given.
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const original = await importOriginal<typeof Argon2>();
  return { ...original, verify: vi.fn(original.verify) };
});

describe.each(backends())('auth on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.stop());

  const post = (url: string, body: unknown, headers?: Record<string, string>) =>
    server.request({ method: 'POST', url: `/api/v1${url}`, body, headers });

  it('makes the first user of an instance its admin and later ones users', async () => {
    const first = server.admin;
    const second = await registerUser(server);
    const me1 = await server.request({ method: 'GET', url: '/api/v1/auth/me', token: first.token });
    const me2 = await server.request({ method: 'GET', url: '/api/v1/auth/me', token: second.token });
    expect(me1.json()).toMatchObject({ id: first.id, email: first.email, role: 'admin' });
    expect(me2.json()).toMatchObject({ id: second.id, role: 'user' });
  });

  it('registers with a normalised email, no refresh token, and a 15-minute access token', async () => {
    const res = await post('/auth/register', { email: '  Mixed.Case@Example.TEST ', password: 'long enough pw' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.user.email).toBe('mixed.case@example.test');
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(body.refresh_token).toBeUndefined();
    expect(body.user).not.toHaveProperty('password_hash');
  });

  it('refuses a taken email with 409 conflict', async () => {
    const u = await registerUser(server);
    const res = await post('/auth/register', { email: u.email.toUpperCase(), password: 'another password' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('conflict');
  });

  it('refuses a password under 10 characters with a message naming the field', async () => {
    const res = await post('/auth/register', { email: 'short@example.test', password: '123456789' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_error', retryable: false });
    expect(res.json().error.message).toMatch(/^password: must be at least 10 characters/);
  });

  it('answers malformed JSON with validation_error in the envelope', async () => {
    const res = await server.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      body: '{"email": "a@b.c", ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'validation_error',
      message: 'The request body is not valid JSON.',
    });
    expect(res.json().error.request_id).toBe(res.headers['x-request-id']);
  });

  it('answers an oversized body with 413 payload_too_large', async () => {
    const res = await post('/auth/register', { email: 'big@example.test', password: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });

  it('gives the same answer for an unknown email and a wrong password', async () => {
    const u = await registerUser(server);
    const wrong = await post('/auth/login', { email: u.email, password: 'not the password' });
    const unknown = await post('/auth/login', { email: `nobody-${u.email}`, password: 'not the password' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (b: { error: Record<string, unknown> }) => ({ ...b.error, request_id: undefined });
    expect(strip(wrong.json())).toEqual(strip(unknown.json()));
  });

  it('logs in, and with remember: true issues a refresh token that rotates', async () => {
    const u = await registerUser(server);
    const login = await post('/auth/login', { email: u.email, password: u.password, remember: true });
    expect(login.statusCode).toBe(200);
    const first = login.json().refresh_token as string;
    expect(first).toMatch(/^hsr_/);

    const refreshed = await post('/auth/refresh', { refresh_token: first });
    expect(refreshed.statusCode).toBe(200);
    const second = refreshed.json().refresh_token as string;
    expect(second).not.toBe(first);
    const me = await server.request({ method: 'GET', url: '/api/v1/auth/me', token: refreshed.json().access_token });
    expect(me.json().id).toBe(u.id);
  });

  it('revokes the whole token family when a rotated refresh token is presented again', async () => {
    const u = await registerUser(server);
    const first = (await post('/auth/login', { email: u.email, password: u.password, remember: true })).json()
      .refresh_token;
    const second = (await post('/auth/refresh', { refresh_token: first })).json().refresh_token;

    const replay = await post('/auth/refresh', { refresh_token: first });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('unauthorized');
    // The legitimate holder's newer token is dead too: the session is over.
    const afterReplay = await post('/auth/refresh', { refresh_token: second });
    expect(afterReplay.statusCode).toBe(401);
  });

  it('logout revokes the refresh token', async () => {
    const u = await registerUser(server);
    const login = (await post('/auth/login', { email: u.email, password: u.password, remember: true })).json();
    const out = await server.request({
      method: 'POST',
      url: '/api/v1/auth/logout',
      token: login.access_token,
      body: { refresh_token: login.refresh_token },
    });
    expect(out.statusCode).toBe(204);
    expect((await post('/auth/refresh', { refresh_token: login.refresh_token })).statusCode).toBe(401);
  });

  it('refuses forged, alg=none, wrongly signed and expired tokens', async () => {
    const u = await registerUser(server);
    const me = (token: string) => server.request({ method: 'GET', url: '/api/v1/auth/me', token });
    const [header, payload] = u.token.split('.');

    const forgedPayload = Buffer.from(
      JSON.stringify({ ...decode(payload!), role: 'admin', sub: crypto.randomUUID() }),
    ).toString('base64url');
    expect((await me(`${header}.${forgedPayload}.${u.token.split('.')[2]}`)).statusCode).toBe(401);

    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const none = await me(`${noneHeader}.${payload}.`);
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');

    const otherKey = new TextEncoder().encode('x'.repeat(48));
    const claims = decode(payload!);
    const wrongKey = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(claims.sub))
      .setIssuer('hivesync')
      .setAudience('hivesync-api')
      .setExpirationTime('5m')
      .sign(otherKey);
    expect((await me(wrongKey)).statusCode).toBe(401);

    const secret = new TextEncoder().encode(readSecret(server));
    const expired = await new SignJWT({ role: 'user' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(u.id)
      .setIssuer('hivesync')
      .setAudience('hivesync-api')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(secret);
    const exp = await me(expired);
    expect(exp.statusCode).toBe(401);
    expect(exp.json().error.code).toBe('token_expired');

    expect((await server.request({ method: 'GET', url: '/api/v1/auth/me' })).json().error.code).toBe('unauthorized');
    expect((await me('not-a-jwt')).statusCode).toBe(401);
  });

  it('echoes a caller-chosen X-Request-Id and makes one up otherwise', async () => {
    const res = await server.request({ method: 'GET', url: '/health', headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers['x-request-id']).toBe('trace-123');
    const other = await server.request({ method: 'GET', url: '/health' });
    expect(other.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe.each(backends())('login rate limits on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, {
      HIVESYNC_LOGIN_LIMIT_PER_ACCOUNT: '3',
      HIVESYNC_LOGIN_LIMIT_PER_IP: '8',
    });
  });
  afterAll(() => server?.stop());

  it('limits failed logins per account with 429 and Retry-After, even with the right password', async () => {
    const u = await registerUser(server);
    for (let i = 0; i < 3; i++) {
      const res = await server.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        body: { email: u.email, password: 'wrong password' },
      });
      expect(res.statusCode).toBe(401);
    }
    const limited = await server.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { email: u.email, password: u.password },
    });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('limits login attempts per IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await server.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        body: { email: `nobody${i}@example.test`, password: 'whatever pw' },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toContain(429);
    const last = await server.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { email: 'x@example.test', password: 'whatever pw' },
    });
    expect(last.statusCode).toBe(429);
    expect(Number(last.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});

describe.each(backends())('login throttling that cannot lock the owner out, on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, {
      HIVESYNC_LOGIN_LIMIT_PER_ACCOUNT: '3',
      HIVESYNC_LOGIN_BACKOFF_SECONDS: '1',
      HIVESYNC_LOGIN_LIMIT_PER_ACCOUNT_PER_HOUR: '8',
    });
  });
  afterAll(() => server?.stop());

  const login = (email: string, password: string, ip: string) =>
    server.request({ method: 'POST', url: '/api/v1/auth/login', body: { email, password }, remoteAddress: ip });

  it('lets the owner in from another IP while wrong passwords from one IP are held off', async () => {
    const u = await registerUser(server);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await login(u.email, 'wrong password', '198.51.100.1')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    expect((await login(u.email, u.password, '198.51.100.1')).statusCode).toBe(429);
    const owner = await login(u.email, u.password, '198.51.100.2');
    expect(owner.statusCode).toBe(200);
    expect(owner.json().user.id).toBe(u.id);
  });

  it('makes each further failure from that IP wait longer (Retry-After 1, 2, 4 s)', async () => {
    const u = await registerUser(server);
    const ip = '198.51.100.3';
    for (let i = 0; i < 3; i++) expect((await login(u.email, 'wrong password', ip)).statusCode).toBe(401);
    const waits: number[] = [];
    for (let round = 0; round < 3; round++) {
      const held = await login(u.email, 'wrong password', ip);
      expect(held.statusCode).toBe(429);
      expect(held.json().error.code).toBe('rate_limited');
      waits.push(Number(held.headers['retry-after']));
      if (round === 2) break;
      await new Promise((r) => setTimeout(r, waits.at(-1)! * 1000 + 150));
      expect((await login(u.email, 'wrong password', ip)).statusCode).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4]);
  });

  it('counts an IPv6 client by its /64, so cycling addresses inside it does not help', async () => {
    const u = await registerUser(server);
    for (let i = 0; i < 3; i++) {
      expect((await login(u.email, 'wrong password', `2001:db8:1:2::${i + 1}`)).statusCode).toBe(401);
    }
    expect((await login(u.email, 'wrong password', '2001:db8:1:2:ffff::9')).statusCode).toBe(429);
    expect((await login(u.email, u.password, '2001:db8:1:3::1')).statusCode).toBe(200);
  });

  it('stops guessing spread over many IPs at the per-account ceiling, and tells the owner', async () => {
    const u = await registerUser(server);
    const unknown = `nobody-${u.email}`;
    for (let i = 0; i < 8; i++) {
      expect((await login(u.email, 'wrong password', `203.0.113.${i + 1}`)).statusCode).toBe(401);
      expect((await login(unknown, 'wrong password', `203.0.113.${i + 1}`)).statusCode).toBe(401);
    }
    const owner = await login(u.email, u.password, '203.0.113.100');
    const nobody = await login(unknown, u.password, '203.0.113.100');
    expect(owner.statusCode).toBe(429);
    // An email without an account is throttled exactly alike: the limit does not reveal who is registered.
    expect(nobody.statusCode).toBe(429);
    for (const res of [owner, nobody]) {
      expect(res.json().error).toMatchObject({ code: 'rate_limited', retryable: true });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(3000);
    }

    const notification = await eventually(async () => {
      const list = await server.request({ method: 'GET', url: '/api/v1/notifications', token: u.token });
      return list.json().notifications.find((n: { type: string }) => n.type === 'account_login_throttled');
    });
    expect(notification).toMatchObject({
      user_id: u.id,
      project_id: null,
      payload: { failed_logins: 8, window_minutes: 60 },
    });
    const audit = await server.request({
      method: 'GET',
      url: '/api/v1/admin/audit?action=auth.login_throttled',
      token: server.admin.token,
    });
    expect(
      audit
        .json()
        .entries.map((e: { details: { email: string } }) => e.details.email)
        .sort(),
    ).toEqual([u.email, unknown].sort());
    // A prefix search takes `%` and `_` as themselves, not as wildcards.
    const prefix = async (action: string) =>
      (
        await server.request({
          method: 'GET',
          url: `/api/v1/admin/audit?action=${encodeURIComponent(action)}`,
          token: server.admin.token,
        })
      ).json().entries.length;
    expect(await prefix('auth.*')).toBeGreaterThan(0);
    expect(await prefix('%.*')).toBe(0);
    expect(await prefix('a_th.*')).toBe(0);
  });
});

describe.each(backends())('client IP and proxies on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { HIVESYNC_TRUST_PROXY: '10.0.0.1', HIVESYNC_LOGIN_LIMIT_PER_IP: '3' });
  });
  afterAll(() => server?.stop());

  const login = (email: string, ip: string, forwardedFor: string) =>
    server.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { email, password: 'wrong password' },
      remoteAddress: ip,
      headers: { 'x-forwarded-for': forwardedFor },
    });
  const auditedIp = async (email: string) => {
    const res = await server.request({
      method: 'GET',
      url: '/api/v1/admin/audit?action=auth.login_failed',
      token: server.admin.token,
    });
    return res.json().entries.find((e: { details: { email: string } }) => e.details.email === email)?.ip;
  };

  it('ignores X-Forwarded-For from a client that is not a trusted proxy: no other IP, no escaping the limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await login(`spoof${i}@example.test`, '198.51.100.7', `203.0.113.${i + 1}`);
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(await auditedIp('spoof0@example.test')).toBe('198.51.100.7');
  });

  it('takes the client IP from X-Forwarded-For sent by a trusted proxy', async () => {
    expect((await login('proxied@example.test', '10.0.0.1', '203.0.113.50')).statusCode).toBe(401);
    expect(await auditedIp('proxied@example.test')).toBe('203.0.113.50');
    // A client behind the proxy cannot prepend its own entry: the proxy appends the address it saw, which wins.
    expect((await login('chained@example.test', '10.0.0.1', '192.0.2.66, 203.0.113.51')).statusCode).toBe(401);
    expect(await auditedIp('chained@example.test')).toBe('203.0.113.51');
    // Each forwarded client has its own login budget.
    for (let i = 0; i < 3; i++) await login(`other${i}@example.test`, '10.0.0.1', '203.0.113.60');
    expect((await login('other8@example.test', '10.0.0.1', '203.0.113.60')).statusCode).toBe(429);
    expect((await login('other9@example.test', '10.0.0.1', '203.0.113.61')).statusCode).toBe(401);
  });
});

describe.each(backends())('registration and enumeration on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { HIVESYNC_REGISTER_CONFLICTS_PER_IP: '2' });
  });
  afterAll(() => server?.stop());

  const register = (email: string, password: string, ip = '198.51.100.20') =>
    server.request({ method: 'POST', url: '/api/v1/auth/register', body: { email, password }, remoteAddress: ip });

  it('refuses a common password with zxcvbn’s advice, and one of only spaces', async () => {
    const common = await register('weak@example.test', 'password123');
    expect(common.statusCode).toBe(400);
    expect(common.json().error).toMatchObject({ code: 'validation_error' });
    expect(common.json().error.message).toMatch(/^password: is too easy to guess\. This is a commonly used password\./);
    const own = await register('jane.doe.smith@example.test', 'jane.doe.smith');
    expect(own.statusCode).toBe(400);
    const spaces = await register('spaces@example.test', ' '.repeat(12));
    expect(spaces.statusCode).toBe(400);
    expect(spaces.json().error.message).toBe('password: must not be only whitespace');
    expect((await register('strong@example.test', 'correct horse battery')).statusCode).toBe(201);
  });

  it('answers a taken email with 409 only a few times per IP and day, each one audited', async () => {
    const u = await registerUser(server);
    const ip = '198.51.100.21';
    expect((await register(u.email, 'another good passphrase', ip)).statusCode).toBe(409);
    expect((await register(u.email.toUpperCase(), 'another good passphrase', ip)).statusCode).toBe(409);
    // Spent: this IP now learns nothing more today, taken email or not.
    const third = await register(u.email, 'another good passphrase', ip);
    expect(third.statusCode).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(3600);
    expect((await register(`fresh-${u.email}`, 'another good passphrase', ip)).statusCode).toBe(429);
    expect((await register(`fresh-${u.email}`, 'another good passphrase', '198.51.100.22')).statusCode).toBe(201);
    const audit = await server.request({
      method: 'GET',
      url: '/api/v1/admin/audit?action=auth.register_conflict',
      token: server.admin.token,
    });
    expect(audit.json().entries).toHaveLength(2);
    expect(audit.json().entries[0]).toMatchObject({ ip, details: { email: u.email } });
  });
});

describe.each(backends())('tokens of deleted accounts on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.stop());

  it('answers 401 unauthorized, never 500, to a valid token whose user is gone', async () => {
    const u = await registerUser(server);
    await server.runtime.infra.db.sql.executeSql('delete from users where id = $1', [u.id]);
    for (const [method, url, body] of [
      ['POST', '/api/v1/projects', { name: 'orphan' }],
      ['GET', '/api/v1/projects', undefined],
      ['POST', '/api/v1/events/ticket', undefined],
      ['GET', '/api/v1/auth/me', undefined],
    ] as const) {
      const res = await server.request({ method, url, token: u.token, body });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
  });
});

describe.each(backends())('login timing on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.stop());

  it('checks a password against a hash of the same cost for an unknown email as for a known one', async () => {
    const u = await registerUser(server);
    const spy = vi.mocked(verifyPassword);
    spy.mockClear();
    for (const email of [u.email, `nobody-${u.email}`]) {
      const res = await server.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        body: { email, password: 'wrong password' },
      });
      expect(res.statusCode).toBe(401);
    }
    // One argon2 verification each: the unknown email's against a dummy hash made with the same parameters, so the
    // two answers cost the same and a stopwatch cannot tell which emails have accounts.
    expect(spy).toHaveBeenCalledTimes(2);
    const [known, unknown] = spy.mock.calls.map(([hash]) => String(hash));
    const parameters = (hash: string) => hash.split('$').slice(0, 4).join('$'); // $argon2id$v=19$m=…,t=…,p=…
    expect(parameters(unknown!)).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+$/);
    expect(parameters(unknown!)).toBe(parameters(known!));
    expect(unknown).not.toBe(known);
  });
});

function decode(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;
}

function readSecret(server: TestServer): string {
  return require_('node:fs').readFileSync(`${server.dataDir}/jwt-secret`, 'utf8').trim();
}

import { createRequire } from 'node:module';
const require_ = createRequire(import.meta.url);
