import type { Thread, ThreadPosition } from '@hivesync/sdk';
import type { ThreadMarker } from '../components/CodeView.js';

/** "line 10" or "lines 10–12". */
export function linesLabel(start: number, end: number): string {
  return start === end ? `line ${start}` : `lines ${start}–${end}`;
}

/** "L10" or "L10–12", after a path. */
export function shortLines(start: number, end: number): string {
  return start === end ? `L${start}` : `L${start}–${end}`;
}

/** Why a thread's code is where it is, in words; null when it is where it was written. */
export function positionWords(position: ThreadPosition): string | null {
  switch (position.status) {
    case 'current':
      return null;
    case 'moved':
      return 'The code moved since this thread was written.';
    case 'edited':
      return 'The code changed since this thread was written.';
    case 'outdated':
      return position.reason === 'file_deleted'
        ? 'Outdated: the file was deleted.'
        : position.reason === 'too_costly'
          ? 'Outdated for now: placing it took too long; it is tried again at the next sync.'
          : 'Outdated: the lines it was written on were deleted.';
  }
}

/** A line of Markdown without its markup (strong, strike, code marks, link and image syntax, heading/quote/list marks). */
export function plainLine(line: string): string {
  return line
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*\*|__|~~|`/g, '')
    .replace(/^(#{1,6}\s+|>\s?|[-*+]\s+(\[[ xX]\]\s+)?|\d+\.\s+)/, '')
    .trim();
}

/**
 * The first line of a comment without its Markdown, cut to `max` characters, as plain text (it is rendered as text,
 * never as HTML).
 */
export function excerpt(body: string, max = 140): string {
  const line =
    body
      .split('\n')
      .map((l) => plainLine(l.trim()))
      .find((l) => l !== '') ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Replies: comments after the first (deleted ones are not counted by the server). */
export function replyCount(thread: Thread): number {
  return Math.max(0, thread.comment_count - (thread.first_comment && !thread.first_comment.deleted ? 1 : 0));
}

/** How the file view's gutter names a thread. */
export function markerFor(thread: Thread): ThreadMarker {
  const p = thread.position;
  const who = thread.first_comment?.author_name ?? 'someone';
  const state = thread.state === 'open' ? 'Open' : 'Resolved';
  return {
    threadId: thread.thread_id,
    line: p.start_line,
    state: thread.state,
    label: `${state}${p.status === 'outdated' ? ', outdated,' : ''} thread on ${linesLabel(p.start_line, p.end_line)} by ${who}: ${excerpt(thread.first_comment?.body ?? '', 80)}`,
  };
}

/** What the project's thread list shows: a state, and only the caller's threads or everyone's. */
export interface ThreadFilter {
  state: 'open' | 'resolved' | 'all';
  mine: boolean;
}

/** The address of a page of the list: `/projects/:id/threads?state=&mine=1&cursor=` (defaults left out). */
export function threadsPath(projectId: string, filter: ThreadFilter, cursor?: string): string {
  const query = new URLSearchParams();
  if (filter.state !== 'open') query.set('state', filter.state);
  if (filter.mine) query.set('mine', '1');
  if (cursor) query.set('cursor', cursor);
  const qs = query.toString();
  return `/projects/${encodeURIComponent(projectId)}/threads${qs ? `?${qs}` : ''}`;
}

/** /projects/:id/threads/:threadId */
export function threadPath(projectId: string, threadId: string): string {
  return `/projects/${encodeURIComponent(projectId)}/threads/${encodeURIComponent(threadId)}`;
}
