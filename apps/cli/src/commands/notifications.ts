import { isStepNotification, type Notification } from '@hivesync/core';
import { isHiveSyncError, type HiveSyncClient, type HiveSyncError } from '@hivesync/sdk';
import { InvalidArgumentError, type Command } from 'commander';
import type { Cli, Context } from '../context.js';
import { describeError, formatNotification, plural } from '../output.js';

interface NotificationOptions {
  unread?: boolean;
  limit?: number;
  watch?: boolean;
  markRead?: boolean;
  all?: boolean;
}

/** notifications [--unread] [--limit N] [--watch] [--mark-read] [--all]. */
export function notificationCommands(program: Command, cli: Cli): void {
  program
    .command('notifications')
    .description('show your latest notifications, or follow new ones with --watch')
    .option('--unread', 'only unread notifications')
    .option('--limit <n>', 'how many (1 to 200, default 50)', parseLimit)
    .option('--watch', 'after the latest, print each new notification as it arrives (live), until Ctrl-C')
    .option('--mark-read', 'mark the printed notifications read')
    .option('--all', 'also the steps of background work (AI job queued and started, sync started, preview uploaded)')
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
  const all = opts.all === true;
  const params: Params = {
    ...(opts.unread && { unread_only: true }),
    ...(opts.limit !== undefined && { limit: opts.limit }),
    // Outcomes only, unless --all: a job's queued and started steps are noise once it has completed.
    ...(!all && { steps: false }),
  };
  if (opts.watch) return watch(ctx, client, params, opts.markRead === true, all);

  const answer = await client.notifications.list(params);
  // A server from before `steps` sends them anyway: they are left out here too.
  const list = all ? answer : { ...answer, notifications: withoutSteps(answer.notifications) };
  const marked = opts.markRead ? await markRead(client, list.notifications) : undefined;
  ctx.out.result(marked === undefined ? list : { ...list, marked_read: marked }, () => {
    if (list.notifications.length === 0) ctx.out.line(opts.unread ? 'No unread notifications.' : 'No notifications.');
    for (const n of list.notifications) ctx.out.line(formatNotification(n, ctx.out.c));
    if (marked) ctx.out.note(`Marked ${plural(marked, 'notification')} read.`);
  });
}

/** The notifications that are not steps of background work (isStepNotification). */
function withoutSteps(notifications: Notification[]): Notification[] {
  return notifications.filter((n) => !isStepNotification(n.type));
}

/** How long the first connection of the event stream may take to send something before --watch polls instead. */
const STREAM_OPEN_TIMEOUT_MS = 10_000;
/** An open stream that sent nothing, not even a heartbeat (every 15 s), for this long is reopened. */
const STREAM_IDLE_TIMEOUT_MS = 60_000;

type Params = { unread_only?: boolean; limit?: number; steps?: boolean };
type Print = (batch: Notification[]) => Promise<void>;

/**
 * Prints the latest page, then each new notification as it arrives, until SIGINT or SIGTERM; with --json, one
 * notification a line. New ones come over the event stream; when it cannot be used (an old server, a proxy that
 * buffers it), by polling. Steps of background work are left out unless `all`.
 */
async function watch(ctx: Context, client: HiveSyncClient, params: Params, mark: boolean, all: boolean): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (!ctx.out.json) ctx.out.note(ctx.out.ec.dim(`Watching notifications on ${ctx.server} (Ctrl-C to stop)…`));
  // What was printed, so that the latest page and the stream (or the polls after it) never print one twice.
  const printed = new Set<string>();
  const print: Print = async (batch) => {
    // The stream sends every notification: steps are left out here unless --all.
    const fresh = (all ? batch : withoutSteps(batch)).filter((n) => !printed.has(n.notification_id));
    for (const n of fresh) {
      printed.add(n.notification_id);
      if (ctx.out.json) ctx.out.jsonLine(n);
      else ctx.out.line(formatNotification(n, ctx.out.c));
    }
    if (mark) await markRead(client, fresh);
  };
  try {
    const unusable = await followStream(ctx, client, params, controller.signal, print);
    if (unusable === undefined || controller.signal.aborted) return;
    ctx.out.note(`hivesync: no event stream: ${unusable}; polling instead`);
    await client.notifications.watch({
      ...params,
      signal: controller.signal,
      onNotifications: print,
      onRetry: (err, wait) => ctx.out.note(`${describeError(err, ctx.server).line}; retrying in ${wait} s`),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/**
 * Follows the event stream until `signal` aborts, printing the latest page once it is open and then each new
 * notification. A dropped stream is reopened where it stopped. Resolves with undefined once aborted, or with the
 * reason the stream cannot be used: its first connection failed, or it failed for good later. Rejects when the
 * server refused the session (401, 403) or printing failed.
 */
async function followStream(
  ctx: Context,
  client: HiveSyncClient,
  params: Params,
  signal: AbortSignal,
  print: Print,
): Promise<string | undefined> {
  const stream = new AbortController();
  const forward = () => stream.abort();
  signal.addEventListener('abort', forward, { once: true });
  let opened = false;
  let unusable: string | undefined;
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    stream.abort();
  };
  let latest: Promise<void> | undefined;
  try {
    await client.events.stream({
      signal: stream.signal,
      openTimeoutMs: STREAM_OPEN_TIMEOUT_MS,
      idleTimeoutMs: STREAM_IDLE_TIMEOUT_MS,
      onOpen: (open) => {
        if (open.reconnected) {
          ctx.out.note(ctx.out.ec.dim('hivesync: reconnected to the event stream'));
          return;
        }
        opened = true;
        // Listed once the stream is open: what is created from now on comes over the stream, so nothing falls in
        // between (what comes both ways is printed once).
        latest = client.notifications
          .list(params)
          .then((list) => print(list.notifications))
          .catch(fail);
      },
      onNotification: async (n) => {
        await latest;
        if (failure) return;
        await print([n]).catch(fail);
      },
      onRetry: (err, wait) => {
        if (!opened) {
          unusable = streamProblem(ctx, err);
          stream.abort();
          return;
        }
        ctx.out.note(`hivesync: the event stream dropped: ${streamProblem(ctx, err)}; reconnecting in ${wait} s`);
      },
    });
  } catch (err) {
    if (!isHiveSyncError(err) || err.status === 401 || err.status === 403) throw err;
    unusable = streamProblem(ctx, err);
  } finally {
    signal.removeEventListener('abort', forward);
  }
  await latest;
  if (failure) throw failure.error;
  return signal.aborted ? undefined : unusable;
}

/** What went wrong with the stream, to go inside a note: no `hivesync:` prefix, no final period. */
function streamProblem(ctx: Context, err: HiveSyncError): string {
  const text =
    err.code === 'network_error' ? describeError(err, ctx.server).line.replace(/^hivesync: /, '') : err.message;
  return text.replace(/\.$/, '');
}

async function markRead(client: HiveSyncClient, notifications: Notification[]): Promise<number> {
  const ids = notifications.filter((n) => n.read_at === null).map((n) => n.notification_id);
  if (ids.length === 0) return 0;
  return (await client.notifications.markRead({ notification_ids: ids })).updated;
}
