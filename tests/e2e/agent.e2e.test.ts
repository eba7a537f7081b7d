import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { HiveSyncClient, type AgentDiscovery, type Notification } from '@hivesync/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingProxy, type CountingProxy } from '../../packages/agent/src/test/counting-proxy.js';
import { commitFiles, makeRepo } from '../../apps/server/src/test/git-fixtures.js';
import { eventually, tempDir } from '../../apps/server/src/test/harness.js';
import { runCli, startCli } from '../support/cli.js';
import { spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';

const PASSWORD = 'correct horse battery';

/** A user of this machine: their home (with ~/.hivesync), their CLI config and their `hivesync agent`. */
interface Person {
  email: string;
  home: string;
  config: string;
  agent?: ChildProcessWithoutNullStreams;
}

/**
 * Proxy Mode end to end: a real server (behind a proxy that counts what reaches it), `hivesync agent` run the way a
 * user runs it, and plugin stand-ins (the SDK in auto mode) over real loopback sockets.
 */
describe('the local agent and Proxy Mode', () => {
  const root = tempDir('hivesync-agent-e2e-');
  const data = path.join(root.dir, 'data');
  let server: ServerProcess;
  let proxy: CountingProxy;
  const alice: Person = { email: 'alice@example.test', home: path.join(root.dir, 'alice'), config: '' };
  const bob: Person = { email: 'bob@example.test', home: path.join(root.dir, 'bob'), config: '' };
  const dirOf = (p: Person) => path.join(p.home, '.hivesync');
  const discovery = (p: Person) =>
    JSON.parse(fs.readFileSync(path.join(dirOf(p), 'agent.json'), 'utf8')) as AgentDiscovery;

  const cli = (p: Person, args: string[], stdin?: string) =>
    runCli(args, { server: proxy.url, configHome: p.config, cwd: p.home, stdin });

  /** Starts `hivesync agent` for a person and waits for its banner. */
  async function startAgent(p: Person): Promise<void> {
    const child = startCli(['agent'], { server: proxy.url, configHome: p.config, cwd: p.home });
    child.stdin.end();
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ctrl-C stops it')) resolve();
      });
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => reject(new Error(`hivesync agent exited with ${code}: ${out}`)));
    });
    expect(out).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+\/hivesync-desktop-api/);
    // No keychain answers on this machine: the agent says it uses the 0600 file instead.
    expect(out).toMatch(/secrets +the file .*session\.json \(mode 0600\): no OS keychain answered/);
    expect(out).not.toContain(discovery(p).token);
    p.agent = child;
  }

  function killAgent(p: Person): Promise<void> {
    const child = p.agent!;
    p.agent = undefined;
    // An agent that has exited already has no 'exit' event left to wait for.
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** A plugin stand-in: the SDK in auto mode with its own login, re-probing the agent often. */
  async function plugin(p: Person, client = 'vscode'): Promise<HiveSyncClient> {
    const c = new HiveSyncClient({
      baseUrl: proxy.url,
      client,
      mode: 'auto',
      agent: { dir: dirOf(p), reprobeMs: 200 },
    });
    await c.auth.login({ email: p.email, password: PASSWORD, remember: true });
    return c;
  }

  /** A raw request to an agent, with exactly the given headers. */
  function raw(
    port: number,
    headers: Record<string, string>,
    reqPath = '/hivesync-desktop-api/api/v1/projects',
  ): Promise<{ status: number; body: { error?: { code: string; details?: { reason?: string } } } }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: reqPath, headers, setHost: false }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') as never }));
      });
      req.once('error', reject);
      req.end();
    });
  }

  /** Calls to the server that came from the agent (its User-Agent says so) since `from`. */
  const viaAgent = (from: number, prefix: string) =>
    proxy.seen.slice(from).filter((s) => s.path.startsWith(prefix) && s.userAgent.includes('hivesync-agent/'));

  beforeAll(async () => {
    for (const p of [alice, bob]) {
      fs.mkdirSync(p.home, { recursive: true });
      p.config = path.join(p.home, '.config');
    }
    // Every plugin stand-in logs in on its own, from one address.
    server = spawnServer({
      HIVESYNC_DATA_DIR: data,
      HIVESYNC_ALLOW_LOCAL_REPOS: 'true',
      HIVESYNC_LOGIN_LIMIT_PER_IP: '1000',
    });
    await server.ready;
    proxy = await startCountingProxy(server.url);
    for (const p of [alice, bob]) {
      const r = await cli(p, ['register', '--email', p.email, '--password-stdin'], `${PASSWORD}\n`);
      expect(r.code, r.err).toBe(0);
    }
    await startAgent(alice);
    // A server start and three CLI runs take minutes on a loaded 2-core machine.
  }, 300_000);

  afterAll(async () => {
    for (const p of [alice, bob]) if (p.agent) await killAgent(p);
    await proxy?.close();
    await stopServer(server);
    root.remove();
  }, 60_000);

  it('writes a 0600 discovery file in a 0700 directory and answers its health', async () => {
    const file = path.join(dirOf(alice), 'agent.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dirOf(alice)).mode & 0o777).toBe(0o700);
    const d = discovery(alice);
    expect(d).toMatchObject({ format: 1, host: '127.0.0.1', server_url: proxy.url, pid: alice.agent!.pid });
    expect(d.user_id).toMatch(/^[0-9a-f-]{36}$/);
    const r = await runCli(['agent', 'status', '--json'], {
      server: proxy.url,
      configHome: alice.config,
      cwd: alice.home,
    });
    expect(JSON.parse(r.out)).toMatchObject({ running: true, signed_in: true, secret_store: 'file' });
  });

  it('takes the CLI’s own commands through the agent, and runs the health script there', async () => {
    const from = proxy.seen.length;
    const list = await cli(alice, ['projects', 'list', '--json']);
    expect(list.code, list.err).toBe(0);
    expect(viaAgent(from, '/api/v1/projects')).toHaveLength(1);
    const doctor = await cli(alice, ['agent', 'doctor', '--json']);
    const report = JSON.parse(doctor.out) as { via: string; checks: { name: string; status: string }[] };
    expect(report.via).toBe('agent');
    expect(report.checks.find((c) => c.name === 'server_reachable')?.status).toBe('ok');
  });

  it('routes a plugin through the agent, which adds the token the plugin never sends', async () => {
    const c = await plugin(alice);
    const from = proxy.seen.length;
    const created = await c.projects.create({ name: 'through-agent' });
    expect(created.name).toBe('through-agent');
    expect(c.route).toBe('agent');
    const forwarded = viaAgent(from, '/api/v1/projects');
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]!.authorized).toBe(true);
    // The server's own errors pass through unchanged: status, code, envelope.
    const err = await c.projects.get('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('refuses requests without the token, with a foreign Host, with an Origin, or with another user’s agent token', async () => {
    const { port, token } = discovery(alice);
    const host = `127.0.0.1:${port}`;
    const cases: { headers: Record<string, string>; reason: string }[] = [
      { headers: { host }, reason: 'token' },
      { headers: { host, authorization: `Bearer ${token}x` }, reason: 'token' },
      { headers: { host: `evil.example:${port}`, authorization: `Bearer ${token}` }, reason: 'host' },
      { headers: { host: `127.0.0.1:${port + 1}`, authorization: `Bearer ${token}` }, reason: 'host' },
      { headers: { host, authorization: `Bearer ${token}`, origin: 'https://evil.example' }, reason: 'origin' },
      { headers: { host, authorization: `Bearer ${token}`, origin: 'null' }, reason: 'origin' },
    ];
    for (const { headers, reason } of cases) {
      const r = await raw(port, headers);
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(r.body.error).toMatchObject({ code: 'forbidden', details: { reason } });
    }
    // Bob runs his own agent: its token opens neither his data through Alice's agent nor the other way round.
    await startAgent(bob);
    try {
      const b = discovery(bob);
      const r = await raw(port, { host, authorization: `Bearer ${b.token}` });
      expect(r.status).toBe(403);
      const back = await raw(b.port, { host: `127.0.0.1:${b.port}`, authorization: `Bearer ${token}` });
      expect(back.status).toBe(403);
      const ok = await raw(port, { host: `localhost:${port}`, authorization: `Bearer ${token}` });
      expect(ok.status).toBe(200);
    } finally {
      await killAgent(bob);
    }
  });

  it('shares one upstream event stream between plugins, fanned out to each', async () => {
    const plugins = [await plugin(alice, 'vscode'), await plugin(alice, 'nvim')];
    const got: Notification[][] = [[], []];
    const stop = new AbortController();
    const running = plugins.map((c, i) =>
      c.events.stream({ signal: stop.signal, onNotification: (n) => void got[i]!.push(n) }),
    );
    try {
      const { port, token } = discovery(alice);
      const health = async () => {
        const res = await fetch(`http://127.0.0.1:${port}/hivesync-desktop-api/health`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return (await res.json()) as { event_subscribers: number; upstream_stream: boolean };
      };
      await eventually(async () => (await health()).event_subscribers === 2 && (await health()).upstream_stream);
      expect(proxy.openStreams()).toBe(1);
      expect(plugins.every((c) => c.route === 'agent')).toBe(true);
      // Alice registered first, so she is the instance admin: a broadcast notifies her.
      await plugins[0]!.admin.broadcast({ message: 'maintenance at noon' });
      await eventually(async () => got.every((list) => list.some((n) => JSON.stringify(n).includes('maintenance'))));
      expect(proxy.openStreams()).toBe(1);
    } finally {
      stop.abort();
      await Promise.all(running);
    }
  });

  it('answers ten polling plugins with at most one server request per poll interval', async () => {
    const plugins = await Promise.all(Array.from({ length: 10 }, () => plugin(alice, 'vscode')));
    await plugins[0]!.notifications.list();
    const from = proxy.seen.length;
    for (let round = 0; round < 3; round++) {
      const polls = await Promise.all(plugins.map((c) => c.notifications.list()));
      expect(polls.every((p) => p.notifications.length > 0)).toBe(true);
    }
    expect(viaAgent(from, '/api/v1/notifications')).toHaveLength(0);
  });

  it('maps folders to projects: a git clone of the project’s repository, with clear errors otherwise', async () => {
    const c = await plugin(alice);
    const repo = path.join(root.dir, 'origin-repo');
    makeRepo(repo, { 'README.md': '# demo\n', 'src/a.ts': 'export const a = 1;\n' });
    const project = await c.projects.create({ name: 'mapped', repo_url: repo });
    const clone = path.join(root.dir, 'clone');
    execFileSync('git', ['clone', '-q', repo, clone]);
    const other = path.join(root.dir, 'other');
    makeRepo(other, { 'x.txt': 'x\n' });
    execFileSync('git', ['-C', other, 'remote', 'add', 'origin', 'https://github.com/someone/else.git']);
    const plain = path.join(root.dir, 'plain');
    fs.mkdirSync(plain);

    const { port, token } = discovery(alice);
    const api = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${port}/hivesync-desktop-api${p}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads arbitrary JSON
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
    };

    const notGit = await api('PUT', '/mappings', { folder: plain, project_id: project.id });
    expect(notGit.status).toBe(400);
    expect(notGit.body.error).toMatchObject({ code: 'validation_error', details: { reason: 'not_a_git_repository' } });
    expect(notGit.body.error.message).toContain('is not a git repository');

    const mismatch = await api('PUT', '/mappings', { folder: other, project_id: project.id });
    expect(mismatch.status).toBe(409);
    expect(mismatch.body.error).toMatchObject({ code: 'conflict', details: { reason: 'remote_mismatch' } });
    expect(mismatch.body.error.message).toContain('someone/else');

    const forced = await api('PUT', '/mappings', { folder: other, project_id: project.id, force: true });
    expect(forced.status).toBe(200);
    expect(forced.body).toMatchObject({ forced: true });

    const unknownProject = await api('PUT', '/mappings', {
      folder: clone,
      project_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknownProject.status).toBe(404);

    const mapped = await api('PUT', '/mappings', { folder: clone, project_id: project.id });
    expect(mapped.status).toBe(200);
    expect(mapped.body).toMatchObject({ folder: fs.realpathSync(clone), project_id: project.id, forced: false });
    expect(fs.statSync(path.join(dirOf(alice), 'mappings.json')).mode & 0o777).toBe(0o600);

    // A plugin opened on a subfolder finds the project.
    const found = await api('GET', `/mappings?folder=${encodeURIComponent(path.join(clone, 'src'))}`);
    expect(found.body.project_id).toBe(project.id);

    // Local helpers: hashes with normalized paths, and branch and dirty files.
    fs.writeFileSync(path.join(clone, 'src/a.ts'), 'export const a = 2;\n');
    const files = await api('POST', '/local/files', { folder: clone });
    expect(files.body.files.map((f: { path: string }) => f.path)).toEqual(['README.md', 'src/a.ts']);
    expect(files.body.files[1].sha256).toMatch(/^[0-9a-f]{64}$/);
    const state = await api('GET', `/local/git?folder=${encodeURIComponent(clone)}`);
    expect(state.body).toMatchObject({ branch: 'main', dirty: [{ path: 'src/a.ts', status: ' M' }] });

    const health = await api('GET', '/health/local');
    const byName = Object.fromEntries(
      (health.body.checks as { name: string; status: string }[]).map((ch) => [ch.name, ch.status]),
    );
    expect(byName).toMatchObject({ server_reachable: 'ok', version_compatible: 'ok', signed_in: 'ok', git: 'ok' });
    expect(health.body.checks.filter((ch: { folder?: string }) => ch.folder === fs.realpathSync(clone)).length).toBe(2);

    expect((await api('DELETE', `/mappings?folder=${encodeURIComponent(other)}`)).status).toBe(204);
    expect((await api('DELETE', `/mappings?folder=${encodeURIComponent(other)}`)).status).toBe(404);
    commitFiles(repo, { 'later.txt': 'later\n' }, 'later');
  });

  it('ignores a discovery file that others can read: the plugin goes direct', async () => {
    const file = path.join(dirOf(alice), 'agent.json');
    fs.chmodSync(file, 0o644);
    try {
      const c = await plugin(alice);
      await c.projects.list();
      expect(c.route).toBe('direct');
    } finally {
      fs.chmodSync(file, 0o600);
    }
  });

  it('posts a comment once when the agent dies after forwarding it: the SDK resends direct with the same Idempotency-Key', async () => {
    const c = await plugin(alice);
    const repo = path.join(root.dir, 'comment-repo');
    makeRepo(repo, { 'README.md': '# comments\n' });
    const project = await c.projects.create({ name: 'comments', repo_url: repo });
    const sync = await c.repo.sync(project.id);
    expect((await c.repo.waitForSync(sync.sync_id)).status).toBe('completed');
    const thread = await c.threads.create(project.id, { path: 'README.md', start_line: 1, body: 'first' });
    expect(c.route).toBe('agent');

    // The agent forwards the reply; the server gets it only after the agent died (held by the proxy meanwhile).
    const replies = `/api/v1/threads/${thread.thread_id}/replies`;
    const arrived = proxy.delayNext(replies, 1500);
    const reply = c.threads.reply(thread.thread_id, 'only once');
    await arrived;
    await killAgent(alice);
    await reply;
    expect(c.route).toBe('direct');

    const comments = (await c.threads.get(thread.thread_id)).comments ?? [];
    expect(comments.filter((cm) => cm.body === 'only once')).toHaveLength(1);
    // The retry carried the first attempt's key (the server's replay itself is tested in idempotency.test.ts).
    expect(proxy.seen.filter((s) => s.path === replies && s.method === 'POST')).toHaveLength(2);
    await startAgent(alice);
  });

  it('finishes a call direct when the agent is killed in the middle of it, and moves back once it is restarted', async () => {
    const c = await plugin(alice);
    await c.projects.list();
    expect(c.route).toBe('agent');
    // The server holds the agent's forwarded call back; the agent dies while it waits.
    const arrived = proxy.delayNext('/api/v1/projects', 1500);
    const call = c.projects.list();
    await arrived;
    await killAgent(alice);
    const list = await call;
    expect(list.projects.map((p) => p.name)).toContain('through-agent');
    expect(c.route).toBe('direct');

    // The agent died without removing its discovery file: a new plugin sees the dead pid and goes direct at once.
    expect(fs.existsSync(path.join(dirOf(alice), 'agent.json'))).toBe(true);
    const late = await plugin(alice);
    await late.projects.list();
    expect(late.route).toBe('direct');

    await startAgent(alice);
    await eventually(async () => {
      await c.projects.list();
      return c.route === 'agent';
    });
    // A clean stop removes the discovery file.
    const stopped = await cli(alice, ['agent', 'stop']);
    expect(stopped.code, stopped.err).toBe(0);
    alice.agent = undefined;
    expect(fs.existsSync(path.join(dirOf(alice), 'agent.json'))).toBe(false);
    await c.projects.list();
    expect(c.route).toBe('direct');
  });
});
