import { describe, expect, it } from 'vitest';
import type { Notification, Sync } from '@hivesync/sdk';
import { describeNotification, isNotificationKind, NOTIFICATION_KINDS, STEP_TYPES } from './notifications.js';
import { newerSync } from './repo.js';

function notification(type: string, payload: Record<string, unknown>, projectId: string | null = 'p1'): Notification {
  return {
    notification_id: 'n1',
    user_id: 'u1',
    project_id: projectId,
    type: type as Notification['type'],
    payload,
    created_at: '2026-01-01T00:00:00.000Z',
    read_at: null,
  };
}

describe('what a notification says and opens', () => {
  it('opens the screen of its subject, in its project', () => {
    const by = { by: 'u2', by_name: 'Bea', project_name: 'express' };
    expect(
      describeNotification(notification('thread_mention', { ...by, thread_id: 't 1', path: 'a.js', line: 3 })),
    ).toEqual({ text: 'Bea mentioned you on a.js:3 in express', href: '/projects/p1/threads/t%201' });
    expect(
      describeNotification(
        notification('ai_job_completed', {
          job_id: 'j1',
          action: 'document_function',
          suggestions: 1,
          project_name: 'x',
        }),
      ),
    ).toEqual({ text: 'Your document function job in x has a suggestion to review', href: '/projects/p1/ai/j1' });
    expect(describeNotification(notification('preview_ready', { preview_id: 'v1', project_name: 'x' })).href).toBe(
      '/projects/p1/previews/v1',
    );
    expect(describeNotification(notification('repo_sync_failed', { sync_id: 's1', error_code: 'timeout' }))).toEqual({
      text: 'The sync of a project failed (timeout)',
      href: '/projects/p1',
    });
    expect(describeNotification(notification('task_assigned', { task_id: 'k', title: 'Fix it', ...by })).href).toBe(
      '/projects/p1/tasks',
    );
  });

  it('keeps what people typed as it is (the views render it as text), and names unknown types', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    expect(describeNotification(notification('thread_reply', { by_name: hostile, thread_id: 't' })).text).toBe(
      `${hostile} replied in a thread in a project`,
    );
    expect(describeNotification(notification('brand_new_thing', {}, null))).toEqual({
      text: 'Notification: brand new thing',
      href: null,
    });
  });

  it('files every type the bell shows under one kind, and no step', () => {
    const kinds = Object.values(NOTIFICATION_KINDS).flatMap((k) => [...k.types]);
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const step of STEP_TYPES) expect(kinds).not.toContain(step);
    expect(isNotificationKind('threads')).toBe(true);
    expect(isNotificationKind('toString')).toBe(false);
  });
});

describe('the later state of a sync', () => {
  const sync = (status: Sync['status'], attempts = 1): Sync => ({
    sync_id: 's1',
    project_id: 'p1',
    status,
    trigger: 'manual',
    commit: null,
    attempts,
    created_at: '2026-01-01T00:00:00.000Z',
    started_at: null,
    finished_at: null,
    duration_ms: null,
    error: null,
  });

  it('keeps a further stage over an earlier one arriving late, and a new attempt over the last', () => {
    expect(newerSync(sync('updating_files'), sync('queued', 0)).status).toBe('updating_files');
    expect(newerSync(sync('running'), sync('completed')).status).toBe('completed');
    expect(newerSync(sync('failed'), sync('finalizing')).status).toBe('failed');
    expect(newerSync(sync('finalizing', 1), sync('running', 2))).toEqual(sync('running', 2));
    expect(newerSync(undefined, sync('queued', 0)).status).toBe('queued');
  });
});
