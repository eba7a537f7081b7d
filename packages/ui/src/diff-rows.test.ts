import { describe, expect, it } from 'vitest';
import type { DiffFile, DiffLine } from '@hivesync/sdk';
import { HIGHLIGHT_MAX_LINES, highlightable, splitRows } from './diff-rows.js';

const ctx = (o: number, n: number): DiffLine => ({ type: 'context', old_line: o, new_line: n, text: `c${o}` });
const del = (o: number): DiffLine => ({ type: 'delete', old_line: o, new_line: null, text: `d${o}` });
const add = (n: number): DiffLine => ({ type: 'add', old_line: null, new_line: n, text: `a${n}` });

describe('splitRows', () => {
  it('puts each run of deleted lines beside the added lines that replace it', () => {
    expect(splitRows([ctx(1, 1), del(2), del(3), add(2), ctx(4, 3)])).toEqual([
      { left: ctx(1, 1), right: ctx(1, 1) },
      { left: del(2), right: add(2) },
      { left: del(3) },
      { left: ctx(4, 3), right: ctx(4, 3) },
    ]);
  });

  it('keeps lines added alone on the right, and a new run of deletions apart from earlier additions', () => {
    expect(splitRows([add(1), add(2), del(1), ctx(2, 3)])).toEqual([
      { right: add(1) },
      { right: add(2) },
      { left: del(1) },
      { left: ctx(2, 3), right: ctx(2, 3) },
    ]);
  });
});

describe('highlightable', () => {
  const withLines = (count: number, binary = false): DiffFile => ({
    path: 'a.js',
    old_path: null,
    old_mode: '100644',
    new_mode: '100644',
    status: 'modified',
    binary,
    truncated: false,
    additions: count,
    deletions: 0,
    hunks: [
      {
        old_start: 1,
        old_lines: 0,
        new_start: 1,
        new_lines: count,
        heading: '',
        lines: Array.from({ length: count }, (_, i) => add(i + 1)),
      },
    ],
  });

  it('highlights text files up to the limit and leaves larger ones (and binary ones) as plain text', () => {
    expect(highlightable(withLines(3))).toBe(true);
    expect(highlightable(withLines(HIGHLIGHT_MAX_LINES))).toBe(true);
    expect(highlightable(withLines(HIGHLIGHT_MAX_LINES + 1))).toBe(false);
    expect(highlightable(withLines(0))).toBe(false);
    expect(highlightable(withLines(3, true))).toBe(false);
  });
});
