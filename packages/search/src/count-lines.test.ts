import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wasmModules, wasmSource } from '../scripts/wasm.mjs';
import { countLinesHolding, countLinesHoldingJs, kernelBuffer, rarestPair } from './count-lines.js';
import { cloneTestRepo, skipWithoutTestRepos } from './test/test-repos.js';

/** The lines of `text` (bytes as latin1 characters) from `from` that hold `needle`: what both counts must say. */
function reference(text: Buffer, from: number, needle: Buffer): number {
  const n = needle.toString('latin1');
  return text
    .toString('latin1', from)
    .split('\n')
    .filter((line) => line.includes(n)).length;
}

it('loads the module that wasm/count-lines.wat compiles to', async () => {
  const src = path.join(import.meta.dirname, 'count-lines.wasm.ts');
  expect(wasmModules()).toContain('count-lines');
  expect(fs.readFileSync(src, 'utf8')).toBe(await wasmSource('count-lines'));
});

it('counts each line holding the needle once, wherever the needle falls in the kernel’s blocks of 16 and 64', () => {
  // 4,000 random texts of 0–300 bytes over a small alphabet (so needles are found often: at every offset, twice on a
  // line, at the very end, across a block's edge), in half of them seldom (runs of 64 bytes with none), and random
  // needles of 1–8 bytes, from a random line's start. `q` and `z` are rare in code, so the kernel's pair of bytes
  // falls anywhere in the needle.
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 4000; round++) {
    const alphabet = round % 2 ? 'eeqz\n' : `${'e'.repeat(40)}qz\n`;
    const length = round % 4 === 1 ? random(81) : random(301);
    const text = Buffer.from(Array.from({ length }, () => alphabet[random(alphabet.length)]).join(''), 'latin1');
    const needle = Buffer.from(Array.from({ length: 1 + random(8) }, () => 'eqz'[random(3)]).join(''), 'latin1');
    const lineStarts = [0, ...[...text.keys()].filter((i) => text[i] === 0x0a).map((i) => i + 1)];
    const from = lineStarts[random(lineStarts.length)]!;
    const want = reference(text, from, needle);
    expect({
      text: text.toString('latin1'),
      needle: needle.toString(),
      from,
      n: countLinesHolding(text, from, needle),
    }).toEqual({
      text: text.toString('latin1'),
      needle: needle.toString(),
      from,
      n: want,
    });
    expect(countLinesHoldingJs(text, from, needle)).toBe(want);
  }
});

it('looks first for the needle’s rarest byte in code and the rarest not next to it, in order', () => {
  expect(rarestPair(Buffer.from('x'))).toEqual([0, 0]);
  expect(rarestPair(Buffer.from('ee'))).toEqual([0, 1]);
  // `x` is the rarest of `export`; `p` is next to it, `r` the rarest of the others.
  expect(rarestPair(Buffer.from('export'))).toEqual([1, 4]);
  expect(rarestPair(Buffer.from('a_Q'))).toEqual([0, 2]);
  expect(rarestPair(Buffer.from('Qa_'))).toEqual([0, 2]);
  // Three bytes, the rarest in the middle: a neighbour it must be.
  expect(rarestPair(Buffer.from('aQe'))).toEqual([0, 1]);
});

it('counts multibyte needles, CRLF lines and a text longer than the kernel takes', () => {
  const text = Buffer.from('été\r\nun été\r\nété été\r\nete\r\n', 'utf8');
  expect(countLinesHolding(text, 0, Buffer.from('été'))).toBe(3);
  expect(countLinesHolding(text, 0, Buffer.from('\r'))).toBe(4);
  expect(countLinesHolding(text, 0, Buffer.from('x'))).toBe(0);
  expect(countLinesHolding(Buffer.alloc(0), 0, Buffer.from('x'))).toBe(0);
  // 9 MiB (past the kernel's 8 MiB): counted in JavaScript, the same count.
  const big = Buffer.from('const a = 1;\nlet b;\n'.repeat(480_000));
  expect(big.length).toBeGreaterThan(8 * 1024 * 1024);
  expect(countLinesHolding(big, 0, Buffer.from('const'))).toBe(480_000);
  // And a smaller text after it: the kernel's memory still holds the needle it was given.
  expect(countLinesHolding(Buffer.from('a const\nb\nconst'), 0, Buffer.from('const'))).toBe(2);
});

it('counts text read into the kernel’s own memory where it lies, before and after that memory grows', () => {
  const text = Buffer.from('let a;\nconst b = 1; const c;\n\nconst\nx const');
  // Read ahead and the segments' scratch buffer each have a kernel: the one's text stays put while the other grows.
  const other = kernelBuffer(text.length, 'scratch');
  text.copy(other);
  for (const size of [1024, 3 * 1024 * 1024]) {
    const area = kernelBuffer(size, 'read-ahead');
    expect(area.length).toBe(size);
    // Two files side by side, as ReadAhead puts them: each counted within its own bytes.
    text.copy(area, 100);
    text.copy(area, 100 + text.length);
    const first = area.subarray(100, 100 + text.length);
    const second = area.subarray(100 + text.length, 100 + 2 * text.length);
    expect([
      countLinesHolding(first, 0, Buffer.from('const')),
      countLinesHolding(second, 7, Buffer.from('const')),
    ]).toEqual([3, 3]);
    expect(countLinesHolding(first, 0, Buffer.from('x const'))).toBe(1);
    expect(countLinesHolding(other, 0, Buffer.from('const'))).toBe(3);
  }
});

describe.skipIf(skipWithoutTestRepos('express', 'core'))('on real repositories', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-count-lines-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('gives the same counts as splitting every file of vue core and express, common words and rare', () => {
    for (const name of ['core', 'express'] as const) {
      const gitDir = cloneTestRepo(name, tmp);
      const oids = execFileSync('git', ['--git-dir', gitDir, 'ls-tree', '-r', '--object-only', 'HEAD'], {
        encoding: 'utf8',
      })
        .trim()
        .split('\n');
      const out = execFileSync('git', ['--git-dir', gitDir, 'cat-file', '--batch'], {
        input: oids.join('\n') + '\n',
        maxBuffer: 256 * 1024 * 1024,
      });
      const blobs: Buffer[] = [];
      for (let at = 0; at < out.length;) {
        const header = out.indexOf(0x0a, at);
        const size = Number(out.toString('latin1', at, header).split(' ')[2]);
        blobs.push(out.subarray(header + 1, header + 1 + size));
        at = header + 1 + size + 1;
      }
      expect(blobs).toHaveLength(oids.length);
      for (const word of ['const', 'e', 'function', 'req.', ' ', '=>', 'ErrorCodes', 'x'.repeat(30), 'é']) {
        const needle = Buffer.from(word);
        let kernel = 0;
        let js = 0;
        let want = 0;
        for (const blob of blobs) {
          kernel += countLinesHolding(blob, 0, needle);
          js += countLinesHoldingJs(blob, 0, needle);
          want += reference(blob, 0, needle);
        }
        expect({ name, word, kernel, js }).toEqual({ name, word, kernel: want, js: want });
      }
    }
  });
});
