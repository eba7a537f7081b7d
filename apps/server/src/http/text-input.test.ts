import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createProject, registerUser, startTestServer, type TestServer } from '../test/harness.js';
import { findInvalidText } from './text-input.js';

describe.each(backends())('bad input answers 400, never 500, on $name', (backend) => {
  let server: TestServer;
  let user: Awaited<ReturnType<typeof registerUser>>;
  let projectId: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    user = await registerUser(server);
    projectId = (await createProject(server, user.token)).id;
  });
  afterAll(() => server?.stop());

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, token = user.token) =>
    server.request({ method, url: `/api/v1${url}`, token, body });
  const expect400 = (res: Awaited<ReturnType<typeof call>>, message: RegExp) => {
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_error', retryable: false });
    expect(res.json().error.message).toMatch(message);
  };

  it('refuses a NUL byte in any JSON string, naming the field', async () => {
    expect400(await call('POST', '/projects', { name: 'x\u0000y' }), /^name: must not contain a NUL byte/);
    expect400(
      await call('POST', `/projects/${projectId}/tasks`, { title: 'ok', description: 'a\u0000' }),
      /^description: must not contain a NUL byte/,
    );
    expect400(
      await call('POST', `/projects/${projectId}/tasks`, { title: 'ok', file: { path: 'a\u0000.ts' } }),
      /^file\.path: must not contain a NUL byte/,
    );
    expect400(await call('POST', '/projects', { name: 'ok', ['k\u0000']: 1 }), /a key/);
    const res = await call('POST', '/projects', { name: 'x\u0000y' });
    expect(res.json().error.details.issues).toEqual([
      { path: 'body.name', message: 'must not contain a NUL byte or invalid text' },
    ]);
  });

  it('refuses an unpaired surrogate, which is not text', async () => {
    const res = await server.request({
      method: 'POST',
      url: '/api/v1/projects',
      token: user.token,
      headers: { 'content-type': 'application/json' },
      body: '{"name": "x\\ud800y"}',
    });
    expect400(res, /^name: must not contain a NUL byte or invalid text/);
    // A proper pair (an emoji) is fine.
    expect((await call('POST', '/projects', { name: 'rocket 🚀' })).statusCode).toBe(201);
  });

  it('refuses a NUL byte in a query string', async () => {
    expect400(
      await call('GET', '/admin/audit?actor=a%00b', undefined, server.admin.token),
      /^querystring\.actor: must not contain a NUL byte/,
    );
  });

  it('refuses integers beyond 2^53 and numbers beyond a column, in queries and bodies', async () => {
    expect400(await call('GET', '/notifications?limit=9007199254740993'), /limit/);
    expect400(await call('GET', `/repo/syncs?project_id=${projectId}&limit=9007199254740993`), /limit/);
    const huge = await server.request({
      method: 'POST',
      url: `/api/v1/projects/${projectId}/tasks`,
      token: user.token,
      headers: { 'content-type': 'application/json' },
      body: '{"title": "t", "file": {"path": "a.ts", "line": 9007199254740993}}',
    });
    expect400(huge, /file\.line/);
    // Within 2^53 but beyond the column (a 32-bit integer): the database refuses it, and that is the client's error.
    expect400(
      await call('POST', `/projects/${projectId}/tasks`, { title: 't', file: { path: 'a.ts', line: 2 ** 31 } }),
      /^A number in the request is out of range\.$/,
    );
  });

  it('survives a deeply nested body', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const res = await server.request({
      method: 'POST',
      url: '/api/v1/projects',
      token: user.token,
      headers: { 'content-type': 'application/json' },
      body: `{"name": "deep", "x": ${deep}}`,
    });
    expect(res.statusCode).toBeLessThan(500);
  });
});

describe('findInvalidText', () => {
  it('finds NUL bytes and unpaired surrogates in values and keys, with their path', () => {
    expect(findInvalidText({ a: [{ b: 'ok' }, { c: 'x\u0000' }] }, 'body')).toEqual({
      path: 'body.a.1.c',
      what: 'value',
    });
    expect(findInvalidText({ a: { ['\uDC00']: 1 } }, 'body')).toEqual({ path: 'body.a', what: 'key' });
    expect(findInvalidText({ a: 'pair \uD83D\uDE80 ok', n: 1, t: true, z: null }, 'body')).toBeUndefined();
    expect(findInvalidText(Buffer.from([0]), 'body')).toBeUndefined();
  });
});
