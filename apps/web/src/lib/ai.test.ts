import { describe, expect, it } from 'vitest';
import type { Diff } from '@hivesync/sdk';
import {
  declaredName,
  gitApplyCommand,
  hunkKey,
  isIdentifier,
  patchFileName,
  patchWithout,
  renameProblems,
} from './ai.js';

describe('renameProblems', () => {
  it('accepts two different identifiers', () => {
    expect(renameProblems('sendfile', 'sendFileAt')).toEqual({});
    expect(renameProblems(' $el ', '_private1')).toEqual({});
  });

  it('names what is wrong with each field, in words', () => {
    expect(renameProblems('', '')).toEqual({ symbol: 'Enter the name to rename.', newName: 'Enter the new name.' });
    expect(renameProblems('a.b', 'x').symbol).toMatch(/not one identifier/);
    expect(renameProblems('foo', '1foo').newName).toMatch(/not a valid identifier/);
    expect(renameProblems('foo', 'foo-bar').newName).toMatch(/not a valid identifier/);
    expect(renameProblems('foo', 'class').newName).toBe('“class” is a reserved word.');
    expect(renameProblems('foo', 'foo').newName).toBe('The new name is the current name.');
  });
});

describe('declaredName', () => {
  it.each([
    ['function sendfile(res, file, options, callback) {', 'sendfile'],
    ['exports.compileETag = function(val) {', 'compileETag'],
    ['module.exports.etag = createETagGenerator({ weak: false })', 'etag'],
    ['app.init = function init() {', 'init'],
    ['export const add = (a: number) => a;', 'add'],
    ['export async function fetchUser(id: string) {', 'fetchUser'],
    ['class Router {', 'Router'],
    ['def parse_config(path):', 'parse_config'],
    ['func NewStore(db *sql.DB) *Store {', 'NewStore'],
    ['  async load(id: string): Promise<void> {', 'load'],
  ])('reads %j as %s', (line, name) => {
    expect(declaredName(line)).toBe(name);
  });

  it('is null for a line that declares nothing', () => {
    expect(declaredName('  return x + 1;')).toBeNull();
    expect(declaredName('  if (a) {')).toBeNull();
    expect(declaredName('')).toBeNull();
  });
});

describe('the patch and its command', () => {
  it('names the file by the suggestion and applies it from the checkout', () => {
    const id = '6f0c1e9a-1111-4222-8333-444455556666';
    expect(patchFileName(id)).toBe('hivesync-6f0c1e9a.patch');
    expect(gitApplyCommand(id)).toBe('git apply hivesync-6f0c1e9a.patch');
    expect(gitApplyCommand(id, { threeWay: true })).toBe('git apply --3way hivesync-6f0c1e9a.patch');
  });

  it('knows an identifier', () => {
    expect(isIdentifier('a1')).toBe(true);
    expect(isIdentifier('1a')).toBe(false);
  });
});

describe('patchWithout', () => {
  const line = (type: 'context' | 'add' | 'delete', text: string, o: number | null, n: number | null) => ({
    type,
    text,
    old_line: o,
    new_line: n,
  });
  const diff: Diff = {
    from: 'c',
    to: 'c',
    total_files: 2,
    additions: 3,
    deletions: 0,
    truncated: false,
    files: [
      {
        path: 'src/a.ts',
        old_path: null,
        status: 'modified',
        old_mode: null,
        new_mode: null,
        additions: 3,
        deletions: 0,
        binary: false,
        truncated: false,
        hunks: [
          {
            old_start: 1,
            old_lines: 1,
            new_start: 1,
            new_lines: 3,
            heading: '',
            lines: [line('add', '/** A. */', null, 1), line('add', '// two', null, 2), line('context', 'a', 1, 3)],
          },
          {
            old_start: 10,
            old_lines: 1,
            new_start: 12,
            new_lines: 2,
            heading: '',
            lines: [line('add', '/** B. */', null, 12), { ...line('context', 'b', 10, 13), no_newline: true }],
          },
        ],
      },
      {
        path: 'café.ts',
        old_path: null,
        status: 'modified',
        old_mode: null,
        new_mode: null,
        additions: 0,
        deletions: 1,
        binary: false,
        truncated: false,
        hunks: [
          {
            old_start: 2,
            old_lines: 1,
            new_start: 2,
            new_lines: 0,
            heading: '',
            lines: [line('delete', 'x', 2, null)],
          },
        ],
      },
    ],
  };

  it('keeps every hunk but the left-out ones, moving the later new starts back', () => {
    expect(patchWithout(diff, new Set([hunkKey(0, 0)]))).toBe(
      [
        'diff --git a/src/a.ts b/src/a.ts',
        '--- a/src/a.ts',
        '+++ b/src/a.ts',
        '@@ -10,1 +10,2 @@',
        '+/** B. */',
        ' b',
        '\\ No newline at end of file',
        'diff --git "a/caf\\303\\251.ts" "b/caf\\303\\251.ts"',
        '--- "a/caf\\303\\251.ts"',
        '+++ "b/caf\\303\\251.ts"',
        '@@ -2,1 +2,0 @@',
        '-x',
        '',
      ].join('\n'),
    );
  });

  it('leaves out a file none of whose hunks is kept, and is empty when nothing is', () => {
    expect(patchWithout(diff, new Set([hunkKey(1, 0)]))).not.toContain('caf');
    expect(patchWithout(diff, new Set([hunkKey(0, 0), hunkKey(0, 1), hunkKey(1, 0)]))).toBe('');
  });
});
