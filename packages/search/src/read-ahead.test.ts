import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { ReadAhead } from './read-ahead.js';
import { SearchIndex } from './search-index.js';
import { PageCache, SegmentReader } from './segment-reader.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-read-ahead-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A git repository of `files`, committed; returns its git dir and commit. */
function repoOf(files: Record<string, Buffer | string>): { gitDir: string; commit: string } {
  const work = path.join(tmp, 'work');
  execFileSync('git', ['init', '-q', '-b', 'main', work]);
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(work, p)), { recursive: true });
    fs.writeFileSync(path.join(work, p), content);
  }
  execFileSync('git', ['-C', work, 'add', '-A']);
  execFileSync('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '-m', 'c']);
  const commit = execFileSync('git', ['-C', work, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  return { gitDir: path.join(work, '.git'), commit };
}

it('reads the next files whole in a few large reads, each file its own bytes', async () => {
  // 300 small files (each with a different length), a few over 256 KiB, an empty one and a binary one.
  const files: Record<string, Buffer | string> = {};
  for (let i = 0; i < 300; i++)
    files[`src/f${String(i).padStart(3, '0')}.ts`] = `export const v${i} = ${i};\n`.repeat(i + 1);
  files['src/f100.ts'] = 'const big = 1;\n'.repeat(20_000); // 300 KB: read on its own
  files['src/f200.ts'] = '';
  files['src/f250.ts'] = Buffer.from([0, 1, 2, 3, 0, 255]);
  const { gitDir, commit } = repoOf(files);
  const dir = path.join(tmp, 'index');
  const index = new SearchIndex(dir);
  await index.indexCommit({ gitDir, env: process.env }, commit);
  await index.close();
  const segFile = fs.readdirSync(dir).find((f) => f.startsWith('seg-'))!;
  const reader = await SegmentReader.open('s', path.join(dir, segFile), new PageCache());
  try {
    // The commit's files in path order, each with its blob's place in the segment.
    const blobOf = new Map((await reader.blobIds()).map((oid, i) => [oid, i]));
    const listed = execFileSync('git', ['--git-dir', gitDir, 'ls-tree', '-r', commit], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => {
        const [meta, p] = line.split('\t');
        return { path: p!, blob: blobOf.get(meta!.split(' ')[2]!)! };
      });
    expect(listed).toHaveLength(300);
    const reads = vi.spyOn(reader, 'readNow');
    // Every other file is read whole (the others are no candidates): the same file list a count would read.
    const ahead = new ReadAhead([reader], (i) => (i % 2 === 0 ? { seg: 0, blob: listed[i]!.blob } : undefined), 300);
    for (let i = 0; i < listed.length; i++) {
      const bytes = ahead.bytes(i, 0, listed[i]!.blob);
      const p = listed[i]!.path;
      if (i % 2 === 1 || p === 'src/f100.ts' || p === 'src/f200.ts' || p === 'src/f250.ts') {
        expect(bytes, p).toBeUndefined();
        continue;
      }
      expect(bytes?.toString('utf8'), p).toBe(reader.contentNow(listed[i]!.blob, false).bytes.toString('utf8'));
    }
    // The blobs lie in path order in the segment, and the gaps between them (the files not read) are small: a
    // few reads of up to 2 MiB each, not one for each of the 147 files.
    expect(reads.mock.calls.length).toBeGreaterThan(0);
    expect(reads.mock.calls.length).toBeLessThanOrEqual(8);
  } finally {
    await reader.close();
  }
});
