import type { Notification, Thread } from '@hivesync/sdk';
import { describe, expect, it } from 'vitest';
import { findFunctions, functionAt, isIdentifier } from './functions.js';
import { describeNotification, nextPollSeconds, OncePrompt, UnreadSet } from './notification-text.js';
import { parseSearchInput } from './search-query.js';
import { syncErrorText, syncStageText } from './sync-text.js';
import { codeBlock, commentMarkdown, plainText, threadLabel, threadLines, threadSummary } from './threads.js';

function thread(overrides: Partial<Thread> = {}, position: Partial<Thread['position']> = {}): Thread {
  const comment = {
    comment_id: 'c1',
    thread_id: 't1',
    author_id: 'u1',
    author_name: 'Ada',
    ai: false,
    body: 'Why is this `sync`?',
    created_at: '2026-01-01T00:00:00Z',
    edited_at: null,
    deleted: false,
  };
  return {
    thread_id: 't1',
    project_id: 'p1',
    state: 'open',
    anchor: {
      path: 'lib/app.js',
      commit: 'abcdef1234',
      start_line: 10,
      end_line: 12,
      text: 'app.init = function () {',
      symbol: null,
    },
    position: {
      commit: 'fff',
      path: 'lib/app.js',
      start_line: 14,
      end_line: 16,
      status: 'moved',
      reason: null,
      ...position,
    },
    created_by: 'u1',
    created_at: '2026-01-01T00:00:00Z',
    resolved_at: null,
    comment_count: 3,
    first_comment: comment,
    comments: [comment],
    ...overrides,
  };
}

function notification(type: string, payload: Record<string, unknown>, read = false): Notification {
  return {
    notification_id: `${type}-${JSON.stringify(payload)}`,
    user_id: 'u1',
    project_id: 'p1',
    type,
    payload,
    created_at: '2026-01-01T00:00:00Z',
    read_at: read ? '2026-01-01T00:00:01Z' : null,
  } as Notification;
}

describe('threads in the editor', () => {
  it('shows a thread where its code is now, and an outdated one where it was written', () => {
    expect(threadLines(thread())).toEqual({ start: 13, end: 15 });
    const outdated = thread({}, { status: 'outdated', reason: 'deleted' });
    expect(threadLines(outdated)).toEqual({ start: 9, end: 11 });
    expect(threadLabel(outdated)).toBe('Open · Outdated: its lines were deleted');
    expect(threadLabel(thread({ state: 'resolved' }))).toBe('Resolved');
  });

  it("starts an outdated thread's first comment with its original snippet, in a fence longer than its backticks", () => {
    const outdated = thread({}, { status: 'outdated', reason: 'deleted' });
    const md = commentMarkdown(outdated, outdated.first_comment!, true);
    expect(md).toBe(
      'Originally on lib/app.js:10 at abcdef1:\n\n```javascript\napp.init = function () {\n```\n\nWhy is this `sync`?',
    );
    expect(commentMarkdown(thread(), thread().first_comment!, true)).toBe('Why is this `sync`?');
    expect(codeBlock('a ``` b', 'x.py')).toBe('````python\na ``` b\n````');
  });

  it('sums a thread up in one line for the Threads view', () => {
    expect(threadSummary(thread())).toEqual({ label: 'Why is this sync?', description: 'lib/app.js:14 · 2 replies' });
    expect(plainText('Why does **init** set [the defaults](http://x)?\n\n> quoted `code`')).toBe(
      'Why does init set the defaults? quoted code',
    );
  });
});

describe('sync stages', () => {
  it('says each stage and the error with its fix', () => {
    expect(syncStageText({ status: 'updating_files', commit: null })).toBe('sync: updating files…');
    expect(syncStageText({ status: 'completed', commit: '0123456789' })).toBe('synced 0123456');
    expect(
      syncErrorText({ error: { code: 'repo_auth_failed', message: 'Authentication failed for the remote' } }),
    ).toMatch(
      /^Authentication failed for the remote\. The server could not sign in to the remote\. Set the project's credential/,
    );
    expect(syncErrorText({ error: { code: 'odd', message: 'Odd.' } })).toBe('Odd. (odd)');
  });
});

describe('functions', () => {
  const js = [
    'function top(a) {',
    '  if (x) {',
    '  }',
    '}',
    'app.handle = function handle(req, res, callback) {',
    'const arrow = async (x) => x;',
    'class A {',
    '  method(a, b) {',
    '  }',
    '}',
  ].join('\n');

  it('finds declarations, not control flow', () => {
    expect(findFunctions(js, 'javascript')).toEqual([
      { name: 'top', line: 0 },
      { name: 'handle', line: 4 },
      { name: 'arrow', line: 5 },
      { name: 'method', line: 7 },
    ]);
    expect(findFunctions('def f(x):\n  pass', 'python')).toEqual([{ name: 'f', line: 0 }]);
    expect(findFunctions('x', 'plaintext')).toEqual([]);
  });

  it('finds the function the cursor is in', () => {
    expect(functionAt(js, 'javascript', 2)).toEqual({ name: 'top', line: 0 });
    expect(functionAt(js, 'javascript', 8)?.name).toBe('method');
  });

  it('accepts identifiers only as new names', () => {
    expect(isIdentifier('newName')).toBe(true);
    expect(isIdentifier('2x')).toBe(false);
    expect(isIdentifier('class')).toBe(false);
    expect(isIdentifier('a-b')).toBe(false);
  });
});

describe('the search box', () => {
  it('reads text, /regex/i and path: words', () => {
    expect(parseSearchInput('  res.send ')).toEqual({ q: 'res.send', regex: false, ignore_case: false });
    expect(parseSearchInput('/res\\.se(nd|t)/i path:lib/')).toEqual({
      q: 'res\\.se(nd|t)',
      regex: true,
      ignore_case: true,
      path: 'lib/',
    });
    expect(parseSearchInput('path:lib/')).toBeUndefined();
  });
});

describe('notifications', () => {
  it('says who replied where, with a button to the thread', () => {
    const shown = describeNotification(
      notification('thread_reply', {
        thread_id: 't9',
        path: 'lib/app.js',
        line: 12,
        by: 'u2',
        by_name: 'Grace',
        project_name: 'express',
      }),
    );
    expect(shown).toEqual({
      message: 'Grace replied to a thread on lib/app.js:12 in express.',
      severity: 'info',
      actions: [{ title: 'Open Thread', kind: 'thread', threadId: 't9', path: 'lib/app.js', line: 12 }],
    });
  });

  it('offers the suggestion of a finished AI job, and skips the steps', () => {
    const done = describeNotification(
      notification('ai_job_completed', { job_id: 'j1', action: 'document_function', suggestions: 1 }),
    );
    expect(done?.message).toBe('Documenting a function is done: a suggestion is ready for review.');
    expect(done?.actions).toEqual([{ title: 'View Suggestion', kind: 'job', jobId: 'j1' }]);
    expect(describeNotification(notification('ai_job_queued', { job_id: 'j1' }))).toBeUndefined();
  });

  it('counts unread notifications once each', () => {
    const unread = new UnreadSet();
    const a = notification('thread_reply', { thread_id: 'a' });
    expect(unread.update([a, notification('thread_reply', { thread_id: 'b' })])).toBe(2);
    expect(unread.update([a])).toBe(2);
    expect(unread.update([{ ...a, read_at: '2026-01-01T00:00:00Z' }])).toBe(1);
    expect(unread.markRead(unread.all)).toBe(0);
  });

  it("polls at the server's interval, and backs off to 120 s while it cannot be reached", () => {
    expect(nextPollSeconds(0, 45)).toBe(45);
    expect([1, 2, 3, 4, 5, 9].map((f) => nextPollSeconds(f, 45))).toEqual([15, 30, 60, 120, 120, 120]);
    expect(nextPollSeconds(1, 45, 300)).toBe(300);
  });

  it('lets one sign-in prompt through until reset', () => {
    const prompt = new OncePrompt();
    expect([prompt.take(), prompt.take(), prompt.take()]).toEqual([true, false, false]);
    prompt.reset();
    expect(prompt.take()).toBe(true);
  });
});
