import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { makeRepo } from '../../test/git-fixtures.js';
import { backends, eventually, registerUser, startTestServer, tempDir, type TestServer } from '../../test/harness.js';

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

/** `promise`, or a failure naming `what` when it takes longer than `ms` (a step that hangs says which it is). */
function within<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
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

  it('ends the streams of a revoked session at once (bearer or ticket), and its token cannot open another', async () => {
    const u = await registerUser(server);
    const login = await server.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { email: u.email, password: u.password },
    });
    const second = login.json<{ access_token: string }>().access_token;
    const other = await registerUser(server);
    const before = server.runtime.services.events.openStreams;
    const first = connect(`${server.url}/api/v1/events`, { authorization: `Bearer ${u.token}` });
    const { ticket } = (await server.request({ method: 'POST', url: '/api/v1/events/ticket', token: second })).json();
    const viaTicket = connect(`${server.url}/api/v1/events?ticket=${ticket}`);
    const bystander = connect(`${server.url}/api/v1/events`, { authorization: `Bearer ${other.token}` });
    await eventually(async () => server.runtime.services.events.openStreams === before + 3);

    // The first login's session revoked from the second: its stream ends, the second's carries on.
    const sessions = (await server.request({ method: 'GET', url: '/api/v1/auth/sessions', token: u.token })).json<{
      sessions: { id: string; current: boolean }[];
    }>().sessions;
    const firstSession = sessions.find((x) => x.current)!.id;
    const revoked = await server.request({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${firstSession}`,
      token: second,
    });
    expect(revoked.statusCode).toBe(204);
    expect((await within(first.done, 'the revoked session’s stream ends')).status).toBe(200);
    await notify(u.id, 11);
    await eventually(async () => viaTicket.notifications().length === 1);
    const reopened = connect(`${server.url}/api/v1/events`, { authorization: `Bearer ${u.token}` });
    expect((await within(reopened.done, 'the revoked token is refused')).status).toBe(401);

    // Log out everywhere: the ticket's stream (the second session's) ends too, and a ticket it asked for before is
    // refused; another user's stream is untouched.
    const unused = (await server.request({ method: 'POST', url: '/api/v1/events/ticket', token: second })).json()
      .ticket;
    expect((await server.request({ method: 'POST', url: '/api/v1/auth/logout_all', token: second })).statusCode).toBe(
      200,
    );
    await within(viaTicket.done, 'the ticket’s stream ends at log out everywhere');
    const late = connect(`${server.url}/api/v1/events?ticket=${unused}`);
    expect((await within(late.done, 'the ticket of an ended session is refused')).status).toBe(401);
    await notify(other.id, 12);
    await eventually(async () => bystander.notifications().length === 1);
    expect(server.runtime.services.events.openStreams).toBe(before + 1);
    bystander.close();
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

describe.each(backends())('live sync_progress events on $name', (backend) => {
  let server: TestServer;
  const work = tempDir('hivesync-live-');
  beforeAll(async () => {
    server = await startTestServer(
      backend,
      { HIVESYNC_ALLOW_LOCAL_REPOS: 'true', HIVESYNC_ALLOW_PRIVATE_REMOTES: 'true' },
      { listen: true },
    );
  });
  afterAll(async () => {
    await server?.stop();
    work.remove();
  });

  const api = (method: 'GET' | 'POST', url: string, token: string, body?: unknown) =>
    server.request({ method, url: `/api/v1${url}`, token, body });

  it('streams each stage of a sync to every member, without an id, stored nowhere', async () => {
    const owner = await registerUser(server);
    const member = await registerUser(server);
    const outsider = await registerUser(server);
    const remote = makeRepo(path.join(work.dir, 'live'), { 'README.md': '# Live\n', 'src/a.ts': 'export {};\n' });
    const created = await api('POST', '/projects', owner.token, { name: 'live', repo_url: remote, branch: 'main' });
    expect(created.statusCode, created.body).toBe(201);
    const projectId = created.json().id as string;
    const added = await api('POST', `/projects/${projectId}/members`, owner.token, { email: member.email });
    expect(added.statusCode, added.body).toBe(201);

    // The member has seen one notification (id 1…): the live events must not move its Last-Event-ID.
    const streams = [owner, member, outsider].map((u) =>
      connect(`${server.url}/api/v1/events`, { authorization: `Bearer ${u.token}` }),
    );
    await eventually(async () => streams.every((s) => s.events.length > 0));
    const [ownerStream, memberStream, outsiderStream] = streams as [
      (typeof streams)[0],
      (typeof streams)[0],
      (typeof streams)[0],
    ];

    const started = await api('POST', '/repo/sync', owner.token, { project_id: projectId });
    expect(started.statusCode, started.body).toBe(202);
    const syncId = started.json().sync_id as string;
    const progress = (s: typeof memberStream) =>
      s.events.filter((e) => e.event === 'sync_progress').map((e) => ({ id: e.id, sync: JSON.parse(e.data!) }));
    const seen = await eventually(
      async () => progress(memberStream).some((p) => p.sync.status === 'completed') && progress(memberStream),
      30_000,
    );
    // Every stage in order (the queued one too), each the Sync object of GET /repo/sync/{id}, without an id.
    const statuses = seen.map((p) => p.sync.status);
    expect(statuses[0]).toBe('queued');
    expect(statuses).toEqual(expect.arrayContaining(['running', 'updating_files', 'finalizing', 'completed']));
    expect(statuses.indexOf('running')).toBeLessThan(statuses.indexOf('updating_files'));
    expect(statuses.at(-1)).toBe('completed');
    for (const p of seen) {
      expect(p.id).toBeUndefined();
      expect(p.sync).toMatchObject({ sync_id: syncId, project_id: projectId, trigger: 'manual' });
    }
    const final = (await api('GET', `/repo/sync/${syncId}`, owner.token)).json();
    expect(seen.at(-1)!.sync).toEqual(final);
    await eventually(async () => progress(ownerStream).some((p) => p.sync.status === 'completed'));

    // Not a member: nothing about the project. Not stored: the member's notifications hold none of it.
    await new Promise((r) => setTimeout(r, 200));
    expect(progress(outsiderStream)).toEqual([]);
    const memberPoll = (await api('GET', '/notifications', member.token)).json();
    expect(memberPoll.notifications.map((n: { type: string }) => n.type)).toEqual(['project_member_added']);
    // The stream's ids are still notification sequences: the owner's sync notifications keep theirs.
    const ownerNotifications = ownerStream.notifications();
    expect(ownerNotifications.map((e) => JSON.parse(e.data!).type)).toEqual(
      expect.arrayContaining(['repo_sync_started', 'repo_sync_success']),
    );
    for (const e of ownerNotifications) expect(e.id).toMatch(/^\d+$/);
    for (const s of streams) s.close();
  });

  it('tells members that a sync failed, with its error', async () => {
    const owner = await registerUser(server);
    const created = await api('POST', '/projects', owner.token, {
      name: 'gone',
      repo_url: path.join(work.dir, 'does-not-exist'),
      branch: 'main',
    });
    expect(created.statusCode, created.body).toBe(201);
    const stream = connect(`${server.url}/api/v1/events`, { authorization: `Bearer ${owner.token}` });
    await eventually(async () => stream.events.length > 0);
    await api('POST', '/repo/sync', owner.token, { project_id: created.json().id });
    const failed = await eventually(
      async () =>
        stream.events
          .filter((e) => e.event === 'sync_progress')
          .map((e) => JSON.parse(e.data!))
          .find((s) => s.status === 'failed'),
      30_000,
    );
    expect(failed.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    stream.close();
  });
});

async function seqOf(server: TestServer, notificationId: string): Promise<number> {
  const row = await server.runtime.infra.db.orm.query.notifications.findFirst({
    where: (n, { eq }) => eq(n.id, notificationId),
  });
  return row!.seq;
}
