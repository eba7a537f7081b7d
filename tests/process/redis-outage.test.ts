import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backends, eventually, tempDir } from '../../apps/server/src/test/harness.js';
import { commitFiles, makeRepo } from '../../apps/server/src/test/git-fixtures.js';
import { startFakeModel } from '../support/fake-model.js';
import { call, spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';

const external = backends().find((b) => b.name === 'postgres+redis');

/** A free TCP port on loopback (nothing listens on it when this returns). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether a Redis on `port` answers PING. */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) socket.end();
    });
    socket.on('close', () => resolve(answer.startsWith('+PONG')));
    socket.on('error', () => resolve(false));
  });
}

/**
 * A real redis-server of this test's own on `port` (never the machine's shared one), without persistence, so a
 * restart comes back empty, as a lost Redis does.
 */
async function startRedis(port: number): Promise<ChildProcess> {
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore' },
  );
  await eventually(() => pong(port), 10_000, 50);
  return proc;
}

async function killRedis(proc: ChildProcess, port: number): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }
  await eventually(async () => !(await pong(port)), 5000, 50);
}

describe.runIf(external)('Redis stopped and restarted while jobs run (API + worker processes)', () => {
  const started: ServerProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let redis: ChildProcess | undefined;
  afterAll(async () => {
    for (const s of started) await stopServer(s);
    if (redis && redis.exitCode === null && redis.signalCode === null) redis.kill('SIGKILL');
    for (const c of cleanups.reverse()) await c();
  });

  it('runs syncs and AI jobs from PostgreSQL while Redis is away, says degraded, and heals when it returns', async () => {
    const { env, cleanup } = await external!.provision();
    cleanups.push(cleanup);
    const data = tempDir();
    cleanups.push(async () => data.remove());
    const redisPort = await freePort();
    redis = await startRedis(redisPort);

    // A language model that answers only when the test lets it, so an AI job is running when Redis goes away.
    let hold = true;
    const waiting: (() => void)[] = [];
    const model = await startFakeModel((answer) => (hold ? waiting.push(answer) : answer()));
    cleanups.push(async () => model.close());

    const shared = {
      DATABASE_URL: env.DATABASE_URL!,
      HIVESYNC_REDIS_PREFIX: env.HIVESYNC_REDIS_PREFIX!,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      HIVESYNC_DATA_DIR: data.dir,
      HIVESYNC_JWT_SECRET: crypto.randomBytes(32).toString('hex'),
      HIVESYNC_SECRETS_KEY: crypto.randomBytes(32).toString('hex'),
      HIVESYNC_ALLOW_LOCAL_REPOS: 'true',
      HIVESYNC_HEARTBEAT_INTERVAL_MS: '500',
      HIVESYNC_JOB_RETRY_DELAY_SECONDS: '0',
      HIVESYNC_SYNC_RETRY_DELAY_SECONDS: '0',
      HIVESYNC_AI_PROVIDER: 'openai',
      OPENAI_BASE_URL: model.url,
    };
    const api = spawnServer(shared, { args: ['api'] });
    // The worker at info level, so its "back again" lines show too.
    const worker = spawnServer({ ...shared, HIVESYNC_LOG_LEVEL: 'info' }, { args: ['worker'] });
    started.push(api, worker);
    await Promise.all([api.ready, worker.ready]);
    const url = api.url;

    const token = (
      await call(url, 'POST', '/api/v1/auth/register', {
        body: { email: 'redis-outage@example.test', password: 'redis outage password' },
      })
    ).body.access_token as string;
    const remote = makeRepo(path.join(data.dir, 'remote'), {
      'greet.ts': 'export function greet(name: string): string {\n  return `hi ${name}`;\n}\n',
    });
    const project = (await call(url, 'POST', '/api/v1/projects', { token, body: { name: 'r', repo_url: remote } })).body
      .id as string;
    const syncUntilDone = async (expectedCommit?: string) => {
      const sync = (await call(url, 'POST', '/api/v1/repo/sync', { token, body: { project_id: project } })).body;
      return eventually(async () => {
        const s = (await call(url, 'GET', `/api/v1/repo/sync/${sync.sync_id}`, { token })).body;
        if (s.status === 'failed') throw new Error(`sync failed: ${JSON.stringify(s.error)}`);
        return s.status === 'completed' && (!expectedCommit || s.commit === expectedCommit) && s;
      }, 30_000);
    };
    await syncUntilDone();
    const aiJob = async () =>
      (
        await call(url, 'POST', '/api/v1/ai/jobs', {
          token,
          body: { project_id: project, action: 'summarize_file', path: 'greet.ts' },
        })
      ).body.job_id as string;
    const aiStatus = async (id: string) => (await call(url, 'GET', `/api/v1/ai/jobs/${id}`, { token })).body;

    // An AI job is running (the model holds its answer) when Redis dies.
    const running = await aiJob();
    await eventually(async () => model.requests() >= 1);
    expect((await aiStatus(running)).status).toBe('running');
    await killRedis(redis, redisPort);

    const deep = await eventually(async () => {
      const res = await call(url, 'GET', '/health/deep');
      return res.body.status === 'degraded' && res;
    }, 30_000);
    expect(deep.status).toBe(200);
    expect(deep.body.checks.redis.status).toBe('degraded');
    expect(deep.body.checks.database.status).toBe('ok');

    // With Redis away: a sync queued now runs from PostgreSQL and brings the new commit...
    const commit = commitFiles(remote, { 'later.ts': 'export const later = 1;\n' });
    const during = await syncUntilDone(commit);
    expect(during.error).toBeNull();
    // ...an AI job queued now runs too, and the one that was running finishes.
    const queued = await aiJob();
    await eventually(async () => model.requests() >= 2, 30_000);
    hold = false;
    for (const answer of waiting.splice(0)) answer();
    for (const id of [running, queued]) {
      const done = await eventually(async () => {
        const j = await aiStatus(id);
        if (j.status === 'failed') throw new Error(`AI job failed: ${JSON.stringify(j.error)}`);
        return j.status === 'completed' && j;
      }, 30_000);
      expect(done.error).toBeNull();
    }
    // Still degraded, and said once, not on every heartbeat.
    expect((await call(url, 'GET', '/health/deep')).body.status).toBe('degraded');
    const warnings = worker.output().match(/heartbeats? (are )?(failed|degraded|not recorded)[^"]*/g) ?? [];
    expect(warnings.length, worker.output()).toBe(1);

    // Redis comes back (empty, on the same port): health, heartbeats and cross-process wake-ups recover by themselves.
    redis = await startRedis(redisPort);
    await eventually(async () => (await call(url, 'GET', '/health/deep')).body.status === 'ok', 30_000);
    const workers = await eventually(async () => {
      const body = (await call(url, 'GET', '/health/workers')).body;
      return body.workers.some((w: { kind: string; status: string }) => w.status === 'healthy') && body;
    }, 30_000);
    expect(workers.workers.filter((w: { status: string }) => w.status === 'healthy')).toHaveLength(1);
    const after = commitFiles(remote, { 'after.ts': 'export const after = 2;\n' });
    await syncUntilDone(after);
    expect(worker.output()).toMatch(/heartbeats recorded again/);
  });
});
