import type { Check, CheckStatus, User } from '@hivesync/core';
import { HiveSyncError } from '@hivesync/sdk';
import type { Command } from 'commander';
import type { Cli, Context } from '../context.js';
import type { Colors } from '../output.js';
import { formatTime } from '../output.js';
import { describeUser } from './auth.js';

/** status: the server, its health, workers and queues, and who is logged in. */
export function statusCommands(program: Command, cli: Cli): void {
  program
    .command('status')
    .description('server URL and version, backend checks, workers and queue depths, and who is logged in')
    .action((_opts: unknown, command: Command) => status(cli.context(command)));
}

async function status(ctx: Context): Promise<void> {
  const creds = await ctx.credentials();
  const client = ctx.client(creds);
  const health = await client.health.basic();
  const [deep, workers, user] = await Promise.all([
    client.health.deep(),
    client.health.workers(),
    creds ? whoIsLoggedIn(() => client.auth.me()) : Promise.resolve(null),
  ]);
  ctx.out.result({ server: ctx.server, health, deep, workers, user }, () => {
    const { c } = ctx.out;
    ctx.out.line(`${c.dim('server ')}  ${ctx.server}  ${c.dim(`HiveSync ${health.version}`)}`);
    ctx.out.line(
      `${c.dim('user   ')}  ${
        user ? describeUser(ctx, user) : creds ? 'session expired: run `hivesync login`' : 'not logged in'
      }`,
    );
    ctx.out.line(`${c.dim('health ')}  ${paint(c, deep.status)(deep.status)}`);
    ctx.out.line();
    ctx.out.table(
      ['CHECK', 'STATUS', 'LATENCY', 'MESSAGE'],
      Object.entries(deep.checks).map(([name, check]: [string, Check]) => [
        name,
        { text: check.status, style: paint(c, check.status) },
        `${Math.round(check.latency_ms)} ms`,
        check.message ?? '',
      ]),
    );
    ctx.out.line();
    if (workers.workers.length === 0) ctx.out.line(c.yellow('No workers have reported a heartbeat.'));
    else {
      ctx.out.table(
        ['WORKER', 'KIND', 'STATUS', 'LAST HEARTBEAT'],
        workers.workers.map((w) => [
          w.id,
          w.kind,
          { text: w.status, style: paint(c, w.status) },
          formatTime(w.last_heartbeat_at),
        ]),
      );
    }
    if (workers.queues.length > 0) {
      ctx.out.line();
      ctx.out.table(
        ['QUEUE', 'QUEUED', 'ACTIVE', 'FAILED'],
        workers.queues.map((q) => [
          q.name,
          String(q.queued),
          String(q.active),
          { text: String(q.failed), style: q.failed > 0 ? c.red : (s: string) => s },
        ]),
      );
    }
  });
}

/** The logged-in user, or null when the stored session is no longer accepted. */
async function whoIsLoggedIn(me: () => Promise<User>): Promise<User | null> {
  try {
    return await me();
  } catch (err) {
    if (err instanceof HiveSyncError && err.status === 401) return null;
    throw err;
  }
}

function paint(c: Colors, status: CheckStatus | 'healthy' | 'stale'): (s: string) => string {
  switch (status) {
    case 'ok':
    case 'healthy':
      return c.green;
    case 'degraded':
    case 'stale':
      return c.yellow;
    case 'fail':
      return c.red;
    default:
      return c.dim;
  }
}
