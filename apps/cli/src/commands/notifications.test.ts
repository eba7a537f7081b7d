import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import type { Notification } from '@hivesync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onRequest, sendJson, startFakeApi, type FakeApi } from '../test/fake-api.js';
import { run } from '../main.js';
import { runInProcess } from '../test/run-in-process.js';

interface Request {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: unknown;
}

let dir: string;
let fake: FakeApi;
let url: string;
let requests: Request[];
/** Answers GET /api/v1/events; `n` counts the connections from 1. */
let events: (res: ServerResponse, n: number) => void;
let latest: Notification[];

function notification(id: string): Notification {
  return {
    notification_id: id,
    user_id: 'u1',
    project_id: 'p1',
    type: 'thread_reply',
    payload: { message: `hello ${id}` },
    created_at: new Date().toISOString(),
    read_at: null,
  };
}

function open(res: ServerResponse, retry = 10): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  res.write(`retry: ${retry}\n\n`);
}

const send = (res: ServerResponse, seq: number, n: Notification) =>
  res.write(`id: ${seq}\nevent: notification\ndata: ${JSON.stringify(n)}\n\n`);

beforeEach(async () => {
  requests = [];
  latest = [notification('n1'), notification('n2')];
  events = (res) => open(res);
  let connections = 0;
  fake = await startFakeApi(
    onRequest((seen, res) => {
      const r: Request = {
        method: seen.method,
        path: seen.path,
        query: Object.fromEntries(seen.url.searchParams),
        headers: seen.headers,
        body: seen.body,
      };
      requests.push(r);
      if (r.path === '/api/v1/events') return events(res, ++connections);
      if (r.path === '/api/v1/notifications') {
        // The first poll gets the latest page; later ones nothing new.
        const notifications = r.query.since === undefined ? latest : [];
        return sendJson(res, 200, { notifications, cursor: '2' });
      }
      if (r.path === '/api/v1/notifications/mark_read') {
        return sendJson(res, 200, { updated: (r.body as { notification_ids: string[] }).notification_ids.length });
      }
      sendJson(res, 404, { error: { code: 'not_found', message: 'Not found.', request_id: 'r1' } });
    }),
  );
  ({ dir, url } = fake);
});

afterEach(() => fake.stop());

/**
 * Runs `notifications --watch` in-process; `stopWhen` looks at stdout and stderr after each write and, once it
 * says so, sends our SIGINT handler a Ctrl-C (only ours: vitest's must not see one).
 */
async function watch(args: string[], stopWhen: (out: string, err: string) => boolean) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  const before = process.listeners('SIGINT');
  let stopped = false;
  const check = () => {
    if (stopped || !stopWhen(out, err)) return;
    stopped = true;
    for (const listener of process.listeners('SIGINT').filter((l) => !before.includes(l))) listener('SIGINT');
  };
  stdout.on('data', (d: Buffer) => {
    out += d.toString();
    check();
  });
  stderr.on('data', (d: Buffer) => {
    err += d.toString();
    check();
  });
  const code = await run(['notifications', '--watch', ...args, '--server', url], {
    stdout,
    stderr,
    stdin: Readable.from([]),
    env: { XDG_CONFIG_HOME: dir },
  });
  expect(process.listeners('SIGINT')).toEqual(before);
  return { code, out, err, stopped };
}

/** Runs `notifications args…` (not --watch) in-process. */
function list(args: string[]) {
  return runInProcess(['notifications', ...args, '--server', url], { configHome: dir });
}

const BOB = '0b0b0b0b-0000-4000-8000-000000000002';
const PROJECT = '1f0c9a2b-5d3e-4c1a-9b8f-0123456789ab';
const JOB = '9e8d7c6b-1d2e-4f30-8a4b-5c6d7e8f9a0b';

/** A notification as the server sends it now: the project's name, and a name beside each user id. */
function named(id: string, type: Notification['type'], payload: Record<string, unknown>): Notification {
  return { ...notification(id), project_id: PROJECT, type, payload: { project_name: 'demo', ...payload } };
}

const ids = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as Notification).notification_id);
const lines = (out: string) => out.trim().split('\n').length;

describe('notifications', () => {
  it('asks for outcomes only (steps=false) and shows projects and people by name, ids short', async () => {
    latest = [
      named('n1', 'thread_reply', { thread_id: JOB, path: 'src/a.ts', line: 3, by: BOB, by_name: 'Bob' }),
      // A server from before `steps` sends the steps anyway: they are left out here too.
      named('n2', 'ai_job_started', { job_id: JOB, action: 'refactor', requested_by: BOB }),
      named('n3', 'ai_job_completed', { job_id: JOB, action: 'refactor', requested_by: BOB }),
      { ...notification('n4'), project_id: PROJECT, type: 'task_assigned', payload: { title: 'Fix', by: BOB } },
    ];
    const r = await list(['--mark-read']);

    expect(r.code).toBe(0);
    expect(requests[0]).toMatchObject({ path: '/api/v1/notifications', query: { steps: 'false' } });
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/ thread_reply \[demo\] {2}thread_id=9e8d7c6b path=src\/a\.ts line=3 by=Bob$/);
    expect(lines[1]).toMatch(/ ai_job_completed \[demo\] {2}job_id=9e8d7c6b action=refactor requested_by=0b0b0b0b$/);
    // No name in the payload: the short id stands in.
    expect(lines[2]).toMatch(/ task_assigned \[project 1f0c9a2b\] {2}title=Fix by=0b0b0b0b$/);
    expect(r.out).not.toContain(PROJECT);
    expect(r.err).toBe('Marked 3 notifications read.\n');

    requests = [];
    latest = [named('n3', 'ai_job_completed', { job_id: JOB })];
    expect((await list(['--mark-read'])).err).toBe('Marked 1 notification read.\n');
  });

  it('--all shows the steps too, and --json keeps the full ids', async () => {
    latest = [named('n2', 'ai_job_started', { job_id: JOB }), named('n3', 'ai_job_completed', { job_id: JOB })];
    const r = await list(['--all', '--json']);

    expect(r.code).toBe(0);
    expect(requests[0]!.query).toEqual({});
    expect(JSON.parse(r.out)).toEqual({ notifications: latest, cursor: '2' });
    const human = await list(['--all']);
    expect(human.out).toMatch(/ ai_job_started \[demo\] {2}job_id=9e8d7c6b\n.* ai_job_completed /);
  });
});

describe('notifications --watch', () => {
  it('leaves out the steps that arrive over the stream, unless --all', async () => {
    latest = [];
    events = (res) => {
      open(res);
      send(res, 3, named('n3', 'ai_job_queued', { job_id: JOB }));
      send(res, 4, named('n4', 'ai_job_completed', { job_id: JOB }));
    };
    const outcomes = await watch(['--json'], (out) => out.includes('"n4"'));
    expect(ids(outcomes.out)).toEqual(['n4']);
    expect(requests.find((q) => q.path === '/api/v1/notifications')!.query).toEqual({ steps: 'false' });

    requests = [];
    const all = await watch(['--json', '--all'], (out) => out.includes('"n4"'));
    expect(ids(all.out)).toEqual(['n3', 'n4']);
    expect(requests.find((q) => q.path === '/api/v1/notifications')!.query).toEqual({});
  });

  it('prints the latest page once the stream is open, then each new notification once; Ctrl-C exits 0', async () => {
    events = (res) => {
      open(res);
      send(res, 2, notification('n2')); // also in the latest page: printed once
      send(res, 3, notification('n3'));
    };
    const r = await watch(['--json'], (out) => out !== '' && lines(out) >= 3);

    expect(r).toMatchObject({ code: 0, stopped: true, err: '' });
    expect(ids(r.out)).toEqual(['n1', 'n2', 'n3']);
    const events1 = requests.find((q) => q.path === '/api/v1/events')!;
    expect(events1.headers).toMatchObject({ accept: 'text/event-stream', authorization: 'Bearer a1' });
    // One list, after the stream opened; no polling.
    expect(requests.map((q) => q.path)).toEqual(['/api/v1/events', '/api/v1/notifications']);
  });

  it('reopens a dropped stream where it stopped, and says so on stderr', async () => {
    events = (res, n) => {
      open(res);
      if (n === 1) {
        send(res, 3, notification('n3'));
        res.end();
      } else {
        send(res, 4, notification('n4'));
      }
    };
    const r = await watch([], (out) => out.includes('hello n4'));

    expect(r.code).toBe(0);
    expect(r.out.match(/hello n\d/g)).toEqual(['hello n1', 'hello n2', 'hello n3', 'hello n4']);
    expect(r.err).toContain(
      'hivesync: the event stream dropped: The server closed the event stream; reconnecting in 0.01 s\n',
    );
    expect(r.err).toContain('hivesync: reconnected to the event stream\n');
    expect(requests.filter((q) => q.path === '/api/v1/events').map((q) => q.headers['last-event-id'])).toEqual([
      undefined,
      '3',
    ]);
  });

  it.each([
    [
      'an old server without /events',
      (res: ServerResponse) =>
        sendJson(res, 404, { error: { code: 'not_found', message: 'Route GET:/api/v1/events not found' } }),
      'Route GET:/api/v1/events not found',
    ],
    [
      'a proxy answering with a page',
      (res: ServerResponse) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>proxy</html>');
      },
      'The server answered HTTP 200 with text/html instead of an event stream',
    ],
    [
      'a proxy that holds the stream back',
      (res: ServerResponse) => void res.writeHead(200, { 'content-type': 'text/event-stream' }),
      'The event stream sent nothing for 10 s after it was requested',
    ],
  ])('polls instead when the stream cannot be opened (%s)', async (_case, answer, why) => {
    events = answer;
    const r = await watch(['--json'], (out) => out !== '' && lines(out) >= 2);

    expect(r.code).toBe(0);
    expect(ids(r.out)).toEqual(['n1', 'n2']);
    expect(r.err).toBe(`hivesync: no event stream: ${why}; polling instead\n`);
    expect(requests.map((q) => q.path)).toEqual(['/api/v1/events', '/api/v1/notifications']);
  });

  it('exits 3 when the stream refuses the session, without polling', async () => {
    events = (res) => sendJson(res, 401, { error: { code: 'unauthorized', message: 'The session has ended.' } });
    const r = await watch([], () => false);

    expect(r.code).toBe(3);
    expect(r.err).toContain('hivesync: unauthorized: The session has ended.');
    expect(requests.map((q) => q.path)).toEqual(['/api/v1/events']);
  });

  it('--mark-read marks what it printed', async () => {
    events = (res) => {
      open(res);
      send(res, 3, notification('n3'));
    };
    // Ctrl-C right after the last line: marking what was printed still finishes before the CLI exits.
    const r = await watch(['--mark-read', '--json'], (out) => out !== '' && lines(out) >= 3);

    expect(r.code).toBe(0);
    const marked = requests.filter((q) => q.path.endsWith('/mark_read')).map((q) => q.body);
    expect(marked).toEqual([{ notification_ids: ['n1', 'n2'] }, { notification_ids: ['n3'] }]);
  });
});
