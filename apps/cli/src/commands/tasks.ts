import type { Member, Task, TaskStatus, UpdateTaskBody } from '@hivesync/core';
import type { HiveSyncClient } from '@hivesync/sdk';
import { Option, type Command } from 'commander';
import { parseFileRef } from '../args.js';
import { formatTaskLink, taskStatusCell } from '../collab-format.js';
import type { Cli, Context } from '../context.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { resolveId } from '../id-ref.js';
import { formatTime } from '../output.js';
import { resolveProject } from '../project-ref.js';

interface ListOptions {
  status?: TaskStatus;
  mine?: boolean;
}

interface CreateOptions {
  description?: string;
  status?: TaskStatus;
  assign?: string;
  thread?: string;
  file?: { path: string; line: number | null };
}

/** What `tasks update` was given; `assign` is an email or `none`. */
export interface UpdateOptions {
  title?: string;
  description?: string;
  status?: TaskStatus;
  assign?: string;
}

const STATUSES: TaskStatus[] = ['todo', 'in_progress', 'done'];
const TASK = ['<task>', 'the task id'] as const;
const statusOption = (help: string) => new Option('--status <status>', help).choices(STATUSES);

/** tasks [list]|create|show|update|delete: a project's tasks. */
export function taskCommands(program: Command, cli: Cli): void {
  const tasks = program.command('tasks').description("a project's tasks, optionally on a thread or a file");

  tasks
    .command('list', { isDefault: true })
    .description("a project's tasks: `hivesync tasks <project>`")
    .argument('<project>', 'the project id or name')
    .addOption(statusOption('only tasks with this status'))
    .option('--mine', 'only the tasks assigned to you')
    .action((project: string, opts: ListOptions, command: Command) => list(cli.context(command), project, opts));

  tasks
    .command('create')
    .description('create a task (member role); an assignee is notified')
    .argument('<project>', 'the project id or name')
    .argument('<title>', 'what is to be done')
    .option('--description <text>', 'more about it')
    .addOption(statusOption('its status (default: todo)'))
    .option('--assign <email>', 'assign it to this member')
    .option('--thread <id>', 'the thread it comes from (its id, or the first 8+ characters of it)')
    .option('--file <path[:line]>', 'the file (and line) it is about', parseFileRef)
    .action((project: string, title: string, opts: CreateOptions, command: Command) =>
      create(cli.context(command), project, title, opts),
    );

  tasks
    .command('show')
    .description('one task')
    .argument(...TASK)
    .action((task: string, _opts: unknown, command: Command) => show(cli.context(command), task));

  tasks
    .command('update')
    .description('change a task (member role); a new assignee is notified')
    .argument(...TASK)
    .option('--title <title>', 'a new title')
    .option('--description <text>', 'a new description')
    .addOption(statusOption('a new status'))
    .option('--assign <email>', 'assign it to this member, or "none" to unassign it')
    .action((task: string, opts: UpdateOptions, command: Command) => update(cli.context(command), task, opts));

  tasks
    .command('delete')
    .description('delete a task (member role)')
    .argument(...TASK)
    .action((task: string, _opts: unknown, command: Command) => remove(cli.context(command), task));
}

async function list(ctx: Context, ref: string, opts: ListOptions): Promise<void> {
  const client = await ctx.loggedInClient();
  const projectId = await resolveProject(client, ref);
  const assignee = opts.mine ? await myUserId(ctx, client) : undefined;
  const result = await client.tasks.list(projectId, {
    ...(opts.status !== undefined && { status: opts.status }),
    ...(assignee !== undefined && { assignee_id: assignee }),
  });
  if (ctx.out.json) {
    ctx.out.jsonLine(result);
    return;
  }
  if (result.tasks.length === 0) {
    ctx.out.line(`No ${opts.status ? `${opts.status} ` : ''}tasks${opts.mine ? ' assigned to you' : ''} in ${ref}.`);
    return;
  }
  const emails = await memberEmails(client, projectId);
  ctx.out.table(
    ['ID', 'STATUS', 'TITLE', 'ASSIGNEE', 'ON', 'UPDATED'],
    result.tasks.map((t) => [
      t.task_id,
      taskStatusCell(t, ctx.out.c),
      { text: t.title, style: ctx.out.c.bold },
      assigneeName(t, emails),
      formatTaskLink(t, { shortIds: true }),
      formatTime(t.updated_at),
    ]),
  );
}

async function create(ctx: Context, ref: string, title: string, opts: CreateOptions): Promise<void> {
  const client = await ctx.loggedInClient();
  const projectId = await resolveProject(client, ref);
  const assignee = opts.assign === undefined ? undefined : await memberId(client, projectId, opts.assign, ref);
  const task = await client.tasks.create(projectId, {
    title,
    ...(opts.description !== undefined && { description: opts.description }),
    ...(opts.status !== undefined && { status: opts.status }),
    ...(assignee !== undefined && { assignee_id: assignee }),
    ...(opts.thread !== undefined && { thread_id: await resolveId(client, 'thread', opts.thread) }),
    ...(opts.file !== undefined && { file: opts.file }),
  });
  ctx.out.result(task, () => {
    const to = opts.assign === undefined ? '' : `, assigned to ${opts.assign}`;
    ctx.out.line(`Created task ${task.task_id}: ${ctx.out.c.bold(task.title)}${to}.`);
  });
}

async function show(ctx: Context, taskId: string): Promise<void> {
  const client = await ctx.loggedInClient();
  const task = await client.tasks.get(taskId);
  if (ctx.out.json) {
    ctx.out.jsonLine(task);
    return;
  }
  await printTask(ctx, client, task);
}

/**
 * The PATCH body of `tasks update`. `assignee` is the user id that --assign named, or null for `--assign none`
 * (see isNobody). A usage error when it would change nothing.
 */
export function updateBody(opts: UpdateOptions, assignee: string | null | undefined): UpdateTaskBody {
  const body: UpdateTaskBody = {
    ...(opts.title !== undefined && { title: opts.title }),
    ...(opts.description !== undefined && { description: opts.description }),
    ...(opts.status !== undefined && { status: opts.status }),
    ...(assignee !== undefined && { assignee_id: assignee }),
  };
  if (Object.keys(body).length === 0) {
    throw usageError('nothing to change: give --title, --description, --status or --assign');
  }
  return body;
}

/** Whether `--assign` means nobody: `none` (or `nobody`, `-`). */
export function isNobody(assign: string): boolean {
  return /^(none|nobody|-)$/i.test(assign.trim());
}

async function update(ctx: Context, taskId: string, opts: UpdateOptions): Promise<void> {
  // A usage error before any request: the assignee's id is not needed to know there is something to change.
  updateBody(opts, opts.assign === undefined ? undefined : null);
  const client = await ctx.loggedInClient();
  let assignee: string | null | undefined;
  if (opts.assign !== undefined) {
    // An email is looked up among the members of the task's project.
    assignee = isNobody(opts.assign)
      ? null
      : await memberId(client, (await client.tasks.get(taskId)).project_id, opts.assign, `of task ${taskId}`);
  }
  const task = await client.tasks.update(taskId, updateBody(opts, assignee));
  if (ctx.out.json) {
    ctx.out.jsonLine(task);
    return;
  }
  ctx.out.line(`Updated task ${task.task_id}.`);
  await printTask(ctx, client, task);
}

async function remove(ctx: Context, taskId: string): Promise<void> {
  const client = await ctx.loggedInClient();
  await client.tasks.delete(taskId);
  ctx.out.result({ task_id: taskId, deleted: true }, () => ctx.out.line(`Deleted task ${taskId}.`));
}

async function printTask(ctx: Context, client: HiveSyncClient, task: Task): Promise<void> {
  const emails = await memberEmails(client, task.project_id);
  const rows: [string, string][] = [
    ['id', task.task_id],
    ['title', ctx.out.c.bold(task.title)],
    ['status', task.status],
    ['assignee', assigneeName(task, emails)],
    ['on', formatTaskLink(task)],
    ['project', task.project_id],
    ['created', `${task.created_at} (${formatTime(task.created_at)})${creator(task, emails)}`],
    ['updated', `${task.updated_at} (${formatTime(task.updated_at)})`],
  ];
  for (const [key, value] of rows) ctx.out.line(`${ctx.out.c.dim(key.padEnd(10))} ${value}`);
  if (task.description.trim() !== '') {
    ctx.out.line();
    for (const line of task.description.split(/\r?\n/)) ctx.out.line(`  ${line}`.trimEnd());
  }
}

function creator(task: Task, emails: Map<string, string>): string {
  return task.created_by === null ? '' : ` by ${emails.get(task.created_by) ?? task.created_by}`;
}

function assigneeName(task: Task, emails: Map<string, string>): string {
  if (task.assignee_id === null) return '-';
  return emails.get(task.assignee_id) ?? task.assignee_id;
}

async function memberEmails(client: HiveSyncClient, projectId: string): Promise<Map<string, string>> {
  const { members } = await client.members.list(projectId);
  return new Map(members.map((m: Member) => [m.user_id, m.email]));
}

/** The user id of the project member with this email; not_found (exit 1) when nobody in the project has it. */
async function memberId(client: HiveSyncClient, projectId: string, email: string, project: string): Promise<string> {
  const { members } = await client.members.list(projectId);
  const member = members.find((m) => m.email.toLowerCase() === email.trim().toLowerCase());
  if (!member) throw new CliError('not_found', `${email} is not a member of the project ${project}`, EXIT.api);
  return member.user_id;
}

/** The logged-in user's id: stored with the credentials at login, else asked of the server. */
async function myUserId(ctx: Context, client: HiveSyncClient): Promise<string> {
  return (await ctx.credentials())?.user_id ?? (await client.auth.me()).id;
}
