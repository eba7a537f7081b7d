import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestServer, type TestServer } from '../test/harness.js';

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
