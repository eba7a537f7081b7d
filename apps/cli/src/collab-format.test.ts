import type { AuditEntry, Comment, Task, Thread } from '@hivesync/core';
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import {
  auditRow,
  firstLine,
  formatAuditTime,
  formatComment,
  formatExcerpt,
  formatPlace,
  formatStatus,
  formatTaskLink,
  formatThreadList,
  splitLines,
} from './collab-format.js';

const plain = pc.createColors(false);
const colored = pc.createColors(true);
const C1 = 'a'.repeat(40);
const C2 = 'b'.repeat(40);

function thread(id: string, extra: Partial<Thread> = {}, position: Partial<Thread['position']> = {}): Thread {
  return {
    thread_id: id,
    project_id: 'p1',
    state: 'open',
    anchor: { path: 'src/a.ts', commit: C1, start_line: 3, end_line: 4, text: 'x\ny', symbol: null },
    position: {
      commit: C2,
      path: 'src/a.ts',
      start_line: 6,
      end_line: 7,
      status: 'current',
      reason: null,
      ...position,
    },
    created_by: 'u1',
    created_at: '2025-01-01T00:00:00.000Z',
    resolved_at: null,
    comment_count: 2,
    ...extra,
  };
}

function comment(extra: Partial<Comment> = {}): Comment {
  return {
    comment_id: 'c1',
    thread_id: 't1',
    author_id: 'u1',
    author_name: 'Alice',
    ai: false,
    body: 'Why is this exported?\nIt is not used.',
    created_at: '2025-01-01T00:00:00.000Z',
    edited_at: null,
    deleted: false,
    ...extra,
  };
}

describe('threads', () => {
  it('names places as path:line or path:start-end', () => {
    expect(formatPlace({ path: 'src/a.ts', start_line: 6, end_line: 6 })).toBe('src/a.ts:6');
    expect(formatPlace({ path: 'src/a.ts', start_line: 6, end_line: 9 })).toBe('src/a.ts:6-9');
  });

  it('flags the status, with the reason for outdated threads, and resolved ones', () => {
    const status = (position: Partial<Thread['position']>, state: Thread['state'] = 'open') =>
      formatStatus(thread('t', { state }, position), plain);
    expect(status({})).toBe('[current]');
    expect(status({ status: 'moved' })).toBe('[moved]');
    expect(status({ status: 'edited' })).toBe('[edited]');
    expect(status({ status: 'outdated', reason: 'deleted' })).toBe('[outdated: lines deleted]');
    expect(status({ status: 'outdated', reason: 'file_deleted' })).toBe('[outdated: file deleted]');
    expect(status({}, 'resolved')).toBe('[current, resolved]');
    expect(formatStatus(thread('t', {}, { status: 'outdated', reason: 'deleted' }), colored)).toBe(
      colored.red('[outdated: lines deleted]'),
    );
  });

  it('lists one thread a line: place, status, first line of the first comment, count, id; columns aligned', () => {
    const threads = [
      thread('t1'),
      thread('t2', { comment_count: 1 }, { path: 'README.md', start_line: 1, end_line: 1, status: 'moved' }),
      thread('t3', {}, { status: 'outdated', reason: 'file_deleted' }),
    ];
    const first = new Map([
      ['t1', 'Why is this exported?'],
      ['t2', ''],
    ]);
    // The status column is as wide as its widest entry, `[outdated: file deleted]` (24 characters), plus two.
    const pad = (status: string) => `${status}${' '.repeat(26 - status.length)}`;
    expect(formatThreadList(threads, first, plain)).toEqual([
      `src/a.ts:6-7  ${pad('[current]')}Why is this exported?  (2 comments)  t1`,
      `README.md:1   ${pad('[moved]')}(deleted)  (1 comment)  t2`,
      `src/a.ts:6-7  ${pad('[outdated: file deleted]')}(2 comments)  t3`,
    ]);
    // Colors do not skew the columns.
    const line = formatThreadList(threads, first, colored)[0]!;
    expect(line).toContain(`${colored.green('[current]')}${' '.repeat(17)}Why`);
    // A real id shows as its first 8 characters, which `threads show` takes back.
    const uuid = '0f6c9a2b-1d2e-4f30-8a4b-5c6d7e8f9a0b';
    expect(formatThreadList([thread(uuid)], new Map(), plain)[0]).toMatch(/\(2 comments\) {2}0f6c9a2b$/);
  });

  it('takes the first non-empty line of a comment, cut to a width', () => {
    expect(firstLine('\n  First line  \nsecond')).toBe('First line');
    expect(firstLine('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(firstLine('')).toBe('');
  });
});

describe('formatExcerpt', () => {
  const file = splitLines('one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\n');

  it('numbers the lines, marks the thread’s, and shows two lines around them', () => {
    expect(formatExcerpt(file, 5, 6, plain)).toEqual([
      '  3  three',
      '  4  four',
      '> 5  five',
      '> 6  six',
      '  7  seven',
      '  8  eight',
    ]);
  });

  it('stops at the edges of the file and widens the number column as needed', () => {
    expect(formatExcerpt(file, 1, 1, plain, { context: 1 })).toEqual(['> 1  one', '  2  two']);
    expect(formatExcerpt(file, 11, 11, plain)).toEqual(['   9  nine', '  10  ten', '> 11  eleven']);
  });

  it('numbers a piece of a file from where it starts (an outdated thread’s anchor)', () => {
    expect(formatExcerpt(['x', 'y'], 41, 42, plain, { context: 0, firstNumber: 41 })).toEqual(['> 41  x', '> 42  y']);
  });

  it('splits like the server: a final newline does not make a last empty line; a CR is dropped', () => {
    expect(splitLines('a\nb\n')).toEqual(['a', 'b']);
    expect(formatExcerpt(splitLines('a\r\nb\r\n'), 2, 2, plain)).toEqual(['  1  a', '> 2  b']);
  });
});

describe('formatComment', () => {
  const now = Date.parse('2025-01-01T00:05:00.000Z');

  it('shows the author, when, and the text indented', () => {
    expect(formatComment(comment(), plain, now)).toEqual([
      'Alice · 5 min ago',
      '  Why is this exported?',
      '  It is not used.',
    ]);
  });

  it('marks AI comments, edited ones, and deleted ones', () => {
    const ai = comment({ ai: true, author_id: null, author_name: 'HiveSync AI', body: 'Documented.' });
    expect(formatComment(ai, plain, now)).toEqual(['HiveSync AI [AI] · 5 min ago', '  Documented.']);
    expect(formatComment(comment({ edited_at: '2025-01-01T00:01:00.000Z' }), plain, now)[0]).toBe(
      'Alice · 5 min ago (edited)',
    );
    expect(formatComment(comment({ deleted: true, body: '' }), plain, now)).toEqual([
      'Alice · 5 min ago',
      '  (deleted)',
    ]);
  });
});

describe('tasks and audit', () => {
  const task = (extra: Partial<Task>): Task => ({
    task_id: 'k1',
    project_id: 'p1',
    title: 'Fix it',
    description: '',
    status: 'todo',
    assignee_id: null,
    thread_id: null,
    file: null,
    created_by: 'u1',
    created_at: '2025-01-01T00:00:00.000Z',
    updated_at: '2025-01-01T00:00:00.000Z',
    ...extra,
  });

  it('says what a task is about', () => {
    expect(formatTaskLink(task({}))).toBe('-');
    expect(formatTaskLink(task({ file: { path: 'src/a.ts', line: 3 } }))).toBe('src/a.ts:3');
    expect(formatTaskLink(task({ file: { path: 'src/a.ts', line: null }, thread_id: 't1' }))).toBe(
      'src/a.ts, thread t1',
    );
    const linked = task({ thread_id: '0f6c9a2b-1d2e-4f30-8a4b-5c6d7e8f9a0b' });
    expect(formatTaskLink(linked)).toBe('thread 0f6c9a2b-1d2e-4f30-8a4b-5c6d7e8f9a0b');
    expect(formatTaskLink(linked, { shortIds: true })).toBe('thread 0f6c9a2b');
  });

  it('formats an audit entry as a row, times in UTC to the second', () => {
    const entry: AuditEntry = {
      id: '7',
      at: '2025-01-31T12:00:05.123Z',
      actor_id: 'u1',
      actor_email: 'alice@example.test',
      action: 'member.added',
      target_type: 'user',
      target_id: 'u2',
      project_id: 'p1',
      ip: '127.0.0.1',
      details: { role: 'member', n: 2 },
    };
    expect(formatAuditTime(entry.at)).toBe('2025-01-31 12:00:05');
    expect(auditRow(entry, plain)).toEqual([
      '2025-01-31 12:00:05',
      'alice@example.test',
      { text: 'member.added', style: plain.bold },
      'user u2',
      'p1',
      '127.0.0.1',
      'role=member n=2',
    ]);
    const anonymous = { ...entry, actor_id: null, actor_email: null, target_type: null, project_id: null, ip: null };
    expect(auditRow({ ...anonymous, details: {} }, plain)).toEqual([
      '2025-01-31 12:00:05',
      '-',
      { text: 'member.added', style: plain.bold },
      '-',
      '-',
      '-',
      '',
    ]);
  });
});
