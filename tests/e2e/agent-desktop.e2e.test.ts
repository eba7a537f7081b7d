import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { FileSecretStore, startAgent, type RunningAgent } from '@hivesync/agent';
import {
  AgentApi,
  HiveSyncClient,
  PREVIEW_PROGRESS_EVENT,
  type AgentDiscovery,
  type AgentPreviewProgress,
} from '@hivesync/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  eventually,
  registerUser,
  startTestServer,
  tempDir,
  type TestServer,
} from '../../apps/server/src/test/harness.js';
import { browserAvailable, launchChromium } from '../support/browser.js';
import { ROOT } from '../support/server-process.js';

const P = '/hivesync-desktop-api';

/** An answer read off a raw socket. */
interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  json: () => any;
}

/** A request to the agent with exactly the given headers (Host included: nothing is added). */
function raw(
  port: number,
  method: string,
  reqPath: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: reqPath,
        setHost: false,
        headers: { ...headers, ...(payload !== undefined && { 'content-type': 'application/json' }) },
      },
      (res) => {
        let text = '';
        // An event stream never ends: its headers and first frame are enough.
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          res.once('data', (d: Buffer) => {
            text += d.toString();
            res.destroy();
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => undefined });
          });
          return;
        }
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text || '{}') }),
        );
      },
    );
    req.once('error', reject);
    req.end(payload);
  });
}

/**
 * The desktop UI's access to the agent: the one-time launch URL, the cookie it leaves, the Origin and Host rules
 * with that cookie, and signing the agent in and out from the renderer. A real server, the agent as the desktop app
 * embeds it (startAgent with a uiDir), real loopback sockets, and Debian chromium for the browser's own view.
 */
// Each step waits on a real server, git and Chromium: minutes on a loaded 2-core machine.
describe('the agent’s desktop UI access', { timeout: 240_000 }, () => {
  const root = tempDir('hivesync-agent-ui-');
  const uiDir = path.join(root.dir, 'ui');
  let server: TestServer;
  let agent: RunningAgent;
  let host: string;
  let other: { token: string; id: string; email: string; password: string };

  /** Opens a launch URL the way a browser would (no cookie yet); returns the cookie it set. */
  async function launch(): Promise<{ cookie: string; answer: RawAnswer }> {
    const url = new URL(agent.launchUrl());
    const answer = await raw(agent.port, 'GET', `${url.pathname}${url.search}`, { host });
    const setCookie = answer.headers['set-cookie']?.[0] ?? '';
    return { cookie: setCookie.split(';')[0]!, answer };
  }

  beforeAll(async () => {
    fs.mkdirSync(uiDir);
    fs.writeFileSync(
      path.join(uiDir, 'index.html'),
      `<!doctype html><title>HiveSync desktop</title><script type="module" src="./main.js"></script><pre id="out"></pre>`,
    );
    // What the renderer does on start: ask the agent for its health and the server for the projects, through the
    // agent with its cookie (a GET without an Origin, and a POST, which Chromium sends with the page's Origin).
    fs.writeFileSync(
      path.join(uiDir, 'main.js'),
      `const out = {};
      const health = await fetch('${P}/health');
      out.health = health.status;
      out.signedIn = (await health.json()).signed_in;
      const created = await fetch('${P}/api/v1/projects', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'from-the-renderer' }),
      });
      out.created = created.status;
      const list = await fetch('${P}/api/v1/projects');
      out.projects = (await list.json()).projects.map((p) => p.name);
      out.cookieVisible = document.cookie.includes('hivesync_agent');
      out.url = location.href;
      document.getElementById('out').textContent = JSON.stringify(out);`,
    );
    server = await startTestServer(backends()[0]!, {}, { listen: true });
    other = await registerUser(server);
    const dir = path.join(root.dir, 'agent');
    fs.mkdirSync(dir, { mode: 0o700 });
    agent = await startAgent({
      serverUrl: server.url!,
      dir,
      tokens: { accessToken: server.admin.token, refreshToken: null },
      secretStore: new FileSecretStore(path.join(dir, 'session.json')),
      uiDir,
    });
    await agent.session.identify();
    host = `127.0.0.1:${agent.port}`;
    // A server start takes minutes on a loaded 2-core machine.
  }, 300_000);

  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    root.remove();
  });

  it('exchanges a one-time launch token for an HttpOnly, SameSite=Strict cookie and redirects without the token', async () => {
    expect(agent.launchUrl()).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:${agent.port}/hivesync-desktop-api/app/\\?launch=[\\w-]{43}$`),
    );
    const { cookie, answer } = await launch();
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe(`${P}/app/`);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    const attributes = answer.headers['set-cookie']![0]!.split(';').map((a) => a.trim());
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', `Path=${P}`]));
    expect(attributes.some((a) => /^domain=/i.test(a))).toBe(false);
    expect(cookie).toMatch(/^hivesync_agent=[\w-]{43}$/);

    // The cookie opens the app, the agent's own routes, forwarded API calls and the event stream.
    const page = await raw(agent.port, 'GET', `${P}/app/`, { host, cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>HiveSync desktop</title>');
    expect(page.headers['x-frame-options']).toBe('DENY');
    const script = await raw(agent.port, 'GET', `${P}/app/main.js`, { host, cookie });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect((await raw(agent.port, 'GET', `${P}/health`, { host, cookie })).json()).toMatchObject({
      agent: true,
      signed_in: true,
    });
    const origin = `http://127.0.0.1:${agent.port}`;
    const created = await raw(agent.port, 'POST', `${P}/api/v1/projects`, { host, cookie, origin }, { name: 'c1' });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ name: 'c1' });
    const events = await raw(agent.port, 'GET', `${P}/api/v1/events`, { host, cookie });
    expect(events.status).toBe(200);
    expect(events.headers['content-type']).toMatch(/^text\/event-stream/);

    // Without the cookie (or with a made-up one) nothing but a refusal.
    const without: Record<string, string>[] = [{ host }, { host, cookie: 'hivesync_agent=made-up' }];
    for (const headers of without) {
      const r = await raw(agent.port, 'GET', `${P}/app/`, headers);
      expect(r.status).toBe(403);
      expect(r.json().error).toMatchObject({ code: 'forbidden', details: { reason: 'token' } });
    }
  });

  it('refuses a launch token used twice', async () => {
    const url = new URL(agent.launchUrl());
    const first = await raw(agent.port, 'GET', `${url.pathname}${url.search}`, { host });
    expect(first.status).toBe(303);
    const again = await raw(agent.port, 'GET', `${url.pathname}${url.search}`, { host });
    expect(again.status).toBe(403);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(again.json().error).toMatchObject({ code: 'forbidden', details: { reason: 'launch' } });
    const forged = await raw(agent.port, 'GET', `${P}/app/?launch=${'x'.repeat(43)}`, { host });
    expect(forged.status).toBe(403);
  });

  it('refuses a valid cookie from a foreign Origin or under a DNS-rebinding Host', async () => {
    const { cookie } = await launch();
    const foreign = [
      'https://evil.example',
      'null',
      `http://localhost:${agent.port}`,
      `http://127.0.0.1:${agent.port + 1}`,
      `https://127.0.0.1:${agent.port}`,
    ];
    for (const origin of foreign) {
      const r = await raw(agent.port, 'POST', `${P}/api/v1/projects`, { host, cookie, origin }, { name: 'x' });
      expect(r.status, origin).toBe(403);
      expect(r.json().error).toMatchObject({ code: 'forbidden', details: { reason: 'origin' } });
    }
    // A rebinding page reaches the port under its own name: refused whatever it carries.
    const rebound = await raw(agent.port, 'GET', `${P}/api/v1/projects`, {
      host: `evil.example:${agent.port}`,
      cookie,
    });
    expect(rebound.status).toBe(403);
    expect(rebound.json().error.details.reason).toBe('host');
    const reboundOrigin = await raw(agent.port, 'GET', `${P}/app/`, {
      host: `evil.example:${agent.port}`,
      origin: `http://evil.example:${agent.port}`,
      cookie,
    });
    expect(reboundOrigin.status).toBe(403);
    // The bearer token never works from a page either.
    const token = (JSON.parse(fs.readFileSync(agent.discoveryFile, 'utf8')) as AgentDiscovery).token;
    const withToken = await raw(agent.port, 'GET', `${P}/health`, {
      host,
      authorization: `Bearer ${token}`,
      origin: 'https://evil.example',
    });
    expect(withToken.status).toBe(403);
  });

  it('gives launch URLs to the token holder only', async () => {
    const api = await AgentApi.discover({ dir: path.dirname(agent.discoveryFile) });
    const { url, expires_in } = await api!.launch();
    expect(url).toMatch(/\/hivesync-desktop-api\/app\/\?launch=/);
    expect(expires_in).toBe(60);
    const { cookie } = await launch();
    const r = await raw(agent.port, 'POST', `${P}/launch`, { host, cookie });
    expect(r.status).toBe(403);
  });

  it('builds and sends a preview of a folder, with progress on the event stream and a 422 for a broken app', async () => {
    const api = (await AgentApi.discover({ dir: path.dirname(agent.discoveryFile) }))!;
    const client = await api.serverClient({ client: 'vscode' });
    const project = await client.projects.create({ name: 'previews' });
    const progress: AgentPreviewProgress[] = [];
    const stop = new AbortController();
    let open = false;
    const stream = client.events.stream({
      signal: stop.signal,
      onNotification: () => undefined,
      onOpen: () => {
        open = true;
      },
      onEvent: (e) => {
        if (e.type === PREVIEW_PROGRESS_EVENT) progress.push(e.data as unknown as AgentPreviewProgress);
      },
    });
    try {
      await eventually(async () => open && (await api.health()).event_subscribers > 0);
      const fixture = path.join(ROOT, 'tests/fixtures/preview-app');
      const sent = await api.createPreview(
        { folder: fixture, platform: 'web', project_id: project.id },
        { requestId: 'send-preview-1' },
      );
      expect(sent).toMatchObject({ project_id: project.id, platform: 'web', bundle: { uploaded: true } });
      expect(sent.code).toMatch(/^[A-Z0-9-]{4,}$/);
      expect(sent.deep_link).toBe(`${server.url}/p/${encodeURIComponent(sent.code)}`);
      // What a phone does with the code: the bundle it gets is the one built here.
      const resolved = await new HiveSyncClient({ baseUrl: server.url! }).previews.resolve({ code: sent.code });
      expect(resolved).toMatchObject({ preview_id: sent.preview_id, sha256: sent.bundle.sha256 });
      await eventually(async () => progress.some((p) => p.stage === 'ready'));
      expect(progress.filter((p) => p.request_id === 'send-preview-1').map((p) => p.stage)).toEqual([
        'building',
        'uploading',
        'completing',
        'ready',
      ]);
      expect(progress.at(-1)).toMatchObject({ preview_id: sent.preview_id, folder: fs.realpathSync(fixture) });

      // A compile error: 422 with the file and line, and `failed` on the stream.
      const broken = path.join(root.dir, 'broken-app');
      fs.mkdirSync(broken);
      fs.writeFileSync(path.join(broken, 'App.tsx'), 'export default function App() {\n  return <p>hi</p\n}\n');
      const err = (await api
        .createPreview({ folder: broken, platform: 'web', project_id: project.id }, { requestId: 'broken-1' })
        .catch((e: unknown) => e)) as { status: number; code: string; details: Record<string, unknown> };
      expect(err).toMatchObject({
        status: 422,
        code: 'unprocessable',
        details: { reason: 'build_failed', file: 'App.tsx', line: 3 },
      });
      await eventually(async () => progress.some((p) => p.request_id === 'broken-1' && p.stage === 'failed'));

      // An unmapped folder needs its project named.
      await expect(api.createPreview({ folder: broken, platform: 'web' })).rejects.toMatchObject({
        status: 400,
        details: { reason: 'no_mapping' },
      });
      await expect(
        api.createPreview({ folder: broken, platform: 'desktop' as never, project_id: project.id }),
      ).rejects.toMatchObject({ status: 400 });
    } finally {
      stop.abort();
      await stream.catch(() => undefined);
    }
  });

  it('lets the renderer sign the agent in and out, and nobody else', async () => {
    const { cookie } = await launch();
    const origin = `http://127.0.0.1:${agent.port}`;
    // The SDK as the renderer uses it: no token, the cookie goes along (here added by the fetch, as a browser would).
    const withCookie: typeof fetch = (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie, origin } });
    const renderer = new AgentApi({ url: `${origin}${P}`, fetch: withCookie });
    const plugin = (await AgentApi.discover({ dir: path.dirname(agent.discoveryFile) }))!;

    // A plugin (the token) may neither sign the agent in nor out, nor log in through the forwarded API.
    await expect(plugin.signIn({ email: other.email, password: other.password })).rejects.toMatchObject({
      status: 403,
      details: { reason: 'session_call' },
    });
    await expect(plugin.signOut()).rejects.toMatchObject({ status: 403 });
    const forwarded = await raw(
      agent.port,
      'POST',
      `${P}/api/v1/auth/login`,
      { host, cookie, origin },
      { email: other.email, password: other.password },
    );
    expect(forwarded.status).toBe(403);

    // Wrong password: the server's 401, and the agent keeps its session.
    await expect(renderer.signIn({ email: other.email, password: 'wrong password' })).rejects.toMatchObject({
      status: 401,
    });
    expect((await renderer.health()).user_id).toBe(server.admin.id);

    const signedIn = await renderer.signIn({ email: other.email, password: other.password });
    expect(signedIn).toEqual({ signed_in: true, user_id: other.id, email: other.email });
    const discovery = JSON.parse(fs.readFileSync(agent.discoveryFile, 'utf8')) as AgentDiscovery;
    expect(discovery.user_id).toBe(other.id);
    // Calls through the agent are now the other user's: they see none of the admin's projects.
    const client = await renderer.serverClient();
    expect((await client.auth.me()).id).toBe(other.id);
    expect((await client.projects.list()).projects).toEqual([]);
    expect(client.route).toBe('agent');

    const out = await renderer.signOut();
    expect(out).toEqual({ signed_in: false, user_id: null, email: null });
    expect((await renderer.health()).signed_in).toBe(false);
    await expect(client.projects.list()).rejects.toMatchObject({ status: 401 });
    // Signed in again (as the admin) for the tests after this one.
    await renderer.signIn({ email: server.admin.email, password: server.admin.password });
    expect((await plugin.health()).user_id).toBe(server.admin.id);
  });

  it.runIf(browserAvailable())(
    'runs the renderer in Chromium from the launch URL: cookie set, token gone from the address, API calls pass',
    async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.goto(agent.launchUrl());
        await page.waitForFunction("document.getElementById('out')?.textContent !== ''", undefined, {
          timeout: 120_000,
        });
        const out = JSON.parse((await page.textContent('#out'))!) as Record<string, unknown>;
        expect(out).toMatchObject({
          health: 200,
          signedIn: true,
          created: 201,
          cookieVisible: false,
          url: `http://127.0.0.1:${agent.port}${P}/app/`,
        });
        expect(out.projects).toContain('from-the-renderer');

        // Another page on 127.0.0.1 (the HiveSync server's, on another port) is same-site to the browser, so the
        // cookie goes along: only the Origin check stands in its way. A simple no-cors POST is sent without a
        // preflight, so the agent's refusal alone keeps it running (the browser hides the answer from the page).
        const foreign = await browser.newPage();
        await foreign.goto(`${server.url}/health`);
        await foreign.evaluate(async (url) => {
          await fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', body: 'stop' }).catch(() => null);
        }, `http://127.0.0.1:${agent.port}${P}/shutdown`);
        const plugin = (await AgentApi.discover({ dir: path.dirname(agent.discoveryFile) }))!;
        expect((await plugin.health()).agent).toBe(true);
      } finally {
        await browser.close();
      }
    },
    // Chromium starts slowly on a loaded 2-core machine.
    300_000,
  );
});
