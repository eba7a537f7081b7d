import { PassThrough } from 'node:stream';
import type { Notification } from '@hivesync/core';
import { HiveSyncError } from '@hivesync/sdk';
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import type { Io } from './context.js';
import { CliError } from './errors.js';
import {
  colorEnabled,
  describeError,
  formatBytes,
  formatDuration,
  formatNotification,
  formatTable,
  formatTime,
  Output,
  plural,
  shortId,
} from './output.js';

const plain = pc.createColors(false);
const colored = pc.createColors(true);

function io(env: NodeJS.ProcessEnv, tty: boolean): Io & { text: () => string } {
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  let text = '';
  stdout.on('data', (d: Buffer) => (text += d.toString()));
  return { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env, text: () => text };
}

describe('colors', () => {
  it('are on for a terminal, off for a pipe, off with NO_COLOR, on with FORCE_COLOR', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('never color --json output, even on a terminal', () => {
    const t = io({ FORCE_COLOR: '1' }, true);
    const out = new Output(t, true);
    out.result({ a: 1 }, () => out.line('human'));
    expect(out.c.bold('x')).toBe('x');
    expect(t.text()).toBe('{"a":1}\n');
  });
});

describe('formatTable', () => {
  it('aligns columns two spaces apart and does not pad the last one', () => {
    const table = formatTable(
      ['ID', 'NAME', 'ROLE'],
      [
        ['p1', 'demo', 'owner'],
        ['p22', 'a longer name', 'viewer'],
      ],
      plain,
    );
    expect(table).toBe(
      ['ID   NAME           ROLE', 'p1   demo           owner', 'p22  a longer name  viewer'].join('\n'),
    );
  });

  it('pads styled cells by their text, so colors do not skew columns', () => {
    const table = formatTable(['A', 'B'], [[{ text: 'ok', style: colored.green }, 'x']], colored);
    expect(table.split('\n')[1]).toBe(`${colored.green('ok')}  x`);
  });
});

describe('formatTime', () => {
  const now = Date.parse('2025-06-10T12:00:00Z');
  it('is relative when recent, a date when old', () => {
    expect(formatTime('2025-06-10T11:59:30Z', now)).toBe('just now');
    expect(formatTime('2025-06-10T11:55:00Z', now)).toBe('5 min ago');
    expect(formatTime('2025-06-10T09:00:00Z', now)).toBe('3 h ago');
    expect(formatTime('2025-06-08T12:00:00Z', now)).toBe('2 d ago');
    expect(formatTime('2025-01-02T00:00:00Z', now)).toBe('2025-01-02');
    expect(formatTime(null, now)).toBe('-');
  });
});

describe('plural, formatBytes, shortId and formatDuration', () => {
  it('plural: one of a noun, else its plural (given for irregular ones)', () => {
    expect(plural(0, 'file')).toBe('0 files');
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(2, 'file')).toBe('2 files');
    expect(plural(1, 'match', 'matches')).toBe('1 match');
    expect(plural(3, 'match', 'matches')).toBe('3 matches');
  });

  it('formatBytes: bytes spelled out below 1 KB, then decimal units with one decimal below 10', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(999)).toBe('999 bytes');
    expect(formatBytes(1000)).toBe('1.0 KB');
    expect(formatBytes(1005)).toBe('1.0 KB');
    expect(formatBytes(4949)).toBe('4.9 KB');
    expect(formatBytes(20_000)).toBe('20 KB');
    expect(formatBytes(999_600)).toBe('1.0 MB');
    expect(formatBytes(1_250_000)).toBe('1.3 MB');
    expect(formatBytes(3e9)).toBe('3.0 GB');
    expect(formatBytes(5e15)).toBe('5000 TB');
  });

  it('shortId: the first 8 characters', () => {
    expect(shortId('1f0c9a2b-5d3e-4c1a-9b8f-0123456789ab')).toBe('1f0c9a2b');
    expect(shortId('t1')).toBe('t1');
  });

  it('print durations in seconds, then minutes', () => {
    expect(formatDuration(0)).toBe('0.0 s');
    expect(formatDuration(1449)).toBe('1.4 s');
    expect(formatDuration(59_900)).toBe('59.9 s');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
  });
});

describe('formatNotification', () => {
  const n: Notification = {
    notification_id: 'n1',
    user_id: 'u1',
    project_id: 'p1',
    type: 'project_member_added',
    payload: { project_name: 'demo', role: 'member' },
    created_at: '2025-06-10T11:55:00Z',
    read_at: null,
  };
  const now = Date.parse('2025-06-10T12:00:00Z');

  it('marks unread ones and summarizes the payload, with the project by name', () => {
    expect(formatNotification(n, plain, now)).toBe('● 5 min ago   project_member_added [demo]  role=member');
  });

  it('names users from the `<field>_name` beside their ids; a short id only where there is no name', () => {
    const user = '0a1b2c3d-0000-4000-8000-000000000001';
    const thread = 'fedcba98-0000-4000-8000-000000000002';
    const reply: Notification = {
      ...n,
      project_id: '1f0c9a2b-5d3e-4c1a-9b8f-0123456789ab',
      type: 'thread_reply',
      payload: { thread_id: thread, path: 'src/a.ts', line: 3, by: user, by_name: 'Bob' },
    };
    expect(formatNotification(reply, plain, now)).toBe(
      '● 5 min ago   thread_reply [project 1f0c9a2b]  thread_id=fedcba98 path=src/a.ts line=3 by=Bob',
    );
    const named = { ...reply, payload: { ...reply.payload, project_name: 'demo', author_id: user, author_name: 'Al' } };
    expect(formatNotification(named, plain, now)).toMatch(/ thread_reply \[demo\] .* by=Bob author=Al$/);
    const anonymous = { ...reply, payload: { added_by: user, task_id: user } };
    // A user without a name shows short; other ids (a task's) stay whole.
    expect(formatNotification(anonymous, plain, now)).toMatch(
      / {2}added_by=0a1b2c3d task_id=0a1b2c3d-0000-4000-8000-000000000001$/,
    );
  });

  it('shows a message payload as is', () => {
    const read = { ...n, project_id: null, read_at: n.created_at, payload: { message: 'Down at 10:00' } };
    expect(formatNotification(read, plain, now)).toBe('  5 min ago   project_member_added  Down at 10:00');
  });
});

describe('describeError', () => {
  const server = 'http://127.0.0.1:8080';

  it('prints the code, message and a short request id; exit code 1 for API errors', () => {
    const err = new HiveSyncError({
      code: 'not_found',
      message: 'The project was not found.',
      status: 404,
      requestId: '12345678-aaaa-bbbb-cccc-1234567890ab',
      retryable: false,
    });
    const report = describeError(err, server);
    expect(report.line).toBe('hivesync: not_found: The project was not found. (request 12345678…)');
    expect(report.exitCode).toBe(1);
    expect(report.json).toEqual({
      error: {
        code: 'not_found',
        message: 'The project was not found.',
        status: 404,
        request_id: '12345678-aaaa-bbbb-cccc-1234567890ab',
        retryable: false,
      },
    });
  });

  it('uses exit code 3 for auth errors and 4 for network errors', () => {
    const auth = new HiveSyncError({ code: 'token_expired', message: 'Expired.', status: 401, retryable: false });
    const network = new HiveSyncError({ code: 'network_error', message: 'x', status: 0, retryable: true });

    expect(describeError(auth, server).exitCode).toBe(3);
    expect(describeError(network, server)).toMatchObject({
      exitCode: 4,
      line: 'hivesync: cannot reach the server at http://127.0.0.1:8080: is it running? (npm start)',
      json: { error: { code: 'network_error', status: 0 } },
    });
  });

  it('keeps Retry-After in the JSON', () => {
    const err = new HiveSyncError({
      code: 'rate_limited',
      message: 'Too many requests; try again in 30 s.',
      status: 429,
      retryable: true,
      retryAfter: 30,
    });
    expect(describeError(err, server).json.error).toMatchObject({ code: 'rate_limited', retry_after: 30 });
  });

  it('reports CLI errors with their own code and exit code', () => {
    const report = describeError(new CliError('not_logged_in', 'not logged in', 3), server);
    expect(report).toEqual({
      exitCode: 3,
      line: 'hivesync: not logged in',
      json: { error: { code: 'not_logged_in', message: 'not logged in' } },
    });
  });
});
