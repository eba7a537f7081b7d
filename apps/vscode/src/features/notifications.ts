import { isHiveSyncError, type Notification } from '@hivesync/sdk';
import * as vscode from 'vscode';
import { errorText, isSessionOver } from '../common/errors.js';
import { describeNotification, nextPollSeconds, UnreadSet, type NotificationAction } from '@hivesync/editor';
import type { Session } from '../services/session.js';
import { setting, SETTINGS } from '../settings.js';
import type { StatusBar } from './status-bar.js';

/** How many notifications of one batch get their own toast; the rest are summed up in one. */
const TOASTS_PER_BATCH = 3;

/**
 * Notifications: the SDK's conditional poll (ETag, 304) at the interval the server asks for (45 s, 15 s while a
 * job of the user runs), each new one as a VS Code notification with its buttons, the unread count in the status
 * bar. While the server cannot be reached the status bar says offline and polls back off to 120 s; an ended
 * session stops polling with one sign-in prompt; a window unfocused for long stops polling until it is focused.
 */
export class NotificationCenter implements vscode.Disposable {
  private loop: AbortController | undefined;
  private readonly unread = new UnreadSet();
  private recent: Notification[] = [];
  private unfocusedSince: number | undefined;
  private wake: (() => void) | undefined;
  private readonly afterPoll = new Set<() => void>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly session: Session,
    private readonly status: StatusBar,
    private readonly act: (action: NotificationAction) => Promise<void>,
    private readonly onOnline: () => void,
    /** Notifications the user needs no toast for (the outcome of a job this window followed itself). */
    private readonly quiet: (n: Notification) => boolean = () => false,
  ) {
    this.disposables.push(
      vscode.window.onDidChangeWindowState((state) => {
        if (state.focused) {
          this.unfocusedSince = undefined;
          this.wake?.();
        } else this.unfocusedSince ??= Date.now();
      }),
    );
  }

  /** (Re)starts polling for the signed-in user; stops when signed out. */
  restart(): void {
    this.loop?.abort();
    this.loop = undefined;
    this.unread.clear();
    this.recent = [];
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

  /** Polls at once and waits (up to 5 s) for that poll to be done. */
  private pollAndWait(): Promise<void> {
    if (!this.loop) return Promise.resolve();
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

  private async run(signal: AbortSignal): Promise<void> {
    const client = this.session.client;
    let failures = 0;
    let first = true;
    while (!signal.aborted) {
      let wait: number;
      try {
        const poll = await client.notifications.poll({ steps: false }, { signal });
        if (signal.aborted) return;
        if (failures > 0 || this.status.isOffline) {
          this.status.setOffline(false);
          this.session.log.info('the server answers again');
          this.onOnline();
        }
        failures = 0;
        wait = nextPollSeconds(0, poll.pollInterval);
        if (poll.notifications.length > 0) this.receive(poll.notifications, first);
        first = false;
      } catch (err) {
        if (signal.aborted) return;
        if (isSessionOver(err)) {
          this.session.report(err, 'polling notifications');
          return;
        }
        failures++;
        wait = nextPollSeconds(failures, 45, isHiveSyncError(err) ? err.retryAfter : undefined);
        if (this.session.isOffline(err)) this.status.setOffline(true);
        this.session.log.warn(`notifications: ${errorText(err, this.session.server)}; next try in ${wait} s`);
      }
      for (const done of [...this.afterPoll]) done();
      await this.sleep(wait * 1000, signal);
      // A window left unfocused for long does not poll; focusing it polls at once.
      const pause = setting(SETTINGS.pauseWhenUnfocusedMinutes, 10) * 60_000;
      while (
        !signal.aborted &&
        pause > 0 &&
        this.unfocusedSince !== undefined &&
        Date.now() - this.unfocusedSince > pause
      ) {
        await this.sleep(60_000, signal);
      }
    }
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

  /** A batch: counted, kept for the list, and (after the first page) shown. */
  private receive(batch: Notification[], first: boolean): void {
    this.recent = [
      ...batch.reverse(),
      ...this.recent.filter((n) => !batch.some((b) => b.notification_id === n.notification_id)),
    ].slice(0, 50);
    this.status.setUnread(this.unread.update(batch));
    if (first || !setting(SETTINGS.notificationsEnabled, true)) return;
    const fresh = batch
      .filter((n) => n.read_at === null && !this.quiet(n))
      .map((n) => ({ n, shown: describeNotification(n) }));
    const shown = fresh.filter((f) => f.shown !== undefined);
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
    this.status.setUnread(this.unread.markRead(ids));
    this.recent = this.recent.map((n) =>
      ids.includes(n.notification_id) ? { ...n, read_at: new Date().toISOString() } : n,
    );
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
    const items: Item[] = this.recent
      .map((n) => ({ n, s: describeNotification(n) }))
      .filter((x) => x.s !== undefined)
      .map(({ n, s }) => ({
        label: `${n.read_at === null ? '$(circle-filled) ' : ''}${s!.message}`,
        description: new Date(n.created_at).toLocaleString(),
        n,
      }));
    if (this.unread.size > 0) items.unshift({ label: '$(check-all) Mark all read', all: true });
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
      this.unread.clear();
      this.recent = this.recent.map((n) => ({ ...n, read_at: n.read_at ?? new Date().toISOString() }));
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
