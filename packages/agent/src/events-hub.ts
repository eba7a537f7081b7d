import type { ServerResponse } from 'node:http';
import { isHiveSyncError } from '@hivesync/sdk';
import type { Session } from './session.js';

/** How the hub keeps its one upstream stream and its replay buffer. */
export interface EventsHubOptions {
  /** Notifications kept for Last-Event-ID replay to plugins that reconnect. Default 1000. */
  bufferSize?: number;
  /** How long the upstream stream stays open after the last plugin left (a plugin reloading). Default 30 s. */
  lingerMs?: number;
  /** A comment line to every plugin this often, so nothing in between closes an idle stream. Default 15 s. */
  heartbeatMs?: number;
}

interface Subscriber {
  res: ServerResponse;
  /** The last notification sequence this plugin was sent (or skipped as already seen). */
  lastSeq: number;
}

/**
 * One event stream to the server, however many plugins listen: each plugin gets its own Server-Sent Events stream
 * on loopback, with the server's frames (`notification` with its id, live events without), resumable with
 * Last-Event-ID from a bounded buffer. The upstream stream opens with the first plugin (replaying from the earliest
 * id any plugin or the buffer needs) and closes `lingerMs` after the last one leaves; the SDK's own reconnection
 * and token refresh keep it up in between.
 */
export class EventsHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly buffer: { seq: number; frame: string }[] = [];
  private upstream: AbortController | undefined;
  private open = false;
  private latestSeq: number | undefined;
  private linger: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly bufferSize: number;
  private readonly lingerMs: number;

  constructor(
    private readonly session: Session,
    private readonly onNotification: () => void,
    options: EventsHubOptions = {},
  ) {
    this.bufferSize = options.bufferSize ?? 1000;
    this.lingerMs = options.lingerMs ?? 30_000;
    this.heartbeat = setInterval(() => {
      for (const s of this.subscribers) s.res.write(': heartbeat\n\n');
    }, options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  /** Plugins listening now. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Whether the upstream stream is connected. */
  get upstreamOpen(): boolean {
    return this.open;
  }

  /** Takes over `res` as a plugin's event stream, first replaying buffered notifications after `lastEventId`. */
  subscribe(res: ServerResponse, lastEventId: number | undefined, headers: Record<string, string>): void {
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    const sub: Subscriber = { res, lastSeq: lastEventId ?? this.latestSeq ?? 0 };
    if (lastEventId !== undefined) {
      for (const b of this.buffer) this.send(sub, b.seq, b.frame);
    }
    this.subscribers.add(sub);
    res.once('close', () => {
      this.subscribers.delete(sub);
      if (this.subscribers.size === 0) this.scheduleStop();
    });
    clearTimeout(this.linger);
    this.linger = undefined;
    // With no stream yet, open it from this plugin's id, so that the server replays what it missed to everyone.
    if (!this.upstream) this.start(this.latestSeq ?? lastEventId);
  }

  /**
   * Sends a local event (the agent's own, never the server's: `agent_preview_progress`) to every plugin listening
   * now. Like the server's live events it has no id and is never replayed.
   */
  broadcast(type: string, data: unknown): void {
    const frame = `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const s of this.subscribers) s.res.write(frame);
  }

  /**
   * Ends every plugin's stream with `event: closed` and drops the upstream one and the replay buffer (the agent's
   * session changed: what was buffered belongs to the previous one). Plugins reconnecting get the new session's.
   */
  endAll(reason: string, message: string): void {
    clearTimeout(this.linger);
    this.upstream?.abort();
    this.upstream = undefined;
    this.open = false;
    this.buffer.length = 0;
    this.latestSeq = undefined;
    const frame = `event: closed\ndata: ${JSON.stringify({ reason, message })}\n\n`;
    for (const s of this.subscribers) s.res.end(frame);
    this.subscribers.clear();
  }

  /** Ends every plugin's stream and the upstream one (the agent is stopping); plugins reconnect or go direct. */
  close(): void {
    clearInterval(this.heartbeat);
    clearTimeout(this.linger);
    this.upstream?.abort();
    this.upstream = undefined;
    for (const s of this.subscribers) s.res.end();
    this.subscribers.clear();
  }

  private scheduleStop(): void {
    clearTimeout(this.linger);
    this.linger = setTimeout(() => {
      if (this.subscribers.size > 0) return;
      this.upstream?.abort();
      this.upstream = undefined;
      this.open = false;
    }, this.lingerMs);
    this.linger.unref();
  }

  private start(lastEventId: number | undefined): void {
    const controller = new AbortController();
    this.upstream = controller;
    void this.session.client.events
      .stream({
        signal: controller.signal,
        ...(lastEventId !== undefined && lastEventId > 0 && { lastEventId: String(lastEventId) }),
        onOpen: () => {
          this.open = true;
        },
        onRetry: () => {
          this.open = false;
        },
        onNotification: (notification, id) => {
          const seq = id !== null && /^\d+$/.test(id) ? Number(id) : undefined;
          const frame = `${seq !== undefined ? `id: ${seq}\n` : ''}event: notification\ndata: ${JSON.stringify(notification)}\n\n`;
          this.onNotification();
          if (seq === undefined) {
            for (const s of this.subscribers) s.res.write(frame);
            return;
          }
          if (this.latestSeq !== undefined && seq <= this.latestSeq) return;
          this.latestSeq = seq;
          this.buffer.push({ seq, frame });
          if (this.buffer.length > this.bufferSize) this.buffer.shift();
          for (const s of this.subscribers) this.send(s, seq, frame);
        },
        onEvent: (event) => {
          // Live events carry no id and are never replayed (docs/EVENTS.md): straight to whoever listens now.
          const frame = `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
          for (const s of this.subscribers) s.res.write(frame);
        },
      })
      .catch((err: unknown) => {
        // A refusal the SDK does not retry (signed out, too many streams): tell the plugins why, as the server would.
        const reason = isHiveSyncError(err) ? err.code : 'closed';
        const message = err instanceof Error ? err.message : String(err);
        const frame = `event: closed\ndata: ${JSON.stringify({ reason, message })}\n\n`;
        for (const s of this.subscribers) s.res.end(frame);
        this.subscribers.clear();
      })
      .finally(() => {
        if (this.upstream === controller) {
          this.upstream = undefined;
          this.open = false;
        }
      });
  }

  private send(sub: Subscriber, seq: number, frame: string): void {
    if (seq <= sub.lastSeq) return;
    sub.lastSeq = seq;
    sub.res.write(frame);
  }
}
