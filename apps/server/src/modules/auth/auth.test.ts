import crypto from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, registerUser, startTestServer, type TestServer } from '../../test/harness.js';

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

function decode(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;
}

function readSecret(server: TestServer): string {
  return require_('node:fs').readFileSync(`${server.dataDir}/jwt-secret`, 'utf8').trim();
}

import { createRequire } from 'node:module';
const require_ = createRequire(import.meta.url);
