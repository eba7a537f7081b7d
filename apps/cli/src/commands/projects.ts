import type { Project } from '@hivesync/core';
import type { Command } from 'commander';
import type { Cli, Context } from '../context.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { formatTime } from '../output.js';
import { confirm } from '../prompt.js';

interface CreateOptions {
  repoUrl?: string;
  branch?: string;
}

/** projects list|create|show|delete. */
export function projectCommands(program: Command, cli: Cli): void {
  const projects = program.command('projects').description('list, create, show and delete projects');

  projects
    .command('list')
    .description('the projects you are a member of')
    .action((_opts: unknown, command: Command) => list(cli.context(command)));

  projects
    .command('create')
    .description('create a project (you become its owner)')
    .argument('<name>', 'the project name')
    .option('--repo-url <url>', 'the git repository to mirror')
    .option('--branch <branch>', 'the branch to mirror (default: main)')
    .action((name: string, opts: CreateOptions, command: Command) => create(cli.context(command), name, opts));

  projects
    .command('show')
    .description('show one project')
    .argument('<id>', 'the project id')
    .action((id: string, _opts: unknown, command: Command) => show(cli.context(command), id));

  projects
    .command('delete')
    .description('delete a project (owner only)')
    .argument('<id>', 'the project id')
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
        p.branch,
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
  });
  ctx.out.result(project, () => {
    ctx.out.line(`Created project ${ctx.out.c.bold(project.name)} (${project.id}).`);
  });
}

async function show(ctx: Context, id: string): Promise<void> {
  const project = await (await ctx.loggedInClient()).projects.get(id);
  ctx.out.result(project, () => printProject(ctx, project));
}

async function remove(ctx: Context, id: string, opts: { yes?: boolean }): Promise<void> {
  if (!opts.yes && ctx.io.stdin.isTTY !== true) {
    throw usageError('pass --yes to delete a project when stdin is not a terminal');
  }
  const client = await ctx.loggedInClient();
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
    ['branch', p.branch],
    ['created', `${p.created_at} (${formatTime(p.created_at)})`],
    ['last sync', p.last_synced_at ? `${p.last_synced_at} (${formatTime(p.last_synced_at)})` : 'never'],
    ['last commit', p.last_commit ?? '-'],
  ];
  for (const [key, value] of rows) ctx.out.line(`${ctx.out.c.dim(key.padEnd(12))} ${value}`);
}
