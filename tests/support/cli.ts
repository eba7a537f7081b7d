import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './server-process.js';

/** The built CLI, run the way a user (or an editor plugin) runs it. */
export const CLI = path.join(ROOT, 'apps/cli/dist/main.js');

/** Starts the CLI (for commands that keep running, such as `notifications --watch`). */
export function startCli(
  args: string[],
  options: { server: string; configHome: string; cwd: string },
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI, ...args, '--server', options.server], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.cwd, XDG_CONFIG_HOME: options.configHome },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** What one CLI run printed and how it ended. */
export interface CliRun {
  code: number | null;
  stdout: Buffer;
  out: string;
  err: string;
}

/**
 * Runs `hivesync args… --server URL` with its own config home, in a minimal environment (the runner's
 * HIVESYNC_SERVER or FORCE_COLOR must not change what the CLI does).
 */
export function runCli(
  args: string[],
  options: { server: string; configHome: string; cwd: string; stdin?: string },
): Promise<CliRun> {
  const child = startCli(args, options);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const stdout = Buffer.concat(out);
      resolve({ code, stdout, out: stdout.toString(), err: Buffer.concat(err).toString() });
    });
  });
}
