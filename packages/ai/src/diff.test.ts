import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reverseEdits, unifiedDiff } from './diff.js';
import { cleanRepos, gitApply, readRepoFile, tempRepo } from './testing/git.js';
import { type Edit } from './types.js';

afterAll(cleanRepos);

/** What git itself calls this content. */
const hashObject = (text: string) =>
  execFileSync('git', ['hash-object', '--stdin'], { input: text, encoding: 'utf8' }).trim();

const lines = (count: number, eol = '\n') => Array.from({ length: count }, (_, i) => `line ${i + 1}`).join(eol) + eol;

describe('unifiedDiff', () => {
  it('writes git-style headers and hunks with three lines of context', () => {
    const before = lines(20);
    const after = before.replace('line 10\n', 'line 10\n// added\n');
    const patch = unifiedDiff([{ path: 'src/a.txt', before, after, description: 'add a line' }]);
    expect(patch).toBe(
      [
        'diff --git a/src/a.txt b/src/a.txt',
        `index ${hashObject(before)}..${hashObject(after)}`,
        '--- a/src/a.txt',
        '+++ b/src/a.txt',
        '@@ -8,6 +8,7 @@',
        ' line 8',
        ' line 9',
        ' line 10',
        '+// added',
        ' line 11',
        ' line 12',
        ' line 13',
        '',
      ].join('\n'),
    );
  });

  it('applies with git across files: no final newline, CRLF, a path with a space; skips unchanged files', () => {
    const files = new Map([
      ['no-newline.ts', 'const a = 1;\nconst b = 2;'],
      ['crlf.ts', lines(8, '\r\n')],
      ['dir with space/x.ts', lines(3)],
      ['same.ts', 'unchanged\n'],
    ]);
    const edits: Edit[] = [
      {
        path: 'no-newline.ts',
        before: files.get('no-newline.ts')!,
        after: 'const a = 1;\n// b\nconst b = 2;',
        description: '',
      },
      {
        path: 'crlf.ts',
        before: files.get('crlf.ts')!,
        after: lines(8, '\r\n').replace('line 4\r\n', 'line 4\r\n// c\r\n'),
        description: '',
      },
      { path: 'dir with space/x.ts', before: lines(3), after: `${lines(3)}// end\n`, description: '' },
      { path: 'same.ts', before: 'unchanged\n', after: 'unchanged\n', description: '' },
    ];
    const patch = unifiedDiff(edits);
    expect(patch).toContain('\\ No newline at end of file');
    expect(patch).not.toContain('same.ts');
    expect(patch).toContain('+// c\r\n');
    const dir = tempRepo(files);
    gitApply(dir, patch);
    for (const edit of edits) expect(readRepoFile(dir, edit.path)).toBe(edit.after);
    gitApply(dir, unifiedDiff(reverseEdits(edits)));
    for (const edit of edits) expect(readRepoFile(dir, edit.path)).toBe(edit.before);
  });

  it('adds a final newline as a change of the last line', () => {
    const patch = unifiedDiff([{ path: 'a', before: 'x\ny', after: 'x\ny\n', description: '' }]);
    expect(patch).toContain('-y\n\\ No newline at end of file\n+y\n');
  });

  it('chains edits of the same file and refuses ones that do not follow each other', () => {
    const first: Edit = { path: 'a', before: 'a\n', after: 'a\nb\n', description: '' };
    const second: Edit = { path: 'a', before: 'a\nb\n', after: 'a\nb\nc\n', description: '' };
    expect(unifiedDiff([first, second])).toContain('+b\n+c\n');
    expect(() => unifiedDiff([first, { ...second, before: 'zzz\n' }])).toThrow(/cannot be combined/);
    expect(unifiedDiff([])).toBe('');
  });

  it('reverses edits last first', () => {
    const edits: Edit[] = [
      { path: 'a', before: '1\n', after: '2\n', description: 'one' },
      { path: 'b', before: '3\n', after: '4\n', description: 'two' },
    ];
    expect(reverseEdits(edits)).toEqual([
      { path: 'b', before: '4\n', after: '3\n', description: 'Revert: two' },
      { path: 'a', before: '2\n', after: '1\n', description: 'Revert: one' },
    ]);
  });

  it('names the original blobs, so that git apply --3way merges a patch with a change next to its hunk', () => {
    // Two doc comments made on the same commit: once the first is applied, the second's hunk no longer matches
    // where it must (it starts at line 1), and only a three-way merge, which needs the original blob, applies it.
    const original = 'export const a = 1;\nexport function b() {\n  return a;\n}\n';
    const first = `/** One. */\n${original}`;
    const second = original.replace('export function b', '/** Returns a. */\nexport function b');
    const dir = tempRepo(new Map([['m.ts', original]]));
    const git = (args: string[], input?: string) =>
      execFileSync('git', args, { cwd: dir, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    writeFileSync(path.join(dir, 'm.ts'), first);
    const patch = unifiedDiff([{ path: 'm.ts', before: original, after: second, description: '' }]);
    expect(() => git(['apply', '--check', '-'], patch)).toThrow(/patch does not apply/);
    git(['add', 'm.ts']);
    git(['apply', '--3way', '-'], patch);
    expect(readRepoFile(dir, 'm.ts')).toBe(`/** One. */\n${second}`);
  });
});
