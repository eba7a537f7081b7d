import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startLineProcess } from './line-process.js';

/** ripgrep from Debian: the search figures' baseline. */
export const RG = '/usr/bin/rg';
/** Matching lines a first page holds, for the index and for rg. */
export const LIMIT = 100;

let runner: ReturnType<typeof startLineProcess> | undefined;

/** Asks the rg runner (started on first use) to run ripgrep; its answer's milliseconds and lines. */
async function runRg(msg: { cwd: string; args: string[]; limit?: number; filter?: string }): Promise<number> {
  runner ??= startLineProcess('bench/lib/rg-runner.mjs', []);
  const reply = await (await runner).ask<{ ms: number; lines: number } | { error: string }>(msg);
  if ('error' in reply) throw new Error(`rg: ${reply.error}`);
  return reply.ms;
}

/**
 * The milliseconds of ripgrep over a checkout, stopping after `limit` matching lines like the index does (its whole
 * output when `limit` is Infinity). `-uu`: ignore files and hidden files do not hide anything (the index holds every
 * tracked file); binary files are skipped by both. rg runs from a process of its own (bench/lib/rg-runner.mjs: the
 * bench's process never forks while it measures) and is timed there, from its spawn to its end.
 */
export function rg(cwd: string, args: string[], limit = LIMIT, paths = ['.']): Promise<number> {
  // Paths always (without one, rg would read its stdin).
  const all = ['-uu', '--no-config', '-n', '--column', ...args, ...paths];
  return runRg({ cwd, args: all, ...(Number.isFinite(limit) && { limit }) });
}

/** The milliseconds of `rg --files` over a checkout, the file names holding `name` picked out: file-name search. */
export function rgFiles(cwd: string, name: string): Promise<number> {
  return runRg({ cwd, args: ['-uu', '--no-config', '--files'], filter: name });
}

/** Ends the rg runner, if one was started. */
export async function stopRg(): Promise<void> {
  const r = runner;
  runner = undefined;
  await (await r)?.stop();
}

/** The checkout's files that `glob` names, in sorted order. */
function filesOf(checkout: string, glob: string): string[] {
  return execFileSync(RG, ['-uu', '--files', '-g', glob], { cwd: checkout, encoding: 'utf8', maxBuffer: 1 << 28 })
    .split('\n')
    .filter(Boolean)
    .sort();
}

/** The `nth` distinct identifier of 12+ characters in a file of the checkout (0 is the first). */
function identifierOf(checkout: string, file: string, nth: number): string | undefined {
  const text = fs.readFileSync(path.join(checkout, file), 'utf8');
  return [...new Set(text.match(/\b[A-Za-z_][A-Za-z0-9_]{11,}\b/g) ?? [])][nth];
}

/** Identifiers of 12+ characters that occur in 1 to 3 files of the checkout: the rare literals of the rounds. */
export function rareWords(checkout: string, want: number): string[] {
  const files = filesOf(checkout, '*.ts');
  const out: string[] = [];
  for (let i = 0; out.length < want && i < files.length; i += 17) {
    const word = identifierOf(checkout, files[i]!, 3);
    if (!word || out.includes(word)) continue;
    const holding = execFileSync(RG, ['-uu', '-l', '-F', '-e', word, '.'], {
      cwd: checkout,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter(Boolean).length;
    if (holding >= 1 && holding <= 3) out.push(word);
  }
  return out;
}

/** The regex with trigrams of the rounds, made from a rare word: its first six and last four characters. */
export const regexOf = (word: string): string => `${word.slice(0, 6)}\\w*${word.slice(-4)}\\b`;

/**
 * Identifiers of 12+ characters from the files `glob` names (every 13th file, in sorted order), none of `exclude`:
 * the words of the warm-up searches. Whether they are rare does not matter.
 */
export function warmUpWords(checkout: string, glob: string, want: number, exclude: string[]): string[] {
  const files = filesOf(checkout, glob);
  const out: string[] = [];
  for (let i = 5; out.length < want && i < files.length; i += 13) {
    const word = identifierOf(checkout, files[i]!, 1);
    if (word && !out.includes(word) && !exclude.includes(word)) out.push(word);
  }
  return out;
}

/** Words of the warm-up, each searched as a literal and as its regex. */
export const WARM_UP_WORDS = 20;

/**
 * What a server that has been answering searches for a while has done before the measured rounds: a literal and a
 * regex search for each of `words` (other words than the measured ones, so nothing the rounds ask is cached), so
 * that the rounds see V8's optimised code and the index pages such searches keep in memory, not a fresh process's
 * first seconds. The first search of a fresh process is reported on a row of its own.
 */
export async function warmUp(words: string[], search: (q: string, regex: boolean) => Promise<unknown>): Promise<void> {
  for (const word of words) {
    await search(word, false);
    await search(regexOf(word), true);
  }
}

/** Common words (none of them measured) that the warm-up of the server-side rounds counts, twice each. */
export const WARM_UP_COUNTS = ['this', 'null', 'true', 'type', 'name', 'node', 'string', 'options'];

/**
 * Counts of WARM_UP_COUNTS: the count's code on the search threads compiled, as in a server that has answered
 * counts before. The count rounds count each word once, and a fresh search thread's first counts of vue core took
 * 5–20 ms against 3–4 ms once compiled.
 */
export async function warmUpCounts(count: (q: string) => Promise<unknown>): Promise<void> {
  for (let pass = 0; pass < 2; pass++) for (const word of WARM_UP_COUNTS) await count(word);
}
