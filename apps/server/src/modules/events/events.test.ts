import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, eventually, registerUser, startTestServer, type TestServer } from '../../test/harness.js';

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A minimal SSE client over fetch: collects events as they arrive. */
function connect(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  const done = (async () => {
    const res = await fetch(url, { headers, signal: controller.signal });
    const status = res.status;
    if (!res.ok || !res.body) return { status, body: await res.text() };
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const ev: SseEvent = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) ev.comment = line.slice(1).trim();
            else {
              const i = line.indexOf(':');
              const field = line.slice(0, i) as 'id' | 'event' | 'data';
              if (['id', 'event', 'data'].includes(field)) ev[field] = line.slice(i + 1).trimStart();
            }
          }
          events.push(ev);
        }
      }
    } catch {
      // aborted
    }
    return { status, body: '' };
  })();
  return {
    events,
    done,
    close: () => controller.abort(),
    notifications: () => events.filter((e) => e.event === 'notification'),
  };
}

describe.each(backends())('event stream on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { HIVESYNC_SSE_HEARTBEAT_MS: '200' }, { listen: true });
  });
  afterAll(() => server?.stop());

  const notify = (userId: string, n: number) =>
    server.runtime.services.notifications.notify({
      userIds: [userId],
      projectId: null,
      type: 'repo_sync_success',
      payload: { n },
    });

  it('pushes each new notification, with its sequence as the event id, and heartbeats', async () => {
    const u = await registerUser(server);
    const stream = connect(`${server.url}/api/v1/events`, { authorization: `Bearer ${u.token}` });
    await eventually(async () => server.runtime.services.events.openStreams > 0);
    await notify(u.id, 1);
    await notify(u.id, 2);
    const got = await eventually(async () => stream.notifications().length >= 2 && stream.notifications());
    expect(got.map((e) => JSON.parse(e.data!).payload.n)).toEqual([1, 2]);
    const polled = (await server.request({ method: 'GET', url: '/api/v1/notifications', token: u.token })).json()
      .notifications;
    expect(JSON.parse(got[1]!.data!)).toEqual(polled.at(-1));
    expect(Number(got[1]!.id)).toBe(await seqOf(server, polled.at(-1).notification_id));
    await eventually(async () => stream.events.some((e) => e.comment === 'heartbeat'));
    stream.close();
  });

  it('replays what was missed after Last-Event-ID, without duplicates', async () => {
    const u = await registerUser(server);
    const first = connect(`${server.url}/api/v1/events`, { authorization: `Bearer ${u.token}` });
    await eventually(async () => server.runtime.services.events.openStreams > 0);
    await notify(u.id, 1);
    const seen = await eventually(async () => first.notifications().length === 1 && first.notifications());
    first.close();
    await notify(u.id, 2);
    await notify(u.id, 3);
    const resumed = connect(`${server.url}/api/v1/events`, {
      authorization: `Bearer ${u.token}`,
      'last-event-id': seen[0]!.id!,
    });
    const replayed = await eventually(async () => resumed.notifications().length >= 2 && resumed.notifications());
    await notify(u.id, 4);
    const all = await eventually(async () => resumed.notifications().length >= 3 && resumed.notifications());
    expect(all.map((e) => JSON.parse(e.data!).payload.n)).toEqual([2, 3, 4]);
    expect(replayed[0]!.id).not.toBe(seen[0]!.id);
    resumed.close();
  });

  it('accepts a single-use ticket where headers cannot be sent, and nothing else', async () => {
    const u = await registerUser(server);
    const anonymous = connect(`${server.url}/api/v1/events`);
    expect((await anonymous.done).status).toBe(401);
    const { ticket } = (await server.request({ method: 'POST', url: '/api/v1/events/ticket', token: u.token })).json();
    const viaTicket = connect(`${server.url}/api/v1/events?ticket=${ticket}`);
    await eventually(async () => server.runtime.services.events.openStreams > 0);
    await notify(u.id, 7);
    await eventually(async () => viaTicket.notifications().length === 1);
    const reused = connect(`${server.url}/api/v1/events?ticket=${ticket}`);
    expect((await reused.done).status).toBe(401);
    const forged = connect(`${server.url}/api/v1/events?ticket=hst_${crypto.randomBytes(24).toString('base64url')}`);
    expect((await forged.done).status).toBe(401);
    viaTicket.close();
  });

  it('never sends one user’s notifications to another', async () => {
    const a = await registerUser(server);
    const b = await registerUser(server);
    const streamB = connect(`${server.url}/api/v1/events`, { authorization: `Bearer ${b.token}` });
    await eventually(async () => server.runtime.services.events.openStreams > 0);
    await notify(a.id, 1);
    await notify(b.id, 2);
    const got = await eventually(async () => streamB.notifications().length >= 1 && streamB.notifications());
    await new Promise((r) => setTimeout(r, 200));
    expect(streamB.notifications().map((e) => JSON.parse(e.data!).user_id)).toEqual([b.id]);
    expect(got).toHaveLength(1);
    streamB.close();
  });
});

describe.each(backends())('event streams per user on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { HIVESYNC_MAX_STREAMS_PER_USER: '2' }, { listen: true });
  });
  afterAll(() => server?.stop());

  it('closes the oldest stream, saying why, when a user opens one too many', async () => {
    const u = await registerUser(server);
    const other = await registerUser(server);
    // Open once its first block (`retry:`) has come in.
    const open = async (token: string) => {
      const s = connect(`${server.url}/api/v1/events`, { authorization: `Bearer ${token}` });
      await eventually(async () => s.events.length > 0);
      return s;
    };
    const theirs = await open(other.token);
    const first = await open(u.token);
    const second = await open(u.token);
    expect(server.runtime.services.events.openStreams).toBe(3);
    const third = await open(u.token);

    const closed = await eventually(async () => first.events.find((e) => e.event === 'closed'));
    expect(JSON.parse(closed.data!)).toMatchObject({ reason: 'too_many_streams' });
    await first.done; // the server ended it
    expect(server.runtime.services.events.openStreams).toBe(3);

    await server.runtime.services.notifications.notify({
      userIds: [u.id, other.id],
      projectId: null,
      type: 'repo_sync_success',
      payload: { n: 1 },
    });
    for (const s of [second, third, theirs]) await eventually(async () => s.notifications().length === 1);
    expect(first.notifications()).toHaveLength(0);
    expect([second, third, theirs].some((s) => s.events.some((e) => e.event === 'closed'))).toBe(false);
    for (const s of [second, third, theirs]) s.close();
  });
});

async function seqOf(server: TestServer, notificationId: string): Promise<number> {
  const row = await server.runtime.infra.db.orm.query.notifications.findFirst({
    where: (n, { eq }) => eq(n.id, notificationId),
  });
  return row!.seq;
}
