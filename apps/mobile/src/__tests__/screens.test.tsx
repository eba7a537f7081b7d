import { describe, expect, it, jest } from '@jest/globals';
import { HiveSyncError, type Notification } from '@hivesync/sdk';
import { act, fireEvent, screen, waitFor } from '@testing-library/react-native';
import type * as Runtime from '../preview/runtime';
import { NotificationsScreen } from '../screens/NotificationsScreen';
import { PreviewScreen } from '../screens/PreviewScreen';
import { SuggestionReview } from '../screens/ReviewScreen';
import { ThreadScreen } from '../screens/ThreadScreen';
import { Shell } from '../Shell';
import { renderSignedIn } from '../test-utils';

jest.mock('../preview/runtime', () => {
  const actual = jest.requireActual<typeof Runtime>('../preview/runtime');
  return {
    ...actual,
    downloadBundle: jest.fn(async (_r: unknown, onProgress: (f: number) => void) => {
      onProgress(0.5);
      onProgress(1);
      return new TextEncoder().encode(
        "var RN = require('react-native'); var R = require('react'); exports.default = function () { return R.createElement(RN.Text, null, 'Rendered preview'); };",
      );
    }),
  };
});

// The phone's push registration needs a device; the web export's module stands in for it here.
jest.mock('../lib/device-registration', () => jest.requireActual('../lib/device-registration.web'));

const now = new Date().toISOString();

describe('PreviewScreen', () => {
  it('says why a code for another platform is refused, and that it was not used', async () => {
    const resolve = jest.fn(async () => {
      throw new HiveSyncError({
        code: 'preview_platform_mismatch',
        message: 'mismatch',
        status: 409,
        retryable: false,
        details: { platform: 'android' },
      });
    });
    renderSignedIn(<PreviewScreen />, { previews: { resolve } });
    fireEvent.changeText(screen.getByLabelText('Preview code'), 'ab12-cd34');
    fireEvent.press(screen.getByRole('button', { name: 'Open preview' }));
    const error = await screen.findByTestId('preview-open-error');
    expect(resolve).toHaveBeenCalledWith({ code: 'AB12CD34', platform: 'ios' });
    expect(error).toBeTruthy();
    expect(
      screen.getByText(/This code is for an Android preview and this app opens iOS previews\. The code was not used/),
    ).toBeTruthy();
  });

  it('refuses text that is not a code before asking the server', () => {
    const resolve = jest.fn();
    renderSignedIn(<PreviewScreen />, { previews: { resolve } });
    fireEvent.changeText(screen.getByLabelText('Preview code'), '!!');
    fireEvent.press(screen.getByRole('button', { name: 'Open preview' }));
    expect(screen.getByText(/Type the 8-character code/)).toBeTruthy();
    expect(resolve).not.toHaveBeenCalled();
  });

  it('resolves, downloads and runs a bundle, then lists it under recent previews', async () => {
    const resolve = jest.fn(async () => ({
      preview_id: 'pv1',
      project_id: 'p1',
      platform: 'ios',
      download_url: 'http://hivesync.test/storage/x',
      sha256: 'a'.repeat(64),
      size: 120,
      expires_at: now,
    }));
    renderSignedIn(<PreviewScreen />, { previews: { resolve } });
    fireEvent.changeText(screen.getByLabelText('Preview code'), 'WXYZ2345');
    fireEvent.press(screen.getByRole('button', { name: 'Open preview' }));
    expect(await screen.findByText('Rendered preview')).toBeTruthy();
    fireEvent.press(screen.getByRole('button', { name: 'Leave' }));
    expect(await screen.findByLabelText('Open Preview WXYZ-2345 again')).toBeTruthy();
  });
});

const notification = (over: Partial<Notification>): Notification => ({
  notification_id: 'n1',
  user_id: 'u1',
  project_id: 'p1',
  type: 'thread_reply',
  payload: { by_name: 'Bob', project_name: 'greeter', path: 'src/a.ts', thread_id: 't1' },
  created_at: now,
  read_at: null,
  ...over,
});

describe('NotificationsScreen', () => {
  it('lists notifications; tapping one marks it read and opens its thread', async () => {
    const markRead = jest.fn(async () => ({ updated: 1 }));
    const navigate = jest.fn();
    renderSignedIn(<NotificationsScreen navigate={navigate} />, {
      notifications: {
        list: async () => ({ notifications: [notification({})], cursor: null }),
        markRead,
      },
    });
    const item = await screen.findByLabelText('Unread: Bob replied. src/a.ts · greeter');
    fireEvent.press(item);
    expect(markRead).toHaveBeenCalledWith({ notification_ids: ['n1'] });
    expect(navigate).toHaveBeenCalledWith({ name: 'thread', projectId: 'p1', threadId: 't1' });
    expect(screen.getByLabelText('Bob replied. src/a.ts · greeter')).toBeTruthy();
  });

  it('lists the newest first whatever order the page comes in', async () => {
    const older = notification({ notification_id: 'n0', created_at: '2026-01-01T10:00:00.000Z', read_at: now });
    const newer = notification({
      notification_id: 'n2',
      type: 'preview_ready',
      payload: { project_name: 'greeter' },
      created_at: '2026-01-01T11:00:00.000Z',
      read_at: now,
    });
    renderSignedIn(<NotificationsScreen navigate={() => undefined} />, {
      notifications: { list: async () => ({ notifications: [older, newer], cursor: null }), markRead: jest.fn() },
    });
    await screen.findByLabelText(/^Preview ready/);
    const labels = screen
      .getAllByLabelText(/^(Preview ready|Bob replied)\./)
      .map((item) => (item.props.accessibilityLabel ?? item.props['aria-label']) as string);
    expect(labels).toEqual(['Preview ready. greeter', 'Bob replied. src/a.ts · greeter']);
  });

  it('shows the cached list with the offline banner when the server cannot be reached', async () => {
    let offline = false;
    const list = jest.fn(async () => {
      if (offline)
        throw new HiveSyncError({ code: 'network_error', message: 'fetch failed', status: 0, retryable: true });
      return { notifications: [notification({ read_at: now })], cursor: null };
    });
    jest.useFakeTimers();
    try {
      renderSignedIn(<Shell />, { notifications: { list, markRead: jest.fn() }, devices: {} });
      fireEvent.press(screen.getByRole('tab', { name: 'Notifications' }));
      await screen.findByLabelText('Bob replied. src/a.ts · greeter');
      offline = true;
      await act(async () => {
        jest.advanceTimersByTime(45_000);
      });
      expect(await screen.findByTestId('offline-banner')).toBeTruthy();
      expect(screen.getByLabelText('Bob replied. src/a.ts · greeter')).toBeTruthy();
      // Backed off: nothing more for the next 119 s, then one more try.
      const calls = list.mock.calls.length;
      await act(async () => {
        jest.advanceTimersByTime(119_000);
      });
      expect(list.mock.calls.length).toBe(calls);
      await act(async () => {
        jest.advanceTimersByTime(1_000);
      });
      expect(list.mock.calls.length).toBe(calls + 1);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('ThreadScreen', () => {
  it('shows the comments, sends a reply and resolves the thread', async () => {
    const comment = (id: string, body: string, author: string) => ({
      comment_id: id,
      thread_id: 't1',
      author_id: null,
      author_name: author,
      ai: false,
      body,
      created_at: now,
      edited_at: null,
      deleted: false,
    });
    let comments = [comment('c1', 'Should this trim?', 'Ada')];
    let state: 'open' | 'resolved' = 'open';
    const thread = () => ({
      thread_id: 't1',
      project_id: 'p1',
      state,
      anchor: { path: 'src/a.ts', commit: 'c', start_line: 2, end_line: 2, text: 'return name;', symbol: null },
      position: { commit: 'c', path: 'src/a.ts', start_line: 2, end_line: 2, status: 'exact' },
      created_by: null,
      created_at: now,
      resolved_at: null,
      comment_count: comments.length,
      comments,
    });
    const reply = jest.fn(async (_id: string, body: string) => {
      comments = [...comments, comment('c2', body, 'Ada')];
      return thread();
    });
    const resolve = jest.fn(async () => {
      state = 'resolved';
      return thread();
    });
    renderSignedIn(<ThreadScreen threadId="t1" />, { threads: { get: async () => thread(), reply, resolve } });
    await screen.findByText('Should this trim?');
    fireEvent.changeText(screen.getByLabelText('Reply'), 'Yes, trim it.');
    fireEvent.press(screen.getByRole('button', { name: 'Send reply' }));
    expect(await screen.findByText('Yes, trim it.')).toBeTruthy();
    expect(reply).toHaveBeenCalledWith('t1', 'Yes, trim it.');
    fireEvent.press(screen.getByRole('button', { name: 'Resolve thread' }));
    expect(await screen.findByRole('button', { name: 'Reopen thread' })).toBeTruthy();
  });
});

describe('server data', () => {
  it('keeps the newest answer when a poll that started before a reply answers after it', async () => {
    const base = {
      thread_id: 't1',
      project_id: 'p1',
      state: 'open' as const,
      anchor: { path: 'a.ts', commit: 'c', start_line: 1, end_line: 1, text: 'x', symbol: null },
      position: { commit: 'c', path: 'a.ts', start_line: 1, end_line: 1, status: 'exact' },
      created_by: null,
      created_at: now,
      resolved_at: null,
    };
    const comment = (id: string, body: string) => ({
      comment_id: id,
      thread_id: 't1',
      author_id: null,
      author_name: 'Ada',
      ai: false,
      body,
      created_at: now,
      edited_at: null,
      deleted: false,
    });
    const before = { ...base, comment_count: 1, comments: [comment('c1', 'First')] };
    const after = { ...base, comment_count: 2, comments: [comment('c1', 'First'), comment('c2', 'My reply')] };
    let slowPoll: ((v: typeof before) => void) | undefined;
    let calls = 0;
    const get = jest.fn(() => {
      calls++;
      if (calls === 1) return Promise.resolve(before);
      if (calls === 2) return new Promise<typeof before>((r) => (slowPoll = r));
      return Promise.resolve(after);
    });
    jest.useFakeTimers();
    try {
      renderSignedIn(<ThreadScreen threadId="t1" />, { threads: { get, reply: jest.fn(async () => after) } });
      await screen.findByText('First');
      await act(async () => {
        jest.advanceTimersByTime(45_000); // the poll starts and hangs
      });
      expect(slowPoll).toBeDefined();
      fireEvent.changeText(screen.getByLabelText('Reply'), 'My reply');
      fireEvent.press(screen.getByRole('button', { name: 'Send reply' }));
      expect(await screen.findByText('My reply')).toBeTruthy();
      await act(async () => {
        slowPoll!(before);
      });
      expect(screen.getByText('My reply')).toBeTruthy();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('SuggestionReview', () => {
  it('shows the diff, posts a line comment as a thread, approves, and offers no apply', async () => {
    const diff = {
      from: 'a',
      to: 'b',
      total_files: 1,
      additions: 1,
      deletions: 0,
      truncated: false,
      files: [
        {
          path: 'src/greet.js',
          old_path: null,
          status: 'modified',
          old_mode: '100644',
          new_mode: '100644',
          additions: 1,
          deletions: 0,
          binary: false,
          truncated: false,
          hunks: [
            {
              old_start: 1,
              old_lines: 1,
              new_start: 1,
              new_lines: 2,
              heading: '',
              lines: [
                { type: 'add', old_line: null, new_line: 1, text: '/** Greets. */' },
                { type: 'context', old_line: 1, new_line: 2, text: 'function greet(name) {' },
              ],
            },
          ],
        },
      ],
    };
    const approve = jest.fn(async () => ({ state: 'approved' }));
    const create = jest.fn(async () => ({}));
    const suggestion = {
      id: 's1',
      job_id: 'j1',
      description: 'Document greet',
      files: ['src/greet.js'],
      patch: '',
      state: 'proposed' as const,
      created_at: now,
      history: [],
    };
    renderSignedIn(<SuggestionReview projectId="p1" suggestion={suggestion} />, {
      ai: { suggestionDiff: async () => diff, approve, reject: jest.fn() },
      threads: { create },
    });
    await screen.findByText('/** Greets. */');
    fireEvent.press(screen.getByRole('button', { name: 'Comment on added line 1' }));
    fireEvent.changeText(screen.getByLabelText('Comment on line 1 of src/greet.js'), 'Say more.');
    fireEvent.press(screen.getByRole('button', { name: 'Post line comment' }));
    await screen.findByText('Comment posted on src/greet.js:1 as a thread.');
    expect(create).toHaveBeenCalledWith('p1', {
      path: 'src/greet.js',
      start_line: 1,
      body: 'On the suggestion “Document greet”, line 1: Say more.',
    });
    fireEvent.changeText(screen.getByLabelText('Review comment (optional)'), 'Good.');
    fireEvent.press(screen.getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(screen.getByText('Approved: not applied yet')).toBeTruthy());
    expect(approve).toHaveBeenCalledWith('s1', { comment: 'Good.' });
    expect(screen.queryByRole('button', { name: /apply/i })).toBeNull();
  });
});
