import type {
  MarkReadBody,
  MarkReadResult,
  Notification,
  NotificationList,
  NotificationPreferences,
  NotificationType,
  UpdateNotificationPreferencesBody,
} from '@hivesync/core';
import { HiveSyncError } from './errors.js';
import type { RequestOptions, Transport } from './transport.js';

/** Seconds between polls when the server does not say (its idle interval). */
export const DEFAULT_POLL_INTERVAL = 45;
/** The longest wait between retries after failed polls, in seconds (offline clients settle at one try in 2 min). */
export const MAX_BACKOFF = 120;

/** Query of GET /notifications. */
export interface ListNotificationsParams {
  /** A cursor from an earlier answer: only notifications after it, oldest first. Without it: the newest page. */
  since?: string;
  unread_only?: boolean;
  /** 1 to 200; the server's default is 50. */
  limit?: number;
  /** false leaves out the steps of background work (queued, started: NOTIFICATION_STEP_TYPES); default true. */
  steps?: boolean;
  /** An `older_cursor` of an earlier answer: the page just before it (older ones). Not with `since`. */
  before?: string;
  /** Only these types. */
  types?: readonly NotificationType[];
}

/** The outcome of one conditional poll. */
export interface NotificationPoll {
  /** True when the server answered 304: nothing changed since the last poll. */
  notModified: boolean;
  /** The notifications after the cursor; empty when nothing is new. */
  notifications: Notification[];
  /** Where the next poll starts. */
  cursor: string | null;
  /** Seconds to wait before the next poll, as the server asks in X-Poll-Interval. */
  pollInterval: number;
}

/** Options of `notifications.watch()`. */
export interface WatchOptions extends Omit<ListNotificationsParams, 'since'> {
  /** Stops the loop; watch() then resolves. */
  signal: AbortSignal;
  /** Called with each non-empty batch of new notifications, oldest first; the next poll waits for it. */
  onNotifications: (notifications: Notification[], poll: NotificationPoll) => void | Promise<void>;
  /** Start after this cursor; without it the first batch is the newest page. */
  since?: string;
  /** Called when a poll failed with a retryable error, before waiting `retryIn` seconds. */
  onRetry?: (error: HiveSyncError, retryIn: number) => void;
}

interface PollState {
  etag: string | undefined;
  cursor: string | null;
}

/** /notifications: list, mark read, and the cheap conditional poll (ETag, 304, X-Poll-Interval). */
export class NotificationsApi {
  private readonly state: PollState = { etag: undefined, cursor: null };

  constructor(private readonly transport: Transport) {}

  /**
   * One page of notifications, oldest first, with the cursor to continue from (`since`) and, for the newest page
   * or one asked for with `before`, `older_cursor` for the page before it (null at the oldest).
   */
  list(params: ListNotificationsParams = {}, opts?: RequestOptions): Promise<NotificationList> {
    return this.transport.json<NotificationList>(
      { method: 'GET', path: '/notifications', query: toQuery(params) },
      opts,
    );
  }

  /**
   * Marks notifications read, by ids or all of them: for every client of the user by default, or with
   * `scope: 'client'` only for this client (the `client` option names it).
   */
  markRead(body: MarkReadBody, opts?: RequestOptions): Promise<MarkReadResult> {
    return this.transport.json<MarkReadResult>({ method: 'POST', path: '/notifications/mark_read', body }, opts);
  }

  /** The caller's channels (in_app, push) for every notification type; everything is on until turned off. */
  preferences(opts?: RequestOptions): Promise<NotificationPreferences> {
    return this.transport.json<NotificationPreferences>({ method: 'GET', path: '/me/notification-preferences' }, opts);
  }

  /** Turns channels of some types on or off (others keep theirs); answers every type's channels after the change. */
  updatePreferences(body: UpdateNotificationPreferencesBody, opts?: RequestOptions): Promise<NotificationPreferences> {
    return this.transport.json<NotificationPreferences>(
      { method: 'PUT', path: '/me/notification-preferences', body },
      opts,
    );
  }

  /**
   * One conditional poll: sends the last ETag as If-None-Match and continues from the last cursor (both remembered
   * per client), so an unchanged poll costs a 304. `since` overrides the remembered cursor.
   */
  poll(params: ListNotificationsParams = {}, opts?: RequestOptions): Promise<NotificationPoll> {
    return this.pollWith(this.state, params, opts);
  }

  /**
   * Polls until `signal` aborts: calls `onNotifications` with each batch of new notifications, then waits exactly
   * the interval the server asked for. A retryable failure backs off (Retry-After, else 1, 2, 4… up to 120 s) and
   * continues; any other failure rejects. Resolves once aborted.
   */
  async watch(options: WatchOptions): Promise<void> {
    const { signal, onNotifications, onRetry, since, ...params } = options;
    const state: PollState = { etag: undefined, cursor: since ?? null };
    let failures = 0;
    while (!signal.aborted) {
      let wait: number;
      try {
        const result = await this.pollWith(state, params, { signal });
        failures = 0;
        if (result.notifications.length > 0) await onNotifications(result.notifications, result);
        wait = result.pollInterval;
      } catch (err) {
        if (signal.aborted) return;
        if (!(err instanceof HiveSyncError) || !err.retryable) throw err;
        failures++;
        wait = backoffSeconds(failures, err.retryAfter);
        onRetry?.(err, wait);
      }
      await sleep(wait * 1000, signal);
    }
  }

  private async pollWith(
    state: PollState,
    params: ListNotificationsParams,
    opts?: RequestOptions,
  ): Promise<NotificationPoll> {
    const since = params.since ?? state.cursor ?? undefined;
    const reply = await this.transport.send<NotificationList | undefined>(
      {
        method: 'GET',
        path: '/notifications',
        query: toQuery({ ...params, since }),
        headers: state.etag === undefined ? {} : { 'if-none-match': state.etag },
        accept: [304],
      },
      opts,
    );
    const pollInterval = parseInterval(reply.headers.get('x-poll-interval'));
    state.etag = reply.headers.get('etag') ?? state.etag;
    if (reply.status === 304 || reply.body === undefined) {
      return { notModified: true, notifications: [], cursor: state.cursor ?? since ?? null, pollInterval };
    }
    state.cursor = reply.body.cursor ?? state.cursor;
    return { notModified: false, notifications: reply.body.notifications, cursor: state.cursor, pollInterval };
  }
}

// The query string of GET /notifications: `types` goes as one comma-separated value.
function toQuery({ types, ...rest }: ListNotificationsParams): Record<string, string | number | boolean | undefined> {
  return { ...rest, ...(types !== undefined && types.length > 0 && { types: types.join(',') }) };
}

/** Seconds to wait after `failures` failed polls in a row: the server's Retry-After if longer, else 1, 2, 4… up to MAX_BACKOFF. */
export function backoffSeconds(failures: number, retryAfter?: number): number {
  return Math.max(retryAfter ?? 0, Math.min(MAX_BACKOFF, 2 ** Math.max(0, failures - 1)));
}

function parseInterval(header: string | null): number {
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_POLL_INTERVAL;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
