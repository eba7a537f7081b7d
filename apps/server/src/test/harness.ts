import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../config.js';
import { createLogger } from '../infra/logger.js';
import { startRuntime, type Runtime } from '../runtime.js';
import { seedEmbeddedDatabase } from './pglite-template.js';

/** A set of backends the API tests run against. */
export interface Backend {
  name: 'embedded' | 'postgres+redis';
  /** Settings for a fresh, isolated installation on this backend, and how to remove it afterwards. */
  provision(): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>;
}

const inCi = process.env.CI === 'true' || process.env.CI === '1';

/**
 * The embedded backends always; PostgreSQL + Redis when DATABASE_URL / REDIS_URL are set. In CI both must be
 * set: a missing service fails the run rather than silently testing less. `HIVESYNC_TEST_BACKENDS=embedded` (set by
 * `npm run test:quick`) runs the embedded backends alone.
 */
export function backends(): Backend[] {
  const list: Backend[] = [embedded];
  // `npm run test:quick` runs on the embedded backends alone, wherever it runs.
  if (process.env.HIVESYNC_TEST_BACKENDS === 'embedded') return list;
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (inCi && (!databaseUrl || !redisUrl)) {
    throw new Error('CI must set DATABASE_URL and REDIS_URL: the integration tests need PostgreSQL and Redis.');
  }
  if (databaseUrl && redisUrl) list.push(postgresAndRedis(databaseUrl, redisUrl));
  return list;
}

/** Whether the PostgreSQL + Redis backend is configured for this run. */
export const hasExternalServices = () => backends().length > 1;

const embedded: Backend = {
  name: 'embedded',
  async provision() {
    return { env: {}, cleanup: async () => undefined };
  },
};

function postgresAndRedis(databaseUrl: string, redisUrl: string): Backend {
  return {
    name: 'postgres+redis',
    async provision() {
      // Each test file gets its own database and Redis key prefix, so files run in parallel without sharing state.
      const name = `hivesync_t_${crypto.randomBytes(5).toString('hex')}`;
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const url = new URL(databaseUrl);
      url.pathname = `/${name}`;
      const prefix = `hstest:${name}:`;
      return {
        env: { DATABASE_URL: url.toString(), REDIS_URL: redisUrl, HIVESYNC_REDIS_PREFIX: prefix },
        cleanup: async () => {
          const c = new pg.Client({ connectionString: databaseUrl });
          await c.connect();
          await c.query(`drop database if exists ${name} with (force)`);
          await c.end();
          const redis = new Redis(redisUrl, { lazyConnect: true });
          await redis.connect();
          const keys = await redis.keys(`${prefix}*`);
          if (keys.length > 0) await redis.del(...keys);
          redis.disconnect();
        },
      };
    },
  };
}

/** Settings every test server shares: quiet, fast heartbeats, generous rate limits unless a test lowers them. */
export const TEST_DEFAULTS: Record<string, string> = {
  HIVESYNC_LOG_LEVEL: 'silent',
  HIVESYNC_PORT: '0',
  HIVESYNC_HEARTBEAT_INTERVAL_MS: '500',
  HIVESYNC_JOB_POLL_INTERVAL_MS: '500',
  HIVESYNC_JOB_RETRY_DELAY_SECONDS: '0',
  HIVESYNC_SHUTDOWN_TIMEOUT_MS: '2000',
  HIVESYNC_LOGIN_LIMIT_PER_IP: '1000',
  HIVESYNC_REGISTER_LIMIT_PER_IP: '1000',
  HIVESYNC_LIMIT_SEARCH_PER_MINUTE: '100000',
  HIVESYNC_LIMIT_SYNCS_PER_MINUTE: '100000',
  HIVESYNC_LIMIT_AI_JOBS_PER_MINUTE: '100000',
  HIVESYNC_LIMIT_PREVIEWS_PER_MINUTE: '100000',
  HIVESYNC_LIMIT_COMMENTS_PER_MINUTE: '100000',
  HIVESYNC_MIN_FREE_DISK_MB: '1',
};

/** A temporary directory removed by the returned function. */
export function tempDir(prefix = 'hivesync-test-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A HiveSync runtime on one backend, driven with app.inject. */
export interface TestServer {
  runtime: Runtime;
  config: Config;
  env: Record<string, string>;
  dataDir: string;
  /** The base URL, when started with `listen`. */
  url: string | undefined;
  /** The instance admin: the first user, registered when the server started. */
  admin: { token: string; id: string; email: string; password: string };
  request(opts: {
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
    url: string;
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
    /** The client's address as the server sees it (the TCP peer); 127.0.0.1 unless given. */
    remoteAddress?: string;
  }): Promise<LightMyRequestResponse>;
  stop(): Promise<void>;
}

/** Starts an isolated installation on `backend` (a fresh data dir, database and Redis prefix). */
export async function startTestServer(
  backend: Backend,
  overrides: Record<string, string> = {},
  options: { logLines?: string[]; listen?: boolean } = {},
): Promise<TestServer> {
  const tmp = tempDir();
  const provisioned = await backend.provision();
  if (backend.name === 'embedded') await seedEmbeddedDatabase(tmp.dir);
  const env = { ...TEST_DEFAULTS, HIVESYNC_DATA_DIR: tmp.dir, ...provisioned.env, ...overrides };
  const config = loadConfig(env, {});
  const lines = options.logLines;
  const logger = lines
    ? createLogger(config.logLevel, { write: (line: string) => void lines.push(line) })
    : createLogger(config.logLevel);
  const runtime = await startRuntime(config, { logger, listen: options.listen === true });
  const app = runtime.app!;
  const server: TestServer = {
    runtime,
    config,
    env,
    dataDir: tmp.dir,
    admin: undefined as unknown as TestServer['admin'],
    url: runtime.url,
    request: ({ method, url, token, body, headers, remoteAddress }) =>
      app.inject({
        method,
        url,
        headers: { ...(token && { authorization: `Bearer ${token}` }), ...headers },
        ...(body !== undefined && { payload: body as object }),
        ...(remoteAddress !== undefined && { remoteAddress }),
      }),
    async stop() {
      await runtime.stop();
      await provisioned.cleanup();
      tmp.remove();
    },
  };
  server.admin = await registerUser(server, { email: 'admin@example.test' });
  return server;
}

let counter = 0;

/** Registers a user with a unique email; returns its token and id. */
export async function registerUser(
  server: TestServer,
  overrides: { email?: string; password?: string; display_name?: string } = {},
): Promise<{ token: string; id: string; email: string; password: string }> {
  const email = overrides.email ?? `user${++counter}-${crypto.randomBytes(3).toString('hex')}@example.test`;
  const password = overrides.password ?? 'correct horse battery';
  const res = await server.request({
    method: 'POST',
    url: '/api/v1/auth/register',
    body: { email, password, ...(overrides.display_name && { display_name: overrides.display_name }) },
  });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  const body = res.json<{ access_token: string; user: { id: string } }>();
  return { token: body.access_token, id: body.user.id, email, password };
}

/** Creates a project owned by `token`'s user. */
export async function createProject(server: TestServer, token: string, name = 'demo'): Promise<{ id: string }> {
  const res = await server.request({ method: 'POST', url: '/api/v1/projects', token, body: { name } });
  if (res.statusCode !== 201) throw new Error(`create project failed: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>();
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  stepMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
