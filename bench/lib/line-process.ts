import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { ROOT } from './processes.js';

/**
 * A node process that answers JSON lines on stdin with JSON lines on stdout, one answer a question, in order
 * (bench/lib/search-worker.mjs, bench/lib/rg-runner.mjs). `ready`: it says so in a first line before any question.
 */
export async function startLineProcess(
  script: string,
  args: string[],
  options: { flags?: string[]; ready?: boolean } = {},
) {
  const child = spawn(process.execPath, [...(options.flags ?? []), script, ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const replies = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => {
    const r = await replies.next();
    if (r.done) throw new Error(`${script}: ended`);
    return JSON.parse(r.value) as T;
  };
  if (options.ready) await next();
  let queue = Promise.resolve<unknown>(undefined);
  return {
    ask<T>(msg: unknown): Promise<T> {
      const p = queue.then(async () => {
        child.stdin!.write(`${JSON.stringify(msg)}\n`);
        return next<T>();
      });
      queue = p.catch(() => undefined);
      return p;
    },
    stop(): Promise<void> {
      if (child.exitCode !== null) return Promise.resolve();
      child.stdin!.end();
      return new Promise<void>((r) => child.once('exit', () => r()));
    },
  };
}
