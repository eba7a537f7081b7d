import type { Thread, ThreadAiAction } from '@hivesync/core';
import { HiveSyncError, type HiveSyncClient } from '@hivesync/sdk';
import { Option, type Command } from 'commander';
import { parseLineRange, type LineRange } from '../args.js';
import {
  firstLine,
  formatComment,
  formatExcerpt,
  formatPlace,
  formatStatus,
  formatThreadList,
  splitLines,
} from '../collab-format.js';
import type { Cli, Context } from '../context.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { resolveId } from '../id-ref.js';
import { exitIfFailed } from '../job-progress.js';
import { plural } from '../output.js';
import { resolveProject } from '../project-ref.js';
import { confirm, confirmationNeeded, readStdin } from '../prompt.js';

interface ListOptions {
  path?: string;
  state?: 'open' | 'resolved' | 'all';
  commit?: string;
}

interface CreateOptions {
  commit?: string;
  symbol?: string;
}

const PROJECT = ['<project>', 'the project id or name'] as const;
const THREAD = ['<thread>', 'the thread id, or its first 8+ characters'] as const;
const TEXT = ['<text>', 'the comment ("-" reads it from stdin)'] as const;
const COMMIT_HELP = 'place the threads at this commit (full hash) instead of the mirrored one';
// How many threads `threads` fetches at once for their first comments (servers whose list lacks `first_comment`).
const FETCH_CONCURRENCY = 8;

/** threads [list]|show|create|reply|ask|resolve|reopen|delete: code comment threads. */
export function threadCommands(program: Command, cli: Cli): void {
  const threads = program
    .command('threads')
    .description('code comment threads on lines of a file, kept on their code as it changes');

  threads
    .command('list', { isDefault: true })
    .description("a project's threads (open ones by default), where their code is now: `hivesync threads <project>`")
    .argument(...PROJECT)
    .option('--path <path>', 'only threads on this file')
    .addOption(new Option('--state <state>', 'which threads (default: open)').choices(['open', 'resolved', 'all']))
    .option('--commit <hash>', COMMIT_HELP)
    .action((project: string, opts: ListOptions, command: Command) => list(cli.context(command), project, opts));

  threads
    .command('show')
    .description('a thread: its code (from the mirror, where it is now) and its comments')
    .argument(...THREAD)
    .option('--commit <hash>', 'show the code at this commit (full hash) instead of the mirrored one')
    .action((thread: string, opts: { commit?: string }, command: Command) =>
      show(cli.context(command), thread, opts.commit),
    );

  threads
    .command('create')
    .description('start a thread on lines of a file (viewers may comment)')
    .argument(...PROJECT)
    .argument('<file:lines>', 'the file and its lines, such as src/index.ts:12 or src/index.ts:12-14', parseLineRange)
    .argument(...TEXT)
    .option('--commit <hash>', 'the lines as they are at this commit (full hash) instead of the mirrored one')
    .option('--symbol <name>', 'the function or class the lines belong to')
    .action((project: string, range: LineRange, text: string, opts: CreateOptions, command: Command) =>
      create(cli.context(command), project, range, text, opts),
    );

  threads
    .command('reply')
    .description('add a comment to a thread; its other participants are notified')
    .argument(...THREAD)
    .argument(...TEXT)
    .action((thread: string, text: string, _opts: unknown, command: Command) =>
      reply(cli.context(command), thread, text),
    );

  for (const [name, description] of [
    ['resolve', 'resolve a thread (its author or a member)'],
    ['reopen', 'reopen a resolved thread (its author or a member)'],
  ] as const) {
    threads
      .command(name)
      .description(description)
      .argument(...THREAD)
      .action((thread: string, _opts: unknown, command: Command) => setState(cli.context(command), thread, name));
  }

  threads
    .command('ask')
    .description(
      'ask the HiveSync assistant about a thread (member role): `explain` its lines, or `fix` (a suggested patch; needs a language model on the server); the answer is posted in the thread',
    )
    .argument(...THREAD)
    .addOption(new Option('--no-wait', 'print the queued job and return at once'))
    .argument('<question>', 'explain or fix', parseQuestion)
    .action((thread: string, question: ThreadAiAction, opts: { wait: boolean }, command: Command) =>
      ask(cli.context(command), thread, question, opts.wait),
    );

  threads
    .command('delete')
    .description('delete a thread and its comments (its author or a project admin)')
    .argument(...THREAD)
    .option('-y, --yes', 'do not ask for confirmation')
    .action((thread: string, opts: { yes?: boolean }, command: Command) =>
      remove(cli.context(command), thread, opts.yes === true),
    );
}

/** `explain` or `fix` (the API's `suggest_fix`). */
function parseQuestion(value: string): ThreadAiAction {
  if (value === 'explain') return 'explain';
  if (value === 'fix' || value === 'suggest_fix') return 'suggest_fix';
  throw usageError(`ask explain or fix, not "${value}"`);
}

/**
 * Queues the question; unless told not to wait, follows the job (Ctrl-C stops waiting, not the job) and prints the
 * assistant's answer as posted in the thread. A failed job prints its error and exits 1.
 */
async function ask(ctx: Context, ref: string, action: ThreadAiAction, wait: boolean): Promise<void> {
  const client = await ctx.loggedInClient();
  const threadId = await resolveId(client, 'thread', ref);
  const thread = await client.threads.get(threadId);
  const started = await client.threads.ask(thread.project_id, threadId, action);
  if (!wait) {
    ctx.out.result(started, () => {
      ctx.out.line(`Asked the assistant (AI job ${started.job_id}); its answer will be posted in the thread.`);
      ctx.out.note(ctx.out.ec.dim(`See it with \`hivesync threads show ${ref}\`.`));
    });
    return;
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let job;
  try {
    job = await client.ai.waitForJob(started.job_id, { signal: controller.signal });
  } catch (err) {
    if (controller.signal.aborted) {
      throw new CliError(
        'cancelled',
        `stopped waiting; AI job ${started.job_id} continues on the server (its answer will be posted in the thread)`,
        EXIT.usage,
      );
    }
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  exitIfFailed(ctx, job);
  const answered = await client.threads.get(threadId);
  const comment = [...(answered.comments ?? [])].reverse().find((c) => c.ai && !c.deleted);
  ctx.out.result(job, () => {
    if (!comment) ctx.out.line(`The AI job ${job.job_id} completed; its answer is in the thread.`);
    else for (const line of formatComment(comment, ctx.out.c)) ctx.out.line(line);
    const s = job.suggestions[0];
    if (s) ctx.out.note(ctx.out.ec.dim(`Review the patch with \`hivesync suggestions show ${s.id.slice(0, 8)}\`.`));
  });
}

async function list(ctx: Context, ref: string, opts: ListOptions): Promise<void> {
  const client = await ctx.loggedInClient();
  const result = await client.threads.list(await resolveProject(client, ref), {
    ...(opts.path !== undefined && { path: opts.path }),
    ...(opts.state !== undefined && { state: opts.state }),
    ...(opts.commit !== undefined && { commit: opts.commit }),
  });
  if (ctx.out.json) {
    ctx.out.jsonLine(result);
    return;
  }
  if (result.threads.length === 0) {
    const which = opts.state === 'all' ? '' : `${opts.state ?? 'open'} `;
    ctx.out.line(`No ${which}threads${opts.path === undefined ? '' : ` on ${opts.path}`} in ${ref}.`);
    return;
  }
  // The list carries each thread's first comment; an older server's does not, and then each takes a request.
  const firstComments = new Map<string, string>();
  const note = (id: string, first: { deleted: boolean; body: string }) =>
    firstComments.set(id, first.deleted ? '' : firstLine(first.body));
  for (const t of result.threads) if (t.first_comment) note(t.thread_id, t.first_comment);
  const older = result.threads.filter((t) => t.first_comment === undefined);
  await forEachLimit(older, FETCH_CONCURRENCY, async (t) => {
    const first = (await client.threads.get(t.thread_id)).comments?.[0];
    if (first) note(t.thread_id, first);
  });
  for (const line of formatThreadList(result.threads, firstComments, ctx.out.c)) ctx.out.line(line);
}

async function show(ctx: Context, ref: string, commit: string | undefined): Promise<void> {
  const client = await ctx.loggedInClient();
  const threadId = await resolveId(client, 'thread', ref);
  const thread = await client.threads.get(threadId, commit === undefined ? {} : { commit });
  if (ctx.out.json) {
    ctx.out.jsonLine(thread);
    return;
  }
  const { c } = ctx.out;
  const { position, anchor } = thread;
  ctx.out.line(
    `${c.magenta(formatPlace(position))}  ${formatStatus(thread, c)}  ${c.dim(`at ${short(position.commit)}`)}`,
  );
  const written = { path: anchor.path, start_line: anchor.start_line, end_line: anchor.end_line };
  const where = formatPlace(written) === formatPlace(position) ? '' : ` on ${formatPlace(written)}`;
  const symbol = anchor.symbol ? ` (${anchor.symbol})` : '';
  ctx.out.line(c.dim(`thread ${thread.thread_id}, written${where}${symbol} at ${short(anchor.commit)}`));
  ctx.out.line();
  for (const line of await codeLines(ctx, client, thread)) ctx.out.line(line);
  for (const comment of thread.comments ?? []) {
    ctx.out.line();
    for (const line of formatComment(comment, c)) ctx.out.line(line);
  }
}

/**
 * The thread's lines in the file at its position's commit, marked, with a little context. When the code is gone
 * (outdated), or the file cannot be shown, the lines as they were written (the anchor) instead.
 */
async function codeLines(ctx: Context, client: HiveSyncClient, thread: Thread): Promise<string[]> {
  const { c } = ctx.out;
  const { position, anchor } = thread;
  const asWritten = (why: string) => [
    c.dim(`(${why}; as written at ${short(anchor.commit)}:)`),
    ...formatExcerpt(splitLines(anchor.text), anchor.start_line, anchor.end_line, c, {
      context: 0,
      firstNumber: anchor.start_line,
    }),
  ];
  if (position.status === 'outdated') {
    return asWritten(position.reason === 'file_deleted' ? 'the file was deleted' : 'the lines were deleted');
  }
  let content: string;
  try {
    const file = await client.repo.file(thread.project_id, position.path, { commit: position.commit });
    if (file.encoding !== 'utf8') return asWritten(`${position.path} is not text`);
    content = file.content;
  } catch (err) {
    // A file the mirror cannot serve (too large, gone since): the anchor still shows what was meant.
    if (err instanceof HiveSyncError && [404, 409, 413].includes(err.status)) {
      return asWritten(`the file cannot be shown: ${err.code}`);
    }
    throw err;
  }
  return formatExcerpt(splitLines(content), position.start_line, position.end_line, c);
}

async function create(ctx: Context, ref: string, range: LineRange, text: string, opts: CreateOptions): Promise<void> {
  const body = await commentText(ctx, text);
  const client = await ctx.loggedInClient();
  const thread = await client.threads.create(await resolveProject(client, ref), {
    path: range.path,
    start_line: range.startLine,
    end_line: range.endLine,
    body,
    ...(opts.commit !== undefined && { commit: opts.commit }),
    ...(opts.symbol !== undefined && { symbol: opts.symbol }),
  });
  ctx.out.result(thread, () =>
    ctx.out.line(`Started thread ${thread.thread_id} on ${ctx.out.c.bold(formatPlace(thread.position))}.`),
  );
}

async function reply(ctx: Context, ref: string, text: string): Promise<void> {
  const body = await commentText(ctx, text);
  const client = await ctx.loggedInClient();
  const thread = await client.threads.reply(await resolveId(client, 'thread', ref), body);
  ctx.out.result(thread, () =>
    ctx.out.line(
      `Replied to thread ${thread.thread_id} on ${ctx.out.c.bold(formatPlace(thread.position))} (${plural(thread.comment_count, 'comment')}).`,
    ),
  );
}

async function setState(ctx: Context, ref: string, action: 'resolve' | 'reopen'): Promise<void> {
  const client = await ctx.loggedInClient();
  const threadId = await resolveId(client, 'thread', ref);
  const thread = action === 'resolve' ? await client.threads.resolve(threadId) : await client.threads.reopen(threadId);
  ctx.out.result(thread, () =>
    ctx.out.line(
      `${action === 'resolve' ? 'Resolved' : 'Reopened'} thread ${thread.thread_id} on ${ctx.out.c.bold(formatPlace(thread.position))}.`,
    ),
  );
}

async function remove(ctx: Context, ref: string, yes: boolean): Promise<void> {
  if (!yes && ctx.io.stdin.isTTY !== true) {
    throw confirmationNeeded(ctx, 'delete the thread', ['threads', 'delete', ref]);
  }
  const client = await ctx.loggedInClient();
  const threadId = await resolveId(client, 'thread', ref);
  if (!yes) {
    const thread = await client.threads.get(threadId);
    const comments = plural(thread.comment_count, 'comment');
    if (!(await confirm(ctx.io, `Delete the thread on ${formatPlace(thread.position)} and its ${comments}?`))) {
      throw new CliError('cancelled', 'cancelled: the thread was not deleted', EXIT.usage);
    }
  }
  await client.threads.delete(threadId);
  ctx.out.result({ thread_id: threadId, deleted: true }, () => ctx.out.line(`Deleted thread ${threadId}.`));
}

/** The comment's text: the argument, or stdin for "-"; a usage error when it is empty. */
async function commentText(ctx: Context, text: string): Promise<string> {
  const body = text === '-' ? await readStdin(ctx.io) : text;
  if (body.trim() === '') throw usageError('the comment is empty');
  return body;
}

function short(commit: string): string {
  return commit.slice(0, 7);
}

/** Runs `fn` on every item, at most `limit` at a time. */
async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
