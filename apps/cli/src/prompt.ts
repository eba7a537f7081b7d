import readline from 'node:readline';
import { Writable } from 'node:stream';
import type { Io } from './context.js';
import { CliError, EXIT } from './errors.js';

/**
 * Asks one question on the terminal (the prompt goes to stderr, so stdout stays clean for --json). With `hidden`,
 * what is typed is not echoed. Ctrl-C ends the CLI with exit code 2.
 */
export function ask(io: Io, question: string, options: { hidden?: boolean } = {}): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) io.stderr.write(chunk);
      callback();
    },
  });
  const rl = readline.createInterface({ input: io.stdin, output, terminal: io.stdin.isTTY === true });
  return new Promise<string>((resolve, reject) => {
    rl.on('SIGINT', () => {
      rl.close();
      io.stderr.write('\n');
      reject(new CliError('cancelled', 'cancelled', EXIT.usage));
    });
    rl.question(question, (answer) => {
      rl.close();
      if (options.hidden) io.stderr.write('\n');
      resolve(answer);
    });
    // The question itself is written before this runs; everything after it (the typing) is hidden.
    muted = options.hidden === true;
  });
}

/** Asks a yes/no question; only "y" or "yes" count as yes. */
export async function confirm(io: Io, question: string): Promise<boolean> {
  const answer = await ask(io, `${question} [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

/** Reads all of stdin, without the one line break a shell pipe or heredoc adds at the end. */
export async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
