import type { Commit } from '@hivesync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeApi, type FakeApi } from '../test/fake-api.js';
import { runInProcess } from '../test/run-in-process.js';

const DEMO = 'p-demo';
const HEAD = 'f'.repeat(40);
let fake: FakeApi;
let dir: string;
let url: string;
let queries: Record<string, string>[];

/** 250 commits, numbered from the newest; pages of `limit` after the cursor's count. */
const commit = (n: number): Commit => ({
  sha: n.toString(16).padStart(40, '0'),
  parents: [],
  author: { name: `Author ${n}`, email: 'a@example.test' },
  authored_at: '2025-03-04T05:06:07.000Z',
  committer: { name: 'C', email: 'c@example.test' },
  committed_at: '2025-03-04T05:06:07.000Z',
  subject: `change ${n}`,
  body: '',
});

beforeEach(async () => {
  queries = [];
  fake = await startFakeApi((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    let status = 200;
    let body: unknown;
    if (u.pathname === '/api/v1/projects') body = { projects: [{ id: DEMO, name: 'demo' }] };
    else if (u.pathname === `/api/v1/projects/${DEMO}/repo/commits`) {
      const q = Object.fromEntries(u.searchParams);
      queries.push(q);
      const skip = q.cursor ? Number(q.cursor.split('.')[1]) : 0;
      const limit = Number(q.limit ?? 50);
      const ids = Array.from({ length: 250 }, (_, i) => i + 1).slice(skip, skip + limit);
      body = {
        head: HEAD,
        commits: ids.map(commit),
        next_cursor: skip + limit < 250 ? `${HEAD}.${skip + limit}` : null,
      };
    } else {
      status = 404;
      body = { error: { code: 'not_found', message: 'The project was not found.', request_id: 'r1' } };
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  ({ dir, url } = fake);
});

afterEach(() => fake.stop());

/** Runs the CLI in-process against the fake server. */
function cli(args: string[]) {
  return runInProcess([...args, '--server', url], { configHome: dir });
}

describe('log', () => {
  it('prints one line per commit, 20 by default, for a path and from a ref', async () => {
    const r = await cli(['log', 'demo', 'src/a b.ts', '--ref', 'main']);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(20);
    expect(lines[0]).toBe(`${'0'.repeat(10)} 2025-03-04 Author 1 change 1`);
    expect(queries).toEqual([{ limit: '20', path: 'src/a b.ts', ref: 'main' }]);
  });

  it('follows pages up to -n, and prints JSON with --json', async () => {
    const r = await cli(['log', 'demo', '-n', '230', '--json']);
    expect(r.code, r.err).toBe(0);
    const commits = JSON.parse(r.out) as Commit[];
    expect(commits.map((c) => c.subject)).toEqual(Array.from({ length: 230 }, (_, i) => `change ${i + 1}`));
    expect(queries.map((q) => q.cursor)).toEqual([undefined, `${HEAD}.200`]);
  });

  it('refuses a bad count before asking the server', async () => {
    const r = await cli(['log', 'demo', '-n', '0']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/must be an integer from 1 to 100000/);
    expect(queries).toEqual([]);
  });
});
