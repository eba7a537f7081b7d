import { describe, expect, it } from '@jest/globals';
import type { Notification } from '@hivesync/sdk';
import { highlightLine } from '../lib/highlight';
import { describeNotification, notificationTarget, pushTarget } from '../lib/notifications';
import { clampPollSeconds, pollDelaySeconds } from '../lib/polling';
import { formatCode, parsePreviewInput } from '../lib/preview-code';

describe('polling', () => {
  it('polls at the setting, every 3 s while a preview launches, and backs off to 120 s offline', () => {
    expect(pollDelaySeconds({ base: 45, launching: false, offline: false })).toBe(45);
    expect(pollDelaySeconds({ base: 45, launching: true, offline: false })).toBe(3);
    expect(pollDelaySeconds({ base: 45, launching: true, offline: true })).toBe(120);
    expect(pollDelaySeconds({ base: 5, launching: false, offline: false })).toBe(15);
  });
  it('keeps the setting within 15–120 s', () => {
    expect(clampPollSeconds(1)).toBe(15);
    expect(clampPollSeconds(600)).toBe(120);
    expect(clampPollSeconds(Number.NaN)).toBe(45);
    expect(clampPollSeconds(30.4)).toBe(30);
  });
});

describe('preview codes', () => {
  it('reads typed codes, scanned /p/ links and tokens; refuses the rest', () => {
    expect(parsePreviewInput(' ab12-cd34 ')).toEqual({ code: 'AB12CD34' });
    expect(parsePreviewInput('https://hivesync.example.com/p/AB12CD34')).toEqual({ code: 'AB12CD34' });
    expect(parsePreviewInput('eyJhbGciOiJIUzI1NiJ9.eyJwIjoxfQ.sig-nature_x')).toEqual({
      token: 'eyJhbGciOiJIUzI1NiJ9.eyJwIjoxfQ.sig-nature_x',
    });
    expect(parsePreviewInput('')).toBeNull();
    expect(parsePreviewInput('no way!')).toBeNull();
    expect(formatCode('AB12CD34')).toBe('AB12-CD34');
  });
});

const note = (type: Notification['type'], payload: Record<string, unknown>): Notification => ({
  notification_id: 'n1',
  user_id: 'u1',
  project_id: 'p1',
  type,
  payload,
  created_at: new Date().toISOString(),
  read_at: null,
});

describe('notifications', () => {
  it('words a notification with names and opens its screen', () => {
    const reply = note('thread_reply', { by_name: 'Bob', project_name: 'greeter', path: 'src/a.ts', thread_id: 't1' });
    expect(describeNotification(reply)).toEqual({ title: 'Bob replied', body: 'src/a.ts · greeter' });
    expect(notificationTarget(reply)).toEqual({ name: 'thread', projectId: 'p1', threadId: 't1' });
    expect(notificationTarget(note('ai_job_completed', { job_id: 'j1' }))).toEqual({
      name: 'review',
      projectId: 'p1',
      jobId: 'j1',
    });
    expect(notificationTarget(note('task_assigned', {}))).toEqual({ name: 'project', projectId: 'p1', tab: 'tasks' });
    expect(notificationTarget(note('preview_ready', {}))).toEqual({ name: 'preview' });
    expect(pushTarget({ type: 'thread_mention', project_id: 'p1', thread_id: 't9' })).toEqual({
      name: 'thread',
      projectId: 'p1',
      threadId: 't9',
    });
  });
});

describe('highlighting', () => {
  it('colours keywords, strings, numbers and comments', () => {
    expect(highlightLine('const a = "x"; // note')).toEqual([
      { text: 'const', kind: 'keyword' },
      { text: ' a = ', kind: 'plain' },
      { text: '"x"', kind: 'string' },
      { text: '; ', kind: 'plain' },
      { text: '// note', kind: 'comment' },
    ]);
    expect(highlightLine('x = 42 # c', 'a.py').map((t) => t.kind)).toEqual(['plain', 'number', 'plain', 'comment']);
  });
});
