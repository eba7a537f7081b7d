import type { Notification } from '@hivesync/core';
import type { HiveSyncClient } from '@hivesync/sdk';
import { InvalidArgumentError, type Command } from 'commander';
import type { Cli, Context } from '../context.js';
import { describeError, formatNotification } from '../output.js';

interface NotificationOptions {
  unread?: boolean;
  limit?: number;
  watch?: boolean;
  markRead?: boolean;
}

/** notifications [--unread] [--limit N] [--watch] [--mark-read]. */
export function notificationCommands(program: Command, cli: Cli): void {
  program
    .command('notifications')
    .description('show your latest notifications, or follow new ones with --watch')
    .option('--unread', 'only unread notifications')
    .option('--limit <n>', 'how many (1 to 200, default 50)', parseLimit)
    .option('--watch', 'after the latest, print each new notification as it arrives, until Ctrl-C')
    .option('--mark-read', 'mark the printed notifications read')
    .action((opts: NotificationOptions, command: Command) => notifications(cli.context(command), opts));
}

/** Parses --limit: an integer from 1 to 200. */
export function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 200) throw new InvalidArgumentError('must be an integer from 1 to 200');
  return n;
}

async function notifications(ctx: Context, opts: NotificationOptions): Promise<void> {
  const client = await ctx.loggedInClient();
  const params = { ...(opts.unread && { unread_only: true }), ...(opts.limit !== undefined && { limit: opts.limit }) };
  if (opts.watch) return watch(ctx, client, params, opts.markRead === true);

  const list = await client.notifications.list(params);
  const marked = opts.markRead ? await markRead(client, list.notifications) : undefined;
  ctx.out.result(marked === undefined ? list : { ...list, marked_read: marked }, () => {
    if (list.notifications.length === 0) ctx.out.line(opts.unread ? 'No unread notifications.' : 'No notifications.');
    for (const n of list.notifications) ctx.out.line(formatNotification(n, ctx.out.c));
    if (marked) ctx.out.note(`Marked ${marked} read.`);
  });
}

/** Prints the latest page, then each new batch, until SIGINT or SIGTERM; with --json, one notification a line. */
async function watch(
  ctx: Context,
  client: HiveSyncClient,
  params: { unread_only?: boolean; limit?: number },
  mark: boolean,
): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (!ctx.out.json) ctx.out.note(ctx.out.ec.dim(`Watching notifications on ${ctx.server} (Ctrl-C to stop)…`));
  try {
    await client.notifications.watch({
      ...params,
      signal: controller.signal,
      onNotifications: async (batch) => {
        for (const n of batch) {
          if (ctx.out.json) ctx.out.jsonLine(n);
          else ctx.out.line(formatNotification(n, ctx.out.c));
        }
        if (mark) await markRead(client, batch);
      },
      onRetry: (err, wait) => ctx.out.note(`${describeError(err, ctx.server).line}; retrying in ${wait} s`),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

async function markRead(client: HiveSyncClient, notifications: Notification[]): Promise<number> {
  const ids = notifications.filter((n) => n.read_at === null).map((n) => n.notification_id);
  if (ids.length === 0) return 0;
  return (await client.notifications.markRead({ notification_ids: ids })).updated;
}
