import type { Project, UpdateProjectBody } from '@hivesync/core';
import type { Command } from 'commander';
import { parseSyncInterval, syncIntervalMinutes } from '../args.js';
import type { Cli, Context } from '../context.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { formatTime } from '../output.js';
import { resolveProject } from '../project-ref.js';
import { confirm, confirmationNeeded } from '../prompt.js';

interface CreateOptions {
  repoUrl?: string;
  branch?: string;
  syncInterval?: number | 'off';
}

/** What `projects update` was given; `repoUrl: false` is --no-repo-url. */
export interface UpdateOptions {
  name?: string;
  repoUrl?: string | false;
  branch?: string;
  /** --default-branch: follow the remote's default branch again. */
  defaultBranch?: boolean;
  syncInterval?: number | 'off';
}

const SYNC_INTERVAL_HELP = 'sync on a schedule, every N minutes (5 to 10080), or "off"';

/** projects list|create|show|update|delete. */
export function projectCommands(program: Command, cli: Cli): void {
  const projects = program.command('projects').description('list, create, show, update and delete projects');

  projects
    .command('list')
    .description('the projects you are a member of')
    .action((_opts: unknown, command: Command) => list(cli.context(command)));

  projects
    .command('create')
    .description('create a project (you become its owner)')
    .argument('<name>', 'the project name')
    .option('--repo-url <url>', 'the git repository to mirror')
    .option('--branch <branch>', "the branch to mirror (default: the remote's default branch)")
    .option('--sync-interval <minutes>', `${SYNC_INTERVAL_HELP} (default: off)`, parseSyncInterval)
    .action((name: string, opts: CreateOptions, command: Command) => create(cli.context(command), name, opts));

  projects
    .command('show')
    .description('show one project')
    .argument('<id>', 'the project id or name')
    .action((id: string, _opts: unknown, command: Command) => show(cli.context(command), id));

  projects
    .command('update')
    .description('change a project (admin or owner)')
    .argument('<id>', 'the project id or name')
    .option('--name <name>', 'a new name')
    .option('--repo-url <url>', 'the git repository to mirror')
    .option('--no-repo-url', 'stop mirroring a repository')
    .option('--branch <branch>', 'the branch to mirror')
    .option('--default-branch', "follow the remote's default branch again")
    .option('--sync-interval <minutes>', SYNC_INTERVAL_HELP, parseSyncInterval)
    .action((id: string, opts: UpdateOptions, command: Command) => update(cli.context(command), id, opts));

  projects
    .command('delete')
    .description('delete a project (owner only)')
    .argument('<id>', 'the project id or name')
    .option('-y, --yes', 'do not ask for confirmation')
    .action((id: string, opts: { yes?: boolean }, command: Command) => remove(cli.context(command), id, opts));
}

async function list(ctx: Context): Promise<void> {
  const result = await (await ctx.loggedInClient()).projects.list();
  ctx.out.result(result, () => {
    if (result.projects.length === 0) {
      ctx.out.line('No projects yet: create one with `hivesync projects create <name>`.');
      return;
    }
    ctx.out.table(
      ['ID', 'NAME', 'ROLE', 'BRANCH', 'REPOSITORY', 'LAST SYNC'],
      result.projects.map((p) => [
        p.id,
        { text: p.name, style: ctx.out.c.bold },
        p.role,
        branchLabel(p),
        p.repo_url ?? '-',
        p.last_synced_at ? formatTime(p.last_synced_at) : 'never',
      ]),
    );
  });
}

async function create(ctx: Context, name: string, opts: CreateOptions): Promise<void> {
  const project = await (
    await ctx.loggedInClient()
  ).projects.create({
    name,
    ...(opts.repoUrl !== undefined && { repo_url: opts.repoUrl }),
    ...(opts.branch !== undefined && { branch: opts.branch }),
    ...(opts.syncInterval !== undefined && { sync_interval_minutes: syncIntervalMinutes(opts.syncInterval) }),
  });
  ctx.out.result(project, () => {
    ctx.out.line(`Created project ${ctx.out.c.bold(project.name)} (${project.id}).`);
  });
}

async function show(ctx: Context, ref: string): Promise<void> {
  const client = await ctx.loggedInClient();
  const project = await client.projects.get(await resolveProject(client, ref));
  ctx.out.result(project, () => printProject(ctx, project));
}

/** The PATCH body of `projects update`; a usage error when it would change nothing. */
export function updateBody(opts: UpdateOptions): UpdateProjectBody {
  const body: UpdateProjectBody = {
    ...(opts.name !== undefined && { name: opts.name }),
    ...(opts.repoUrl !== undefined && { repo_url: opts.repoUrl === false ? null : opts.repoUrl }),
    ...(opts.branch !== undefined && { branch: opts.branch }),
    ...(opts.defaultBranch === true && { branch: null }),
    ...(opts.syncInterval !== undefined && { sync_interval_minutes: syncIntervalMinutes(opts.syncInterval) }),
  };
  if (opts.branch !== undefined && opts.defaultBranch === true) {
    throw usageError('give either --branch or --default-branch, not both');
  }
  if (Object.keys(body).length === 0) {
    throw usageError(
      'nothing to change: give --name, --repo-url, --no-repo-url, --branch, --default-branch or --sync-interval',
    );
  }
  return body;
}

async function update(ctx: Context, ref: string, opts: UpdateOptions): Promise<void> {
  const body = updateBody(opts);
  const client = await ctx.loggedInClient();
  const project = await client.projects.update(await resolveProject(client, ref), body);
  ctx.out.result(project, () => {
    ctx.out.line(`Updated project ${ctx.out.c.bold(project.name)} (${project.id}).`);
    printProject(ctx, project);
  });
}

async function remove(ctx: Context, ref: string, opts: { yes?: boolean }): Promise<void> {
  if (!opts.yes && ctx.io.stdin.isTTY !== true) {
    throw confirmationNeeded(ctx, 'delete the project', ['projects', 'delete', ref]);
  }
  const client = await ctx.loggedInClient();
  const id = await resolveProject(client, ref);
  if (!opts.yes) {
    const project = await client.projects.get(id);
    if (!(await confirm(ctx.io, `Delete project "${project.name}" (${project.id}) and everything in it?`))) {
      throw new CliError('cancelled', 'cancelled: the project was not deleted', EXIT.usage);
    }
  }
  await client.projects.delete(id);
  ctx.out.result({ id, deleted: true }, () => ctx.out.line(`Deleted project ${id}.`));
}

function printProject(ctx: Context, p: Project): void {
  const rows: [string, string][] = [
    ['id', p.id],
    ['name', ctx.out.c.bold(p.name)],
    ['your role', p.role],
    ['repository', p.repo_url ?? '-'],
    ['branch', branchLabel(p)],
    ['credential', p.credential],
    ['sync every', p.sync_interval_minutes === null ? 'off' : `${p.sync_interval_minutes} min`],
    ['created', `${p.created_at} (${formatTime(p.created_at)})`],
    ['last sync', p.last_synced_at ? `${p.last_synced_at} (${formatTime(p.last_synced_at)})` : 'never'],
    ['last commit', p.last_commit ?? '-'],
  ];
  for (const [key, value] of rows) ctx.out.line(`${ctx.out.c.dim(key.padEnd(12))} ${value}`);
}

/** The branch as a person should read it: a followed default branch says so, and is unknown before a sync. */
export function branchLabel(p: Pick<Project, 'branch' | 'follows_default_branch' | 'last_synced_at'>): string {
  if (!p.follows_default_branch) return p.branch;
  return p.last_synced_at ? `${p.branch} (remote default)` : 'remote default (found at the first sync)';
}
