import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The search index of one commit: its text files concatenated into shards of ~512 KiB, plus where each file starts.
 *
 * Searching the worktree means opening every file (50,000 files: ~200 ms of system calls); searching a dozen
 * shards with `git grep --no-index` reads the same bytes in a few large reads, on all cores, and stops as soon as
 * enough matches are found. It is built after a sync completes, off the sync's path; until it exists, searches run
 * over the worktree.
 *
 *     <gen>/search/<commit>/NNNN.txt   shards (each file's text, newline-terminated, in path order)
 *     <gen>/search/<commit>/index.json { shards: [[path, firstLine, lineCount], ...] per shard }
 */
export interface SearchIndex {
  dir: string;
  /** Per shard, its files in order: [path, first line in the shard (1-based), number of lines]. */
  shards: [string, number, number][][];
}

const SHARD_BYTES = 512 * 1024;
const READ_CONCURRENCY = 32;

/** Git's binary test (`-I`): a NUL byte in the first 8000 bytes. */
function isBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

/** Builds the index of `commit` from its checked-out `worktree` and the list of its regular files. */
export async function buildSearchIndex(
  searchRoot: string,
  commit: string,
  worktree: string,
  files: string[],
): Promise<void> {
  const final = path.join(searchRoot, commit);
  if (await fs.stat(final).catch(() => undefined)) return;
  const tmp = path.join(searchRoot, `${commit}.tmp-${crypto.randomBytes(4).toString('hex')}`);
  await fs.mkdir(tmp, { recursive: true });
  const sorted = [...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const shards: [string, number, number][][] = [];
  let current: Buffer[] = [];
  let currentBytes = 0;
  let currentLines = 0;
  let entries: [string, number, number][] = [];
  const flush = async () => {
    if (entries.length === 0) return;
    await fs.writeFile(path.join(tmp, `${String(shards.length).padStart(4, '0')}.txt`), Buffer.concat(current));
    shards.push(entries);
    current = [];
    currentBytes = 0;
    currentLines = 0;
    entries = [];
  };
  try {
    for (let i = 0; i < sorted.length; i += READ_CONCURRENCY) {
      const batch = sorted.slice(i, i + READ_CONCURRENCY);
      const contents = await Promise.all(batch.map((f) => fs.readFile(path.join(worktree, f)).catch(() => undefined)));
      for (let j = 0; j < batch.length; j++) {
        const bytes = contents[j];
        if (!bytes || bytes.length === 0 || isBinary(bytes)) continue;
        const text = bytes[bytes.length - 1] === 10 ? bytes : Buffer.concat([bytes, Buffer.from('\n')]);
        let lines = 0;
        for (let k = text.indexOf(10); k !== -1; k = text.indexOf(10, k + 1)) lines++;
        entries.push([batch[j]!, currentLines + 1, lines]);
        current.push(text);
        currentBytes += text.length;
        currentLines += lines;
        if (currentBytes >= SHARD_BYTES) await flush();
      }
    }
    await flush();
    await fs.writeFile(path.join(tmp, 'index.json'), JSON.stringify({ shards }));
    await fs.rename(tmp, final);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  // Only the newest indexes are worth their disk space.
  const all = await fs.readdir(searchRoot);
  await Promise.all(
    all.filter((d) => d !== commit).map((d) => fs.rm(path.join(searchRoot, d), { recursive: true, force: true })),
  );
}

const loaded = new Map<string, SearchIndex>();

/** The index of a commit, if it has been built (cached in memory once read). */
export async function loadSearchIndex(searchRoot: string, commit: string): Promise<SearchIndex | undefined> {
  const dir = path.join(searchRoot, commit);
  const cached = loaded.get(dir);
  if (cached) return cached;
  const raw = await fs.readFile(path.join(dir, 'index.json'), 'utf8').catch(() => undefined);
  if (raw === undefined) return undefined;
  const index: SearchIndex = { dir, shards: (JSON.parse(raw) as { shards: SearchIndex['shards'] }).shards };
  if (loaded.size >= 16) loaded.delete(loaded.keys().next().value!);
  loaded.set(dir, index);
  return index;
}

/** Maps a match in shard `shard` at shard line `line` back to its file and line; undefined if out of range. */
export function locate(index: SearchIndex, shard: number, line: number): { path: string; line: number } | undefined {
  const files = index.shards[shard];
  if (!files) return undefined;
  let lo = 0;
  let hi = files.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [p, first, count] = files[mid]!;
    if (line < first) hi = mid - 1;
    else if (line >= first + count) lo = mid + 1;
    else return { path: p, line: line - first + 1 };
  }
  return undefined;
}

/** The shards holding at least one file under `prefix` (all shards without a prefix). */
export function shardsFor(index: SearchIndex, prefix: string | undefined): number[] {
  const out: number[] = [];
  index.shards.forEach((files, i) => {
    if (!prefix || files.some(([p]) => p === prefix || p.startsWith(`${prefix}/`))) out.push(i);
  });
  return out;
}
