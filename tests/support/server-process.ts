import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built server entry point (npm test builds first). */
export const SERVER_MAIN = `${ROOT}apps/server/dist/main.js`;

/** A HiveSync server running as a child process. */
export interface ServerProcess {
  proc: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code once it has exited. */
  exited: Promise<number | null>;
  /** The API URL from its banner (set once `ready` resolves, for roles that serve the API). */
  url: string;
  /** Resolves when the process printed its banner. */
  ready: Promise<void>;
}

/**
 * Spawns a server process with `env` on top of a minimal environment (never the test runner's own settings, so a
 * developer's DATABASE_URL cannot leak into an embedded test). `command` is the argv after the entry point, or
 * a whole command line with `useNpm`.
 */
export function spawnServer(
  env: Record<string, string>,
  options: { args?: string[]; npmStart?: boolean } = {},
): ServerProcess {
  const baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    HIVESYNC_PORT: '0',
    HIVESYNC_LOG_LEVEL: 'warn',
  };
  const proc = options.npmStart
    ? spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [SERVER_MAIN, ...(options.args ?? ['start'])], {
        cwd: ROOT,
        env: { ...baseEnv, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  let out = '';
  const server: ServerProcess = {
    proc,
    output: () => out,
    exited: new Promise((resolve) => proc.once('exit', (code) => resolve(code))),
    url: '',
    ready: Promise.resolve(),
  };
  server.ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const url = /^url: (http:\/\/\S+)$/m.exec(out);
      if (url) server.url = url[1]!;
      if (/^storage: /m.test(out)) resolve();
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    void server.exited.then((code) => reject(new Error(`server exited with ${code} before it was ready:\n${out}`)));
  });
  // Readiness failures are reported by whoever awaits `ready`.
  server.ready.catch(() => undefined);
  return server;
}

/**
 * Stops a server process if it still runs, and waits for it. A server still running `graceMs` after the signal is
 * killed, with a warning that shows how far its shutdown got (the test of a clean shutdown is
 * tests/process/server-process.test.ts; elsewhere a slow one must not hang a suite's teardown).
 */
export async function stopServer(
  server: ServerProcess | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 30_000,
): Promise<void> {
  if (!server || server.proc.exitCode !== null || server.proc.signalCode !== null) return;
  server.proc.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
  const outcome = await Promise.race([server.exited, late]);
  clearTimeout(timer);
  if (outcome !== 'late') return;
  console.warn(
    `the server did not stop within ${graceMs} ms of ${signal}; killed. Its last output:\n${server.output().slice(-2000)}`,
  );
  server.proc.kill('SIGKILL');
  await server.exited;
}

/** A JSON call to a running server; returns status and parsed body. */
export async function call(
  url: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON bodies
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
