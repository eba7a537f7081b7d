import type { Commit } from '@hivesync/core';
import type { Command } from 'commander';
import { integerIn } from '../args.js';
import type { Cli, Context } from '../context.js';
import type { Colors } from '../output.js';
import { resolveProject } from '../project-ref.js';

interface LogOptions {
  ref?: string;
  maxCount?: number;
}

/** log: the commit history of a project's mirror. */
export function logCommands(program: Command, cli: Cli): void {
  program
    .command('log')
    .description('the commit log of the mirror, newest first, one commit a line (hash, date, author, subject)')
    .argument('<project>', 'the project id or name')
    .argument('[path]', 'only commits that touch this file or directory')
    .option('--ref <ref>', 'start at this branch or commit hash instead of the mirrored commit')
    .option('-n, --max-count <n>', 'at most this many commits (1 to 100000, default 20)', integerIn(1, 100_000))
    .action((project: string, path: string | undefined, opts: LogOptions, command: Command) =>
      log(cli.context(command), project, path, opts),
    );
}

async function log(ctx: Context, ref: string, path: string | undefined, opts: LogOptions): Promise<void> {
  const client = await ctx.loggedInClient();
  const projectId = await resolveProject(client, ref);
  const max = opts.maxCount ?? 20;
  const commits: Commit[] = [];
  const pages = client.repo.allCommits(projectId, {
    limit: Math.min(max, 200),
    ...(path !== undefined && { path }),
    ...(opts.ref !== undefined && { ref: opts.ref }),
  });
  for await (const commit of pages) {
    commits.push(commit);
    if (commits.length >= max) break;
  }
  ctx.out.result(commits, () => {
    for (const c of commits) ctx.out.line(formatCommitLine(c, ctx.out.c));
  });
}

/** One commit as a line: short hash, date (UTC), author, subject. */
export function formatCommitLine(commit: Commit, c: Colors): string {
  return `${c.yellow(commit.sha.slice(0, 10))} ${commit.committed_at.slice(0, 10)} ${c.dim(commit.author.name)} ${commit.subject}`;
}
