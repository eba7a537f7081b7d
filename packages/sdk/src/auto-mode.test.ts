import { describe, expect, it } from 'vitest';
import { discoverFromFile, HiveSyncClient } from './index.js';
import type { AgentEndpoint } from './auto-mode.js';

const SERVER = 'http://server.test';
const AGENT = 'http://127.0.0.1:4567/hivesync-desktop-api';

interface Seen {
  url: string;
  method: string;
  authorization: string | null;
  key: string | null;
}

/** A fetch standing in for a server and an agent; `agentDown` makes the agent refuse connections. */
function world(options: { serverUrl?: string; signedIn?: boolean } = {}) {
  const seen: Seen[] = [];
  const state = { agentDown: false, agentToken: 'a'.repeat(40), resetPost: false };
  const refused = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
  const fetchImpl = (async (input: string | URL, init: RequestInit = {}) => {
    const url = String(input);
    const headers = new Headers(init.headers);
    seen.push({
      url,
      method: init.method ?? 'GET',
      authorization: headers.get('authorization'),
      key: headers.get('idempotency-key'),
    });
    if (url.startsWith(AGENT)) {
      if (state.agentDown) throw refused();
      if (headers.get('authorization') !== `Bearer ${state.agentToken}`) {
        return new Response(
          JSON.stringify({ error: { code: 'forbidden', message: 'no', request_id: 'r', retryable: false } }),
          {
            status: 403,
            headers: { 'x-hivesync-agent-refused': 'token' },
          },
        );
      }
      if (url.endsWith('/hivesync-desktop-api/health')) {
        return Response.json({
          agent: true,
          signed_in: options.signedIn ?? true,
          server_url: options.serverUrl ?? SERVER,
        });
      }
      if (state.resetPost && init.method === 'POST') {
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'UND_ERR_SOCKET' } });
      }
    }
    return Response.json({ via: url.startsWith(AGENT) ? 'agent' : 'direct' });
  }) as typeof fetch;
  const endpoint = (): AgentEndpoint => ({ url: AGENT, token: state.agentToken });
  return { seen, state, fetchImpl, endpoint };
}

function client(w: ReturnType<typeof world>, reprobeMs = 60_000) {
  return new HiveSyncClient({
    baseUrl: SERVER,
    accessToken: 'user-token',
    fetch: w.fetchImpl,
    mode: 'auto',
    agent: { discover: async () => (w.state.agentDown ? null : w.endpoint()), reprobeMs },
  });
}

const projects = (c: HiveSyncClient) => c.projects.list() as unknown as Promise<{ via: string }>;

describe('auto mode', () => {
  it('goes through the agent when it answers, sending the agent token and never the user token', async () => {
    const w = world();
    const c = client(w);
    expect(await projects(c)).toEqual({ via: 'agent' });
    expect(c.route).toBe('agent');
    const call = w.seen.find((s) => s.url.includes('/api/v1/projects'))!;
    expect(call.url).toBe(`${AGENT}/api/v1/projects`);
    expect(call.authorization).toBe(`Bearer ${w.state.agentToken}`);
    expect(w.seen.some((s) => s.authorization === 'Bearer user-token')).toBe(false);
  });

  it('stays direct when the agent serves another server or holds no session', async () => {
    for (const w of [world({ serverUrl: 'http://other.test' }), world({ signedIn: false })]) {
      const c = client(w);
      expect(await projects(c)).toEqual({ via: 'direct' });
      expect(c.route).toBe('direct');
    }
  });

  it('sends a GET again directly when the agent is gone, then stays direct', async () => {
    const w = world();
    const c = client(w);
    await projects(c);
    w.state.agentDown = true;
    expect(await projects(c)).toEqual({ via: 'direct' });
    expect(c.route).toBe('direct');
    const last = w.seen.at(-1)!;
    expect(last.url).toBe(`${SERVER}/api/v1/projects`);
    expect(last.authorization).toBe('Bearer user-token');
  });

  it('sends a POST that may have reached the server again directly with the same Idempotency-Key', async () => {
    const w = world();
    const c = client(w);
    await projects(c);
    w.state.resetPost = true;
    // The server runs a keyed write once and replays its answer to the retry (docs/API.md, Idempotency-Key).
    expect(await c.projects.create({ name: 'x' })).toEqual({ via: 'direct' });
    const posts = w.seen.filter((s) => s.method === 'POST');
    expect(posts.map((p) => p.url.startsWith(AGENT))).toEqual([true, false]);
    expect(posts[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(posts[1]!.key).toBe(posts[0]!.key);
  });

  it('sends a POST again directly when the agent refused the connection (nothing was sent)', async () => {
    const w = world();
    const c = client(w);
    await projects(c);
    w.state.agentDown = true;
    expect(await c.projects.create({ name: 'x' })).toEqual({ via: 'direct' });
  });

  it('moves back to the agent once a background probe finds it again', async () => {
    const w = world();
    const c = client(w, 0);
    w.state.agentDown = true;
    expect(await projects(c)).toEqual({ via: 'direct' });
    w.state.agentDown = false;
    // This call starts the probe in the background and does not wait for it.
    await projects(c);
    await new Promise((r) => setTimeout(r, 10));
    expect(await projects(c)).toEqual({ via: 'agent' });
  });

  it('reads the discovery again when the agent refuses a token it replaced (a restart)', async () => {
    const w = world();
    const c = client(w);
    await projects(c);
    w.state.agentToken = 'b'.repeat(40);
    expect(await projects(c)).toEqual({ via: 'agent' });
    expect(w.seen.at(-1)!.authorization).toBe(`Bearer ${'b'.repeat(40)}`);
  });

  it('sends calls about the client session straight to the server', async () => {
    const w = world();
    const c = client(w);
    await projects(c);
    await c.auth.login({ email: 'a@example.test', password: 'x' }).catch(() => undefined);
    expect(w.seen.find((s) => s.url.endsWith('/auth/login'))!.url).toBe(`${SERVER}/api/v1/auth/login`);
  });

  it('sends root calls to the agent under /server', async () => {
    const w = world();
    const c = client(w);
    await projects(c);
    await c.health.basic();
    expect(w.seen.at(-1)!.url).toBe(`${AGENT}/server/health`);
  });

  it('stays direct by default and in a process without a discovery file', async () => {
    const w = world();
    const direct = new HiveSyncClient({ baseUrl: SERVER, accessToken: 't', fetch: w.fetchImpl });
    expect(await projects(direct)).toEqual({ via: 'direct' });
    expect(direct.route).toBe('direct');
    const auto = new HiveSyncClient({
      baseUrl: SERVER,
      fetch: w.fetchImpl,
      mode: 'auto',
      agent: { dir: '/nonexistent-hivesync-agent-dir' },
    });
    expect(await projects(auto)).toEqual({ via: 'direct' });
  });
});

describe('discoverFromFile', () => {
  it('uses a 0600 discovery file of a live process, and ignores a 0644 one or a dead pid', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-discovery-'));
    try {
      const file = path.join(dir, 'agent.json');
      const write = (pid: number, mode: number) => {
        fs.rmSync(file, { force: true });
        const body = { format: 1, host: '127.0.0.1', port: 4567, pid, token: 't'.repeat(43), server_url: SERVER };
        fs.writeFileSync(file, JSON.stringify(body), { mode });
        fs.chmodSync(file, mode);
      };
      write(process.pid, 0o600);
      expect(await discoverFromFile(dir)).toEqual({ url: AGENT, token: 't'.repeat(43) });
      write(process.pid, 0o644);
      expect(await discoverFromFile(dir)).toBeNull();
      // A pid far above any pid_max: no such process.
      write(2 ** 30, 0o600);
      expect(await discoverFromFile(dir)).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('agent mode', () => {
  it('never goes direct: without an agent a call fails with network_error, and works once one answers', async () => {
    const w = world();
    w.state.agentDown = true;
    const c = new HiveSyncClient({
      baseUrl: SERVER,
      accessToken: 'user-token',
      fetch: w.fetchImpl,
      mode: 'agent',
      agent: { discover: async () => (w.state.agentDown ? null : w.endpoint()) },
    });
    await expect(c.projects.list()).rejects.toMatchObject({
      code: 'network_error',
      details: { cause: 'agent_not_running' },
    });
    expect(w.seen.some((s) => s.url.startsWith(SERVER))).toBe(false);
    w.state.agentDown = false;
    expect(await projects(c)).toEqual({ via: 'agent' });
    w.state.agentDown = true;
    await expect(c.projects.list()).rejects.toMatchObject({ code: 'network_error' });
    expect(w.seen.some((s) => s.url.startsWith(SERVER))).toBe(false);
  });
});
