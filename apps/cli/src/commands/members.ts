import { Option, type Command } from 'commander';
import { GrantableRole } from '@hivesync/core';
import type { Cli, Context } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { formatTime } from '../output.js';
import { resolveProject } from '../project-ref.js';

/** members add|list|remove. */
export function memberCommands(program: Command, cli: Cli): void {
  const members = program.command('members').description('who may see and change a project');

  members
    .command('add')
    .description('add a user (who has an account) to a project; needs admin or owner')
    .argument('<project>', 'the project id or name')
    .argument('<email>', "the user's email")
    .addOption(new Option('--role <role>', 'the role to grant (default: member)').choices(GrantableRole.options))
    .action((project: string, email: string, opts: { role?: GrantableRole }, command: Command) =>
      add(cli.context(command), project, email, opts.role),
    );

  members
    .command('list')
    .description('the members of a project')
    .argument('<project>', 'the project id or name')
    .action((project: string, _opts: unknown, command: Command) => list(cli.context(command), project));

  members
    .command('remove')
    .description('remove a member (admin or owner), or leave a project (your own id)')
    .argument('<project>', 'the project id or name')
    .argument('<user>', "the member's user id (or email)")
    .action((project: string, user: string, _opts: unknown, command: Command) =>
      remove(cli.context(command), project, user),
    );
}

/** The role `members add` grants when --role is not given. */
export const DEFAULT_ROLE: GrantableRole = 'member';

async function add(ctx: Context, project: string, email: string, role: GrantableRole | undefined): Promise<void> {
  const client = await ctx.loggedInClient();
  const added = await client.members.add(await resolveProject(client, project), { email, role: role ?? DEFAULT_ROLE });
  ctx.out.result(added, () => {
    // Said in the same sentence: a role nobody chose should not go unnoticed.
    const why = role === undefined ? ' (default role; use --role to choose admin, member or viewer)' : '';
    ctx.out.line(`Added ${ctx.out.c.bold(email)} to project ${project} as ${added.role}${why}.`);
  });
}

async function list(ctx: Context, project: string): Promise<void> {
  const client = await ctx.loggedInClient();
  const result = await client.members.list(await resolveProject(client, project));
  ctx.out.result(result, () =>
    ctx.out.table(
      ['USER ID', 'EMAIL', 'NAME', 'ROLE', 'ADDED'],
      result.members.map((m) => [
        m.user_id,
        { text: m.email, style: ctx.out.c.bold },
        m.display_name,
        m.role,
        formatTime(m.added_at),
      ]),
    ),
  );
}

async function remove(ctx: Context, project: string, user: string): Promise<void> {
  const client = await ctx.loggedInClient();
  const projectId = await resolveProject(client, project);
  let userId = user;
  if (user.includes('@')) {
    const { members } = await client.members.list(projectId);
    const member = members.find((m) => m.email.toLowerCase() === user.trim().toLowerCase());
    if (!member) throw new CliError('not_found', `${user} is not a member of project ${project}`, EXIT.api);
    userId = member.user_id;
  }
  await client.members.remove(projectId, userId);
  ctx.out.result({ project_id: projectId, user_id: userId, removed: true }, () =>
    ctx.out.line(`Removed ${user} from project ${project}.`),
  );
}
