import type { AuditEntry, Comment, Task, Thread, ThreadPosition } from '@hivesync/core';
import pc from 'picocolors';
import { formatTime, plural, shortId, type Cell, type Colors } from './output.js';

// Colors that do nothing, to measure text without escape codes.
const plain = pc.createColors(false);

/** `12` for one line, `12-14` for several. */
export function formatLines(start: number, end: number): string {
  return end > start ? `${start}-${end}` : String(start);
}

/** Where a thread's code is: `src/index.ts:12-14`. */
export function formatPlace(place: Pick<ThreadPosition, 'path' | 'start_line' | 'end_line'>): string {
  return `${place.path}:${formatLines(place.start_line, place.end_line)}`;
}

/** `[current]`, `[moved]`, `[edited]`, `[outdated: lines deleted]`, `[outdated: file deleted]`; `, resolved` added. */
export function formatStatus(thread: Pick<Thread, 'position' | 'state'>, c: Colors): string {
  const { status, reason } = thread.position;
  const why = reason === 'file_deleted' ? 'file deleted' : reason === 'deleted' ? 'lines deleted' : undefined;
  const text = `[${status}${why ? `: ${why}` : ''}${thread.state === 'resolved' ? ', resolved' : ''}]`;
  if (status === 'outdated') return c.red(text);
  if (thread.state === 'resolved') return c.dim(text);
  return status === 'current' ? c.green(text) : c.yellow(text);
}

/** The first non-empty line of a text, cut to `max` characters. */
export function firstLine(text: string, max = 80): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return truncate(line.trim(), max);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * `threads` output, one thread a line: `path:line  [status]  first line of the first comment  (N comments)  id`, the
 * first two columns aligned. `firstComments` maps a thread id to its first comment's text, when known.
 */
export function formatThreadList(threads: Thread[], firstComments: Map<string, string>, c: Colors): string[] {
  const rows = threads.map((t) => ({
    place: formatPlace(t.position),
    status: formatStatus(t, plain),
    styled: formatStatus(t, c),
    text: firstComments.get(t.thread_id),
    count: `(${plural(t.comment_count, 'comment')})`,
    id: shortId(t.thread_id),
  }));
  const placeWidth = Math.max(0, ...rows.map((r) => r.place.length));
  const statusWidth = Math.max(0, ...rows.map((r) => r.status.length));
  return rows.map((r) => {
    const text = r.text === undefined ? '' : `${r.text === '' ? c.dim('(deleted)') : r.text}  `;
    const status = r.styled + ' '.repeat(statusWidth - r.status.length);
    return `${c.magenta(r.place.padEnd(placeWidth))}  ${status}  ${text}${c.dim(r.count)}  ${c.dim(r.id)}`;
  });
}

/**
 * Lines of a file with their numbers, those from `start` to `end` marked with `>`, and `context` lines around
 * them: what `threads show` prints. `lines` is the whole file, numbered from `firstNumber` (1 for a whole file).
 */
export function formatExcerpt(
  lines: string[],
  start: number,
  end: number,
  c: Colors,
  options: { context?: number; firstNumber?: number } = {},
): string[] {
  const context = options.context ?? 2;
  const first = options.firstNumber ?? 1;
  const from = Math.max(first, start - context);
  const to = Math.min(first + lines.length - 1, end + context);
  const width = String(to).length;
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    const text = (lines[n - first] ?? '').replace(/\r$/, '');
    const marked = n >= start && n <= end;
    const number = String(n).padStart(width);
    out.push(marked ? `${c.yellow('>')} ${c.bold(number)}  ${text}` : `  ${c.dim(number)}  ${text}`.trimEnd());
  }
  return out;
}

/** Splits file content into lines, a final newline not starting an empty last line (as the server counts them). */
export function splitLines(content: string): string[] {
  const lines = content.split('\n');
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return lines;
}

/** A comment: `Author · 5 min ago`, `[AI]` for an AI job's, `(edited)`; then its text, indented. */
export function formatComment(comment: Comment, c: Colors, now = Date.now()): string[] {
  const ai = comment.ai ? ` ${c.cyan('[AI]')}` : '';
  const edited = comment.edited_at ? c.dim(' (edited)') : '';
  const head = `${c.bold(comment.author_name)}${ai} ${c.dim(`· ${formatTime(comment.created_at, now)}`)}${edited}`;
  if (comment.deleted) return [head, `  ${c.dim('(deleted)')}`];
  return [head, ...comment.body.split(/\r?\n/).map((l) => `  ${l}`.trimEnd())];
}

const TASK_STATUS_STYLE: Record<Task['status'], keyof Colors> = { todo: 'yellow', in_progress: 'cyan', done: 'green' };

/** A task's status as a table cell, colored. */
export function taskStatusCell(task: Task, c: Colors): Cell {
  const style = c[TASK_STATUS_STYLE[task.status]] as (s: string) => string;
  return { text: task.status, style };
}

/** What a task points at: `src/a.ts:12`, `thread 0f6c9a2b-…`, both, or `-`; `shortIds` cuts the thread's id to 8. */
export function formatTaskLink(task: Task, options: { shortIds?: boolean } = {}): string {
  const parts: string[] = [];
  if (task.file) parts.push(task.file.line === null ? task.file.path : `${task.file.path}:${task.file.line}`);
  if (task.thread_id) parts.push(`thread ${options.shortIds ? shortId(task.thread_id) : task.thread_id}`);
  return parts.length === 0 ? '-' : parts.join(', ');
}

/** An audit time: `2025-01-31 12:00:05` (UTC), to the second. */
export function formatAuditTime(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : new Date(at).toISOString().slice(0, 19).replace('T', ' ');
}

/** One row of the `audit` table: TIME, ACTOR, ACTION, TARGET, PROJECT, IP, DETAILS. */
export function auditRow(entry: AuditEntry, c: Colors): Cell[] {
  const details = Object.entries(entry.details)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return [
    formatAuditTime(entry.at),
    entry.actor_email ?? entry.actor_id ?? '-',
    { text: entry.action, style: c.bold },
    entry.target_type ? `${entry.target_type} ${entry.target_id ?? ''}`.trimEnd() : '-',
    entry.project_id ?? '-',
    entry.ip ?? '-',
    truncate(details, 80),
  ];
}
