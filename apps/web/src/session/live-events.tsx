import { createContext, useContext, useEffect, useMemo, useRef, useSyncExternalStore, type ReactNode } from 'react';
import { useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';
import { backoffSeconds, isHiveSyncError, type HiveSyncClient, type Notification } from '@hivesync/sdk';
import {
  isStep,
  notificationKeys,
  UNREAD_COUNT_LIMIT,
  useLatestNotificationsQuery,
  useUnreadQuery,
} from '../queries/notifications.js';
import { projectKeys } from '../queries/projects.js';
import { repoKeys } from '../queries/repo.js';
import { taskKeys } from '../queries/tasks.js';
import { useClient, useSession } from './session.js';

/**
 * Where this tab's live connection stands: `live` while the event stream is open, `polling` while it cannot be
 * (GET /notifications with ETag and the server's X-Poll-Interval instead), `connecting` before the first answer, and
 * `off` while signed out.
 */
export type LiveStatus = 'off' | 'connecting' | 'live' | 'polling';

/** What a subscriber gets: a Notification for `notification` and notification types, the event's data otherwise. */
export type LiveHandler = (data: unknown) => void;

/** The first connection may take this long to send its first bytes before the tab polls instead. */
const STREAM_OPEN_TIMEOUT_MS = 10_000;
/** The server sends a heartbeat every 15 s: an open stream silent for this long is dead, and is reopened. */
const STREAM_IDLE_TIMEOUT_MS = 45_000;
/** Notifications remembered as handled, so that one seen by polling and replayed by the stream counts once. */
const SEEN_MAX = 500;
const POLL_LIMIT = 50;

/**
 * One live connection per tab: the event stream through the SDK (`client.events.stream`, which resumes with
 * Last-Event-ID), falling back to the notifications poll while the stream cannot be held. Every new notification,
 * from either, updates the TanStack Query caches it concerns and reaches the subscribers of its type; live events
 * (`sync_progress`) reach theirs. docs/web.md, "Live events", says how.
 */
export class LiveEvents {
  private statusNow: LiveStatus = 'off';
  private readonly statusListeners = new Set<() => void>();
  private readonly handlers = new Map<string, Set<LiveHandler>>();
  private readonly seen = new Set<string>();
  private controller: AbortController | undefined;
  // The sequence of the last notification handled: the stream's event id and the poll's cursor are the same number.
  private cursor: string | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly client: HiveSyncClient,
    private readonly queryClient: QueryClient,
  ) {
    if (typeof document !== 'undefined') {
      // A tab coming back to the front polls at once instead of waiting out the interval.
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') this.wake?.();
      });
    }
  }

  get status(): LiveStatus {
    return this.statusNow;
  }

  /** Opens the connection (signed in); a second call while open does nothing. */
  start(): void {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    void this.run(controller.signal);
  }

  /** Closes the connection (signed out, or the provider unmounted) and forgets what was seen. */
  stop(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.cursor = undefined;
    this.seen.clear();
    this.setStatus('off');
  }

  /**
   * Calls `handler` with every event of `type`: `notification` (every new notification), one notification type
   * (`thread_reply`…), or a live event type (`sync_progress`). Returns the unsubscribe function.
   */
  subscribe(type: string, handler: LiveHandler): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler);
    return () => void set.delete(handler);
  }

  /** Calls `listener` whenever the status changes; returns the unsubscribe function. */
  onStatus(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => void this.statusListeners.delete(listener);
  }

  private setStatus(status: LiveStatus, signal?: AbortSignal): void {
    if (signal?.aborted || this.statusNow === status) return;
    this.statusNow = status;
    this.wake?.();
    for (const listener of this.statusListeners) listener();
  }

  private async run(signal: AbortSignal): Promise<void> {
    this.setStatus('connecting', signal);
    const polling = this.pollWhileDown(signal);
    try {
      await this.client.events.stream({
        signal,
        openTimeoutMs: STREAM_OPEN_TIMEOUT_MS,
        idleTimeoutMs: STREAM_IDLE_TIMEOUT_MS,
        ...(this.cursor !== undefined && { lastEventId: this.cursor }),
        onOpen: () => {
          this.setStatus('live', signal);
          // The stream replays from Last-Event-ID what it can; lists are fetched again for what it cannot (the first
          // connection, marks made elsewhere while down).
          void this.queryClient.invalidateQueries({ queryKey: notificationKeys.all });
        },
        onNotification: (notification, id) => {
          if (id !== null) this.cursor = id;
          this.handle(notification);
        },
        onEvent: (event) => this.emit(event.type, event.data),
        onRetry: () => this.setStatus('polling', signal),
      });
    } catch {
      // The stream cannot be used here (the server closed it on purpose, a proxy answers something else, the session
      // was refused): this tab polls until it is closed or signed out.
      this.setStatus('polling', signal);
    }
    await polling;
  }

  // Polls GET /notifications (If-None-Match, X-Poll-Interval) whenever the status is `polling`, until aborted.
  private async pollWhileDown(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      if (this.statusNow !== 'polling') {
        await this.nap(Infinity, signal);
        continue;
      }
      let wait: number;
      try {
        const since = this.cursor;
        const poll = await this.client.notifications.poll(
          { steps: false, limit: POLL_LIMIT, ...(since !== undefined && { since }) },
          { signal },
        );
        failures = 0;
        wait = poll.pollInterval;
        if (!poll.notModified) {
          if (since === undefined) {
            // The first poll answers the newest page: already shown, not news.
            for (const n of poll.notifications) this.remember(n.notification_id);
          } else {
            for (const n of poll.notifications) this.handle(n);
          }
          if (poll.cursor !== null) this.cursor = poll.cursor;
          // Something changed (a new notification, or some marked read elsewhere): the counts are fetched again.
          void this.queryClient.invalidateQueries({ queryKey: notificationKeys.all });
        }
      } catch (err) {
        if (signal.aborted) return;
        failures++;
        wait = backoffSeconds(failures, isHiveSyncError(err) ? err.retryAfter : undefined);
      }
      await this.nap(wait * 1000, signal);
    }
  }

  // Waits `ms`, or less when the status changes, the tab comes to the front, or the connection closes.
  private nap(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  private remember(id: string): boolean {
    if (this.seen.has(id)) return false;
    if (this.seen.size >= SEEN_MAX) this.seen.delete(this.seen.values().next().value!);
    this.seen.add(id);
    return true;
  }

  private handle(n: Notification): void {
    if (!this.remember(n.notification_id)) return;
    for (const key of relatedKeys(n)) void this.queryClient.invalidateQueries({ queryKey: key });
    this.emit('notification', n);
    this.emit(n.type, n);
  }

  private emit(type: string, data: unknown): void {
    for (const handler of this.handlers.get(type) ?? []) {
      try {
        handler(data);
      } catch (err) {
        // One view's handler must not keep the others from hearing of the event.
        console.error(err);
      }
    }
  }
}

/** The cached queries a new notification makes stale: the notification lists, and what it is about. */
export function relatedKeys(n: Notification): QueryKey[] {
  const str = (key: string) => (typeof n.payload[key] === 'string' ? (n.payload[key] as string) : undefined);
  const keys: QueryKey[] = isStep(n.type) ? [] : [notificationKeys.all];
  const projectId = n.project_id;
  const id = (key: string) => str(key) ?? 'none';
  if (n.type.startsWith('thread_')) {
    // As queries/threads.ts names them: a thread, and every list of the project's threads.
    keys.push(['thread', id('thread_id')]);
    if (projectId) keys.push(['threads', projectId]);
  } else if (n.type.startsWith('repo_sync_')) {
    keys.push(repoKeys.sync(id('sync_id')));
    if (projectId) keys.push(repoKeys.syncs(projectId), projectKeys.detail(projectId));
  } else if (n.type.startsWith('ai_job_')) {
    // As queries/ai.ts names them: a job, and everything AI of the project (its job pages).
    keys.push(['ai', 'job', id('job_id')]);
    if (projectId) keys.push(['ai', projectId]);
  } else if (n.type.startsWith('preview_')) {
    // As queries/previews.ts names them: a preview, and the pages of the project's previews.
    keys.push(['previews', 'detail', id('preview_id')]);
    if (projectId) keys.push(['previews', projectId]);
  } else if (n.type === 'task_assigned' && projectId) {
    keys.push(taskKeys.project(projectId));
  } else if (n.type === 'project_member_added') {
    keys.push(projectKeys.list());
  }
  return keys;
}

const LiveContext = createContext<LiveEvents | null>(null);

/**
 * Holds the tab's live connection while someone is signed in. Mounted inside SessionProvider and
 * QueryClientProvider (main.tsx).
 */
export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const session = useSession();
  const live = useMemo(() => new LiveEvents(client, queryClient), [client, queryClient]);
  const userId = session.status === 'signed_in' ? session.user.id : null;
  useEffect(() => {
    if (userId === null) return;
    live.start();
    return () => live.stop();
  }, [live, userId]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

/** The tab's live connection. */
export function useLiveEvents(): LiveEvents {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLiveEvents outside LiveEventsProvider');
  return live;
}

/** Where the live connection stands, re-rendering on change. */
export function useLiveStatus(): LiveStatus {
  const live = useLiveEvents();
  return useSyncExternalStore(
    (onChange) => live.onStatus(onChange),
    () => live.status,
  );
}

/** Calls `handler` with each event of `type` while the component is mounted (the latest handler, without resubscribing). */
export function useLiveEvent(type: string, handler: LiveHandler): void {
  const live = useLiveEvents();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => live.subscribe(type, (data) => latest.current(data)), [live, type]);
}

/** How many notifications are unread (outcomes only), live; `more` when there are more than UNREAD_COUNT_LIMIT. */
export function useUnreadCount(): { count: number | undefined; more: boolean } {
  const signedIn = useSession().status === 'signed_in';
  const unread = useUnreadQuery(signedIn);
  const count = unread.data?.count;
  return {
    count: count === undefined ? undefined : Math.min(count, UNREAD_COUNT_LIMIT),
    more: (count ?? 0) > UNREAD_COUNT_LIMIT,
  };
}

/** The latest few notifications (read or not), newest first, live; fetched only while `enabled`. */
export function useLatestNotifications(enabled: boolean) {
  return useLatestNotificationsQuery(enabled);
}
