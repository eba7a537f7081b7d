import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { HiveSyncTokens } from '@hivesync/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent } from './agent.js';
import { FileSecretStore } from './secret-store.js';

/**
 * A stand-in for the HiveSync server: access token `a1` has expired, POST /auth/refresh with `r1` gives `a2`/`r2`
 * (and refuses a spent refresh token, as the server does), and every call is recorded.
 */
async function stubServer() {
  const calls: { method: string; url: string; auth: string | undefined; body: string }[] = [];
  let refreshes = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('latin1')));
    req.on('end', () => {
      calls.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.url === '/api/v1/auth/refresh') {
        refreshes++;
        if (JSON.parse(body).refresh_token !== 'r1') {
          return json(401, { error: { code: 'unauthorized', message: 'spent', request_id: 'x', retryable: false } });
        }
        return json(200, { access_token: 'a2', refresh_token: 'r2', user: { id: 'u1' } });
      }
      if (req.headers.authorization !== 'Bearer a2') {
        return json(401, { error: { code: 'token_expired', message: 'expired', request_id: 'x', retryable: false } });
      }
      if (req.url === '/api/v1/auth/me') return json(200, { id: 'u1', email: 'u@example.test' });
      if (req.url === '/api/v1/echo') {
        res.writeHead(201, { 'content-type': req.headers['content-type'] ?? 'none', 'x-custom': 'kept' });
        return res.end(Buffer.from(body, 'latin1'));
      }
      json(404, {
        error: { code: 'not_found', message: 'The project was not found.', request_id: 'x', retryable: false },
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    refreshes: () => refreshes,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const server = await stubServer();
  cleanups.push(server.close);
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-agent-')), '.hivesync');
  cleanups.push(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
  const secrets = new FileSecretStore(path.join(dir, 'session.json'));
  const told: HiveSyncTokens[] = [];
  const agent = await startAgent({
    serverUrl: server.url,
    dir,
    tokens: { accessToken: 'a1', refreshToken: 'r1' },
    secretStore: secrets,
    onTokens: (t) => void told.push(t),
  });
  cleanups.push(() => agent.stop());
  const call = (p: string, init: RequestInit = {}) =>
    fetch(`${agent.url}${p}`, {
      ...init,
      headers: { authorization: `Bearer ${agent.discovery.token}`, ...(init.headers as Record<string, string>) },
    });
  return { server, dir, secrets, told, agent, call };
}

describe('startAgent', () => {
  it('refreshes an expired token once for concurrent calls, keeps the new refresh token, and resends', async () => {
    const { server, secrets, told, call } = await setup();
    // Identifying the user at start already refreshed once.
    expect(server.refreshes()).toBe(1);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        call('/api/v1/echo', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    expect(server.refreshes()).toBe(1);
    expect(JSON.parse((await secrets.get(`session:${server.url}`))!)).toEqual({ refresh_token: 'r2', user_id: 'u1' });
    expect(told.at(-1)).toEqual({ accessToken: 'a2', refreshToken: 'r2' });
  });

  it('forwards bodies byte for byte with the server’s status, headers and error envelope', async () => {
    const { call, server, agent } = await setup();
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const res = await call('/api/v1/echo', {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-custom')).toBe('kept');
    expect(res.headers.get('x-hivesync-agent')).toBe('0.1.0');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    const missing = await call('/api/v1/projects/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found', message: 'The project was not found.' } });
    // The plugin's (agent) token is never forwarded: the server sees the user's.
    expect(server.calls.some((c) => c.auth?.includes(agent.discovery.token))).toBe(false);
    expect(server.calls.at(-1)!.auth).toBe('Bearer a2');
    const refused = await call('/api/v1/auth/logout', { method: 'POST' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-hivesync-agent-refused')).toBe('session_call');
  });

  it('refuses to start a second agent on the same directory, and removes its discovery file when it stops', async () => {
    const { dir, agent, server } = await setup();
    const file = path.join(dir, 'agent.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await expect(
      startAgent({ serverUrl: server.url, dir, secretStore: new FileSecretStore(path.join(dir, 's.json')) }),
    ).rejects.toThrow(/already running/);
    await agent.stop();
    expect(fs.existsSync(file)).toBe(false);
  });
});
