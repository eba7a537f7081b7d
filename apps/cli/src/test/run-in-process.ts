import { PassThrough, Readable } from 'node:stream';
import { run } from '../main.js';

/** What one in-process CLI run printed and how it ended. */
export interface InProcessRun {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `hivesync args…` in this process (the way the command tests drive it), with stdout and stderr captured,
 * credentials under `configHome`, and a stdin that is not a terminal unless `tty` (then it answers `stdin`).
 */
export async function runInProcess(
  args: string[],
  options: { configHome: string; stdin?: string; tty?: boolean; env?: NodeJS.ProcessEnv },
): Promise<InProcessRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const stdin = Object.assign(Readable.from(options.stdin === undefined ? [] : [options.stdin]), {
    isTTY: options.tty === true ? true : undefined,
  });
  const code = await run(args, { stdout, stderr, stdin, env: { XDG_CONFIG_HOME: options.configHome, ...options.env } });
  return { code, out, err };
}
