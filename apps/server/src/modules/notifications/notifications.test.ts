import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationClientReads, notifications as notificationsTable } from '../../db/schema.js';
import {
  backends,
  createProject,
  eventually,
  registerUser,
  startTestServer,
  type TestServer,
} from '../../test/harness.js';

describe.each(backends())('notifications on $name', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.stop());

  const notify = (userId: string, n: number, payload: Record<string, unknown> = {}) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        server.runtime.services.notifications.notify({
          userIds: [userId],
          projectId: null,
          type: 'repo_sync_success',
          payload: { i, ...payload },
        }),
      ),
    );
  const poll = (token: string, query = '', headers: Record<string, string> = {}) =>
    server.request({ method: 'GET', url: `/api/v1/notifications${query}`, token, headers });

  it('pages with a cursor in ascending order and filters unread', async () => {
    const u = await registerUser(server);
    for (let i = 0; i < 5; i++) await notify(u.id, 1, { n: i });
    const first = await poll(u.token, '?limit=3');
    expect(first.statusCode).toBe(200);
    const body = first.json();
    // Without a cursor: the newest page, oldest first.
    expect(body.notifications.map((n: { payload: { n: number } }) => n.payload.n)).toEqual([2, 3, 4]);
    expect(body.notifications[0]).toMatchObject({ user_id: u.id, type: 'repo_sync_success', read_at: null });

    await notify(u.id, 2, { n: 99 });
    const next = (await poll(u.token, `?since=${body.cursor}`)).json();
    expect(next.notifications).toHaveLength(2);
    const empty = (await poll(u.token, `?since=${next.cursor}`)).json();
    expect(empty).toEqual({ notifications: [], cursor: next.cursor });

    const marked = await server.request({
      method: 'POST',
      url: '/api/v1/notifications/mark_read',
      token: u.token,
      body: { notification_ids: [body.notifications[0].notification_id] },
    });
    expect(marked.json()).toEqual({ updated: 1 });
    const unread = (await poll(u.token, '?unread_only=true&limit=50')).json();
    expect(unread.notifications).toHaveLength(6);
  });

  it('pages back with before and older_cursor, and filters by type', async () => {
    const u = await registerUser(server);
    const add = (type: 'thread_reply' | 'repo_sync_success', n: number) =>
      server.runtime.services.notifications.notify({ userIds: [u.id], projectId: null, type, payload: { n } });
    for (let n = 0; n < 7; n++) await add(n % 2 === 0 ? 'thread_reply' : 'repo_sync_success', n);
    const ns = (body: { notifications: { payload: { n: number } }[] }) => body.notifications.map((x) => x.payload.n);

    const newest = (await poll(u.token, '?limit=3')).json();
    expect(ns(newest)).toEqual([4, 5, 6]);
    expect(newest.older_cursor).toEqual(expect.stringMatching(/^\d+$/));
    const older = (await poll(u.token, `?limit=3&before=${newest.older_cursor}`)).json();
    expect(ns(older)).toEqual([1, 2, 3]);
    const oldest = (await poll(u.token, `?limit=3&before=${older.older_cursor}`)).json();
    expect(ns(oldest)).toEqual([0]);
    expect(oldest.older_cursor).toBeNull();
    // The cursor of a page further back still polls from the newest one.
    expect(oldest.cursor).toBe(newest.cursor);

    const replies = (await poll(u.token, '?limit=2&types=thread_reply')).json();
    expect(ns(replies)).toEqual([4, 6]);
    const earlierReplies = (await poll(u.token, `?limit=2&types=thread_reply&before=${replies.older_cursor}`)).json();
    expect(ns(earlierReplies)).toEqual([0, 2]);
    expect(earlierReplies.older_cursor).toBeNull();
    const both = (await poll(u.token, '?types=thread_reply,repo_sync_success')).json();
    expect(both.notifications).toHaveLength(7);

    // A filter has its own ETag: a 304 for one query is not one for another.
    const etag = (await poll(u.token, '?types=thread_reply')).headers.etag as string;
    expect((await poll(u.token, '?types=thread_reply', { 'if-none-match': etag })).statusCode).toBe(304);
    expect((await poll(u.token, '?types=repo_sync_success', { 'if-none-match': etag })).statusCode).toBe(200);

    for (const bad of ['?types=nope', '?types=,', '?before=abc', `?since=1&before=2`]) {
      const res = await poll(u.token, bad);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.code, bad).toBe('validation_error');
    }
  });

  it('keeps read state per client when asked, and for every client by default or when all are marked', async () => {
    const u = await registerUser(server);
    await notify(u.id, 3);
    const vscode = { 'x-hivesync-client': 'vscode' };
    const mobile = { 'x-hivesync-client': 'mobile' };
    const markRead = (body: unknown, headers: Record<string, string>) =>
      server.request({ method: 'POST', url: '/api/v1/notifications/mark_read', token: u.token, body, headers });
    const unread = async (headers: Record<string, string>) =>
      (await poll(u.token, '?unread_only=true', headers)).json().notifications.length as number;

    const all = (await poll(u.token, '', vscode)).json().notifications as { notification_id: string }[];
    const mobileBefore = await poll(u.token, '?unread_only=true', mobile);
    const mobileTag = mobileBefore.headers.etag as string;
    // Two clients of one user never share an ETag, so one's 304 cannot stand for the other's state.
    const vscodeTag = (await poll(u.token, '?unread_only=true', vscode)).headers.etag as string;
    expect(vscodeTag).not.toBe(mobileTag);
    expect((await poll(u.token, '?unread_only=true', { ...mobile, 'if-none-match': vscodeTag })).statusCode).toBe(200);

    const one = await markRead({ notification_ids: [all[0]!.notification_id], scope: 'client' }, vscode);
    expect(one.json()).toEqual({ updated: 1 });
    expect(await unread(vscode)).toBe(2);
    expect(await unread(mobile)).toBe(3);
    expect(await unread({})).toBe(3);
    const seen = (await poll(u.token, '', vscode)).json().notifications;
    expect(seen[0].read_at).not.toBeNull();
    expect((await poll(u.token, '', mobile)).json().notifications[0].read_at).toBeNull();
    // The mark changed vscode's view: mobile's old ETag is stale too (a version bump), never a wrong 304.
    expect((await poll(u.token, '?unread_only=true', { ...mobile, 'if-none-match': mobileTag })).statusCode).toBe(200);

    expect((await markRead({ all: true, scope: 'client' }, mobile)).json()).toEqual({ updated: 3 });
    expect(await unread(mobile)).toBe(0);
    expect(await unread(vscode)).toBe(2);

    const noClient = await markRead({ all: true, scope: 'client' }, {});
    expect(noClient.statusCode).toBe(400);
    expect((await markRead({ all: true }, { 'x-hivesync-client': 'Not A Token!' })).statusCode).toBe(400);

    // Marking all (the default scope) clears it for every client.
    expect((await markRead({ all: true }, vscode)).json()).toEqual({ updated: 3 });
    expect(await unread(vscode)).toBe(0);
    expect(await unread({ 'x-hivesync-client': 'desktop' })).toBe(0);
  });

  it('deletes read notifications past their retention in batches, and keeps unread and recent ones', async () => {
    const u = await registerUser(server);
    const other = await registerUser(server);
    await notify(u.id, 6);
    await notify(other.id, 1);
    const mine = (await poll(u.token)).json().notifications as { notification_id: string }[];
    const ids = mine.map((n) => n.notification_id);
    const [theirs] = (await poll(other.token)).json().notifications as { notification_id: string }[];
    const orm = server.runtime.infra.db.orm;
    const old = new Date(Date.now() - 91 * 24 * 60 * 60 * 1000);
    // Old and read: ids 0-3 (one of them only read on a client too) and the other user's; old and unread: 4;
    // recent and read: 5.
    await orm
      .update(notificationsTable)
      .set({ createdAt: old })
      .where(inArray(notificationsTable.id, [...ids.slice(0, 5), theirs!.notification_id]));
    const markRead = (token: string, body: unknown, headers: Record<string, string> = {}) =>
      server.request({ method: 'POST', url: '/api/v1/notifications/mark_read', token, body, headers });
    await markRead(u.token, { notification_ids: [ids[0]], scope: 'client' }, { 'x-hivesync-client': 'vscode' });
    await markRead(u.token, { notification_ids: [ids[0], ids[1], ids[2], ids[3], ids[5]] });
    await markRead(other.token, { all: true });
    const before = await poll(u.token);

    const deleted = await server.runtime.services.notifications.deleteExpired(90, { batchSize: 2 });
    expect(deleted).toBeGreaterThanOrEqual(5);
    const left = (await poll(u.token)).json().notifications.map((n: { notification_id: string }) => n.notification_id);
    expect(left).toEqual([ids[4], ids[5]]);
    expect((await poll(other.token)).json().notifications).toEqual([]);
    // The page changed, so the old ETag does not answer 304.
    expect((await poll(u.token, '', { 'if-none-match': before.headers.etag as string })).statusCode).toBe(200);
    const marks = await orm
      .select()
      .from(notificationClientReads)
      .where(inArray(notificationClientReads.notificationId, ids));
    expect(marks).toEqual([]);
    expect(await server.runtime.services.notifications.deleteExpired(90)).toBe(0);
  });

  it('names the project and the people in a payload, so no client has to show a UUID', async () => {
    const owner = await registerUser(server);
    const bob = await registerUser(server);
    const project = await createProject(server, owner.token, 'Billing service');
    const added = await server.request({
      method: 'POST',
      url: `/api/v1/projects/${project.id}/members`,
      token: owner.token,
      body: { email: bob.email },
    });
    expect(added.statusCode, added.body).toBe(201);
    const [note] = (await poll(bob.token)).json().notifications;
    const ownerName = (await server.request({ method: 'GET', url: '/api/v1/auth/me', token: owner.token })).json()
      .display_name;
    expect(note).toMatchObject({
      type: 'project_member_added',
      payload: { project_name: 'Billing service', role: 'member', added_by: owner.id, added_by_name: ownerName },
    });
    await server.runtime.services.notifications.notify({
      userIds: [bob.id],
      projectId: project.id,
      type: 'thread_reply',
      payload: { thread_id: 't', path: 'a.ts', line: 3, by: owner.id },
    });
    const reply = (await poll(bob.token)).json().notifications.at(-1);
    expect(reply.payload).toMatchObject({ project_name: 'Billing service', by: owner.id, by_name: ownerName });
  });

  it('leaves out the steps of background work with steps=false, keeping the outcomes', async () => {
    const u = await registerUser(server);
    const send = (type: 'ai_job_queued' | 'ai_job_started' | 'ai_job_completed' | 'repo_sync_started') =>
      server.runtime.services.notifications.notify({ userIds: [u.id], projectId: null, type, payload: {} });
    for (const type of ['ai_job_queued', 'ai_job_started', 'ai_job_completed', 'repo_sync_started'] as const) {
      await send(type);
    }
    const types = async (query: string) =>
      (await poll(u.token, query)).json().notifications.map((n: { type: string }) => n.type);
    expect(await types('')).toEqual(['ai_job_queued', 'ai_job_started', 'ai_job_completed', 'repo_sync_started']);
    expect(await types('?steps=false')).toEqual(['ai_job_completed']);
    // Each filter has its own ETag: a 304 for one never answers the other.
    const all = await poll(u.token);
    const outcomes = await poll(u.token, '?steps=false');
    expect(all.headers.etag).not.toBe(outcomes.headers.etag);
    expect((await poll(u.token, '?steps=false', { 'if-none-match': String(outcomes.headers.etag) })).statusCode).toBe(
      304,
    );
  });

  it('answers 304 to an unchanged poll and 200 once something changes', async () => {
    const u = await registerUser(server);
    await notify(u.id, 1);
    const first = await poll(u.token);
    const etag = first.headers.etag as string;
    expect(etag).toBeTruthy();
    expect(first.headers['x-poll-interval']).toBe('45');

    const again = await poll(u.token, '', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect(again.headers['x-poll-interval']).toBe('45');

    // Other query parameters are another resource.
    expect((await poll(u.token, '?limit=1', { 'if-none-match': etag })).statusCode).toBe(200);

    await notify(u.id, 1);
    const changed = await poll(u.token, '', { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);

    const etag2 = changed.headers.etag as string;
    await server.request({
      method: 'POST',
      url: '/api/v1/notifications/mark_read',
      token: u.token,
      body: { all: true },
    });
    expect((await poll(u.token, '', { 'if-none-match': etag2 })).statusCode).toBe(200);
  });

  it('never shows or marks another user’s notifications', async () => {
    const a = await registerUser(server);
    const b = await registerUser(server);
    await notify(a.id, 2);
    const aList = (await poll(a.token)).json().notifications;
    expect((await poll(b.token)).json().notifications).toEqual([]);
    const res = await server.request({
      method: 'POST',
      url: '/api/v1/notifications/mark_read',
      token: b.token,
      body: { notification_ids: aList.map((n: { notification_id: string }) => n.notification_id) },
    });
    expect(res.json()).toEqual({ updated: 0 });
    expect((await poll(a.token, '?unread_only=true')).json().notifications).toHaveLength(2);
  });

  it('drops payload keys that could carry secrets', async () => {
    const u = await registerUser(server);
    await server.runtime.services.notifications.notify({
      userIds: [u.id],
      projectId: null,
      type: 'preview_ready',
      payload: { preview_id: 'p1', token: 'abc', download_secret: 'x', code: 'ABCD2345' },
    });
    const [n] = (await poll(u.token)).json().notifications;
    expect(n.payload).toEqual({ preview_id: 'p1' });
  });

  it('validates the query and the mark_read body', async () => {
    const u = await registerUser(server);
    expect((await poll(u.token, '?limit=0')).statusCode).toBe(400);
    expect((await poll(u.token, '?since=yesterday')).json().error.code).toBe('validation_error');
    const bad = await server.request({
      method: 'POST',
      url: '/api/v1/notifications/mark_read',
      token: u.token,
      body: { all: false },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('shortens the poll interval to 15 s while the caller has work queued or running', async () => {
    const admin = server.admin;
    const canary = await server.request({
      method: 'POST',
      url: '/api/v1/admin/canary',
      token: admin.token,
      body: { delay_ms: 1500 },
    });
    expect(canary.statusCode).toBe(202);
    expect((await poll(admin.token)).headers['x-poll-interval']).toBe('15');
    const id = canary.json().canary_id;
    await eventually(async () => {
      const c = await server.request({ method: 'GET', url: `/api/v1/admin/canary/${id}`, token: admin.token });
      return c.json().status === 'completed';
    });
    expect((await poll(admin.token)).headers['x-poll-interval']).toBe('45');
  });
});
