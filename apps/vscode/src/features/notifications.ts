import { describeNotification, nextPollSeconds, type NotificationAction } from '@hivesync/editor';
import { isHiveSyncError, type HiveSyncClient, type LiveEvent, type Notification } from '@hivesync/sdk';
import * as vscode from 'vscode';
import { errorText, isSessionOver } from '../common/errors.js';
import {
  Inbox,
  PAUSE_CHECK_MS,
  paused,
  STREAM_FAILURES_BEFORE_POLLING,
  streamVerdict,
  type FeedMode,
} from '../common/notification-feed.js';
import type { Session } from '../services/session.js';
import { setting, SETTINGS } from '../settings.js';
import type { StatusBar } from './status-bar.js';

/** How many notifications of one batch get their own toast; the rest are summed up in one. */
const TOASTS_PER_BATCH = 3;

/** How a run of the event stream ended. */
type StreamEnd = 'session_over' | 'unsupported' | 'offline' | 'paused' | 'stopped';

/**
 * Notifications. The event stream when it is there (the server's, or in Proxy Mode the agent's one stream shared by
 * every plugin), with a conditional poll (ETag, 304) to catch up whenever a stream opens without a Last-Event-ID; the
 * poll alone, at the interval the server asks for (45 s, 15 s while a job of the user runs), when the stream cannot
 * be had. Each new notification becomes a VS Code notification with its buttons; the status bar counts the unread
 * ones. While the server cannot be reached the status bar says offline and polls back off to 120 s (the stream is
 * tried again once one answers); an ended session stops everything with one sign-in prompt; a window unfocused for
 * long closes its stream and stops polling until it is focused again, then catches up.
 */
export class NotificationCenter implements vscode.Disposable {
  private loop: AbortController | undefined;
  private readonly inbox = new Inbox();
  private unfocusedSince: number | undefined;
  private wake: (() => void) | undefined;
  private readonly afterPoll = new Set<() => void>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Why the stream is not used in this session (set once it failed for good), or undefined. */
  private streamUnusable: string | undefined;
  private modeValue: FeedMode | undefined;
  /** The id of the last notification the stream gave (the next stream resumes after it), or undefined. */
  private lastEventId: string | undefined;
  private readonly live = new vscode.EventEmitter<LiveEvent>();
  /** Live events of the stream, such as `sync_progress` (nothing while polling). */
  readonly onLiveEvent = this.live.event;

  constructor(
    private readonly session: Session,
    private readonly status: StatusBar,
    private readonly act: (action: NotificationAction) => Promise<void>,
    private readonly onOnline: () => void,
    /** Notifications the user needs no toast for (the outcome of a job this window followed itself). */
    private readonly quiet: (n: Notification) => boolean = () => false,
  ) {
    this.disposables.push(
      this.live,
      vscode.window.onDidChangeWindowState((state) => {
        if (state.focused) {
          this.unfocusedSince = undefined;
          this.wake?.();
        } else this.unfocusedSince ??= Date.now();
      }),
    );
  }

  /** How notifications come in now (undefined while signed out). */
  get mode(): FeedMode | undefined {
    return this.modeValue;
  }

  /** (Re)starts following notifications for the signed-in user; stops when signed out. */
  restart(): void {
    this.loop?.abort();
    this.loop = undefined;
    this.inbox.clear();
    this.streamUnusable = undefined;
    this.lastEventId = undefined;
    this.modeValue = undefined;
    this.status.setOffline(false);
    if (!this.session.user) {
      this.status.setUnread(undefined);
      return;
    }
    this.status.setUnread(0);
    const controller = new AbortController();
    this.loop = controller;
    void this.run(controller.signal);
  }

  /** Polls at once (after the user did something that makes notifications, or the window came back). */
  pollNow(): void {
    this.wake?.();
  }

  /** Polls at once and waits (up to 5 s) for that poll to be done; with the stream open there is nothing to wait for. */
  private pollAndWait(): Promise<void> {
    if (!this.loop || this.modeValue === 'stream') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, 5000);
      const waiters = this.afterPoll;
      function done() {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
      waiters.add(done);
      this.pollNow();
    });
  }

  private pausedNow(): boolean {
    return paused(Date.now(), this.unfocusedSince, setting(SETTINGS.pauseWhenUnfocusedMinutes, 10));
  }

  private async run(signal: AbortSignal): Promise<void> {
    const client = this.session.client;
    let failures = 0;
    let first = true;
    while (!signal.aborted) {
      // A window left unfocused for long neither polls nor holds a stream; focusing it catches up at once.
      while (!signal.aborted && this.pausedNow()) await this.sleep(60_000, signal);
      if (signal.aborted) return;
      let wait: number;
      const poll = await this.poll(client, signal, !first);
      if (signal.aborted) return;
      if (poll === 'session_over') return;
      if (poll.ok) {
        failures = 0;
        first = false;
        wait = nextPollSeconds(0, poll.interval);
      } else {
        failures++;
        wait = nextPollSeconds(failures, 45, poll.retryAfter);
        this.session.log.warn(`notifications: ${poll.message}; next try in ${wait} s`);
      }
      for (const done of [...this.afterPoll]) done();
      if (poll.ok && this.streamUnusable === undefined) {
        const end = await this.follow(client, signal);
        if (signal.aborted || end === 'session_over') return;
        if (end === 'paused') continue;
        if (end === 'offline') {
          failures = 1;
          wait = nextPollSeconds(failures, 45);
        }
      }
      this.modeValue = 'poll';
      await this.sleep(wait * 1000, signal);
    }
  }

  /** One conditional poll; new notifications are shown when `announce`. */
  private async poll(
    client: HiveSyncClient,
    signal: AbortSignal,
    announce: boolean,
  ): Promise<{ ok: true; interval: number } | { ok: false; message: string; retryAfter?: number } | 'session_over'> {
    try {
      const poll = await client.notifications.poll({ steps: false }, { signal });
      this.online();
      if (poll.notifications.length > 0) this.receive(poll.notifications, announce, 'poll');
      return { ok: true, interval: poll.pollInterval };
    } catch (err) {
      if (signal.aborted) return { ok: false, message: 'stopped' };
      if (isSessionOver(err)) {
        this.session.report(err, 'polling notifications');
        return 'session_over';
      }
      if (this.session.isOffline(err)) this.status.setOffline(true);
      return {
        ok: false,
        message: errorText(err, this.session.server),
        retryAfter: isHiveSyncError(err) ? err.retryAfter : undefined,
      };
    }
  }

  private online(): void {
    if (!this.status.isOffline) return;
    this.status.setOffline(false);
    this.session.log.info('the server answers again');
    this.onOnline();
  }

  /**
   * Follows the event stream until it fails for good, the server cannot be reached (twice in a row), the window
   * pauses, or the loop stops. The SDK reconnects by itself with Last-Event-ID (the server or the agent replays
   * what was missed); a stream opened without one is followed by a catch-up poll.
   */
  private async follow(client: HiveSyncClient, signal: AbortSignal): Promise<StreamEnd> {
    const controller = new AbortController();
    const stop = () => controller.abort();
    signal.addEventListener('abort', stop, { once: true });
    let end: StreamEnd = 'stopped';
    let failures = 0;
    const pauseCheck = setInterval(() => {
      if (this.pausedNow()) {
        end = 'paused';
        this.session.log.info('notifications: the window has been unfocused for long; the event stream is closed');
        controller.abort();
      }
    }, PAUSE_CHECK_MS);
    try {
      await client.events.stream({
        signal: controller.signal,
        ...(this.lastEventId !== undefined && { lastEventId: this.lastEventId }),
        onOpen: (open) => {
          failures = 0;
          this.modeValue = 'stream';
          this.online();
          this.session.log.info(
            `notifications: event stream open (${client.route === 'agent' ? 'the local agent’s shared stream' : 'direct from the server'}${open.lastEventId ? `, resuming after ${open.lastEventId}` : ''})`,
          );
          if (open.lastEventId === null) void this.poll(client, controller.signal, true);
        },
        onNotification: (n, id) => {
          if (id !== null) this.lastEventId = id;
          this.receive([n], true, 'stream');
        },
        onEvent: (event) => this.live.fire(event),
        onRetry: (err, retryIn) => {
          failures++;
          this.session.log.warn(
            `notifications: the event stream dropped (${errorText(err)}); reconnecting in ${retryIn} s`,
          );
          if (failures >= STREAM_FAILURES_BEFORE_POLLING && streamVerdict(err).kind === 'transient') {
            end = 'offline';
            controller.abort();
          }
        },
      });
    } catch (err) {
      const verdict = streamVerdict(err);
      if (verdict.kind === 'session_over') {
        this.session.report(err, 'following notifications');
        end = 'session_over';
      } else if (verdict.kind === 'unsupported') {
        this.streamUnusable = verdict.reason;
        this.session.log.warn(`notifications: no event stream (${verdict.reason}); polling instead`);
        end = 'unsupported';
      } else {
        end = 'offline';
      }
    } finally {
      clearInterval(pauseCheck);
      signal.removeEventListener('abort', stop);
    }
    if (end === 'offline')
      this.session.log.warn('notifications: the event stream cannot be reached; polling until it can');
    return end;
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  /** A batch: counted, kept for the list, and (unless it is the first page) shown. */
  private receive(batch: Notification[], announce: boolean, via: FeedMode): void {
    const fresh = this.inbox.add(batch);
    this.status.setUnread(this.inbox.unreadCount);
    for (const n of fresh)
      this.session.log.info(
        `notification ${n.type} (${n.notification_id}) through the ${via === 'stream' ? 'event stream' : 'poll'}`,
      );
    if (!announce || !setting(SETTINGS.notificationsEnabled, true)) return;
    const shown = fresh
      .filter((n) => n.read_at === null && !this.quiet(n))
      .map((n) => ({ n, shown: describeNotification(n) }))
      .filter((f) => f.shown !== undefined);
    for (const { n, shown: s } of shown.slice(0, TOASTS_PER_BATCH)) {
      const show =
        s!.severity === 'error'
          ? vscode.window.showErrorMessage
          : s!.severity === 'warning'
            ? vscode.window.showWarningMessage
            : vscode.window.showInformationMessage;
      void show(`HiveSync: ${s!.message}`, ...s!.actions.map((a) => a.title)).then((title) => {
        const action = s!.actions.find((a) => a.title === title);
        if (action) void this.open(n, action);
      });
    }
    if (shown.length > TOASTS_PER_BATCH) {
      void vscode.window
        .showInformationMessage(`HiveSync: ${shown.length - TOASTS_PER_BATCH} more notifications.`, 'Show')
        .then((c) => c && this.showList());
    }
  }

  private async open(n: Notification, action: NotificationAction): Promise<void> {
    await this.markRead([n.notification_id]);
    await this.act(action);
  }

  private async markRead(ids: string[]): Promise<void> {
    this.inbox.markRead(ids);
    this.status.setUnread(this.inbox.unreadCount);
    try {
      await this.session.client.notifications.markRead({ notification_ids: ids });
    } catch (err) {
      this.session.log.warn(`mark read: ${errorText(err)}`);
    }
  }

  /** The bell: the recent notifications, unread first; picking one opens what it is about. */
  async showList(): Promise<void> {
    if (!this.session.user) {
      void vscode.commands.executeCommand('hivesync.signIn');
      return;
    }
    await this.pollAndWait();
    type Item = vscode.QuickPickItem & { n?: Notification; all?: boolean };
    const items: Item[] = this.inbox.recent
      .map((n) => ({ n, s: describeNotification(n) }))
      .filter((x) => x.s !== undefined)
      .map(({ n, s }) => ({
        label: `${n.read_at === null ? '$(circle-filled) ' : ''}${s!.message}`,
        description: new Date(n.created_at).toLocaleString(),
        n,
      }));
    if (this.inbox.unreadCount > 0) items.unshift({ label: '$(check-all) Mark all read', all: true });
    const picked = await vscode.window.showQuickPick(items, {
      title: 'HiveSync notifications',
      placeHolder: items.length ? undefined : 'Nothing yet',
    });
    if (!picked) return;
    if (picked.all) return this.markAllRead();
    const n = picked.n!;
    const action = describeNotification(n)?.actions[0];
    if (action) await this.open(n, action);
    else await this.markRead([n.notification_id]);
  }

  /** Marks every notification read. */
  async markAllRead(): Promise<void> {
    try {
      await this.session.client.notifications.markRead({ all: true });
      this.inbox.markAllRead();
      this.status.setUnread(0);
    } catch (err) {
      this.session.report(err, 'marking notifications read');
    }
  }

  dispose(): void {
    this.loop?.abort();
    for (const d of this.disposables) d.dispose();
  }
}
