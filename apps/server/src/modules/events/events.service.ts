import type { ServerResponse } from 'node:http';
import type { Notification } from '@hivesync/core';
import type { EventBus } from '../../infra/event-bus.js';
import type { Logger } from '../../infra/logger.js';
import type { TicketOwner, TicketStore } from '../../infra/tickets.js';
import { BUS_SESSIONS_REVOKED, BUS_USER_CHANGED } from '../auth/auth.service.js';
import type { AuthContext } from '../auth/auth.types.js';
import { BUS_LIVE, BUS_NOTIFICATION, type NotificationsService } from '../notifications/notifications.service.js';

const TICKET_SECONDS = 60;
const REPLAY_PAGE = 200;
/** The data of the `closed` event that ends a user's oldest stream when they open one too many. */
export const STREAM_LIMIT_REACHED = {
  reason: 'too_many_streams',
  message: 'Too many open event streams for this user; this one, the oldest, was closed. Do not reconnect it.',
} as const;

interface Stream {
  userId: string;
  /** The session (login) whose token opened it, when known. */
  sessionId: string | undefined;
  /** When it was opened (for closing the oldest first). */
  openedAt: number;
  res: ServerResponse;
  lastSeq: number;
  /** Events that arrived while the missed ones were being replayed. */
  pending: { seq: number; notification: Notification }[] | undefined;
}

export interface EventsServiceDeps {
  /** Where missed events are replayed from. */
  notifications: Pick<NotificationsService, 'missedSince'>;
  bus: EventBus;
  tickets: TicketStore;
  logger: Logger;
  options: { heartbeatMs: number; maxStreamsPerUser: number };
}

/**
 * The real-time stream: Server-Sent Events of the same Notification objects the poll returns, and live events that
 * are not stored (`sync_progress`, without an id, never replayed), fanned out over the
 * event bus (Redis pub/sub across instances), resumable with Last-Event-ID (missed events are replayed from the
 * notifications table), with a heartbeat so proxies keep the connection open. A user holds at most
 * `maxStreamsPerUser` streams per process: one more closes their oldest, with an `event: closed` that says why.
 */
export class EventsService {
  private readonly streams = new Set<Stream>();
  private readonly heartbeat: NodeJS.Timeout;

  private readonly notifications: EventsServiceDeps['notifications'];
  private readonly tickets: TicketStore;
  private readonly logger: Logger;
  private readonly options: EventsServiceDeps['options'];

  constructor(deps: EventsServiceDeps) {
    const { notifications, bus, tickets, logger, options } = deps;
    this.notifications = notifications;
    this.tickets = tickets;
    this.logger = logger;
    this.options = options;
    bus.subscribe((m) => {
      if (m.kind === BUS_LIVE) return this.live(m.body);
      // A session revoked (logout, an admin's force log-out, a disabled account) or an account changed (disabled,
      // deleted, its role changed): its streams end, without a word. A client reconnects as it always does, and its
      // token or ticket is checked again: a revoked one gets 401, an account still in good standing resumes with
      // Last-Event-ID and misses nothing.
      if (m.kind === BUS_SESSIONS_REVOKED && Array.isArray(m.body.session_ids)) {
        const ids = new Set(m.body.session_ids.map(String));
        return this.end((s) => s.sessionId !== undefined && ids.has(s.sessionId));
      }
      if (m.kind === BUS_USER_CHANGED) return this.end((s) => s.userId === String(m.body.user_id));
      if (m.kind !== BUS_NOTIFICATION) return;
      const userId = String(m.body.user_id);
      const seq = Number(m.body.seq);
      const notification = m.body.notification as Notification;
      for (const s of this.streams) if (s.userId === userId) this.deliver(s, seq, notification);
    });
    this.heartbeat = setInterval(() => {
      for (const s of this.streams) s.res.write(': heartbeat\n\n');
    }, options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Streams currently open in this process. */
  get openStreams(): number {
    return this.streams.size;
  }

  /** A single-use ticket for `?ticket=`, for EventSource clients that cannot send an Authorization header. */
  async issueTicket(auth: AuthContext): Promise<{ ticket: string; expires_in: number }> {
    const ticket = await this.tickets.issue(
      { userId: auth.userId, ...(auth.sessionId && { sessionId: auth.sessionId }) },
      TICKET_SECONDS,
    );
    return { ticket, expires_in: TICKET_SECONDS };
  }

  redeemTicket(ticket: string): Promise<TicketOwner | undefined> {
    return this.tickets.redeem(ticket);
  }

  /** Takes over `res` as an event stream for the user, replaying what came after `lastEventId`. */
  async open(auth: AuthContext, res: ServerResponse, lastEventId: number | undefined): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    this.makeRoomFor(auth.userId);
    const stream: Stream = {
      userId: auth.userId,
      sessionId: auth.sessionId,
      openedAt: Date.now(),
      res,
      lastSeq: lastEventId ?? 0,
      pending: lastEventId === undefined ? undefined : [],
    };
    this.streams.add(stream);
    res.on('close', () => this.streams.delete(stream));
    if (lastEventId === undefined) return;
    try {
      for (;;) {
        const missed = await this.notifications.missedSince(auth.userId, stream.lastSeq, REPLAY_PAGE);
        for (const m of missed) this.write(stream, m.seq, m.notification);
        if (missed.length < REPLAY_PAGE) break;
      }
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'event replay failed');
    }
    const pending = stream.pending ?? [];
    stream.pending = undefined;
    for (const p of pending) this.deliver(stream, p.seq, p.notification);
  }

  /** Ends every open stream (shutdown): clients reconnect, to another instance if need be, and resume. */
  closeAll(): void {
    this.end(() => true);
  }

  private end(which: (s: Stream) => boolean): void {
    for (const s of this.streams) {
      if (!which(s)) continue;
      this.streams.delete(s);
      s.res.end();
    }
  }

  // Closes the user's oldest streams until one more fits: a forgotten tab or a leaking client cannot hold
  // connections without bound, and the newest (most likely the one in use) always wins.
  private makeRoomFor(userId: string): void {
    const mine = [...this.streams].filter((s) => s.userId === userId).sort((a, b) => a.openedAt - b.openedAt);
    for (const s of mine.slice(0, Math.max(0, mine.length - this.options.maxStreamsPerUser + 1))) {
      this.streams.delete(s);
      s.res.end(`event: closed\ndata: ${JSON.stringify(STREAM_LIMIT_REACHED)}\n\n`);
    }
  }

  // A live event (sync_progress…) is written at once, without an `id:`: it is not stored, so it is not replayed, and
  // a stream's Last-Event-ID stays the sequence of the last notification. Clients skip event types they do not know.
  private live(body: Record<string, unknown>): void {
    const userIds = Array.isArray(body.user_ids) ? new Set(body.user_ids.map(String)) : new Set<string>();
    const event = String(body.event);
    if (!/^[a-z_]{1,40}$/.test(event) || userIds.size === 0) return;
    const frame = `event: ${event}\ndata: ${JSON.stringify(body.data ?? {})}\n\n`;
    for (const s of this.streams) if (userIds.has(s.userId)) s.res.write(frame);
  }

  private deliver(stream: Stream, seq: number, notification: Notification): void {
    if (stream.pending) stream.pending.push({ seq, notification });
    else this.write(stream, seq, notification);
  }

  private write(stream: Stream, seq: number, notification: Notification): void {
    if (seq <= stream.lastSeq) return; // already sent (replay and live delivery overlap)
    stream.lastSeq = seq;
    stream.res.write(`id: ${seq}\nevent: notification\ndata: ${JSON.stringify(notification)}\n\n`);
  }
}
