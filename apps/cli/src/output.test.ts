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
  formatDuration,
  formatNotification,
  formatSize,
  formatTable,
  formatTime,
  Output,
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

describe('formatSize and formatDuration', () => {
  it('print sizes like ls -h, in binary units', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1.0 KiB');
    expect(formatSize(5000)).toBe('4.9 KiB');
    expect(formatSize(20 * 1024)).toBe('20 KiB');
    expect(formatSize(1024 * 1024 - 1)).toBe('1.0 MiB');
    expect(formatSize(3 * 1024 ** 3)).toBe('3.0 GiB');
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

  it('marks unread ones and summarizes the payload', () => {
    expect(formatNotification(n, plain, now)).toBe(
      '● 5 min ago   project_member_added [project p1]  project_name=demo role=member',
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
