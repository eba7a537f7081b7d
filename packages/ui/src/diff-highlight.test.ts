import { describe, expect, it } from 'vitest';
import type { DiffFile, DiffLine } from '@hivesync/sdk';
import { diffSides, highlightDiffFile, tokensByLine, type Token } from './diff-highlight.js';

const joined = (tokens: Token[][]) => tokens.map((line) => line.map((t) => t.text).join(''));

describe('tokensByLine', () => {
  it('cuts spans of the joined text into each line, plain text between them', () => {
    // "var a" + "\n" + "  b;"
    const lines = ['var a', '  b;'];
    const tokens = tokensByLine(lines, [
      { from: 0, to: 3, className: 'tok-keyword' },
      { from: 4, to: 5, className: 'tok-variableName' },
      { from: 8, to: 9, className: 'tok-variableName' },
      { from: 9, to: 10, className: 'tok-punctuation' },
    ]);
    expect(tokens).toEqual([
      [{ text: 'var', className: 'tok-keyword' }, { text: ' ' }, { text: 'a', className: 'tok-variableName' }],
      [{ text: '  ' }, { text: 'b', className: 'tok-variableName' }, { text: ';', className: 'tok-punctuation' }],
    ]);
  });

  it('cuts a span that crosses lines at each line end, and keeps empty lines', () => {
    const lines = ['x /* a', '', 'b */ y'];
    // The comment runs from 2 to 12, over both newlines.
    const tokens = tokensByLine(lines, [{ from: 2, to: 12, className: 'tok-comment' }]);
    expect(tokens).toEqual([
      [{ text: 'x ' }, { text: '/* a', className: 'tok-comment' }],
      [{ text: '' }],
      [{ text: 'b */', className: 'tok-comment' }, { text: ' y' }],
    ]);
  });

  it('gives every line back exactly, whatever the spans (none, overlapping, past the end)', () => {
    const lines = ['<b>hi</b>', 'plain', ''];
    for (const spans of [
      [],
      [
        { from: 0, to: 5, className: 'a' },
        { from: 3, to: 8, className: 'b' },
      ],
      [{ from: 0, to: 100, className: 'c' }],
    ]) {
      expect(joined(tokensByLine(lines, spans))).toEqual(lines);
    }
  });
});

const line = (type: DiffLine['type'], text: string, n: number): DiffLine => ({
  type,
  old_line: type === 'add' ? null : n,
  new_line: type === 'delete' ? null : n,
  text,
});

function file(path: string, lines: DiffLine[]): DiffFile {
  return {
    path,
    old_path: null,
    old_mode: '100644',
    new_mode: '100644',
    status: 'modified',
    binary: false,
    truncated: false,
    additions: lines.filter((l) => l.type === 'add').length,
    deletions: lines.filter((l) => l.type === 'delete').length,
    hunks: [{ old_start: 1, old_lines: 0, new_start: 1, new_lines: 0, heading: '', lines }],
  };
}

describe('highlightDiffFile', () => {
  const lines = [
    line('context', '/* a comment', 1),
    line('delete', "   still the comment */ var old = '<b>';", 2),
    line('add', '   still the comment */ const next = 1;', 2),
    line('context', 'function f() {}', 3),
  ];

  it('parses each side as one text, so a comment opened on a context line carries into the changed lines', async () => {
    const tokens = (await highlightDiffFile(file('lib/x.js', lines)))!;
    expect(diffSides(file('lib/x.js', lines)).old.map((l) => l.type)).toEqual(['context', 'delete', 'context']);
    const deleted = tokens.old.get(lines[1]!)!;
    expect(deleted[0]).toEqual({ text: '   still the comment */', className: 'tok-comment' });
    expect(deleted).toContainEqual({ text: 'var', className: 'tok-keyword' });
    expect(deleted).toContainEqual({ text: "'<b>'", className: 'tok-string' });
    const added = tokens.new.get(lines[2]!)!;
    expect(added).toContainEqual({ text: 'const', className: 'tok-keyword' });
    expect(added).not.toContainEqual(expect.objectContaining({ text: 'var' }));
    expect(tokens.new.get(lines[3]!)![0]).toEqual({ text: 'function', className: 'tok-keyword' });
    for (const side of [tokens.old, tokens.new]) {
      for (const [l, t] of side) expect(t.map((x) => x.text).join('')).toBe(l.text);
    }
  });

  it('leaves a file whose language it does not know to be shown as text', async () => {
    expect(await highlightDiffFile(file('NOTES.unknown-ext', lines))).toBeNull();
  });
});
