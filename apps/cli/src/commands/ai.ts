import type { AiJob, CreateAiJobBody, Suggestion, SuggestionState } from '@hivesync/core';
import type { HiveSyncClient } from '@hivesync/sdk';
import { Option, type Command } from 'commander';
import { integerIn, parseDocTarget, type DocTarget } from '../args.js';
import type { Cli, Context } from '../context.js';
import { formatLines } from '../collab-format.js';
import { formatState, formatSuggestion, formatSuggestionList, formatSummary, patchFiles } from '../diff-format.js';
import { CliError, EXIT, usageError } from '../errors.js';
import type * as Agent from '@hivesync/agent';
import type { PatchCheck } from '@hivesync/agent';
import { resolveId } from '../id-ref.js';
import { exitIfFailed, JobProgress } from '../job-progress.js';
import { shortId } from '../output.js';
import { resolveProject } from '../project-ref.js';
import { confirm, confirmationNeeded, readStdin } from '../prompt.js';

interface DocOptions {
  symbol?: string;
  wholeFile?: boolean;
  wait?: boolean;
}

interface ApplyOptions {
  yes?: boolean;
  dir?: string;
}

const PROJECT = ['<project>', 'the project id or name'] as const;
const SUGGESTION = ['<id>', 'the suggestion id, or its first 8+ characters'] as const;
/** The shared apply implementation (packages/agent/src/apply.ts), loaded only by apply and revert. */
type GitApply = typeof Agent;

/**
 * Runs `fn` with the shared apply implementation; its PatchErrors become CliErrors with the same code (a folder
 * outside a git working copy is a usage error, exit 2; the rest exit 1).
 */
async function withGitApply<T>(fn: (g: GitApply) => Promise<T>): Promise<T> {
  const g = await import('@hivesync/agent');
  try {
    return await fn(g);
  } catch (err) {
    if (err instanceof g.PatchError) {
      throw new CliError(err.code, err.message, err.code === 'not_a_git_repository' ? EXIT.usage : EXIT.api);
    }
    throw err;
  }
}

const IN_CLONE = 'run the command inside your clone, or pass --dir';

const STATES: SuggestionState[] = ['proposed', 'approved', 'rejected', 'applied', 'reverted'];
const DIR_HELP = 'the working copy to change (default: the git repository containing the current directory)';

/**
 * doc, summarize, rename, refactor, suggestions, apply, revert: AI jobs and the patches they suggest. Nothing changes
 * a file until a person approves a suggestion and applies it here, and an applied one can be reverted.
 */
export function aiCommands(program: Command, cli: Cli): void {
  const waitOptions = (command: Command) =>
    command
      .option('--wait', 'wait for the job and show its suggestion (the default)')
      .option('--no-wait', 'return as soon as the job is queued');

  waitOptions(
    program
      .command('doc')
      .description('ask for doc comments on a function (FILE:LINE or --symbol) or a whole file, as a patch to review')
      .argument(...PROJECT)
      .argument('<file>', 'FILE, FILE:LINE or FILE:START-END (the function at those lines)', parseDocTarget)
      .option('--symbol <name>', 'the function (or class, type) to document, by name')
      .option('--whole-file', 'document every declaration of the file'),
  ).action((project: string, target: DocTarget, opts: DocOptions, command: Command) =>
    doc(cli.context(command), project, target, opts),
  );

  program
    .command('summarize')
    .description('summarize a file: a paragraph on what it does, and a table of its exported API')
    .argument(...PROJECT)
    .argument('<file>', 'the file, relative to the repository root')
    .action((project: string, file: string, _opts: unknown, command: Command) =>
      runJob(cli.context(command), project, { action: 'summarize_file', path: file }, `summarize ${file}`, true),
    );

  waitOptions(
    program
      .command('rename')
      .description('rename a symbol everywhere it is used, as one multi-file patch to review')
      .argument(...PROJECT)
      .argument('<file>', 'the file that declares the symbol')
      .argument('<symbol>', 'its current name')
      .argument('<new>', 'the new name')
      .option(
        '--line <n>',
        'the line of the declaration, when the name is declared more than once',
        integerIn(1, 10_000_000),
      ),
  ).action(
    (
      project: string,
      file: string,
      symbol: string,
      next: string,
      opts: { line?: number; wait?: boolean },
      command: Command,
    ) =>
      runJob(
        cli.context(command),
        project,
        {
          action: 'rename_symbol',
          path: file,
          symbol,
          new_name: next,
          ...(opts.line !== undefined && { range: { start_line: opts.line, end_line: opts.line } }),
        },
        `rename ${symbol} → ${next}`,
        opts.wait !== false,
      ),
  );

  waitOptions(
    program
      .command('refactor')
      .description('ask for a refactoring described in words ("-" reads them from stdin), as a patch to review')
      .argument(...PROJECT)
      .argument('<instructions>', 'what to change, such as "extract the retry loop into a helper"')
      .option('--file <path...>', 'the file(s) to change'),
  ).action((project: string, instructions: string, opts: { file?: string[]; wait?: boolean }, command: Command) =>
    refactor(cli.context(command), project, instructions, opts),
  );

  const suggestions = program
    .command('suggestions')
    .description('the patches AI jobs suggest: review, approve or reject them, then `hivesync apply`');

  suggestions
    .command('list', { isDefault: true })
    .description("a project's suggestions: `hivesync suggestions <project> [--state proposed]`")
    .argument(...PROJECT)
    .addOption(new Option('--state <state>', 'only suggestions in this state').choices(STATES))
    .action((project: string, opts: { state?: SuggestionState }, command: Command) =>
      list(cli.context(command), project, opts.state),
    );

  suggestions
    .command('show')
    .description('a suggestion: its description, its files and its diff')
    .argument(...SUGGESTION)
    .action((id: string, _opts: unknown, command: Command) => show(cli.context(command), id));

  for (const [name, description] of [
    ['approve', 'approve a proposed suggestion (then `hivesync apply` applies it)'],
    ['reject', 'reject a proposed suggestion'],
  ] as const) {
    suggestions
      .command(name)
      .description(description)
      .argument(...SUGGESTION)
      .action((id: string, _opts: unknown, command: Command) => review(cli.context(command), id, name));
  }

  program
    .command('apply')
    .description('apply an approved (or, after a question, a proposed) suggestion to your working copy with git')
    .argument(...SUGGESTION)
    .option('-y, --yes', 'approve a proposed suggestion without asking')
    .option('--dir <dir>', DIR_HELP)
    .action((id: string, opts: ApplyOptions, command: Command) => apply(cli.context(command), id, opts));

  program
    .command('revert')
    .description('undo an applied suggestion in your working copy (git apply -R) and report it reverted')
    .argument(...SUGGESTION)
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--dir <dir>', DIR_HELP)
    .action((id: string, opts: ApplyOptions, command: Command) => revert(cli.context(command), id, opts));
}

async function doc(ctx: Context, ref: string, target: DocTarget, opts: DocOptions): Promise<void> {
  let body: Omit<CreateAiJobBody, 'project_id'>;
  let label: string;
  if (opts.wholeFile) {
    if (target.range !== null) throw usageError('--whole-file documents the whole file: give FILE without lines');
    if (opts.symbol !== undefined) throw usageError('use --whole-file or --symbol, not both');
    body = { action: 'document_file', path: target.path };
    label = `doc ${target.path}`;
  } else if (target.range !== null || opts.symbol !== undefined) {
    body = {
      action: 'document_function',
      path: target.path,
      ...(target.range !== null && { range: target.range }),
      ...(opts.symbol !== undefined && { symbol: opts.symbol }),
    };
    const where = target.range ? `:${formatLines(target.range.start_line, target.range.end_line)}` : '';
    label = `doc ${target.path}${where}${opts.symbol === undefined ? '' : ` ${opts.symbol}`}`;
  } else {
    throw usageError('say what to document: FILE:LINE (the function at that line), --symbol NAME, or --whole-file');
  }
  await runJob(ctx, ref, body, label, opts.wait !== false);
}

async function refactor(
  ctx: Context,
  ref: string,
  text: string,
  opts: { file?: string[]; wait?: boolean },
): Promise<void> {
  let instructions = text === '-' ? await readStdin(ctx.io) : text;
  if (instructions.trim() === '') throw usageError('the instructions are empty');
  const files = opts.file ?? [];
  // The API takes one `path`: further files are named in the instructions, where the model reads them.
  if (files.length > 1) instructions = `${instructions}\n\nChange only these files: ${files.join(', ')}.`;
  await runJob(
    ctx,
    ref,
    { action: 'refactor', instructions, ...(files[0] !== undefined && { path: files[0] }) },
    `refactor${files.length > 0 ? ` ${files.join(', ')}` : ''}`,
    opts.wait !== false,
  );
}

/**
 * Queues a job; with `wait`, follows it and prints its outcome (the suggestions, or a summary), else prints the queued
 * job. A failed job prints its error and exits 1.
 */
async function runJob(
  ctx: Context,
  ref: string,
  body: Omit<CreateAiJobBody, 'project_id'>,
  label: string,
  wait: boolean,
): Promise<void> {
  const client = await ctx.loggedInClient();
  const projectId = await resolveProject(client, ref);
  const started = await client.ai.create({ project_id: projectId, ...body });
  if (!wait) {
    ctx.out.result(started, () => {
      ctx.out.line(`Queued AI job ${started.job_id} (${started.action}${started.path ? ` on ${started.path}` : ''}).`);
      ctx.out.note(ctx.out.ec.dim(`Its suggestions will show in \`hivesync suggestions ${ref}\`.`));
    });
    return;
  }
  const job = await follow(ctx, client, label, started);
  exitIfFailed(ctx, job);
  ctx.out.result(job, () => printOutcome(ctx, job));
}

function printOutcome(ctx: Context, job: AiJob): void {
  const { c, ec } = ctx.out;
  if (job.action === 'summarize_file') {
    for (const line of formatSummary(job, c)) ctx.out.line(line);
    return;
  }
  if (job.suggestions.length === 0) {
    // Older servers leave `message` out.
    ctx.out.line(
      job.message
        ? `Nothing to do: ${lowerFirst(job.message)}`
        : `The AI job ${job.job_id} completed with no change to suggest.`,
    );
    return;
  }
  job.suggestions.forEach((s, i) => {
    if (i > 0) ctx.out.line();
    for (const line of formatSuggestion(s, c)) ctx.out.line(line);
  });
  const ids = job.suggestions.map((s) => shortId(s.id));
  ctx.out.note(
    ec.dim(
      `Nothing has changed yet. Review, then \`hivesync apply ${ids[0]}\` (or \`hivesync suggestions reject ${ids[0]}\`).`,
    ),
  );
}

/** Waits for a job, drawing its progress on stderr (not in --json mode); Ctrl-C stops waiting, not the job. */
async function follow(ctx: Context, client: HiveSyncClient, label: string, started: AiJob): Promise<AiJob> {
  const { stderr, env } = ctx.io;
  const live = stderr.isTTY === true && env.TERM !== 'dumb';
  const progress = ctx.out.json ? undefined : new JobProgress(stderr, ctx.out.ec, label, live);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    progress?.update(started);
    return await client.ai.waitForJob(started.job_id, {
      signal: controller.signal,
      onProgress: (job) => progress?.update(job),
    });
  } catch (err) {
    progress?.stop();
    if (controller.signal.aborted) {
      throw new CliError(
        'cancelled',
        `stopped waiting; AI job ${started.job_id} continues on the server (its suggestions will show in \`hivesync suggestions\`)`,
        EXIT.usage,
      );
    }
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

async function list(ctx: Context, ref: string, state: SuggestionState | undefined): Promise<void> {
  const client = await ctx.loggedInClient();
  const result = await client.ai.suggestions(await resolveProject(client, ref), state === undefined ? {} : { state });
  ctx.out.result(result, () => {
    if (result.suggestions.length === 0)
      ctx.out.line(`No ${state === undefined ? '' : `${state} `}suggestions in ${ref}.`);
    else ctx.out.line(formatSuggestionList(result.suggestions, ctx.out.c));
  });
}

async function show(ctx: Context, ref: string): Promise<void> {
  const client = await ctx.loggedInClient();
  const suggestion = await client.ai.suggestion(await resolveId(client, 'suggestion', ref));
  ctx.out.result(suggestion, () => {
    for (const line of formatSuggestion(suggestion, ctx.out.c)) ctx.out.line(line);
  });
}

async function review(ctx: Context, ref: string, action: 'approve' | 'reject'): Promise<void> {
  const client = await ctx.loggedInClient();
  const id = await resolveId(client, 'suggestion', ref);
  const suggestion = action === 'approve' ? await client.ai.approve(id) : await client.ai.reject(id);
  ctx.out.result(suggestion, () => {
    ctx.out.line(`Suggestion ${suggestion.id} is now ${formatState(suggestion.state, ctx.out.c)}.`);
    if (suggestion.state === 'approved') ctx.out.note(ctx.out.ec.dim(`Apply it with \`hivesync apply ${id}\`.`));
  });
}

/**
 * apply: checks that the patch applies, as it is or merged three-way with your own changes (nothing is touched when
 * it does not), approves a proposed suggestion (after a question unless --yes), applies it, then reports it applied.
 */
async function apply(ctx: Context, ref: string, opts: ApplyOptions): Promise<void> {
  const client = await ctx.loggedInClient();
  const id = await resolveId(client, 'suggestion', ref);
  let suggestion = await client.ai.suggestion(id);
  if (suggestion.state !== 'proposed' && suggestion.state !== 'approved') {
    throw new CliError(
      'conflict',
      `suggestion ${id} is ${suggestion.state}: only a proposed or approved suggestion can be applied`,
      EXIT.api,
    );
  }
  if (suggestion.state === 'proposed' && !opts.yes && ctx.io.stdin.isTTY !== true) {
    throw confirmationNeeded(ctx, `approve and apply the proposed suggestion ${shortId(id)}`, [
      'apply',
      id,
      ...dirArgs(opts),
    ]);
  }
  const root = await withGitApply(async (g) => {
    const root = await g.workingCopy(opts.dir ?? process.cwd(), IN_CLONE);
    let patch = suggestion.patch;
    let alreadyDone = false;
    if (!(await g.appliesExactly(root, patch))) {
      // Applied here before, but reporting it failed? Then the patch applies backwards as it is: only report it.
      alreadyDone = suggestion.state === 'approved' && (await g.appliesExactly(root, patch, { reverse: true }));
      if (!alreadyDone) patch = await mergeablePatch(g, client, root, suggestion);
    }
    if (suggestion.state === 'proposed') {
      if (!opts.yes) {
        for (const line of formatSuggestion(suggestion, ctx.out.ec)) ctx.out.note(line);
        if (!(await confirm(ctx.io, 'Approve and apply?'))) {
          throw new CliError('cancelled', 'cancelled: the suggestion was neither approved nor applied', EXIT.usage);
        }
      }
      suggestion = await client.ai.approve(id);
    }
    if (alreadyDone) ctx.out.note(`hivesync: the patch is already applied in ${root}; reporting it as applied`);
    else await g.applyPatch(root, patch);
    return root;
  });
  const applied = await reportAfterGit(() => client.ai.markApplied(id), root, 'applied', id);
  const files = patchFiles(suggestion.patch);
  ctx.out.result({ suggestion: applied, files }, () => printFiles(ctx, `Applied suggestion ${id} to ${root}`, files));
}

/** revert: checks that the patch can be undone, asks (unless --yes), applies it backwards, then reports it reverted. */
async function revert(ctx: Context, ref: string, opts: ApplyOptions): Promise<void> {
  if (!opts.yes && ctx.io.stdin.isTTY !== true) {
    throw confirmationNeeded(ctx, `revert suggestion ${ref}`, ['revert', ref, ...dirArgs(opts)]);
  }
  const client = await ctx.loggedInClient();
  const id = await resolveId(client, 'suggestion', ref);
  const suggestion = await client.ai.suggestion(id);
  if (suggestion.state !== 'applied') {
    throw new CliError(
      'conflict',
      `suggestion ${id} is ${suggestion.state}: only an applied suggestion can be reverted`,
      EXIT.api,
    );
  }
  const files = patchFiles(suggestion.patch);
  const root = await withGitApply(async (g) => {
    const root = await g.workingCopy(opts.dir ?? process.cwd(), IN_CLONE);
    let alreadyDone = false;
    if (!(await g.appliesExactly(root, suggestion.patch, { reverse: true }))) {
      alreadyDone = await g.appliesExactly(root, suggestion.patch);
      const check = alreadyDone ? undefined : await g.checkPatch(root, suggestion.patch, { reverse: true });
      if (check && !check.ok) throw doesNotApply(id, root, check);
    }
    if (!opts.yes && !(await confirm(ctx.io, `Revert suggestion ${id} (${files.join(', ')}) in ${root}?`))) {
      throw new CliError('cancelled', 'cancelled: nothing was reverted', EXIT.usage);
    }
    if (alreadyDone) ctx.out.note(`hivesync: the patch is already undone in ${root}; reporting it as reverted`);
    else await g.applyPatch(root, suggestion.patch, { reverse: true });
    return root;
  });
  const reverted = await reportAfterGit(() => client.ai.markReverted(id), root, 'reverted', id);
  ctx.out.result({ suggestion: reverted, files }, () => printFiles(ctx, `Reverted suggestion ${id} in ${root}`, files));
}

/** `--dir DIR` when it was given, to repeat a command exactly. */
function dirArgs(opts: ApplyOptions): string[] {
  return opts.dir === undefined ? [] : ['--dir', opts.dir];
}

/**
 * The patch to apply when it does not apply as it is: git merges it three-way with the working copy's own changes
 * when this repository has the original files (named by the patch's `index` lines, or found at the job's commit).
 * When it cannot, the error names each hunk that clashes and what with; nothing has been changed.
 */
async function mergeablePatch(
  g: GitApply,
  client: HiveSyncClient,
  root: string,
  suggestion: Suggestion,
): Promise<string> {
  const check = await g.checkPatch(root, suggestion.patch);
  if (check.ok) return suggestion.patch;
  const commit = await jobCommit(client, suggestion.job_id);
  // A suggestion from a server that did not name the original blobs: name them from the job's commit, if it is here.
  const named = commit ? await g.withBaseBlobs(root, suggestion.patch, commit) : undefined;
  if (named && (await g.checkPatch(root, named)).ok) return named;
  const clash = await g.describeClash(root, named ?? suggestion.patch, commit);
  const reasons = clash.hunks.length > 0 ? clash.hunks.map((h) => h.message) : check.problems;
  const hint = clash.missingOriginal
    ? `this repository does not have the job's commit${commit ? ` ${commit.slice(0, 7)}` : ''}: fetch it (or pull) and apply again, so that git can merge the suggestion with your changes`
    : 'your changes and the suggestion touch the same lines: set yours aside (`git stash`), apply, then `git stash pop` and resolve the conflict there, or add the change by hand';
  throw new CliError(
    'patch_does_not_apply',
    `suggestion ${suggestion.id} cannot be applied in ${root}; nothing was changed:\n  ${reasons.join('\n  ')}\n${hint}`,
    EXIT.api,
  );
}

/** The commit a suggestion's job read, or undefined when the server cannot say. */
async function jobCommit(client: HiveSyncClient, jobId: string): Promise<string | undefined> {
  try {
    const { commit } = await client.ai.get(jobId);
    return /^[0-9a-f]{7,64}$/.test(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}

function doesNotApply(id: string, root: string, check: PatchCheck): CliError {
  const reasons = check.problems.length > 0 ? check.problems : ['git apply refused the patch'];
  return new CliError(
    'patch_does_not_apply',
    `suggestion ${id} cannot be reverted in ${root}; nothing was changed; the files have changed since the suggestion was applied, on the same lines:\n  ${reasons.join('\n  ')}`,
    EXIT.api,
  );
}

/** "Every declaration …" → "every declaration …", to follow "Nothing to do: "; a name in backticks stays as it is. */
function lowerFirst(sentence: string): string {
  return /^[A-Z][a-z]/.test(sentence) ? sentence.charAt(0).toLowerCase() + sentence.slice(1) : sentence;
}

/** Reports a move after git changed the working copy; a failure says that the files did change. */
async function reportAfterGit(
  report: () => Promise<Suggestion>,
  root: string,
  state: 'applied' | 'reverted',
  id: string,
): Promise<Suggestion> {
  try {
    return await report();
  } catch (err) {
    const command = state === 'applied' ? 'apply' : 'revert';
    if (err instanceof Error) {
      err.message = `${err.message} (the files in ${root} were changed, but the server does not know yet: run \`hivesync ${command} ${id}\` again to report it)`;
    }
    throw err;
  }
}

function printFiles(ctx: Context, heading: string, files: string[]): void {
  ctx.out.line(`${heading}:`);
  for (const file of files) ctx.out.line(`  ${ctx.out.c.bold(file)}`);
  ctx.out.note(
    ctx.out.ec.dim(
      'The changes are in the working tree, and staged unless a file had unstaged changes of yours; review them with `git diff HEAD`.',
    ),
  );
}
