import type http from 'node:http';
import { readAll, type Forwarder } from './proxy.js';

/** A cached poll answer (GET /notifications…): a 200 body with its ETag, refreshed at the server's poll interval. */
interface Entry {
  body: Buffer;
  etag: string;
  contentType: string;
  pollInterval: number;
  fetchedAt: number;
}

/** A server answer other than 200/304, handed to the plugin as is. */
export interface Passthrough {
  passthrough: true;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** What the cache answers a plugin. */
export interface CachedAnswer {
  status: 200 | 304;
  headers: Record<string, string>;
  body?: Buffer;
  /** Whether the server was asked for this answer. */
  upstream: boolean;
}

/**
 * The notifications poll, shared by every plugin: for each query (and X-HiveSync-Client, which changes the read
 * state) the server is asked at most once per poll interval it set (X-Poll-Interval), with If-None-Match, and
 * concurrent plugins share one request. A plugin's own If-None-Match is answered 304 here. A new notification on
 * the agent's event stream, or a mark_read through the agent, drops the cache, so nothing waits a whole interval.
 */
export class PollCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Entry | Passthrough>>();
  private generation = 0;

  constructor(
    private readonly forwarder: Forwarder,
    private readonly now: () => number = Date.now,
  ) {}

  /** Drops every cached answer (a notification arrived, something was marked read, the session changed). */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  /**
   * Answers a poll from the cache while it is fresh, else asks the server (once for everyone waiting). An answer
   * other than 200 or 304 from the server is handed back as is (`passthrough`), never cached.
   */
  async poll(path: string, headers: http.IncomingHttpHeaders): Promise<CachedAnswer | Passthrough> {
    const client = headers['x-hivesync-client'];
    const key = `${Array.isArray(client) ? client[0] : (client ?? '')} ${path}`;
    let entry = this.entries.get(key);
    let upstream = false;
    if (!entry || this.now() - entry.fetchedAt >= entry.pollInterval * 1000) {
      // Keyed by generation too: a plugin polling right after an invalidation must not join an older request.
      const flight = `${this.generation} ${key}`;
      let pending = this.inflight.get(flight);
      if (!pending) {
        pending = this.fetch(key, path, headers, entry).finally(() => this.inflight.delete(flight));
        this.inflight.set(flight, pending);
        upstream = true;
      }
      const got = await pending;
      if ('passthrough' in got) return got;
      entry = got;
    }
    const common = {
      etag: entry.etag,
      'x-poll-interval': String(entry.pollInterval),
      'cache-control': 'private, no-cache',
    };
    const ifNoneMatch = headers['if-none-match'];
    if (ifNoneMatch !== undefined && ifNoneMatch === entry.etag) return { status: 304, headers: common, upstream };
    return { status: 200, headers: { ...common, 'content-type': entry.contentType }, body: entry.body, upstream };
  }

  private async fetch(
    key: string,
    path: string,
    headers: http.IncomingHttpHeaders,
    previous: Entry | undefined,
  ): Promise<Entry | Passthrough> {
    const generation = this.generation;
    const sent: http.IncomingHttpHeaders = { ...headers };
    delete sent['if-none-match'];
    if (previous) sent['if-none-match'] = previous.etag;
    const answer = await this.forwarder.send({ method: 'GET', path, headers: sent });
    const body = await readAll(answer.body);
    const etag = answer.headers.etag;
    const interval = Number(answer.headers['x-poll-interval']);
    const pollInterval = Number.isFinite(interval) && interval > 0 ? interval : 30;
    let entry: Entry;
    if (answer.status === 304 && previous && etag === previous.etag) {
      entry = { ...previous, pollInterval, fetchedAt: this.now() };
    } else if (answer.status === 200 && typeof etag === 'string') {
      const contentType = answer.headers['content-type'] ?? 'application/json; charset=utf-8';
      entry = { body, etag, contentType, pollInterval, fetchedAt: this.now() };
    } else {
      return { passthrough: true, status: answer.status, headers: answer.headers, body };
    }
    // Something invalidated the cache while this request was out: hand the answer over, but do not keep it.
    if (generation === this.generation) this.entries.set(key, entry);
    return entry;
  }
}
