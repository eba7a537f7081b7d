import type { Comment, Thread } from '@hivesync/sdk';

/** Where a thread shows in a file: 0-based first and last line. */
export interface LineRange {
  start: number;
  end: number;
}

/** The lines a thread is shown on: where its code is now, or, once outdated, where it was written. */
export function threadLines(thread: Thread): LineRange {
  const at = thread.position.status === 'outdated' ? thread.anchor : thread.position;
  const start = Math.max(0, at.start_line - 1);
  return { start, end: Math.max(start, at.end_line - 1) };
}

/** The path a thread shows in: its position's path (the file may have been renamed), else its anchor's. */
export function threadPath(thread: Thread): string {
  return thread.position.status === 'outdated' ? thread.anchor.path : thread.position.path;
}

const OUTDATED_WHY: Record<string, string> = {
  deleted: 'its lines were deleted',
  file_deleted: 'its file was deleted',
  too_costly: 'it could not be placed in time; it is tried again at the next sync',
};

/** The label of a thread in the editor: its state, and why it is outdated. */
export function threadLabel(thread: Thread): string {
  const state = thread.state === 'resolved' ? 'Resolved' : 'Open';
  if (thread.position.status === 'outdated') {
    const why = OUTDATED_WHY[thread.position.reason ?? ''] ?? 'its code is gone';
    return `${state} · Outdated: ${why}`;
  }
  if (thread.position.status === 'edited') return `${state} · the code changed since`;
  return state;
}

/** Whether a thread is outdated (shown with its original snippet). */
export function isOutdated(thread: Thread): boolean {
  return thread.position.status === 'outdated';
}

const LANGUAGES: Record<string, string> = {
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'jsx',
  ts: 'typescript',
  tsx: 'tsx',
  py: 'python',
  go: 'go',
  rs: 'rust',
  json: 'json',
  md: 'markdown',
  css: 'css',
  html: 'html',
};

/** A fenced Markdown code block of `text`, with a fence longer than any backtick run inside it. */
export function codeBlock(text: string, path: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${LANGUAGES[ext] ?? ''}\n${text.replace(/\n$/, '')}\n${fence}`;
}

/**
 * The Markdown of a comment as the editor shows it. The first comment of an outdated thread starts with the code it
 * was written on, since that code is no longer in the file.
 */
export function commentMarkdown(thread: Thread, comment: Comment, first: boolean): string {
  const body = comment.deleted ? '_This comment was deleted._' : comment.body;
  if (!first || !isOutdated(thread) || thread.anchor.text === '') return body;
  const where = `${thread.anchor.path}:${thread.anchor.start_line} at ${thread.anchor.commit.slice(0, 7)}`;
  return `Originally on ${where}:\n\n${codeBlock(thread.anchor.text, thread.anchor.path)}\n\n${body}`;
}

/** One line of a thread for lists (the Threads view): where, and what its first comment says. */
export function threadSummary(thread: Thread): { label: string; description: string } {
  const lines = threadLines(thread);
  const text = plainText(thread.first_comment?.body ?? thread.comments?.[0]?.body ?? '');
  const label = text.length > 80 ? `${text.slice(0, 79)}…` : text || '(no comment)';
  const outdated = isOutdated(thread) ? ' · outdated' : '';
  const replies =
    thread.comment_count > 1 ? ` · ${thread.comment_count - 1} repl${thread.comment_count === 2 ? 'y' : 'ies'}` : '';
  return { label, description: `${threadPath(thread)}:${lines.start + 1}${replies}${outdated}` };
}

/** A comment's Markdown as one line of plain text: emphasis, code marks, links and line breaks dropped. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|_|`)(?=\S)([^*_`]*?\S)\1/g, '$2')
    .replace(/^\s*(?:#+|>|[-*+]|\d+\.)\s+/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Groups threads by the file they show in. */
export function threadsByPath(threads: readonly Thread[]): Map<string, Thread[]> {
  const map = new Map<string, Thread[]>();
  for (const t of threads) {
    const key = threadPath(t);
    map.set(key, [...(map.get(key) ?? []), t]);
  }
  return map;
}
