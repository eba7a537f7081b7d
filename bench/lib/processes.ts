import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * The Node.js flags the server runs with (`npm start`, the image's NODE_OPTIONS, and the heap growing factor its
 * main sets): processes that stand for it use them.
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=8', '--heap-growing-percent=100'];

/** A child process that printed a line matching `readyLine`; the first capture group is returned as `value`. */
export async function startProcess(
  args: string[],
  env: Record<string, string>,
  readyLine: RegExp,
): Promise<{ proc: ChildProcess; value: string; stop: () => Promise<void> }> {
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const value = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = readyLine.exec(out);
      if (m) resolve(m[1] ?? '');
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`process exited with ${code}:\n${out}`)));
  });
  return {
    proc,
    value,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/**
 * Starts HiveSync (embedded unless `env` points elsewhere) on a free port with a fresh data dir, and with a fresh
 * PostgreSQL database and Redis prefix when `env` names them, so every suite starts from nothing.
 */
export async function startHiveSync(env: Record<string, string> = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-'));
  let dropDatabase = async () => undefined as void;
  if (env.DATABASE_URL) {
    const name = `hivesync_bench_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: env.DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(env.DATABASE_URL);
    url.pathname = `/${name}`;
    const base = env.DATABASE_URL;
    env = { ...env, DATABASE_URL: url.toString(), HIVESYNC_REDIS_PREFIX: `${name}:` };
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  }
  const server = await startProcess(
    [...SERVER_NODE_FLAGS, 'apps/server/dist/main.js', 'start'],
    { HIVESYNC_DATA_DIR: dataDir, HIVESYNC_PORT: '0', HIVESYNC_LOG_LEVEL: 'warn', ...env },
    /^url: (http:\/\/\S+)$/m,
  );
  return {
    url: server.value,
    stop: async () => {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      await dropDatabase();
    },
  };
}

/** One JSON call. */
export async function call(url: string, method: string, body?: unknown, token?: string) {
  const res = await fetch(url, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res;
}
