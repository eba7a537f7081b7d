import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PollCache } from './poll-cache.js';
import type { Forwarder } from './proxy.js';

/** A forwarder standing in for the server: counts requests, answers 304 to the current ETag. */
function fakeServer() {
  const state = { requests: 0, version: 1, pollInterval: 45 };
  const forwarder = {
    async send(opts: { headers: Record<string, unknown> }) {
      state.requests++;
      await new Promise((r) => setTimeout(r, 5));
      const etag = `"v${state.version}"`;
      const headers = { etag, 'x-poll-interval': String(state.pollInterval), 'content-type': 'application/json' };
      if (opts.headers['if-none-match'] === etag) return { status: 304, headers, body: Readable.from([]) };
      return { status: 200, headers, body: Readable.from([Buffer.from(`{"v":${state.version}}`)]) };
    },
  } as unknown as Forwarder;
  return { state, forwarder };
}

describe('the poll cache', () => {
  it('asks the server once for many concurrent plugins and once per poll interval after that', async () => {
    let now = 1_000_000;
    const { state, forwarder } = fakeServer();
    const cache = new PollCache(forwarder, () => now);
    const answers = await Promise.all(Array.from({ length: 10 }, () => cache.poll('/api/v1/notifications', {})));
    expect(state.requests).toBe(1);
    expect(answers.every((a) => 'status' in a && a.status === 200)).toBe(true);
    now += 44_000;
    await cache.poll('/api/v1/notifications', {});
    expect(state.requests).toBe(1);
    now += 2_000;
    const revalidated = await cache.poll('/api/v1/notifications', {});
    // Revalidated with If-None-Match: the server answered 304, the plugin still gets the body.
    expect(state.requests).toBe(2);
    expect(revalidated).toMatchObject({ status: 200, upstream: true });
  });

  it('answers a plugin’s own If-None-Match with 304, and keys on query and client', async () => {
    const { state, forwarder } = fakeServer();
    const cache = new PollCache(forwarder);
    await cache.poll('/api/v1/notifications', {});
    expect(await cache.poll('/api/v1/notifications', { 'if-none-match': '"v1"' })).toMatchObject({ status: 304 });
    await cache.poll('/api/v1/notifications?unread_only=true', {});
    await cache.poll('/api/v1/notifications', { 'x-hivesync-client': 'vscode' });
    expect(state.requests).toBe(3);
  });

  it('asks again at once after an invalidation (a new notification, a mark_read)', async () => {
    const { state, forwarder } = fakeServer();
    const cache = new PollCache(forwarder);
    await cache.poll('/api/v1/notifications', {});
    state.version = 2;
    cache.invalidate();
    const next = await cache.poll('/api/v1/notifications', {});
    expect(state.requests).toBe(2);
    expect(next).toMatchObject({ status: 200, headers: { etag: '"v2"' } });
  });
});
