import { HiveSyncError, type Notification } from '@hivesync/sdk';
import { describe, expect, it } from 'vitest';
import { NOTIFICATION_STEP_TYPES } from '@hivesync/core';
import { Inbox, paused, RECENT_LIMIT, STEP_TYPES, streamVerdict } from './notification-feed.js';

function note(id: string, readAt: string | null = null): Notification {
  return {
    notification_id: id,
    user_id: 'u1',
    project_id: 'p1',
    type: 'thread_reply',
    payload: { thread_id: 't1', by_name: 'Grace' },
    created_at: '2026-12-02T10:00:00.000Z',
    read_at: readAt,
  };
}

const error = (code: string, status: number, retryable: boolean) =>
  new HiveSyncError({ code, message: `${code}.`, status, retryable });

describe('streamVerdict', () => {
  it('sends an ended session to the sign-in prompt', () => {
    expect(streamVerdict(error('unauthorized', 401, false))).toEqual({ kind: 'session_over' });
    expect(streamVerdict(error('token_expired', 401, false))).toEqual({ kind: 'session_over' });
  });

  it('polls for the rest of the session when the stream cannot work here', () => {
    expect(streamVerdict(error('too_many_streams', 200, false))).toMatchObject({
      kind: 'unsupported',
      reason: expect.stringMatching(/too many streams/),
    });
    expect(streamVerdict(error('not_event_stream', 200, false))).toMatchObject({
      kind: 'unsupported',
      reason: expect.stringMatching(/does not pass it/),
    });
    expect(streamVerdict(error('not_found', 404, false))).toMatchObject({ kind: 'unsupported' });
    expect(streamVerdict(new TypeError('boom'))).toEqual({ kind: 'unsupported', reason: 'boom' });
  });

  it('tries again later when the server or the agent cannot be reached', () => {
    expect(streamVerdict(error('network_error', 0, true))).toEqual({ kind: 'transient' });
    expect(streamVerdict(error('service_unavailable', 503, true))).toEqual({ kind: 'transient' });
    expect(streamVerdict(error('stream_closed', 200, true))).toEqual({ kind: 'transient' });
  });
});

describe('paused', () => {
  const minute = 60_000;
  it('pauses only a window unfocused for longer than the setting', () => {
    expect(paused(100 * minute, undefined, 10)).toBe(false);
    expect(paused(100 * minute, 95 * minute, 10)).toBe(false);
    expect(paused(100 * minute, 89 * minute, 10)).toBe(true);
  });

  it('never pauses with the setting at 0', () => {
    expect(paused(100 * minute, 0, 0)).toBe(false);
  });
});

describe('Inbox', () => {
  it('counts and returns each notification once, whether the poll or the stream brought it', () => {
    const inbox = new Inbox();
    expect(inbox.add([note('a'), note('b')]).map((n) => n.notification_id)).toEqual(['a', 'b']);
    // The catch-up poll after a stream opened brings b again, and c.
    expect(inbox.add([note('b'), note('c')]).map((n) => n.notification_id)).toEqual(['c']);
    expect(inbox.unreadCount).toBe(3);
    expect(inbox.recent.map((n) => n.notification_id)).toEqual(['c', 'b', 'a']);
  });

  it('takes the read state of a notification seen again without returning it', () => {
    const inbox = new Inbox();
    inbox.add([note('a'), note('b')]);
    expect(inbox.add([note('a', '2026-12-02T11:00:00.000Z')])).toEqual([]);
    expect(inbox.unreadCount).toBe(1);
    expect(inbox.recent.find((n) => n.notification_id === 'a')?.read_at).toBe('2026-12-02T11:00:00.000Z');
  });

  it('marks some or all read, and forgets everything on clear', () => {
    const inbox = new Inbox();
    inbox.add([note('a'), note('b'), note('c')]);
    inbox.markRead(['b'], 'then');
    expect(inbox.unreadCount).toBe(2);
    expect(inbox.recent.filter((n) => n.read_at === 'then').map((n) => n.notification_id)).toEqual(['b']);
    inbox.markAllRead('later');
    expect(inbox.unreadCount).toBe(0);
    expect(inbox.recent.map((n) => n.read_at)).toEqual(['later', 'then', 'later']);
    inbox.clear();
    expect(inbox.recent).toEqual([]);
    // Forgotten: after another sign-in the same notification counts again.
    expect(inbox.add([note('a')])).toHaveLength(1);
  });

  it('leaves out the steps of background work, which the stream sends and the poll does not', () => {
    const inbox = new Inbox();
    const step = { ...note('s'), type: 'ai_job_started' as const };
    expect(inbox.add([step, note('a')]).map((n) => n.notification_id)).toEqual(['a']);
    expect(inbox.unreadCount).toBe(1);
    expect([...STEP_TYPES].sort()).toEqual([...NOTIFICATION_STEP_TYPES].sort());
  });

  it('keeps the newest notifications for the list', () => {
    const inbox = new Inbox();
    inbox.add(Array.from({ length: RECENT_LIMIT + 10 }, (_, i) => note(`n${i}`)));
    expect(inbox.recent).toHaveLength(RECENT_LIMIT);
    expect(inbox.recent[0]!.notification_id).toBe(`n${RECENT_LIMIT + 9}`);
  });
});
