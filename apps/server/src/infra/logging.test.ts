import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createProject, registerUser, startTestServer, type TestServer } from '../test/harness.js';
import { createLogger } from './logger.js';

describe('logs', () => {
  const lines: string[] = [];
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backends()[0]!, { HIVESYNC_LOG_LEVEL: 'trace' }, { logLines: lines });
  });
  afterAll(() => server?.stop());

  it('carry the request id and never a password, token or secret', async () => {
    const password = 'very secret password 42';
    const email = 'logs@example.test';
    await server.request({ method: 'POST', url: '/api/v1/auth/register', body: { email, password } });
    const login = await server.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { email, password, remember: true },
      headers: { 'x-request-id': 'req-login-1' },
    });
    const { access_token, refresh_token } = login.json();
    await server.request({ method: 'POST', url: '/api/v1/auth/refresh', body: { refresh_token } });
    await server.request({ method: 'GET', url: '/api/v1/auth/me?token=leaky', token: access_token });
    await server.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { email, password: 'wrong but secret pw' },
    });

    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(3);
    const loginLine = lines.map((l) => JSON.parse(l)).find((l) => l.reqId === 'req-login-1' && l.msg === 'request');
    expect(loginLine).toMatchObject({ method: 'POST', url: '/api/v1/auth/login', status: 200 });
    for (const secret of [password, 'wrong but secret pw', access_token, refresh_token, 'leaky']) {
      expect(all).not.toContain(secret);
    }
  });
});

describe.each(backends())('failed queries in the log on $name', (backend) => {
  const lines: string[] = [];
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { HIVESYNC_LOG_LEVEL: 'info' }, { logLines: lines });
  });
  afterAll(() => server?.stop());

  it('never carry a failed query’s parameters: a NUL byte is refused before the database sees it', async () => {
    const from = lines.length;
    const email = 'nul-name@example.test';
    const res = await server.request({
      method: 'POST',
      url: '/api/v1/auth/register',
      body: { email, password: 'correct horse battery', display_name: 'a\u0000b' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_error' });
    expect(res.json().error.message).toMatch(/^display_name: must not contain a NUL byte/);
    const written = lines.slice(from).join('\n');
    expect(written).not.toContain('$argon2');
    expect(written).not.toContain('params:');
  });

  it('never carry a failed query’s parameters when the database refuses a value (400, not 500)', async () => {
    const owner = await registerUser(server);
    const project = await createProject(server, owner.token);
    const from = lines.length;
    const marker = `title-marker-${Date.now()}`;
    const res = await server.request({
      method: 'POST',
      url: `/api/v1/projects/${project.id}/tasks`,
      token: owner.token,
      body: { title: marker, file: { path: 'src/a.ts', line: 2 ** 31 } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'validation_error',
      message: 'A number in the request is out of range.',
    });
    const written = lines.slice(from);
    const logged = written
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === 'the database refused a value of the request');
    expect(logged.err.message).toMatch(/^Failed query: insert into "tasks"/);
    expect(logged.err.message).toContain('out of range');
    expect(written.join('\n')).not.toContain(marker);
  });

  it('never carry parameters of a query that fails outside a request', async () => {
    const from = lines.length;
    const secret = '$argon2id$v=19$m=19456,t=2,p=1$not-a-real-hash';
    const err = await server.runtime.infra.db.orm.execute(sql`select ${secret}::int`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    server.runtime.infra.logger.error({ err }, 'query failed');
    // Even an error message copied into a plain object is cut at its parameters.
    server.runtime.infra.logger.warn({ err: { message: (err as Error).message } }, 'query failed again');
    const written = lines.slice(from);
    expect(written).toHaveLength(2);
    expect(written.join('\n')).not.toContain('not-a-real-hash');
    expect(JSON.parse(written[0]!).err.message).toContain('Failed query: select $1::int');
  });
});

describe('the log redacts secrets by field name', () => {
  it('at the top level, one level down, and in errors', () => {
    const out: string[] = [];
    const logger = createLogger('info', { write: (l: string) => void out.push(l) });
    const err = Object.assign(new Error('boom'), { params: ['hunter2-param'], token_hash: 'th-secret' });
    logger.info(
      {
        password_hash: 'ph-secret',
        user: { passwordHash: 'ph2-secret', email: 'kept@example.test' },
        credentials: { private_key: 'pk-secret' },
        s3: { secretAccessKey: 'sak-secret' },
        ai: { apiKey: 'ak-secret' },
        err,
      },
      'a line',
    );
    const line = out.join('\n');
    for (const s of ['ph-secret', 'ph2-secret', 'pk-secret', 'sak-secret', 'ak-secret', 'hunter2-param', 'th-secret']) {
      expect(line).not.toContain(s);
    }
    expect(line).toContain('kept@example.test');
    expect(JSON.parse(line).err.message).toBe('boom');
  });
});
