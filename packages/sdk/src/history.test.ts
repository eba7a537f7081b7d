import { describe, expect, expectTypeOf, it } from 'vitest';
import { HiveSyncClient, HiveSyncError, type Commit, type CommitDetail, type CommitList, type Diff } from './index.js';
import { startServer } from './test/server.js';

interface Received {
  path: string;
  query: Record<string, string>;
}

/** A real HTTP server on 127.0.0.1 that records every GET and answers with `route`. */
async function fakeServer(route: (req: Received) => [number, unknown]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = await startServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const r = { path: u.pathname, query: Object.fromEntries(u.searchParams) };
    received.push(r);
    const [status, body] = route(r);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  return { url: server.url, received };
}

const HEAD = 'a'.repeat(40);
const commit = (n: number): Commit => ({
  sha: String(n).padStart(40, '0'),
  parents: [],
  author: { name: 'A', email: 'a@example.test' },
  authored_at: '2024-01-01T00:00:00.000Z',
  committer: { name: 'A', email: 'a@example.test' },
  committed_at: '2024-01-01T00:00:00.000Z',
  subject: `commit ${n}`,
  body: '',
});

describe('repository history', () => {
  it('sends each call to its endpoint with its query', async () => {
    const server = await fakeServer(() => [200, {}]);
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    await client.repo.commits('p 1', { ref: 'main', path: 'src/a b.ts', limit: 20 });
    await client.repo.commits('p1', { cursor: `${HEAD}.20` });
    await client.repo.commit('p1', 'abc123');
    await client.repo.diff('p1', 'v1', { to: HEAD });
    await client.repo.diff('p1', HEAD);
    expect(server.received.map((r) => [r.path, r.query])).toEqual([
      ['/api/v1/projects/p%201/repo/commits', { ref: 'main', path: 'src/a b.ts', limit: '20' }],
      ['/api/v1/projects/p1/repo/commits', { cursor: `${HEAD}.20` }],
      ['/api/v1/projects/p1/repo/commits/abc123', {}],
      ['/api/v1/projects/p1/repo/diff', { from: 'v1', to: HEAD }],
      ['/api/v1/projects/p1/repo/diff', { from: HEAD }],
    ]);
  });

  it('allCommits() follows next_cursor page by page, and stops at the last page', async () => {
    // 7 commits, `limit` per page (3 when not given).
    const server = await fakeServer((req) => {
      const limit = Number(req.query.limit ?? 3);
      const skip = req.query.cursor ? Number(req.query.cursor.split('.')[1]) : 0;
      const page = [1, 2, 3, 4, 5, 6, 7].slice(skip, skip + limit).map(commit);
      const next = skip + limit < 7 ? `${HEAD}.${skip + limit}` : null;
      return [200, { head: HEAD, commits: page, next_cursor: next }];
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const seen: string[] = [];
    for await (const c of client.repo.allCommits('p1', { limit: 2, path: 'src' })) seen.push(c.subject);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `commit ${n}`));
    expect(server.received.map((r) => r.query)).toEqual([
      { limit: '2', path: 'src' },
      { limit: '2', path: 'src', cursor: `${HEAD}.2` },
      { limit: '2', path: 'src', cursor: `${HEAD}.4` },
      { limit: '2', path: 'src', cursor: `${HEAD}.6` },
    ]);
  });

  it('rejects with the server’s error for a bad ref', async () => {
    const server = await fakeServer(() => [
      400,
      { error: { code: 'validation_error', message: 'querystring.from: bad', request_id: 'r', retryable: false } },
    ]);
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const err = await client.repo.diff('p1', '--output=/tmp/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HiveSyncError);
    expect(err).toMatchObject({ code: 'validation_error', status: 400 });
  });

  it('has typed answers', () => {
    const client = new HiveSyncClient({ baseUrl: 'http://x' });
    expectTypeOf(client.repo.commits).returns.toEqualTypeOf<Promise<CommitList>>();
    expectTypeOf(client.repo.commit).returns.toEqualTypeOf<Promise<CommitDetail>>();
    expectTypeOf(client.repo.diff).returns.toEqualTypeOf<Promise<Diff>>();
    expectTypeOf(client.repo.allCommits).returns.toEqualTypeOf<AsyncGenerator<Commit, void, undefined>>();
    expectTypeOf<CommitList['next_cursor']>().toEqualTypeOf<string | null>();
    expectTypeOf<Diff['files'][number]['status']>().toEqualTypeOf<'added' | 'modified' | 'deleted' | 'renamed'>();
    expectTypeOf<Diff['files'][number]['hunks'][number]['lines'][number]['type']>().toEqualTypeOf<
      'context' | 'add' | 'delete'
    >();
    expectTypeOf<Diff['from']>().toEqualTypeOf<string | null>();
  });
});
