import { PassThrough, Readable } from 'node:stream';
import type { Sync, SyncStatus } from '@hivesync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onRequest, sendJson, startFakeApi, type FakeApi } from '../test/fake-api.js';
import { run } from '../main.js';

interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}
type Answer = [status: number, body?: unknown];

let dir: string;
let fake: FakeApi;
let url: string;
let requests: Request[];
let route: (req: Request) => Answer;

const DEMO = 'p-demo';
const UUID = '0f6c1e9a-1111-4222-8333-444455556666';
const COMMIT = 'c'.repeat(40);
const LOGO = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255, 10, 13, 10]);

function sync(status: SyncStatus, extra: Partial<Sync> = {}): Sync {
  const final = status === 'completed' || status === 'failed';
  return {
    sync_id: 's1',
    project_id: DEMO,
    status,
    trigger: 'manual',
    commit: status === 'completed' ? COMMIT : null,
    attempts: status === 'queued' ? 0 : 1,
    created_at: '2025-01-01T00:00:00.000Z',
    started_at: status === 'queued' ? null : '2025-01-01T00:00:00.100Z',
    finished_at: final ? '2025-01-01T00:00:01.600Z' : null,
    duration_ms: final ? 1500 : null,
    error: null,
    ...extra,
  };
}

const projects = [
  { id: DEMO, name: 'demo' },
  { id: 'p-twin-1', name: 'twin' },
  { id: 'p-twin-2', name: 'twin' },
];

/** The routes every test shares; `syncs` are the answers of successive GET /repo/sync/s1. */
function api(syncs: Sync[]): (req: Request) => Answer {
  let polls = 0;
  return (req) => {
    const key = `${req.method} ${req.path}`;
    if (key === 'GET /api/v1/projects') return [200, { projects }];
    if (key === 'POST /api/v1/repo/sync') return [202, sync('queued')];
    if (key === 'GET /api/v1/repo/sync/s1') return [200, syncs[Math.min(polls++, syncs.length - 1)]];
    if (key === 'GET /api/v1/repo/file') {
      return [
        200,
        {
          commit: COMMIT,
          path: req.query.get('path'),
          size: LOGO.length,
          hash: 'ad1be6e9dbb2c1a0bbb1ed8ee5d2a0bc2fde2dd1', // not LOGO's: checked below
          encoding: 'base64',
          content: LOGO.toString('base64'),
        },
      ];
    }
    if (key === 'GET /api/v1/repo/search') {
      const q = req.query.get('q');
      const matches = q === 'TODO' ? [{ path: 'src/a b.ts', line: 2, column: 4, text: '// TODO one' }] : [];
      if (req.query.get('files') === 'true') {
        return [
          200,
          {
            commit: COMMIT,
            matches: [],
            truncated: false,
            files: [{ path: 'src/TODO.md', lang: 'markdown', ranges: [[4, 8]] }],
          },
        ];
      }
      return [200, { commit: COMMIT, matches, truncated: req.query.get('limit') === '1' }];
    }
    if (key === `PUT /api/v1/projects/${DEMO}/credential`) return [200, { credential: 'set', type: 'https_token' }];
    return [404, { error: { code: 'not_found', message: 'The project was not found.', request_id: 'r1' } }];
  };
}

beforeEach(async () => {
  requests = [];
  route = api([sync('completed')]);
  fake = await startFakeApi(
    onRequest((seen, res) => {
      const r: Request = {
        method: seen.method,
        path: seen.path,
        query: seen.url.searchParams,
        body: seen.body,
      };
      requests.push(r);
      const [status, body] = route(r);
      sendJson(res, status, body);
    }),
  );
  ({ dir, url } = fake);
});

afterEach(() => fake.stop());

/** Runs the CLI in-process against the fake server, with stdout kept as bytes. */
async function cli(args: string[], options: { stdin?: string; during?: (err: () => string) => void } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  let err = '';
  stdout.on('data', (d: Buffer) => out.push(d));
  stderr.on('data', (d: Buffer) => {
    err += d.toString();
    options.during?.(() => err);
  });
  const code = await run([...args, '--server', url], {
    stdout,
    stderr,
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    env: { XDG_CONFIG_HOME: dir },
  });
  const bytes = Buffer.concat(out);
  return { code, bytes, out: bytes.toString(), err };
}

const calls = () => requests.map((r) => `${r.method} ${r.path}`);

describe('sync', () => {
  it('resolves a project name, follows the sync stage by stage, and prints the commit and duration', async () => {
    route = api([sync('queued'), sync('running'), sync('completed')]);
    const r = await cli(['sync', 'demo', '--wait']);

    expect(r.code).toBe(0);
    expect(r.out).toBe(`Synced demo to commit ${COMMIT} in 1.5 s.\n`);
    expect(r.err.split('\n').map((l) => l.replace(/ \(\d+\.\d s\)$/, ''))).toEqual([
      'sync demo: queued',
      'sync demo: running',
      'sync demo: completed',
      '',
    ]);
    expect(requests[1]).toMatchObject({ method: 'POST', path: '/api/v1/repo/sync', body: { project_id: DEMO } });
    expect(calls().slice(0, 2)).toEqual(['GET /api/v1/projects', 'POST /api/v1/repo/sync']);
  });

  it('without --wait prints the queued sync; a UUID is taken as an id without listing projects', async () => {
    const r = await cli(['sync', UUID, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(sync('queued'));
    expect(calls()).toEqual(['POST /api/v1/repo/sync']);
    expect(requests[0]!.body).toEqual({ project_id: UUID });
  });

  it('a failed sync: the error on stderr and exit 1; with --json the failed Sync on stdout and no progress', async () => {
    const error = { code: 'repo_auth_failed', message: 'Authentication failed for the repository.' };
    route = api([sync('failed', { error })]);
    const human = await cli(['sync', 'demo', '--wait']);
    route = api([sync('failed', { error })]);
    const json = await cli(['sync', 'demo', '--wait', '--json']);

    expect(human.code).toBe(1);
    expect(human.out).toBe('');
    expect(human.err).toContain('sync demo: failed');
    expect(human.err).toContain('hivesync: sync failed: repo_auth_failed: Authentication failed for the repository.\n');
    expect(json.code).toBe(1);
    expect(json.out.split('\n')).toHaveLength(2);
    expect(JSON.parse(json.out)).toEqual(sync('failed', { error }));
    expect(json.err).toBe('');
  });

  it('Ctrl-C stops waiting (exit 2) and says the sync goes on', async () => {
    route = api([sync('running')]);
    const before = process.listeners('SIGINT');
    let interrupted = false;
    const r = await cli(['sync', 'demo', '--wait'], {
      during: (err) => {
        if (interrupted || !err().includes('running')) return;
        interrupted = true;
        // Only our own handler: vitest's must not see a SIGINT.
        for (const listener of process.listeners('SIGINT').filter((l) => !before.includes(l))) listener('SIGINT');
      },
    });
    expect(interrupted).toBe(true);
    expect(r.code).toBe(2);
    expect(r.err).toContain('hivesync: stopped waiting; sync s1 continues on the server');
    expect(process.listeners('SIGINT')).toEqual(before);
  });
});

describe('cat, search, tree, credential', () => {
  it('cat writes the bytes exactly, and fails (exit 1) when they do not match the git hash', async () => {
    const bad = await cli(['cat', 'demo', 'logo.png']);
    expect(bad.bytes).toEqual(LOGO); // written anyway: the warning says the copy may differ
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/do not match its git hash/);

    const crypto = await import('node:crypto');
    const hash = crypto.createHash('sha1').update(`blob ${LOGO.length}\0`).update(LOGO).digest('hex');
    const answer = api([]);
    route = (req) => {
      const [status, body] = answer(req);
      return req.path.endsWith('/file') ? [status, { ...(body as object), hash }] : [status, body];
    };
    const good = await cli(['cat', 'demo', 'img/a b#1.png']);
    expect(good).toMatchObject({ code: 0, err: '' });
    expect(good.bytes).toEqual(LOGO);
    expect(requests.at(-1)!.query.get('path')).toBe('img/a b#1.png');

    const json = await cli(['cat', 'demo', 'logo.png', '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ encoding: 'base64', content: LOGO.toString('base64') });
  });

  it('search prints path:line:column:text and exits 1 when nothing matched, like grep', async () => {
    const hit = await cli(['search', 'demo', 'TODO']);
    const miss = await cli(['search', 'demo', 'nothing']);
    const missJson = await cli(['search', 'demo', 'nothing', '--json']);
    const truncated = await cli(['search', 'demo', 'TODO', '--limit', '1', '-E', '-i', '--path', 'src']);

    expect(hit).toMatchObject({ code: 0, out: 'src/a b.ts:2:4:// TODO one\n', err: '' });
    expect(miss).toMatchObject({ code: 1, out: '', err: '' });
    expect(missJson.code).toBe(1);
    expect(JSON.parse(missJson.out)).toEqual({ commit: COMMIT, matches: [], truncated: false });
    expect(truncated.code).toBe(0);
    expect(truncated.err).toBe('hivesync: showing the first 1 match; there are more (raise --limit, up to 10000)\n');
    expect(Object.fromEntries(requests.at(-1)!.query)).toEqual({
      project_id: DEMO,
      q: 'TODO',
      regex: 'true',
      ignore_case: 'true',
      path: 'src',
      limit: '1',
    });
  });

  it('search passes --word, --glob, --lang, --context, --commit and --files, and prints file names', async () => {
    await cli(['search', 'demo', 'TODO', '-w', '--path', 'src/**/*.ts', '--lang', 'ts', '-C', '2', '--commit', COMMIT]);
    expect(Object.fromEntries(requests.at(-1)!.query)).toEqual({
      project_id: DEMO,
      q: 'TODO',
      word: 'true',
      glob: 'src/**/*.ts',
      lang: 'ts',
      context: '2',
      commit: COMMIT,
    });
    await cli(['search', 'demo', 'TODO', '-i', '--case', '--glob', '*.md']);
    expect(Object.fromEntries(requests.at(-1)!.query)).toEqual({ project_id: DEMO, q: 'TODO', glob: '*.md' });
    const files = await cli(['search', 'demo', 'TODO', '--files']);
    expect(requests.at(-1)!.query.get('files')).toBe('true');
    expect(files).toMatchObject({ code: 0, out: 'src/TODO.md\n' });
    const both = await cli(['search', 'demo', 'x', '--path', 'a*', '--glob', 'b']);
    expect(both.code).toBe(2);
  });

  it('a name two projects share is a usage error (exit 2); an unknown one is the API not_found (exit 1)', async () => {
    const twin = await cli(['tree', 'twin']);
    const unknown = await cli(['tree', 'nope', '--json']);

    expect(twin.code).toBe(2);
    expect(twin.err).toBe('hivesync: 2 of your projects are named "twin": give the id instead (p-twin-1, p-twin-2)\n');
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.out)).toMatchObject({ error: { code: 'not_found', status: 404 } });
    expect(requests.at(-1)!.query.get('project_id')).toBe('nope');
  });

  it('credential set reads the token from stdin and never prints it', async () => {
    const r = await cli(['credential', 'set', 'demo', '--token-stdin', '--username', 'bot'], {
      stdin: 'ghp_s3cr3t\n',
    });
    expect(r.code).toBe(0);
    expect(requests.at(-1)).toMatchObject({
      method: 'PUT',
      body: { type: 'https_token', token: 'ghp_s3cr3t', username: 'bot' },
    });
    expect(r.out + r.err).not.toContain('s3cr3t');
    expect(r.out).toBe('Stored an HTTPS token for demo; it is kept encrypted and never shown again.\n');
  });

  it('usage errors exit 2 before any request', async () => {
    for (const args of [
      ['search', 'demo', 'x', '--limit', '0'],
      ['credential', 'set', 'demo'],
      ['projects', 'update', 'demo'],
      ['projects', 'create', 'x', '--sync-interval', '2'],
      ['tree'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(/^hivesync: /);
    }
    expect(requests).toEqual([]);
  });
});
