import type { ServerResponse } from 'node:http';
import { EventEmitter } from 'node:events';
import type { Notification, StreamOptions } from '@hivesync/sdk';
import { HiveSyncError } from '@hivesync/sdk';
import { describe, expect, it } from 'vitest';
import { EventsHub } from './events-hub.js';
import type { Session } from './session.js';

/** A plugin's response: what was written to it. */
class FakeResponse extends EventEmitter {
  text = '';
  ended = false;
  writeHead() {
    return this;
  }
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
  end(chunk?: string) {
    if (chunk) this.text += chunk;
    this.ended = true;
    this.emit('close');
  }
  ids(): number[] {
    return [...this.text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  }
}

/** A session whose upstream stream is driven by the test. */
function fakeSession() {
  const opened: StreamOptions[] = [];
  const ends: ((err?: unknown) => void)[] = [];
  const session = {
    client: {
      events: {
        stream: (opts: StreamOptions) =>
          new Promise<void>((resolve, reject) => {
            opened.push(opts);
            opts.onOpen?.({ lastEventId: opts.lastEventId ?? null, reconnected: false });
            ends.push((err) => (err ? reject(err) : resolve()));
            opts.signal.addEventListener('abort', () => resolve());
          }),
      },
    },
  } as unknown as Session;
  const push = (seq: number) =>
    opened.at(-1)!.onNotification({ id: `n${seq}`, type: 'broadcast' } as unknown as Notification, String(seq));
  return { session, opened, ends, push };
}

const res = () => new FakeResponse();
const asRes = (r: FakeResponse) => r as unknown as ServerResponse;

describe('EventsHub', () => {
  it('opens one upstream stream for every plugin and replays after Last-Event-ID from its buffer', async () => {
    const { session, opened, push } = fakeSession();
    let invalidations = 0;
    const hub = new EventsHub(session, () => invalidations++, { bufferSize: 3, lingerMs: 10 });
    const a = res();
    hub.subscribe(asRes(a), undefined, {});
    const b = res();
    hub.subscribe(asRes(b), undefined, {});
    expect(opened).toHaveLength(1);
    for (const seq of [1, 2, 3, 4]) await push(seq);
    expect(a.ids()).toEqual([1, 2, 3, 4]);
    expect(b.ids()).toEqual([1, 2, 3, 4]);
    expect(invalidations).toBe(4);
    // A plugin that saw up to 2 gets 3 and 4 from the buffer, then live ones, once each.
    const c = res();
    hub.subscribe(asRes(c), 2, {});
    await push(4);
    await push(5);
    expect(c.ids()).toEqual([3, 4, 5]);
    expect(opened).toHaveLength(1);
    hub.close();
  });

  it('closes the upstream stream after the last plugin left and reopens it from the last id', async () => {
    const { session, opened, push } = fakeSession();
    const hub = new EventsHub(session, () => undefined, { lingerMs: 10 });
    const a = res();
    hub.subscribe(asRes(a), undefined, {});
    await push(7);
    a.end();
    await new Promise((r) => setTimeout(r, 30));
    expect(opened[0]!.signal.aborted).toBe(true);
    hub.subscribe(asRes(res()), undefined, {});
    expect(opened).toHaveLength(2);
    expect(opened[1]!.lastEventId).toBe('7');
    hub.close();
  });

  it('ends every plugin’s stream with `event: closed` when the server refuses the stream for good', async () => {
    const { session, ends } = fakeSession();
    const hub = new EventsHub(session, () => undefined);
    const a = res();
    hub.subscribe(asRes(a), undefined, {});
    ends[0]!(new HiveSyncError({ code: 'too_many_streams', message: 'Too many', status: 200, retryable: false }));
    await new Promise((r) => setTimeout(r, 0));
    expect(a.ended).toBe(true);
    expect(a.text).toContain('event: closed\ndata: {"reason":"too_many_streams"');
    hub.close();
  });
});
