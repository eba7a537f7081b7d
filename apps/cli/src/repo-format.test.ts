import crypto from 'node:crypto';
import type { RepoFile, Tree } from '@hivesync/core';
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import {
  fileBytes,
  formatGrouped,
  formatMatch,
  formatMatchWithContext,
  formatTree,
  highlightRanges,
} from './repo-format.js';

const plain = pc.createColors(false);
const colored = pc.createColors(true);

describe('formatTree', () => {
  const tree: Tree = {
    commit: 'c'.repeat(40),
    path: 'src',
    entries: [
      { path: 'src/util', type: 'dir' },
      { path: 'src/index.ts', type: 'file', size: 38, hash: 'h1' },
      { path: 'src/Big.bin', type: 'file', size: 5 * 1024 * 1024 + 1, hash: 'h2' },
      { path: 'src/a b#c.md', type: 'file', size: 2048, hash: 'h3' },
    ],
  };

  it('lists names relative to the directory, like ls: dirs with a slash, files after their size', () => {
    expect(formatTree(tree, plain)).toEqual([
      '  5.2 MB  Big.bin',
      '  2.0 KB  a b#c.md',
      '38 bytes  index.ts',
      '          util/',
    ]);
  });

  it('prints only names when there are no files, and colors directories on a terminal', () => {
    const dirs: Tree = {
      commit: 'c',
      path: '',
      entries: [
        { path: 'src', type: 'dir' },
        { path: 'docs', type: 'dir' },
      ],
    };
    expect(formatTree(dirs, plain)).toEqual(['docs/', 'src/']);
    expect(formatTree(dirs, colored)[0]).toBe(colored.bold(colored.blue('docs/')));
  });

  it('keeps the path below the directory for a recursive listing, and leaves out the directory and its parents', () => {
    const recursive: Tree = {
      commit: 'c',
      path: 'src',
      entries: [
        { path: 'src', type: 'dir' }, // what the server adds to a recursive listing
        { path: 'src/util', type: 'dir' },
        { path: 'src/util/math.ts', type: 'file', size: 0 },
      ],
    };
    expect(formatTree(recursive, plain)).toEqual(['         util/', '0 bytes  util/math.ts']);
    const deeper: Tree = { ...recursive, path: 'src/util', entries: recursive.entries };
    expect(formatTree(deeper, plain)).toEqual(['0 bytes  math.ts']);
  });
});

describe('formatMatch', () => {
  const match = { path: 'src/index.ts', line: 3, column: 11, text: '  return `hello ${name}`;' };

  it('prints path:line:column:text', () => {
    expect(formatMatch(match, plain, { query: 'hello', ignoreCase: false })).toBe(
      'src/index.ts:3:11:  return `hello ${name}`;',
    );
  });

  it('colors like grep and highlights a fixed-string match at its byte column', () => {
    const sep = colored.cyan(':');
    expect(formatMatch(match, colored, { query: 'hello', ignoreCase: false })).toBe(
      `${colored.magenta('src/index.ts')}${sep}${colored.green('3')}${sep}${colored.green('11')}${sep}` +
        `  return \`${colored.bold(colored.red('hello'))} \${name}\`;`,
    );
  });

  it('finds the match after multi-byte characters, and with --ignore-case', () => {
    // "héllo " is 7 bytes: the match starts at byte column 8, character index 6.
    const m = { path: 'a.md', line: 1, column: 8, text: 'héllo WÖRLD' };
    expect(formatMatch(m, colored, { query: 'wörld', ignoreCase: true })).toContain(
      `héllo ${colored.bold(colored.red('WÖRLD'))}`,
    );
  });

  it('leaves the text alone for a regular expression or a column that does not point at the query', () => {
    const m = { path: 'a', line: 1, column: 1, text: 'export const x' };
    const text = `${colored.cyan(':')}export const x`;
    expect(formatMatch(m, colored).endsWith(text)).toBe(true);
    expect(formatMatch(m, colored, { query: 'const', ignoreCase: false }).endsWith(text)).toBe(true);
  });
});

describe('fileBytes', () => {
  const blobHash = (bytes: Buffer, algorithm = 'sha1') =>
    crypto.createHash(algorithm).update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
  const file = (bytes: Buffer, encoding: RepoFile['encoding'], content: string, algorithm?: string): RepoFile => ({
    commit: 'c'.repeat(40),
    path: 'f',
    size: bytes.length,
    hash: blobHash(bytes, algorithm),
    encoding,
    content,
  });

  it('decodes utf8 and base64 content to the exact bytes, checked against the git blob hash', () => {
    const text = Buffer.from('héllo\r\nno newline at the end');
    const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]);
    expect(fileBytes(file(text, 'utf8', text.toString()))).toEqual({ bytes: text, verified: true });
    expect(fileBytes(file(binary, 'base64', binary.toString('base64')))).toEqual({ bytes: binary, verified: true });
    expect(fileBytes(file(binary, 'base64', binary.toString('base64'), 'sha256'))).toEqual({
      bytes: binary,
      verified: true,
    });
  });

  it('puts back a byte-order mark the server dropped from utf8 content', () => {
    const bytes = Buffer.from('\ufeffBOM file\n');
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(fileBytes(file(bytes, 'utf8', 'BOM file\n'))).toEqual({ bytes, verified: true });
  });

  it('reports bytes that do not match the hash', () => {
    const bytes = Buffer.from('the real content');
    expect(fileBytes(file(bytes, 'utf8', 'something else')).verified).toBe(false);
  });
});

describe('search output from the index (ranges and context)', () => {
  const hit = (line: number, text: string, ranges: [number, number][], extra = {}) => ({
    path: 'src/a.ts',
    line,
    column: ranges[0]![0] + 1,
    text,
    ranges,
    ...extra,
  });

  it('highlights every range the server reports', () => {
    expect(
      highlightRanges(
        'a foo b foo',
        [
          [2, 5],
          [8, 11],
        ],
        colored,
      ),
    ).toBe(`a ${colored.bold(colored.red('foo'))} b ${colored.bold(colored.red('foo'))}`);
    expect(formatMatch(hit(1, 'x foo', [[2, 5]]), colored)).toContain(colored.bold(colored.red('foo')));
  });

  it('prints context like grep -C when not on a terminal', () => {
    const m = hit(5, 'the foo', [[4, 7]], { before: ['three', 'four'], after: ['six'] });
    expect(formatMatchWithContext(m, plain)).toEqual([
      'src/a.ts-3-three',
      'src/a.ts-4-four',
      'src/a.ts:5:5:the foo',
      'src/a.ts-6-six',
    ]);
  });

  it('groups by file like ripgrep, each line once, -- between chunks', () => {
    const matches = [
      hit(2, 'foo 2', [[0, 3]], { before: ['one'], after: ['foo 3'] }),
      hit(3, 'foo 3', [[0, 3]], { before: ['foo 2'], after: ['four'] }),
      hit(9, 'foo 9', [[0, 3]], { before: ['eight'], after: [] }),
      { path: 'src/b.ts', line: 1, column: 1, text: 'foo', ranges: [[0, 3]] as [number, number][] },
    ];
    expect(formatGrouped(matches, plain)).toEqual([
      'src/a.ts',
      '1-one',
      '2:foo 2',
      '3:foo 3',
      '4-four',
      '--',
      '8-eight',
      '9:foo 9',
      '',
      'src/b.ts',
      '1:foo',
    ]);
  });
});
