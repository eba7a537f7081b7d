import { UnreadSet } from '@hivesync/editor';
import { isHiveSyncError, type Notification } from '@hivesync/sdk';

/** How the extension hears of new notifications: the event stream, or the conditional poll. */
export type FeedMode = 'stream' | 'poll';

/**
 * Failed connections of the event stream in a row (none of them opened) after which the extension stops waiting
 * for it and polls, backing off to 120 s while the server cannot be reached; the stream is tried again once a poll
 * gets an answer. One failure is let through: the SDK moves a stream from a killed agent to the server by itself.
 */
export const STREAM_FAILURES_BEFORE_POLLING = 2;

/** How often a window that may have been unfocused for long looks whether to close its stream, in ms. */
export const PAUSE_CHECK_MS = 30_000;

/** What a failure of the event stream means for the feed. */
export type StreamVerdict =
  /** The session is over: one sign-in prompt, then nothing until the user signs in. */
  | { kind: 'session_over' }
  /** The stream will not work for this session (an older server, a proxy that buffers, too many streams): poll. */
  | { kind: 'unsupported'; reason: string }
  /** It may work again later (server unreachable, a dropped connection): poll with back-off, then try again. */
  | { kind: 'transient' };

const SESSION_OVER = new Set(['unauthorized', 'token_expired']);

/** Sorts a failure of `events.stream()` (its rejection, or an error told to `onRetry`). */
export function streamVerdict(err: unknown): StreamVerdict {
  if (!isHiveSyncError(err)) return { kind: 'unsupported', reason: err instanceof Error ? err.message : String(err) };
  if (SESSION_OVER.has(err.code)) return { kind: 'session_over' };
  if (err.retryable) return { kind: 'transient' };
  if (err.code === 'too_many_streams') {
    return { kind: 'unsupported', reason: 'the server closed it: this account has too many streams open' };
  }
  if (err.code === 'not_event_stream') {
    return { kind: 'unsupported', reason: `something between here and the server does not pass it (${err.message})` };
  }
  if (err.code === 'not_found') return { kind: 'unsupported', reason: 'the server has no event stream' };
  return { kind: 'unsupported', reason: `${err.code}: ${err.message}` };
}

/** Whether a window unfocused since `unfocusedSince` (undefined: focused) stops following notifications now. */
export function paused(now: number, unfocusedSince: number | undefined, pauseMinutes: number): boolean {
  return pauseMinutes > 0 && unfocusedSince !== undefined && now - unfocusedSince > pauseMinutes * 60_000;
}

/**
 * The steps of background work (queued, started…): the poll leaves them out (`steps=false`), the event stream sends
 * them; an editor shows a job's outcome only, so they are dropped here too. Kept in step with @hivesync/core's
 * NOTIFICATION_STEP_TYPES (a test compares them).
 */
export const STEP_TYPES: ReadonlySet<string> = new Set([
  'ai_job_queued',
  'ai_job_started',
  'repo_sync_started',
  'preview_token_created',
  'preview_bundle_uploaded',
]);

/** How many notifications the bell's list keeps. */
export const RECENT_LIMIT = 50;
/** How many notification ids are remembered to drop the ones the poll and the stream both bring. */
const SEEN_LIMIT = 2000;

/**
 * The notifications the extension knows of: the recent ones (newest first) for the bell's list, the unread count,
 * and the ids seen, so that a notification that comes both from the stream and from a catch-up poll (or twice
 * after a reconnection) is counted and shown once.
 */
export class Inbox {
  private readonly unread = new UnreadSet();
  private readonly seen = new Set<string>();
  private recentValue: Notification[] = [];

  /** The recent notifications, newest first. */
  get recent(): readonly Notification[] {
    return this.recentValue;
  }

  /** How many are unread. */
  get unreadCount(): number {
    return this.unread.size;
  }

  /**
   * Takes a batch (oldest first, as the poll and the stream give them); returns the notifications in it that were
   * not seen before, oldest first, steps left out. A notification seen before updates its read state only.
   */
  add(all: readonly Notification[]): Notification[] {
    const batch = all.filter((n) => !STEP_TYPES.has(n.type));
    const fresh: Notification[] = [];
    for (const n of batch) {
      if (!this.seen.has(n.notification_id)) {
        this.seen.add(n.notification_id);
        fresh.push(n);
      }
    }
    if (this.seen.size > SEEN_LIMIT) {
      // Forget the oldest ids (a Set keeps insertion order); they are far behind any cursor by now.
      for (const id of [...this.seen].slice(0, this.seen.size - SEEN_LIMIT)) this.seen.delete(id);
    }
    this.unread.update(batch);
    const ids = new Set(batch.map((n) => n.notification_id));
    this.recentValue = [...[...batch].reverse(), ...this.recentValue.filter((n) => !ids.has(n.notification_id))].slice(
      0,
      RECENT_LIMIT,
    );
    return fresh;
  }

  /** Marks these read (the user opened them). */
  markRead(ids: readonly string[], at = new Date().toISOString()): void {
    this.unread.markRead(ids);
    const set = new Set(ids);
    this.recentValue = this.recentValue.map((n) => (set.has(n.notification_id) ? { ...n, read_at: at } : n));
  }

  /** Marks everything read. */
  markAllRead(at = new Date().toISOString()): void {
    this.unread.clear();
    this.recentValue = this.recentValue.map((n) => ({ ...n, read_at: n.read_at ?? at }));
  }

  /** Forgets everything (signed out, or another user). */
  clear(): void {
    this.unread.clear();
    this.seen.clear();
    this.recentValue = [];
  }
}
