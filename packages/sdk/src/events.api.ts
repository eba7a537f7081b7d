import type { Notification, Sync } from '@hivesync/core';
import { HiveSyncError, isHiveSyncError } from './errors.js';
import { SseParser } from './sse.js';
import type { RequestOptions, Transport } from './transport.js';

/** Milliseconds before the first reconnection of a dropped event stream, until the server sets its own (`retry:`). */
export const STREAM_RETRY_MS = 1000;
/** The longest wait between reconnection attempts, in milliseconds (unless the server's `retry:` asks for more). */
export const MAX_STREAM_BACKOFF_MS = 30_000;

/** The answer of POST /events/ticket: a single-use ticket for `GET /events?ticket=`, and its lifetime in seconds. */
export interface EventTicket {
  ticket: string;
  expires_in: number;
}

/**
 * An event of the stream other than a notification: live, not stored, never replayed on reconnect, without an id
 * (docs/EVENTS.md, Live events). `data` is its parsed JSON. New types are added over time: ignore unknown ones.
 */
export interface LiveEvent {
  type: string;
  data: unknown;
}

/** The live event that tells a project's members each stage of a sync; its data is the Sync of GET /repo/sync/{id}. */
export const SYNC_PROGRESS = 'sync_progress';

/** A `sync_progress` event: a sync of a project the user is a member of reached a new status. */
export interface SyncProgressEvent extends LiveEvent {
  type: typeof SYNC_PROGRESS;
  data: Sync;
}

/** Whether a live event is a sync's progress (and so carries a Sync). */
export function isSyncProgress(event: LiveEvent): event is SyncProgressEvent {
  return (
    event.type === SYNC_PROGRESS &&
    typeof event.data === 'object' &&
    event.data !== null &&
    typeof (event.data as { sync_id?: unknown }).sync_id === 'string' &&
    typeof (event.data as { status?: unknown }).status === 'string'
  );
}

/** What `onOpen` is told about a connection of the event stream. */
export interface StreamOpen {
  /** The id sent as Last-Event-ID (the server first replays what came after it), or null. */
  lastEventId: string | null;
  /** False for the first connection, true for every reconnection after it. */
  reconnected: boolean;
}

/** Options of `events.stream()`. */
export interface StreamOptions {
  /** Closes the stream and stops reconnecting; stream() then resolves. */
  signal: AbortSignal;
  /** Called with each notification, in order, with its event id; the next one waits for it. */
  onNotification: (notification: Notification, eventId: string | null) => void | Promise<void>;
  /**
   * Called with each live event (any named event other than `notification` and `closed`, e.g. `sync_progress`),
   * in order with the notifications; the next one waits for it. Without it they are skipped. Live events are not
   * replayed: what came while the stream was down is lost (fetch the state itself after a reconnection).
   */
  onEvent?: (event: LiveEvent) => void | Promise<void>;
  /** Called each time a connection is open: the server answered with an event stream and its first bytes came in. */
  onOpen?: (open: StreamOpen) => void;
  /** Start after this event id: the server replays what came after it. */
  lastEventId?: string;
  /** Called when a connection failed or dropped, before waiting `retryIn` seconds to reconnect. */
  onRetry?: (error: HiveSyncError, retryIn: number) => void;
  /**
   * A connection whose first bytes do not come within this many milliseconds fails with `stream_timeout` (the server
   * sends a line at once, so this means something in between holds the stream back, such as a buffering proxy).
   * No limit by default.
   */
  openTimeoutMs?: number;
  /**
   * An open connection on which nothing came (not even a heartbeat) for this many milliseconds fails with
   * `stream_timeout` and is reopened: it died without being closed. No limit by default.
   */
  idleTimeoutMs?: number;
}

/** An exception of the caller's callback: it ends stream(), whatever it is. */
class CallbackFailure {
  constructor(readonly error: unknown) {}
}

/** /events: the real-time stream of the caller's notifications (Server-Sent Events) and tickets for it. */
export class EventsApi {
  constructor(private readonly transport: Transport) {}

  /** A single-use, short-lived ticket for `GET /events?ticket=`, for clients that cannot send headers (EventSource). */
  ticket(opts?: RequestOptions): Promise<EventTicket> {
    return this.transport.json<EventTicket>({ method: 'POST', path: '/events/ticket' }, opts);
  }

  /**
   * Follows the event stream until `signal` aborts, calling `onNotification` with each notification. A connection
   * that drops or fails with a retryable error is reopened with Last-Event-ID, so nothing is missed or repeated:
   * after the server's `retry:` time (1 s until it sends one), doubled after each failed attempt up to 30 s, and
   * back to the start once a connection opens. An expired access token is refreshed. Any other failure (such as
   * `unauthorized`, `not_found`, an answer that is not an event stream, `not_event_stream`, or a stream the server
   * closed on purpose with `event: closed`, whose reason becomes the code, e.g. `too_many_streams`) rejects, and so
   * does an exception of `onNotification`. Resolves once aborted.
   */
  async stream(options: StreamOptions): Promise<void> {
    const { signal, onRetry } = options;
    const parser = new SseParser(options.lastEventId ?? null);
    let failures = 0;
    let connections = 0;
    while (!signal.aborted) {
      const attempt = { opened: false };
      let error: HiveSyncError;
      try {
        await this.connect(parser, options, attempt, connections > 0);
        error = new HiveSyncError({
          code: 'stream_closed',
          message: 'The server closed the event stream.',
          status: 200,
          retryable: true,
        });
      } catch (err) {
        if (err instanceof CallbackFailure) throw err.error;
        if (signal.aborted) return;
        if (!isHiveSyncError(err) || !err.retryable) throw err;
        error = err;
      }
      if (attempt.opened) {
        connections++;
        failures = 0;
      }
      const wait = Math.max(
        (error.retryAfter ?? 0) * 1000,
        reconnectDelay(parser.retryMs ?? STREAM_RETRY_MS, failures),
      );
      failures++;
      onRetry?.(error, wait / 1000);
      await sleep(wait, signal);
    }
  }

  /** One connection: resolves when the server ends it, rejects when it fails. */
  private async connect(
    parser: SseParser,
    options: StreamOptions,
    attempt: { opened: boolean },
    reconnected: boolean,
  ): Promise<void> {
    const { signal, openTimeoutMs, idleTimeoutMs } = options;
    // One controller per connection, so that a timeout can end this connection without ending the stream.
    const controller = new AbortController();
    const forwardAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', forwardAbort, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut: HiveSyncError | undefined;
    const arm = (ms: number | undefined, what: string) => {
      clearTimeout(timer);
      if (ms === undefined) return;
      timer = setTimeout(() => {
        timedOut = new HiveSyncError({
          code: 'stream_timeout',
          message: `The event stream sent nothing for ${formatSeconds(ms)} ${what}.`,
          status: 200,
          retryable: true,
        });
        controller.abort(timedOut);
      }, ms);
    };

    parser.reset();
    const lastEventId = parser.lastEventId;
    try {
      arm(openTimeoutMs, 'after it was requested');
      const res = await this.transport.stream(
        {
          method: 'GET',
          path: '/events',
          headers: {
            accept: 'text/event-stream',
            'cache-control': 'no-cache',
            ...(lastEventId !== null && { 'last-event-id': lastEventId }),
          },
        },
        { signal: controller.signal },
      );
      const type = res.headers.get('content-type') ?? '';
      if (!/^text\/event-stream\b/i.test(type) || res.body === null) {
        await res.body?.cancel().catch(() => undefined);
        throw new HiveSyncError({
          code: 'not_event_stream',
          message: `The server answered HTTP ${res.status} with ${type || 'no content type'} instead of an event stream.`,
          status: res.status,
          requestId: res.headers.get('x-request-id') ?? undefined,
          retryable: false,
        });
      }
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { done, value } = await readChunk(reader);
          if (done) return;
          clearTimeout(timer);
          if (!attempt.opened) {
            attempt.opened = true;
            options.onOpen?.({ lastEventId, reconnected });
          }
          for (const event of parser.push(decoder.decode(value, { stream: true }))) {
            if (event.type === 'closed') throw closedByServer(event.data);
            if (event.type !== 'notification') {
              const data = event.type === 'message' || !options.onEvent ? undefined : parseObject(event.data);
              if (data === undefined) continue;
              try {
                await options.onEvent?.({ type: event.type, data });
              } catch (err) {
                throw new CallbackFailure(err);
              }
              continue;
            }
            const notification = parseNotification(event.data);
            if (notification === undefined) continue;
            try {
              await options.onNotification(notification, event.id);
            } catch (err) {
              throw new CallbackFailure(err);
            }
          }
          arm(idleTimeoutMs, 'while it was open');
        }
      } finally {
        reader.cancel().catch(() => undefined);
      }
    } catch (err) {
      if (err instanceof CallbackFailure || signal.aborted) throw err;
      throw timedOut ?? err;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', forwardAbort);
    }
  }
}

/**
 * The server ended this stream on purpose (`event: closed`, e.g. `too_many_streams` when the user opened one stream
 * too many): not retryable, so that two clients do not keep closing each other's streams.
 */
function closedByServer(data: string): HiveSyncError {
  let reason = 'closed';
  let message = 'The server closed the event stream and asked not to reconnect it.';
  try {
    const body = JSON.parse(data) as { reason?: unknown; message?: unknown };
    if (typeof body.reason === 'string') reason = body.reason;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // A closed event without JSON data still ends the stream.
  }
  return new HiveSyncError({ code: reason, message, status: 200, retryable: false });
}

/**
 * Milliseconds to wait before reconnecting after `failures` failed attempts in a row: the retry time, doubled for
 * each failure, up to MAX_STREAM_BACKOFF_MS (but never less than the retry time the server asked for).
 */
export function reconnectDelay(retryMs: number, failures: number): number {
  return Math.max(retryMs, Math.min(MAX_STREAM_BACKOFF_MS, retryMs * 2 ** failures));
}

/** Reads the next chunk of a response body; a connection that breaks throws `network_error`. */
type Reader = ReadableStreamDefaultReader<Uint8Array>;

async function readChunk(reader: Reader): ReturnType<Reader['read']> {
  try {
    return await reader.read();
  } catch (err) {
    throw new HiveSyncError({
      code: 'network_error',
      message: `The event stream broke off: ${err instanceof Error ? err.message : String(err)}.`,
      status: 0,
      retryable: true,
      cause: err,
    });
  }
}

// An event whose data is not a JSON object is skipped, not fatal: one bad event must not end a long-lived stream.
function parseObject(data: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function parseNotification(data: string): Notification | undefined {
  return parseObject(data) as Notification | undefined;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
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
