import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyFilePatch, parsePatch, patchPath } from './patch.js';

// A real `git diff` of two texts, so the parser meets what git writes.
function gitDiff(before: string | null, after: string | null, name = 'lib/app.js'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-vscode-patch-'));
  try {
    const run = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
    run('init', '-q');
    run('config', 'user.email', 't@example.test');
    run('config', 'user.name', 't');
    fs.mkdirSync(path.join(dir, path.dirname(name)), { recursive: true });
    if (before !== null) {
      fs.writeFileSync(path.join(dir, name), before);
      run('add', '.');
      run('commit', '-qm', 'before');
    } else run('commit', '-q', '--allow-empty', '-m', 'before');
    if (after === null) fs.rmSync(path.join(dir, name));
    else fs.writeFileSync(path.join(dir, name), after);
    run('add', '-A');
    return run('diff', '--cached');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const lines = (n: number, f = (i: number) => `line ${i}`) =>
  Array.from({ length: n }, (_, i) => f(i + 1)).join('\n') + '\n';

describe('suggestion patches', () => {
  it('applies a doc comment added above a function, as git wrote it', () => {
    const before = lines(20);
    const after = before.replace('line 10\n', '/**\n * Does line 10.\n */\nline 10\n');
    const [file] = parsePatch(gitDiff(before, after));
    expect(patchPath(file!)).toBe('lib/app.js');
    expect(applyFilePatch(before, file!)).toEqual({ ok: true, text: after });
  });

  it('applies several files and several hunks', () => {
    const a = lines(60);
    const a2 = a.replace('line 3\n', 'line three\n').replace('line 50\n', 'line fifty\n');
    const patch =
      gitDiff(a, a2, 'a.js') +
      gitDiff(
        lines(5),
        lines(5, (i) => `row ${i}`),
        'dir/b.js',
      );
    const files = parsePatch(patch);
    expect(files.map(patchPath)).toEqual(['a.js', 'dir/b.js']);
    expect(files[0]!.hunks).toHaveLength(2);
    expect(applyFilePatch(a, files[0]!)).toEqual({ ok: true, text: a2 });
    expect(applyFilePatch(lines(5), files[1]!)).toEqual({ ok: true, text: lines(5, (i) => `row ${i}`) });
  });

  it('still applies when lines were added above the hunk (it moved), like git apply', () => {
    const before = lines(20);
    const after = before.replace('line 10\n', '// ten\nline 10\n');
    const [file] = parsePatch(gitDiff(before, after));
    const local = 'header 1\nheader 2\n' + before;
    expect(applyFilePatch(local, file!)).toEqual({ ok: true, text: 'header 1\nheader 2\n' + after });
  });

  it('refuses, changing nothing, when the lines the suggestion was made on changed', () => {
    const before = lines(20);
    const [file] = parsePatch(gitDiff(before, before.replace('line 10\n', '// ten\nline 10\n')));
    const local = before.replace('line 9\n', 'line nine, edited\n');
    const result = applyFilePatch(local, file!);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/around line 7 are not what the suggestion was made on/);
  });

  it('keeps CRLF line endings and a missing final newline', () => {
    const before = 'a\nb\nc';
    const [file] = parsePatch(gitDiff(before, 'a\nB\nc'));
    expect(file!.hunks[0]!.newNoNewline).toBe(true);
    expect(applyFilePatch('a\r\nb\r\nc', file!)).toEqual({ ok: true, text: 'a\r\nB\r\nc' });
  });

  it('creates and deletes files', () => {
    const [created] = parsePatch(gitDiff(null, 'new\nfile\n', 'n.js'));
    expect(created!.oldPath).toBeNull();
    expect(applyFilePatch(null, created!)).toEqual({ ok: true, text: 'new\nfile\n' });
    expect(applyFilePatch('already here\n', created!).ok).toBe(false);
    const [deleted] = parsePatch(gitDiff('gone\n', null, 'd.js'));
    expect(deleted!.newPath).toBeNull();
    expect(applyFilePatch('gone\n', deleted!)).toEqual({ ok: true, text: null });
    expect(applyFilePatch(null, deleted!).ok).toBe(false);
  });

  it('reads a removed line that itself starts with dashes as a line, not a file header', () => {
    const before = 'x\n-- y\nz\n';
    const [file] = parsePatch(gitDiff(before, 'x\nz\n'));
    expect(file!.hunks[0]!.lines).toContainEqual({ kind: '-', text: '-- y' });
    expect(applyFilePatch(before, file!)).toEqual({ ok: true, text: 'x\nz\n' });
  });
});
