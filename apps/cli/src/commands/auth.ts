import type { User } from '@hivesync/core';
import { HiveSyncError } from '@hivesync/sdk';
import type { Command } from 'commander';
import type { Cli, Context } from '../context.js';
import { usageError } from '../errors.js';
import { describeError } from '../output.js';
import { ask, readStdin } from '../prompt.js';

interface CredentialOptions {
  email?: string;
  password?: string;
  passwordStdin?: boolean;
}

interface RegisterOptions extends CredentialOptions {
  name?: string;
}

/** login, register, logout, whoami. */
export function authCommands(program: Command, cli: Cli): void {
  const withCredentialOptions = (command: Command) =>
    command
      .option('--email <email>', 'the account email (prompted for when omitted)')
      .option('--password <password>', 'the password (visible to other local users: prefer --password-stdin)')
      .option('--password-stdin', 'read the password from stdin');

  withCredentialOptions(
    program.command('login').description('log in to the server (the session is remembered)'),
  ).action((opts: CredentialOptions, command: Command) => login(cli.context(command), opts));

  withCredentialOptions(program.command('register').description('create an account and log in'))
    .option('--name <name>', 'your display name (defaults to the part of the email before @)')
    .action((opts: RegisterOptions, command: Command) => register(cli.context(command), opts));

  program
    .command('logout')
    .description('log out of the server and forget its credentials')
    .action((_opts: unknown, command: Command) => logout(cli.context(command)));

  program
    .command('whoami')
    .description('show who is logged in to the server')
    .action((_opts: unknown, command: Command) => whoami(cli.context(command)));
}

async function login(ctx: Context, opts: CredentialOptions): Promise<void> {
  const { email, password } = await readCredentials(ctx, opts, false);
  const session = await ctx.client().auth.login({ email, password, remember: true });
  await remember(ctx, session.user);
  ctx.out.result({ server: ctx.server, user: session.user }, () =>
    ctx.out.line(`Logged in to ${ctx.server} as ${ctx.out.c.bold(session.user.email)}.`),
  );
}

async function register(ctx: Context, opts: RegisterOptions): Promise<void> {
  const { email, password } = await readCredentials(ctx, opts, true);
  const client = ctx.client();
  const session = await client.auth.register({
    email,
    password,
    ...(opts.name !== undefined && { display_name: opts.name }),
  });
  try {
    // Registration gives only a short-lived access token; a remembered login adds the refresh token.
    await client.auth.login({ email, password, remember: true });
  } catch (err) {
    if (!(err instanceof HiveSyncError)) throw err;
    ctx.out.note(`${describeError(err, ctx.server).line} (registered; run \`hivesync login\` to stay logged in)`);
  }
  await remember(ctx, session.user);
  ctx.out.result({ server: ctx.server, user: session.user }, () =>
    ctx.out.line(`Registered and logged in to ${ctx.server} as ${ctx.out.c.bold(session.user.email)}.`),
  );
}

async function logout(ctx: Context): Promise<void> {
  const creds = await ctx.credentials();
  if (!creds) {
    ctx.out.result({ server: ctx.server, logged_out: false }, () => ctx.out.line(`Not logged in to ${ctx.server}.`));
    return;
  }
  let revoked = true;
  try {
    // The SDK forgets the tokens even when the call fails, and onTokens removes them from the file.
    await ctx.client(creds).auth.logout();
  } catch (err) {
    if (!(err instanceof HiveSyncError)) throw err;
    revoked = false;
    ctx.out.note(`${describeError(err, ctx.server).line} (logged out here; the server could not end the session)`);
  }
  ctx.out.result({ server: ctx.server, logged_out: true, revoked }, () => ctx.out.line(`Logged out of ${ctx.server}.`));
}

async function whoami(ctx: Context): Promise<void> {
  const user = await (await ctx.loggedInClient()).auth.me();
  ctx.out.result(user, () => ctx.out.line(`${describeUser(ctx, user)} on ${ctx.server}`));
}

/** "alice@example.com (Alice, admin)". */
export function describeUser(ctx: Context, user: User): string {
  const role = user.role === 'admin' ? ', instance admin' : '';
  return `${ctx.out.c.bold(user.email)} (${user.display_name}${role})`;
}

/** Records whose tokens the SDK just stored. */
async function remember(ctx: Context, user: User): Promise<void> {
  await ctx.store.update(ctx.server, (current) => current && { ...current, email: user.email, user_id: user.id });
}

async function readCredentials(
  ctx: Context,
  opts: CredentialOptions,
  confirmPassword: boolean,
): Promise<{ email: string; password: string }> {
  const { io } = ctx;
  const interactive = io.stdin.isTTY === true;
  if (opts.password !== undefined && opts.passwordStdin) {
    throw usageError('use --password or --password-stdin, not both');
  }
  let email = opts.email;
  if (email === undefined) {
    if (opts.passwordStdin) throw usageError('--password-stdin needs --email');
    if (!interactive) throw usageError('--email is required when stdin is not a terminal');
    email = await ask(io, 'Email: ');
  }
  email = email.trim();
  if (!email) throw usageError('the email is empty');

  let password = opts.password;
  if (opts.passwordStdin) {
    password = await readStdin(io);
  } else if (password === undefined) {
    if (!interactive) throw usageError('no password: use --password-stdin when stdin is not a terminal');
    password = await ask(io, 'Password: ', { hidden: true });
    if (confirmPassword && (await ask(io, 'Repeat the password: ', { hidden: true })) !== password) {
      throw usageError('the two passwords differ');
    }
  }
  if (!password) throw usageError('the password is empty');
  return { email, password };
}
