import type { Suggestion } from '@hivesync/core';
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import {
  formatDiff,
  formatSuggestion,
  formatSuggestionList,
  formatSummary,
  parseDiff,
  patchFiles,
  unquote,
} from './diff-format.js';

const plain = pc.createColors(false);
const colored = pc.createColors(true);

const PATCH = [
  'diff --git a/src/a.ts b/src/a.ts',
  '--- a/src/a.ts',
  '+++ b/src/a.ts',
  '@@ -1,3 +1,4 @@ export function add(a, b) {',
  ' const x = 1;',
  '-- a removed line that looks like a header',
  '+++ an added line that looks like a header',
  '+/** Adds. */',
  ' const y = 2;',
  '\\ No newline at end of file',
  'diff --git a/old.ts b/old.ts',
  'deleted file mode 100644',
  '--- a/old.ts',
  '+++ /dev/null',
  '@@ -1 +0,0 @@',
  '-gone',
  '',
].join('\n');

function suggestion(extra: Partial<Suggestion> = {}): Suggestion {
  return {
    id: 'sg1',
    job_id: 'j1',
    description: 'Document `add`.',
    files: ['src/a.ts'],
    patch: PATCH,
    state: 'proposed',
    created_at: '2025-01-01T00:00:00.000Z',
    history: [],
    ...extra,
  };
}

describe('parseDiff and formatDiff', () => {
  it('tells headers from hunk lines by counting the hunk, so "--- x" inside a hunk is a removed line', () => {
    expect(parseDiff(PATCH).map((l) => l.kind)).toEqual([
      'header',
      'header',
      'header',
      'hunk',
      'context',
      'del',
      'add',
      'add',
      'context',
      'note',
      'header',
      'header',
      'header',
      'header',
      'hunk',
      'del',
    ]);
  });

  it('without colors gives back the patch exactly', () => {
    expect(`${formatDiff(PATCH, plain).join('\n')}\n`).toBe(PATCH);
  });

  it('colors like git: bold headers, cyan @@ (not the function after it), green +, red -', () => {
    const lines = formatDiff(PATCH, colored);
    expect(lines[0]).toBe(colored.bold('diff --git a/src/a.ts b/src/a.ts'));
    expect(lines[1]).toBe(colored.bold('--- a/src/a.ts'));
    expect(lines[2]).toBe(colored.bold('+++ b/src/a.ts'));
    expect(lines[3]).toBe(`${colored.cyan('@@ -1,3 +1,4 @@')} export function add(a, b) {`);
    expect(lines[4]).toBe(' const x = 1;');
    expect(lines[5]).toBe(colored.red('-- a removed line that looks like a header'));
    expect(lines[6]).toBe(colored.green('+++ an added line that looks like a header'));
    expect(lines[9]).toBe(colored.dim('\\ No newline at end of file'));
    expect(lines[15]).toBe(colored.red('-gone'));
    expect(lines[5]).toContain('\x1b[31m');
    expect(lines[6]).toContain('\x1b[32m');
  });
});

describe('patchFiles', () => {
  it('lists changed, added, deleted and renamed files once each, unquoting git paths', () => {
    const more = [
      'diff --git a/new.ts b/new.ts',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/new.ts',
      '@@ -0,0 +1 @@',
      '+hi',
      'diff --git a/x.ts b/y.ts',
      'similarity index 100%',
      'rename from x.ts',
      'rename to y.ts',
      'diff --git "a/caf\\303\\251 1.ts" "b/caf\\303\\251 1.ts"',
      '--- "a/caf\\303\\251 1.ts"',
      '+++ "b/caf\\303\\251 1.ts"',
      '@@ -1 +1 @@',
      '-a',
      '+b',
      '',
    ].join('\n');
    expect(patchFiles(PATCH + more)).toEqual(['src/a.ts', 'old.ts', 'new.ts', 'y.ts', 'café 1.ts']);
    expect(patchFiles('')).toEqual([]);
  });

  it('unquote leaves unquoted text alone and decodes escapes', () => {
    expect(unquote('a b.ts')).toBe('a b.ts');
    expect(unquote('"a\\tb\\"c\\\\.ts"')).toBe('a\tb"c\\.ts');
  });
});

describe('suggestions', () => {
  it('formatSuggestion shows id, state, job, description, files, then the diff', () => {
    const lines = formatSuggestion(suggestion({ description: 'Document `add`.\n\nIt had no comment.' }), plain);
    expect(lines.slice(0, 6)).toEqual([
      'suggestion sg1  proposed  (job j1)',
      '    Document `add`.',
      '',
      '    It had no comment.',
      '    files: src/a.ts',
      '',
    ]);
    expect(lines.slice(6).join('\n')).toBe(PATCH.trimEnd());
  });

  it('formatSuggestionList is a table; the files come from the patch when the list is empty', () => {
    const list = formatSuggestionList(
      [suggestion(), suggestion({ id: 'sg22', state: 'applied', description: 'Rename x\nto y', files: ['a', 'b'] })],
      plain,
    );
    expect(list.split('\n')).toEqual([
      'ID    STATE     DESCRIPTION      FILES',
      'sg1   proposed  Document `add`.  src/a.ts',
      'sg22  applied   Rename x         a, b',
    ]);
    expect(formatSuggestion(suggestion({ files: [] }), plain)[2]).toBe('    files: src/a.ts, old.ts');
    // Real ids are cut to their first 8 characters (any unique prefix of 8+ is taken back).
    const long = formatSuggestionList([suggestion({ id: '9e8d7c6b-1d2e-4f30-8a4b-5c6d7e8f9a0b' })], plain);
    expect(long.split('\n')[1]).toMatch(/^9e8d7c6b {2}proposed /);
  });

  it('formatSummary prints the summary and the exported API table, and copes with an odd result', () => {
    const result = {
      summary: '`src/a.ts` exports 1 function (`add`).',
      exports: [
        { name: 'add', kind: 'function', signature: 'export function add(a: number, b: number): number', doc: 'Adds.' },
      ],
    };
    expect(formatSummary({ path: 'src/a.ts', result }, plain)).toEqual([
      '`src/a.ts` exports 1 function (`add`).',
      '',
      [
        'EXPORT  KIND      SIGNATURE                                          DOC',
        'add     function  export function add(a: number, b: number): number  Adds.',
      ].join('\n'),
    ]);
    expect(formatSummary({ path: 'b.ts', result: { exports: 'nope' } }, plain)).toEqual([
      '(no summary)',
      '',
      'b.ts exports nothing.',
    ]);
  });
});
