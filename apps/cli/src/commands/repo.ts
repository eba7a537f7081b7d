import fs from 'node:fs/promises';
import type { SearchResult, SetCredentialBody, Sync } from '@hivesync/core';
import { isHiveSyncError, type HiveSyncClient, type SearchParams } from '@hivesync/sdk';
import type { Command } from 'commander';
import { integerIn } from '../args.js';
import type { Cli, Context } from '../context.js';
import { CliError, EXIT, ExitStatus, usageError } from '../errors.js';
import { formatDuration, plural } from '../output.js';
import { resolveProject } from '../project-ref.js';
import { ask, readStdin } from '../prompt.js';
import { fileBytes, formatGrouped, formatMatchWithContext, formatTree, highlightRanges } from '../repo-format.js';
import { SyncProgress } from '../sync-progress.js';

interface TreeOptions {
  recursive?: boolean;
  commit?: string;
}

interface SearchOptions {
  regex?: boolean;
  ignoreCase?: boolean;
  case?: boolean;
  word?: boolean;
  path?: string;
  glob?: string;
  lang?: string;
  context?: number;
  commit?: string;
  files?: boolean;
  limit?: number;
  count?: boolean;
}

/** What `credential set` was given. */
export interface CredentialOptions {
  tokenStdin?: boolean;
  username?: string;
  sshKey?: string;
  knownHosts?: string;
}

const PROJECT = ['<project>', 'the project id or name'] as const;

/** sync, tree, cat, search, credential: a project's repository mirror. */
export function repoCommands(program: Command, cli: Cli): void {
  program
    .command('sync')
    .description("update the project's mirror from its repository (member role)")
    .argument(...PROJECT)
    .option('-w, --wait', 'follow the sync until it completes or fails; exit 1 when it fails')
    .action((project: string, opts: { wait?: boolean }, command: Command) =>
      sync(cli.context(command), project, opts.wait === true),
    );

  program
    .command('tree')
    .description('list a directory of the mirror, like ls')
    .argument(...PROJECT)
    .argument('[path]', 'a directory (default: the root)')
    .option('-r, --recursive', 'everything below the directory')
    .option('--commit <hash>', 'at this commit (full hash) instead of the mirrored one')
    .action((project: string, path: string | undefined, opts: TreeOptions, command: Command) =>
      tree(cli.context(command), project, path, opts),
    );

  program
    .command('cat')
    .description('write a file of the mirror to stdout, byte for byte (`hivesync cat p logo.png > logo.png`)')
    .argument(...PROJECT)
    .argument('<path>', 'the file, relative to the repository root')
    .option('--commit <hash>', 'at this commit (full hash) instead of the mirrored one')
    .action((project: string, path: string, opts: { commit?: string }, command: Command) =>
      cat(cli.context(command), project, path, opts.commit),
    );

  program
    .command('search')
    .description(
      'search the mirror: on a terminal grouped by file like ripgrep, else path:line:column:text like grep; exit 1 when nothing matches',
    )
    .argument(...PROJECT)
    .argument('<query>', 'a fixed string, or with -E a regular expression (RE2 syntax)')
    .option('-E, --regex', 'the query is a regular expression')
    .option('-i, --ignore-case', 'ignore case')
    .option('--case', 'match case exactly (the default; overrides -i)')
    .option('-w, --word', 'only whole words')
    .option('--path <path>', 'only under this directory (or this file); a glob (`*`, `?`, `**`, `{a,b}`) filters paths')
    .option('--glob <glob>', 'only paths matching this glob; without a `/`, file names (`*.ts`)')
    .option('--lang <language>', 'only files of this language (typescript, javascript, go, markdown, …)')
    .option('-C, --context <n>', 'show n lines before and after each match (0 to 10)', integerIn(0, 10))
    .option('--commit <hash>', 'at this commit (full hash) instead of the mirrored one')
    .option('--files', 'search file names instead of contents; prints the matching paths')
    .option('--limit <n>', 'at most this many matches (1 to 10000, default 100)', integerIn(1, 10_000))
    .option('-c, --count', 'print how many lines match (file names with --files) instead of the matches')
    .action((project: string, query: string, opts: SearchOptions, command: Command) =>
      search(cli.context(command), project, query, opts),
    );

  const credential = program
    .command('credential')
    .description("the project's repository credential: an HTTPS token or an SSH key (never shown back)");

  credential
    .command('set')
    .description('store the credential the server uses to fetch the repository (admin role)')
    .argument(...PROJECT)
    .option('--token-stdin', 'an HTTPS token (or password), read from stdin; asked for on a terminal')
    .option('--username <name>', 'the HTTPS user name to send with the token')
    .option('--ssh-key <file>', 'an SSH private key file (without a passphrase)')
    .option('--known-hosts <file>', 'a known_hosts file for the SSH host')
    .action((project: string, opts: CredentialOptions, command: Command) =>
      setCredential(cli.context(command), project, opts),
    );

  credential
    .command('show')
    .description('whether a credential is set, and its type')
    .argument(...PROJECT)
    .action((project: string, _opts: unknown, command: Command) => showCredential(cli.context(command), project));

  credential
    .command('remove')
    .description('delete the stored credential (admin role)')
    .argument(...PROJECT)
    .action((project: string, _opts: unknown, command: Command) => removeCredential(cli.context(command), project));
}

async function sync(ctx: Context, ref: string, wait: boolean): Promise<void> {
  const client = await ctx.loggedInClient();
  const projectId = await resolveProject(client, ref);
  const started = await client.repo.sync(projectId);
  if (!wait) {
    ctx.out.result(started, () => {
      const name = ctx.out.c.bold(ref);
      ctx.out.line(
        started.status === 'queued' && started.attempts === 0
          ? `Queued sync ${started.sync_id} of ${name}.`
          : `A sync of ${name} is already under way: ${started.sync_id} (${started.status}).`,
      );
      ctx.out.note(ctx.out.ec.dim(`Follow it with \`hivesync sync ${ref} --wait\`.`));
    });
    return;
  }
  const final = await follow(ctx, client, ref, started);
  ctx.out.result(final, () => {
    if (final.status === 'completed') {
      const took = final.duration_ms === null ? '' : ` in ${formatDuration(final.duration_ms)}`;
      ctx.out.line(`Synced ${ctx.out.c.bold(ref)} to commit ${final.commit ?? '?'}${took}.`);
    }
  });
  if (final.status === 'failed') {
    if (!ctx.out.json) {
      const error = final.error ?? { code: 'internal_error', message: 'The sync failed.' };
      ctx.out.note(`hivesync: sync failed: ${error.code}: ${error.message}`);
    }
    throw new ExitStatus(EXIT.api);
  }
}

/** Waits for a sync, drawing its progress on stderr (not in --json mode); Ctrl-C stops waiting, not the sync. */
async function follow(ctx: Context, client: HiveSyncClient, label: string, started: Sync): Promise<Sync> {
  const { stderr, env } = ctx.io;
  const live = stderr.isTTY === true && env.TERM !== 'dumb';
  const progress = ctx.out.json ? undefined : new SyncProgress(stderr, ctx.out.ec, label, live);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    progress?.update(started);
    return await client.repo.waitForSync(started.sync_id, {
      signal: controller.signal,
      onProgress: (s) => progress?.update(s),
    });
  } catch (err) {
    progress?.stop();
    if (controller.signal.aborted) {
      throw new CliError(
        'cancelled',
        `stopped waiting; sync ${started.sync_id} continues on the server (\`hivesync sync ${label} --wait\` follows it again)`,
        EXIT.usage,
      );
    }
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

async function tree(ctx: Context, ref: string, path: string | undefined, opts: TreeOptions): Promise<void> {
  const client = await ctx.loggedInClient();
  const result = await client.repo.tree(await resolveProject(client, ref), {
    ...(path !== undefined && { path }),
    ...(opts.recursive && { recursive: true }),
    ...(opts.commit !== undefined && { commit: opts.commit }),
  });
  ctx.out.result(result, () => {
    for (const line of formatTree(result, ctx.out.c)) ctx.out.line(line);
  });
}

async function cat(ctx: Context, ref: string, path: string, commit: string | undefined): Promise<void> {
  const client = await ctx.loggedInClient();
  const file = await client.repo.file(await resolveProject(client, ref), path, commit === undefined ? {} : { commit });
  if (ctx.out.json) {
    ctx.out.jsonLine(file);
    return;
  }
  const { bytes, verified } = fileBytes(file);
  ctx.out.bytes(bytes);
  if (!verified) {
    ctx.out.note(
      `hivesync: the bytes received for ${file.path} do not match its git hash ${file.hash}: the copy may differ from the repository`,
    );
    throw new ExitStatus(EXIT.api);
  }
}

async function search(ctx: Context, ref: string, query: string, opts: SearchOptions): Promise<void> {
  const client = await ctx.loggedInClient();
  const projectId = await resolveProject(client, ref);
  const globby = opts.path !== undefined && /[*?{]/.test(opts.path);
  if (globby && opts.glob !== undefined) throw usageError('give --path as a glob or --glob, not both');
  const params: SearchParams = {
    ...(opts.regex && { regex: true }),
    ...(opts.ignoreCase && !opts.case && { ignore_case: true }),
    ...(opts.word && { word: true }),
    ...(opts.path !== undefined && !globby && { path: opts.path }),
    ...((globby || opts.glob !== undefined) && { glob: globby ? opts.path : opts.glob }),
    ...(opts.lang !== undefined && { lang: opts.lang }),
    ...(opts.context !== undefined && { context: opts.context }),
    ...(opts.commit !== undefined && { commit: opts.commit }),
    ...(opts.files && { files: true }),
    ...(opts.limit !== undefined && { limit: opts.limit }),
  };
  if (opts.count) {
    // Every match counted, however many: a count the time budget stopped goes on from its cursor.
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await searchWhenIndexed(ctx, client, projectId, query, { ...params, count: true, cursor });
      count += page.count ?? 0;
      cursor = page.next ?? undefined;
    } while (cursor);
    ctx.out.result({ count }, () => ctx.out.line(String(count)));
    if (count === 0) throw new ExitStatus(EXIT.api);
    return;
  }
  const result = await searchWhenIndexed(ctx, client, projectId, query, params);
  const ignoreCase = params.ignore_case === true;
  ctx.out.result(result, () => {
    if (opts.files) {
      for (const f of result.files ?? []) ctx.out.line(highlightRanges(f.path, f.ranges, ctx.out.c));
    } else if (ctx.out.c.isColorSupported) {
      for (const line of formatGrouped(result.matches, ctx.out.c)) ctx.out.line(line);
    } else {
      const highlight = opts.regex ? undefined : { query, ignoreCase };
      for (const m of result.matches) {
        for (const l of formatMatchWithContext(m, ctx.out.c, highlight)) ctx.out.line(l);
      }
    }
    const shown = opts.files ? (result.files ?? []).length : result.matches.length;
    if (result.timed_out) {
      ctx.out.note(`hivesync: the search ran out of time after ${plural(shown, 'result', 'results')}; narrow it down`);
    } else if (result.truncated) {
      ctx.out.note(
        `hivesync: showing the first ${plural(shown, opts.files ? 'file' : 'match', opts.files ? 'files' : 'matches')}; there are more (raise --limit, up to 10000)`,
      );
    }
  });
  // Like grep: exit 1 when nothing matched, so `hivesync search p TODO && …` works in scripts.
  if ((opts.files ? (result.files ?? []).length : result.matches.length) === 0) throw new ExitStatus(EXIT.api);
}

// How long `search` waits for a commit's search index (a server that was just upgraded, an older --commit).
const INDEX_WAIT_MS = 120_000;

/** Searches, waiting (with a note) while the server indexes a commit that it had not indexed yet. */
async function searchWhenIndexed(
  ctx: Context,
  client: HiveSyncClient,
  projectId: string,
  query: string,
  params: SearchParams,
): Promise<SearchResult> {
  const deadline = Date.now() + INDEX_WAIT_MS;
  let noted = false;
  for (;;) {
    try {
      return await client.repo.search(projectId, query, params);
    } catch (err) {
      if (!isHiveSyncError(err) || err.code !== 'index_missing' || Date.now() > deadline) throw err;
      if (!noted) ctx.out.note('hivesync: the server is indexing this commit for search; waiting…');
      noted = true;
      await new Promise((r) => setTimeout(r, Math.min(10, Math.max(1, err.retryAfter ?? 2)) * 1000));
    }
  }
}

async function setCredential(ctx: Context, ref: string, opts: CredentialOptions): Promise<void> {
  const body = await credentialBody(opts, {
    token: () => (ctx.io.stdin.isTTY === true ? ask(ctx.io, 'Token: ', { hidden: true }) : readStdin(ctx.io)),
    file: (file) => readTextFile(file),
  });
  const client = await ctx.loggedInClient();
  const status = await client.repo.setCredential(await resolveProject(client, ref), body);
  ctx.out.result(status, () => {
    const what = body.type === 'https_token' ? 'an HTTPS token' : 'an SSH key';
    ctx.out.line(`Stored ${what} for ${ctx.out.c.bold(ref)}; it is kept encrypted and never shown again.`);
  });
}

/**
 * The request body of `credential set`, from its options; `read.token` reads the token (stdin or a prompt) and
 * `read.file` reads a file. Usage errors (exit 2) for a wrong combination, an empty token, or a file that is not a
 * private key.
 */
export async function credentialBody(
  opts: CredentialOptions,
  read: { token: () => Promise<string>; file: (path: string) => Promise<string> },
): Promise<SetCredentialBody> {
  if (opts.tokenStdin === true && opts.sshKey !== undefined)
    throw usageError('use --token-stdin or --ssh-key, not both');
  if (opts.tokenStdin !== true && opts.sshKey === undefined) {
    throw usageError('say which credential: --token-stdin (an HTTPS token) or --ssh-key <file>');
  }
  if (opts.tokenStdin) {
    if (opts.knownHosts !== undefined) throw usageError('--known-hosts goes with --ssh-key');
    const token = (await read.token()).trim();
    if (!token) throw usageError('the token is empty');
    return { type: 'https_token', token, ...(opts.username !== undefined && { username: opts.username }) };
  }
  if (opts.username !== undefined) throw usageError('--username goes with --token-stdin');
  const privateKey = await read.file(opts.sshKey!);
  if (!privateKey.includes('PRIVATE KEY')) {
    throw usageError(`${opts.sshKey} is not a private key (expected a PEM or OpenSSH "PRIVATE KEY" block)`);
  }
  return {
    type: 'ssh_key',
    private_key: privateKey,
    ...(opts.knownHosts !== undefined && { known_hosts: await read.file(opts.knownHosts) }),
  };
}

async function readTextFile(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

async function showCredential(ctx: Context, ref: string): Promise<void> {
  const client = await ctx.loggedInClient();
  const status = await client.repo.credential(await resolveProject(client, ref));
  ctx.out.result(status, () =>
    ctx.out.line(
      status.credential === 'set' ? `credential: set (${status.type ?? 'unknown type'})` : 'credential: not set',
    ),
  );
}

async function removeCredential(ctx: Context, ref: string): Promise<void> {
  const client = await ctx.loggedInClient();
  const projectId = await resolveProject(client, ref);
  await client.repo.deleteCredential(projectId);
  ctx.out.result({ project_id: projectId, removed: true }, () =>
    ctx.out.line(`Removed the repository credential of ${ctx.out.c.bold(ref)}.`),
  );
}
