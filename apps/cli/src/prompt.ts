import readline from 'node:readline';
import { Writable } from 'node:stream';
import { DEFAULT_SERVER, type Context, type Io } from './context.js';
import { serverKey } from './credentials.js';
import { CliError, EXIT, usageError } from './errors.js';

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

/**
 * The error for a question that cannot be asked because stdin is not a terminal (exit 2). It names the exact command
 * that does it without asking: `hivesync` and `args`, then --yes (and --server, --json as this run had them).
 */
export function confirmationNeeded(ctx: Context, what: string, args: string[]): CliError {
  return usageError(`stdin is not a terminal, so there is no one to ask: to ${what}, run \`${yesCommand(ctx, args)}\``);
}

/** `hivesync ARGS… --yes`, quoted for a POSIX shell, with the --server this run was given and --json if it had it. */
export function yesCommand(ctx: Context, args: string[]): string {
  const words = ['hivesync', ...args];
  if (ctx.server !== defaultServer(ctx.io.env)) words.push('--server', ctx.server);
  if (ctx.out.json) words.push('--json');
  words.push('--yes');
  return words.map(shellQuote).join(' ');
}

function defaultServer(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return serverKey(env.HIVESYNC_SERVER ?? DEFAULT_SERVER);
  } catch {
    return undefined;
  }
}

/** A word as a POSIX shell reads it back: as is when it is safe, else in single quotes. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Reads all of stdin, without the one line break a shell pipe or heredoc adds at the end. */
export async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
