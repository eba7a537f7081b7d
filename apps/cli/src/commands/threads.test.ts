import type { AuditEntry, Comment, Task, Thread } from '@hivesync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onRequest, sendJson, startFakeApi, type FakeApi } from '../test/fake-api.js';
import { runInProcess } from '../test/run-in-process.js';

interface Request {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}
type Answer = [status: number, body?: unknown];

let dir: string;
let fake: FakeApi;
let url: string;
let requests: Request[];

const DEMO = 'p-demo';
const C1 = '1'.repeat(40);
const C2 = '2'.repeat(40);
const FILE = [
  '// one',
  '// two',
  '// three',
  '// four',
  '// five',
  'export const a = 1;',
  'export const b = 2;',
  '// end',
];

function comment(id: string, extra: Partial<Comment> = {}): Comment {
  return {
    comment_id: id,
    thread_id: 't1',
    author_id: 'u1',
    author_name: 'Alice',
    ai: false,
    body: `Comment ${id}\nmore`,
    created_at: new Date(Date.now() - 120_000).toISOString(),
    edited_at: null,
    deleted: false,
    ...extra,
  };
}

function thread(id: string, extra: Partial<Thread> = {}): Thread {
  return {
    thread_id: id,
    project_id: DEMO,
    state: 'open',
    anchor: {
      path: 'src/a.ts',
      commit: C1,
      start_line: 3,
      end_line: 4,
      text: FILE.slice(5, 7).join('\n'),
      symbol: 'a',
    },
    position: { commit: C2, path: 'src/a.ts', start_line: 6, end_line: 7, status: 'current', reason: null },
    created_by: 'u1',
    created_at: '2025-01-01T00:00:00.000Z',
    resolved_at: null,
    comment_count: 2,
    ...extra,
  };
}

const THREADS = [
  thread('t1'),
  thread('t2', {
    comment_count: 1,
    position: { commit: C2, path: 'src/a.ts', start_line: 1, end_line: 1, status: 'outdated', reason: 'deleted' },
  }),
];

const COMMENTS: Record<string, Comment[]> = {
  t1: [comment('c1'), comment('c2', { author_id: null, author_name: 'HiveSync AI', ai: true, body: 'Documented it.' })],
  t2: [comment('c3', { deleted: true, body: '' })],
};

const MEMBERS = [
  {
    user_id: 'u1',
    email: 'alice@example.test',
    display_name: 'Alice',
    role: 'owner',
    added_at: '2025-01-01T00:00:00Z',
  },
  { user_id: 'u2', email: 'bob@example.test', display_name: 'Bob', role: 'member', added_at: '2025-01-01T00:00:00Z' },
];

function task(extra: Partial<Task> = {}): Task {
  return {
    task_id: 'k1',
    project_id: DEMO,
    title: 'Fix it',
    description: '',
    status: 'todo',
    assignee_id: 'u2',
    thread_id: null,
    file: { path: 'src/a.ts', line: 6 },
    created_by: 'u1',
    created_at: '2025-01-01T00:00:00.000Z',
    updated_at: '2025-01-01T00:00:00.000Z',
    ...extra,
  };
}

function entry(id: number): AuditEntry {
  return {
    id: String(id),
    at: `2025-01-0${id}T10:00:00.000Z`,
    actor_id: 'u1',
    actor_email: 'alice@example.test',
    action: 'member.added',
    target_type: 'user',
    target_id: 'u2',
    project_id: DEMO,
    ip: '127.0.0.1',
    details: { role: 'member' },
  };
}

// Prefixes the fake GET /lookup knows: one names t1, the other starts two thread ids.
const T1_PREFIX = 'a1b2c3d4';
const AMBIGUOUS = 'a1b2c3d5';
const CANDIDATES = ['a1b2c3d5-0000-4000-8000-000000000001', 'a1b2c3d5-0000-4000-8000-000000000002'];

function route(req: Request): Answer {
  const key = `${req.method} ${req.path.replace('/api/v1', '')}`;
  if (key === 'GET /lookup') {
    if (req.query.prefix === T1_PREFIX) return [200, { kind: req.query.kind, id: 't1' }];
    if (req.query.prefix === AMBIGUOUS) {
      const error = { code: 'conflict', message: 'The prefix matches 2 threads.', request_id: 'r1' };
      return [409, { error: { ...error, details: { kind: 'thread', prefix: AMBIGUOUS, candidates: CANDIDATES } } }];
    }
    return [404, { error: { code: 'not_found', message: 'The thread was not found.', request_id: 'r1' } }];
  }
  const threadId = /^\/threads\/([^/]+)/.exec(req.path.replace('/api/v1', ''))?.[1];
  if (key === 'GET /projects') return [200, { projects: [{ id: DEMO, name: 'demo' }] }];
  if (key === `GET /projects/${DEMO}/threads`) return [200, { threads: THREADS }];
  if (key === `POST /projects/${DEMO}/threads`) return [201, thread('t9', { comment_count: 1 })];
  if (key === `GET /projects/${DEMO}/members`) return [200, { members: MEMBERS }];
  if (key === `POST /projects/${DEMO}/members`)
    return [201, { user_id: 'u3', role: (req.body as { role: string }).role }];
  if (key === `GET /projects/${DEMO}/tasks`)
    return [200, { tasks: [task(), task({ task_id: 'k2', assignee_id: null })] }];
  if (key === `POST /projects/${DEMO}/tasks`) return [201, task(req.body as Partial<Task>)];
  if (key === 'GET /tasks/k1') return [200, task()];
  if (key === 'PATCH /tasks/k1') return [200, task(req.body as Partial<Task>)];
  if (key === 'GET /repo/file') {
    return [
      200,
      {
        commit: req.query.commit,
        path: req.query.path,
        size: 1,
        hash: 'x',
        encoding: 'utf8',
        content: `${FILE.join('\n')}\n`,
      },
    ];
  }
  if (threadId && COMMENTS[threadId]) {
    const t = THREADS.find((x) => x.thread_id === threadId)!;
    if (key === `GET /threads/${threadId}`) return [200, { ...t, comments: COMMENTS[threadId] }];
    if (key === `POST /threads/${threadId}/replies`) return [201, { ...t, comment_count: 3 }];
    if (key === `DELETE /threads/${threadId}`) return [204];
  }
  if (key === 'GET /admin/audit') {
    // Entries 5 down to 1, paged like the server: `cursor` is the last id of the previous page.
    const below = req.query.cursor === undefined ? 6 : Number(req.query.cursor);
    const ids = [5, 4, 3, 2, 1].filter((id) => id < below);
    const page = ids.slice(0, Number(req.query.limit));
    return [200, { entries: page.map(entry), next_cursor: ids.length > page.length ? String(page.at(-1)) : null }];
  }
  return [404, { error: { code: 'not_found', message: 'The resource was not found.', request_id: 'r1' } }];
}

beforeEach(async () => {
  requests = [];
  fake = await startFakeApi(
    onRequest((seen, res) => {
      const r: Request = {
        method: seen.method,
        path: seen.path,
        query: Object.fromEntries(seen.url.searchParams),
        body: seen.body,
      };
      requests.push(r);
      const [status, body] = route(r);
      sendJson(res, status, body);
    }),
    { credentials: { email: 'alice@example.test' } },
  );
  ({ dir, url } = fake);
});

afterEach(() => fake.stop());

/** Runs the CLI in-process against the fake server. */
function cli(args: string[], options: { stdin?: string } = {}) {
  return runInProcess([...args, '--server', url], { configHome: dir, stdin: options.stdin });
}

const calls = () => requests.map((r) => `${r.method} ${r.path.replace('/api/v1', '')}`);

describe('threads', () => {
  it('lists threads with where their code is, the first line of their first comment, and their ids', async () => {
    const r = await cli(['threads', 'demo', '--state', 'all', '--path', 'src/a.ts', '--commit', C2]);

    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out.split('\n')).toEqual([
      `src/a.ts:6-7  [current]                  Comment c1  (2 comments)  t1`,
      `src/a.ts:1    [outdated: lines deleted]  (deleted)  (1 comment)  t2`,
      '',
    ]);
    expect(requests[1]).toMatchObject({
      path: `/api/v1/projects/${DEMO}/threads`,
      query: { state: 'all', path: 'src/a.ts', commit: C2 },
    });
    expect(calls().slice(2).sort()).toEqual(['GET /threads/t1', 'GET /threads/t2']);
  });

  it('--json prints the API object, without fetching each thread', async () => {
    const r = await cli(['threads', 'list', 'demo', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ threads: THREADS });
    expect(calls()).toEqual(['GET /projects', `GET /projects/${DEMO}/threads`]);
  });

  it('show prints the code at the position’s commit, its lines marked, then the comments (AI ones marked)', async () => {
    const r = await cli(['threads', 'show', 't1']);

    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out.split('\n')).toEqual([
      `src/a.ts:6-7  [current]  at 2222222`,
      `thread t1, written on src/a.ts:3-4 (a) at 1111111`,
      '',
      '  4  // four',
      '  5  // five',
      '> 6  export const a = 1;',
      '> 7  export const b = 2;',
      '  8  // end',
      '',
      'Alice · 2 min ago',
      '  Comment c1',
      '  more',
      '',
      'HiveSync AI [AI] · 2 min ago',
      '  Documented it.',
      '',
    ]);
    expect(requests.at(-1)).toMatchObject({
      path: '/api/v1/repo/file',
      query: { project_id: DEMO, path: 'src/a.ts', commit: C2 },
    });
  });

  it('show of an outdated thread prints the lines as they were written, without fetching the file', async () => {
    const r = await cli(['threads', 'show', 't2']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      '(the lines were deleted; as written at 1111111:)\n> 3  export const a = 1;\n> 4  export const b = 2;\n',
    );
    expect(r.out).toContain('Alice · 2 min ago\n  (deleted)\n');
    expect(calls()).toEqual(['GET /threads/t2']);
  });

  it('create sends the file, the lines and the text; reply reads the text from stdin with "-"', async () => {
    const created = await cli(['threads', 'create', 'demo', 'src/a.ts:6-7', 'Why two constants?', '--symbol', 'a']);
    const replied = await cli(['threads', 'reply', 't1', '-', '--json'], { stdin: 'First line\nsecond line\n' });

    expect(created).toMatchObject({ code: 0, out: 'Started thread t9 on src/a.ts:6-7.\n' });
    expect(requests[1]!.body).toEqual({
      path: 'src/a.ts',
      start_line: 6,
      end_line: 7,
      body: 'Why two constants?',
      symbol: 'a',
    });
    expect(replied.code).toBe(0);
    expect(JSON.parse(replied.out)).toMatchObject({ thread_id: 't1', comment_count: 3 });
    expect(requests.at(-1)).toMatchObject({ method: 'POST', body: { body: 'First line\nsecond line' } });
  });

  it('refuses a bad FILE:LINE, an empty comment, and a delete without --yes, before any request', async () => {
    for (const args of [
      ['threads', 'create', 'demo', 'src/a.ts', 'x'],
      ['threads', 'create', 'demo', 'src/a.ts:3-1', 'x'],
      ['threads', 'reply', 't1', '  '],
      ['threads', 'delete', 't1'],
      ['threads'],
      ['threads', 'list', 'demo', '--state', 'closed'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(/^hivesync: /);
    }
    expect(requests).toEqual([]);
  });

  it('takes the first 8+ characters of an id: resolved by GET /lookup, a full UUID as is', async () => {
    const shown = await cli(['threads', 'show', T1_PREFIX]);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toContain('thread t1, written on src/a.ts:3-4');
    expect(requests[0]).toMatchObject({ path: '/api/v1/lookup', query: { kind: 'thread', prefix: T1_PREFIX } });
    expect(calls()[1]).toBe('GET /threads/t1');

    requests = [];
    const replied = await cli(['threads', 'reply', T1_PREFIX.toUpperCase(), 'Same here.']);
    expect(replied).toMatchObject({ code: 0, out: 'Replied to thread t1 on src/a.ts:6-7 (3 comments).\n' });
    expect(calls()).toEqual(['GET /lookup', 'POST /threads/t1/replies']);

    requests = [];
    const full = CANDIDATES[0]!;
    await cli(['threads', 'resolve', full]);
    expect(calls()).toEqual([`POST /threads/${full}/resolve`]);
  });

  it('an ambiguous prefix lists the candidates (exit 2); an unknown one is not_found; a short one is refused', async () => {
    const ambiguous = await cli(['threads', 'show', AMBIGUOUS]);
    expect(ambiguous).toMatchObject({
      code: 2,
      err: `hivesync: ${AMBIGUOUS} is the start of more than one thread id; give more of it, or one of these:\n  ${CANDIDATES[0]}\n  ${CANDIDATES[1]}\n`,
    });
    const json = await cli(['threads', 'delete', AMBIGUOUS, '--yes', '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ error: { code: 'ambiguous_id' } });

    const unknown = await cli(['threads', 'show', 'ffffffff']);
    expect(unknown).toMatchObject({ code: 1, err: 'hivesync: not_found: The thread was not found. (request r1)\n' });

    requests = [];
    const short = await cli(['threads', 'show', 'a1b2c3']);
    expect(short).toMatchObject({
      code: 2,
      err: 'hivesync: give at least 8 characters of the thread id, not "a1b2c3"\n',
    });
    expect(requests).toEqual([]);
    // Nothing deleted along the way.
    expect(calls()).not.toContain('DELETE /threads/t1');
  });

  it('delete without a terminal names the exact command that deletes without asking', async () => {
    const r = await cli(['threads', 'delete', T1_PREFIX]);
    expect(r).toMatchObject({
      code: 2,
      err: `hivesync: stdin is not a terminal, so there is no one to ask: to delete the thread, run \`hivesync threads delete ${T1_PREFIX} --server ${url} --yes\`\n`,
    });
    expect(requests).toEqual([]);
  });

  it('delete --yes deletes; --json says so', async () => {
    const r = await cli(['threads', 'delete', 't1', '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ thread_id: 't1', deleted: true });
    expect(calls()).toEqual(['DELETE /threads/t1']);
  });
});

describe('tasks', () => {
  it('create resolves the assignee email to a user id and sends the links', async () => {
    const r = await cli([
      'tasks',
      'create',
      'demo',
      'Fix it',
      '--assign',
      'BOB@example.test',
      '--file',
      'src/a.ts:6',
      '--thread',
      't1',
      '--description',
      'Soon.',
    ]);

    expect(r).toMatchObject({ code: 0, out: 'Created task k1: Fix it, assigned to BOB@example.test.\n' });
    expect(requests.at(-1)).toMatchObject({
      method: 'POST',
      path: `/api/v1/projects/${DEMO}/tasks`,
      body: {
        title: 'Fix it',
        assignee_id: 'u2',
        file: { path: 'src/a.ts', line: 6 },
        thread_id: 't1',
        description: 'Soon.',
      },
    });
  });

  it('create with an email that is not a member fails (exit 1) without creating anything', async () => {
    const r = await cli(['tasks', 'create', 'demo', 'Fix it', '--assign', 'carol@example.test', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({
      error: { code: 'not_found', message: 'carol@example.test is not a member of the project demo' },
    });
    expect(calls()).not.toContain(`POST /projects/${DEMO}/tasks`);
  });

  it('lists tasks in a table with assignee emails; --mine asks for the stored user id', async () => {
    const r = await cli(['tasks', 'demo', '--mine', '--status', 'todo']);

    expect(r.code).toBe(0);
    expect(requests[1]).toMatchObject({
      path: `/api/v1/projects/${DEMO}/tasks`,
      query: { status: 'todo', assignee_id: 'u1' },
    });
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^ID +STATUS +TITLE +ASSIGNEE +ON +UPDATED$/);
    expect(lines[1]).toMatch(/^k1 +todo +Fix it +bob@example\.test +src\/a\.ts:6 +\d{4}-\d\d-\d\d$/);
    expect(lines[2]).toMatch(/^k2 +todo +Fix it +- +src\/a\.ts:6 /);
  });

  it('update --assign none unassigns without looking up members; nothing to change is a usage error', async () => {
    const r = await cli(['tasks', 'update', 'k1', '--assign', 'none', '--status', 'done', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ task_id: 'k1', status: 'done', assignee_id: null });
    expect(calls()).toEqual(['PATCH /tasks/k1']);
    expect(requests[0]!.body).toEqual({ status: 'done', assignee_id: null });

    const nothing = await cli(['tasks', 'update', 'k1']);
    expect(nothing).toMatchObject({
      code: 2,
      err: 'hivesync: nothing to change: give --title, --description, --status or --assign\n',
    });
    expect(requests).toHaveLength(1);
  });

  it('update --assign EMAIL looks the email up in the task’s project', async () => {
    const r = await cli(['tasks', 'update', 'k1', '--assign', 'alice@example.test']);
    expect(r.code).toBe(0);
    expect(calls().slice(0, 3)).toEqual(['GET /tasks/k1', `GET /projects/${DEMO}/members`, 'PATCH /tasks/k1']);
    expect(requests[2]!.body).toEqual({ assignee_id: 'u1' });
    expect(r.out).toMatch(/^Updated task k1\.\nid +k1\n/);
  });
});

describe('members add', () => {
  it('without --role adds a member, and says it was the default and how to choose', async () => {
    const r = await cli(['members', 'add', 'demo', 'carol@example.test']);
    expect(r).toMatchObject({
      code: 0,
      err: '',
      out: 'Added carol@example.test to project demo as member (default role; use --role to choose admin, member or viewer).\n',
    });
    expect(requests.at(-1)).toMatchObject({ method: 'POST', body: { email: 'carol@example.test', role: 'member' } });
  });

  it('with --role grants that role and says nothing more; a role that does not exist is a usage error', async () => {
    const r = await cli(['members', 'add', 'demo', 'carol@example.test', '--role', 'viewer']);
    expect(r).toMatchObject({ code: 0, out: 'Added carol@example.test to project demo as viewer.\n' });
    expect(requests.at(-1)!.body).toEqual({ email: 'carol@example.test', role: 'viewer' });

    requests = [];
    const owner = await cli(['members', 'add', 'demo', 'carol@example.test', '--role', 'owner']);
    expect(owner.code).toBe(2);
    expect(requests).toEqual([]);
  });
});

describe('audit', () => {
  it('pages through the log up to --limit, with the filters; the note gives the cursor to continue', async () => {
    const before = Date.now();
    const r = await cli([
      'audit',
      '--since',
      '2d',
      '--action',
      'member.*',
      '--actor',
      'alice@example.test',
      '--limit',
      '3',
    ]);

    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME \(UTC\) +ACTOR +ACTION +TARGET +PROJECT +IP +DETAILS$/);
    const row = (day: number) => [
      `2025-01-0${day} 10:00:00`,
      'alice@example.test',
      'member.added',
      'user u2',
      DEMO,
      '127.0.0.1',
      'role=member',
    ];
    expect(lines.slice(1).map((l) => l.split(/ {2,}/))).toEqual([row(5), row(4), row(3)]);
    expect(r.err).toBe('hivesync: there are more entries: add --cursor 3 for the next ones (or raise --limit)\n');
    const query = requests[0]!.query;
    expect(query).toMatchObject({ action: 'member.*', actor: 'alice@example.test', limit: '3' });
    expect(Math.abs(Date.parse(query.from!) - (before - 2 * 86_400_000))).toBeLessThan(5000);
  });

  it('--json: the entries and the cursor to continue from, null at the end', async () => {
    const r = await cli(['audit', '--cursor', '3', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ entries: [entry(2), entry(1)], next_cursor: null });
    expect(requests[0]!.query).toEqual({ cursor: '3', limit: '50' });
  });

  it('refuses a --since it cannot read (exit 2)', async () => {
    const r = await cli(['audit', '--since', 'last week']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/a duration such as 30m, 1h or 2d/);
    expect(requests).toEqual([]);
  });
});
