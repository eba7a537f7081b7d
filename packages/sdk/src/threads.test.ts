import type { AuditEntry } from '@hivesync/core';
import { describe, expect, it } from 'vitest';
import { HiveSyncClient, HiveSyncError } from './index.js';
import { startServer } from './test/server.js';

interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  contentType: string | undefined;
}

type Answer = [status: number, body?: unknown];

/** A real HTTP server on 127.0.0.1 that records every request and answers with `route`. */
async function fakeServer(route: (req: Received) => Answer): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = await startServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const r: Received = {
        method: req.method ?? '',
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        body: text ? JSON.parse(text) : undefined,
        contentType: req.headers['content-type'],
      };
      received.push(r);
      const [status, body] = route(r);
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    });
  });
  return { url: server.url, received };
}

const COMMIT = 'c'.repeat(40);

describe('threads and tasks', () => {
  it('sends each call to its endpoint with its query and body', async () => {
    const server = await fakeServer((req) =>
      req.method === 'DELETE' ? [204] : [req.method === 'POST' && !req.path.endsWith('solve') ? 201 : 200, {}],
    );
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    await client.threads.list('p 1', { path: 'src/a b.ts', state: 'all', commit: COMMIT });
    await client.threads.list('p1');
    await client.threads.list('p1', { mine: true, state: 'resolved', limit: 20 });
    await client.threads.create('p1', { path: 'src/a.ts', start_line: 2, end_line: 3, body: 'Why?' });
    await client.threads.get('t/1', { commit: COMMIT });
    await client.threads.reply('t1', 'Because.');
    await client.threads.resolve('t1');
    await client.threads.reopen('t1');
    await client.threads.editComment('t1', 'c1', 'Because!');
    expect(await client.threads.deleteComment('t1', 'c1')).toBeUndefined();
    expect(await client.threads.delete('t1')).toBeUndefined();
    await client.tasks.list('p1', { status: 'todo', assignee_id: 'u2' });
    await client.tasks.create('p1', { title: 'Fix it', assignee_id: 'u2', file: { path: 'src/a.ts', line: 3 } });
    await client.tasks.get('k1');
    await client.tasks.update('k1', { status: 'done', assignee_id: null });
    expect(await client.tasks.delete('k1')).toBeUndefined();

    expect(server.received.map((r) => [r.method, r.path, r.query, r.body])).toEqual([
      ['GET', '/api/v1/projects/p%201/threads', { path: 'src/a b.ts', state: 'all', commit: COMMIT }, undefined],
      ['GET', '/api/v1/projects/p1/threads', {}, undefined],
      ['GET', '/api/v1/projects/p1/threads', { mine: 'true', state: 'resolved', limit: '20' }, undefined],
      ['POST', '/api/v1/projects/p1/threads', {}, { path: 'src/a.ts', start_line: 2, end_line: 3, body: 'Why?' }],
      ['GET', '/api/v1/threads/t%2F1', { commit: COMMIT }, undefined],
      ['POST', '/api/v1/threads/t1/replies', {}, { body: 'Because.' }],
      ['POST', '/api/v1/threads/t1/resolve', {}, undefined],
      ['POST', '/api/v1/threads/t1/reopen', {}, undefined],
      ['PATCH', '/api/v1/threads/t1/comments/c1', {}, { body: 'Because!' }],
      ['DELETE', '/api/v1/threads/t1/comments/c1', {}, undefined],
      ['DELETE', '/api/v1/threads/t1', {}, undefined],
      ['GET', '/api/v1/projects/p1/tasks', { status: 'todo', assignee_id: 'u2' }, undefined],
      [
        'POST',
        '/api/v1/projects/p1/tasks',
        {},
        { title: 'Fix it', assignee_id: 'u2', file: { path: 'src/a.ts', line: 3 } },
      ],
      ['GET', '/api/v1/tasks/k1', {}, undefined],
      ['PATCH', '/api/v1/tasks/k1', {}, { status: 'done', assignee_id: null }],
      ['DELETE', '/api/v1/tasks/k1', {}, undefined],
    ]);
    // A POST without a body sends no JSON content type (Fastify refuses an empty JSON body).
    expect(server.received[6]!.contentType).toBeUndefined();
  });
});

describe('thread list pages', () => {
  const thread = (id: number) => ({ thread_id: `t${id}` });
  // 7 threads, `limit` per page (3 when not given), the cursor being the last id of the page.
  const pages = () =>
    fakeServer((req) => {
      const limit = Number(req.query.limit ?? 3);
      const from = Number(req.query.cursor ?? 0);
      const ids = [1, 2, 3, 4, 5, 6, 7].filter((i) => i > from).slice(0, limit);
      const last = ids.at(-1)!;
      return [200, { threads: ids.map(thread), next_cursor: last < 7 ? String(last) : null }];
    });

  it('list() without limit or cursor follows next_cursor, so existing callers still get every thread', async () => {
    const server = await pages();
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const all = await client.threads.list('p1', { state: 'all' });
    expect(all.threads.map((t) => t.thread_id)).toEqual(['t1', 't2', 't3', 't4', 't5', 't6', 't7']);
    expect(all.next_cursor).toBeNull();
    expect(server.received.map((r) => r.query)).toEqual([
      { state: 'all' },
      { state: 'all', cursor: '3' },
      { state: 'all', cursor: '6' },
    ]);
  });

  it('list() with a limit or cursor answers that one page; listAll() yields page after page', async () => {
    const server = await pages();
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const page = await client.threads.list('p1', { limit: 2 });
    expect(page.threads.map((t) => t.thread_id)).toEqual(['t1', 't2']);
    expect(page.next_cursor).toBe('2');
    const next = await client.threads.list('p1', { limit: 2, cursor: page.next_cursor! });
    expect(next.threads.map((t) => t.thread_id)).toEqual(['t3', 't4']);
    const seen: string[] = [];
    for await (const t of client.threads.listAll('p1', { limit: 4 })) seen.push(t.thread_id);
    expect(seen).toEqual(['t1', 't2', 't3', 't4', 't5', 't6', 't7']);
    expect(server.received.slice(2).map((r) => r.query)).toEqual([{ limit: '4' }, { limit: '4', cursor: '4' }]);
  });
});

function entry(id: number): AuditEntry {
  return {
    id: String(id),
    at: '2025-01-01T00:00:00.000Z',
    actor_id: 'u1',
    actor_email: 'a@example.com',
    action: 'member.added',
    target_type: 'user',
    target_id: 'u2',
    project_id: 'p1',
    ip: '127.0.0.1',
    details: {},
  };
}

describe('admin.audit', () => {
  /** An audit log of entries 10 down to 1, paged like the server (`cursor` = the last id of the previous page). */
  async function auditServer() {
    return fakeServer((req) => {
      const limit = Number(req.query.limit ?? 100);
      const below = req.query.cursor === undefined ? 11 : Number(req.query.cursor);
      const ids = Array.from({ length: 10 }, (_, i) => 10 - i).filter((id) => id < below);
      const page = ids.slice(0, limit);
      return [200, { entries: page.map(entry), next_cursor: ids.length > limit ? String(page.at(-1)) : null }];
    });
  }

  it('audit() sends the filters and returns one page', async () => {
    const server = await auditServer();
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    const page = await client.admin.audit({
      actor: 'a@example.com',
      action: 'member.*',
      limit: 3,
      from: '2025-01-01T00:00:00Z',
    });

    expect(page.entries.map((e) => e.id)).toEqual(['10', '9', '8']);
    expect(page.next_cursor).toBe('8');
    expect(server.received[0]).toMatchObject({
      path: '/api/v1/admin/audit',
      query: { actor: 'a@example.com', action: 'member.*', limit: '3', from: '2025-01-01T00:00:00Z' },
    });
  });

  it('auditAll() follows next_cursor to the last page, one page at a time', async () => {
    const server = await auditServer();
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    const ids: string[] = [];
    for await (const e of client.admin.auditAll({ project_id: 'p1', limit: 4 })) {
      ids.push(e.id);
      if (ids.length === 2) expect(server.received).toHaveLength(1); // lazily: no page before it is needed
    }

    expect(ids).toEqual(['10', '9', '8', '7', '6', '5', '4', '3', '2', '1']);
    expect(server.received.map((r) => r.query)).toEqual([
      { project_id: 'p1', limit: '4' },
      { project_id: 'p1', limit: '4', cursor: '7' },
      { project_id: 'p1', limit: '4', cursor: '3' },
    ]);
  });

  it('auditAll() stops fetching when the caller stops iterating, and throws the API error', async () => {
    const server = await auditServer();
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    for await (const e of client.admin.auditAll({ limit: 2 })) if (e.id === '9') break;
    expect(server.received).toHaveLength(1);

    const forbidden = await fakeServer(() => [403, { error: { code: 'forbidden', message: 'Admins only.' } }]);
    const user = new HiveSyncClient({ baseUrl: forbidden.url, accessToken: 'a1' });
    const err = await (async () => {
      for await (const _ of user.admin.auditAll()) return undefined;
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HiveSyncError);
    expect(err).toMatchObject({ code: 'forbidden', status: 403 });
  });
});
