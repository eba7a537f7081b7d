import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** What the large tree is made of, and how big it gets. */
export interface LargeTreeOptions {
  /** Bare repositories whose every blob version (with the path it had) makes the files. */
  sources: { name: string; gitDir: string }[];
  /** Stop adding files at this many… */
  maxFiles: number;
  /** …or at this many bytes, whichever comes first. */
  maxBytes: number;
  /** Commits after the first, each changing `changeFraction` of the files. */
  laterCommits: number;
  changeFraction: number;
  /** Where the repository goes (made if missing; reused when it holds a tree built with the same options). */
  dir: string;
  log?: (line: string) => void;
}

export interface LargeTree {
  gitDir: string;
  /** The first commit, then each later one. */
  commits: string[];
  files: number;
  bytes: number;
  /** How long building it took (0 when reused). */
  buildMs: number;
}

interface SourceBlob {
  source: number;
  oid: string;
  size: number;
  path: string;
}

/** Blobs larger than this are left out (generated bundles and fixtures, which the index does not hold either). */
const MAX_BLOB = 256 * 1024;

/**
 * Builds (or reuses) the large tree of the search figures from real files: every version of every file in the
 * sources' histories (`git rev-list --objects --all`), each laid out under a path of its own
 * (`<copy>/<source>/<path>@<blob id prefix>`), with a first line naming the copy so that every file is a distinct
 * blob (content addressing would otherwise index repeats once), taken round after round until the tree holds
 * `maxFiles` files or `maxBytes` bytes. Written with `git fast-import` as one commit, then `laterCommits` commits that
 * each append a line to `changeFraction` of the files (a different, evenly spread set each time).
 */
export async function buildLargeTree(opts: LargeTreeOptions): Promise<LargeTree> {
  const log = opts.log ?? (() => undefined);
  const gitDir = path.join(opts.dir, 'tree.git');
  const stamp = path.join(opts.dir, 'built.json');
  const key = JSON.stringify({
    v: 1,
    sources: opts.sources.map((s) => [s.name, git(s.gitDir, 'rev-parse', 'HEAD')]),
    maxFiles: opts.maxFiles,
    maxBytes: opts.maxBytes,
    laterCommits: opts.laterCommits,
    changeFraction: opts.changeFraction,
  });
  if (fs.existsSync(stamp)) {
    const built = JSON.parse(fs.readFileSync(stamp, 'utf8')) as { key: string; tree: LargeTree };
    if (built.key === key) return { ...built.tree, buildMs: 0 };
  }
  const started = Date.now();
  fs.rmSync(opts.dir, { recursive: true, force: true });
  fs.mkdirSync(opts.dir, { recursive: true });
  execFileSync('git', ['init', '-q', '--bare', gitDir]);

  // Every blob version of the sources, with a path it had, small enough to index.
  const blobs: SourceBlob[] = [];
  for (const [i, src] of opts.sources.entries()) {
    const listed = execFileSync(
      'sh',
      [
        '-c',
        'git --git-dir="$1" rev-list --objects --all | git --git-dir="$1" cat-file --batch-check="%(objecttype) %(objectname) %(objectsize) %(rest)"',
        'sh',
        src.gitDir,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 28 },
    );
    for (const line of listed.split('\n')) {
      const m = /^blob ([0-9a-f]{40}) (\d+) (.+)$/.exec(line);
      if (!m || Number(m[2]) > MAX_BLOB) continue;
      blobs.push({ source: i, oid: m[1]!, size: Number(m[2]), path: m[3]! });
    }
  }
  if (blobs.length === 0) throw new Error('large tree: the sources hold no blobs');
  log(`large tree: ${blobs.length} blob versions in the sources`);

  // The files: round after round over the blobs, until either bound.
  const files: { path: string; blob: SourceBlob; header: string }[] = [];
  let bytes = 0;
  for (let copy = 0; files.length < opts.maxFiles && bytes < opts.maxBytes; copy++) {
    for (const blob of blobs) {
      if (files.length >= opts.maxFiles || bytes >= opts.maxBytes) break;
      const name = `c${copy}/${opts.sources[blob.source]!.name}/${blob.path}@${blob.oid.slice(0, 10)}`;
      const header = `// large tree copy ${copy} of ${blob.oid}\n`;
      files.push({ path: name, blob, header });
      bytes += header.length + blob.size;
    }
  }
  log(`large tree: ${files.length} files, ${(bytes / 1e6).toFixed(0)} MB`);

  // Content readers: one `git cat-file --batch` per source, asked in turn.
  const readers = opts.sources.map((s) => new BlobReader(s.gitDir));
  const fi = spawn('git', ['--git-dir', gitDir, 'fast-import', '--quiet', '--done'], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  fi.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve, reject) =>
    fi.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import: ${code} ${stderr}`)))),
  );
  const write = (data: string | Buffer) =>
    fi.stdin.write(data) ? Promise.resolve() : new Promise<void>((r) => fi.stdin.once('drain', () => r()));

  const contents = new Map<number, Buffer>();
  const mark = (i: number) => i + 1;
  for (const [i, f] of files.entries()) {
    const body = await readers[f.blob.source]!.read(f.blob.oid);
    const data = Buffer.concat([Buffer.from(f.header), body]);
    await write(`blob\nmark :${mark(i)}\ndata ${data.length}\n`);
    await write(data);
    await write('\n');
    // The later commits append to files in the first ones' sets: keep only those bodies.
    if (isChanged(i, files.length, opts)) contents.set(i, data);
    if (i % 10_000 === 0) log(`large tree: ${i} of ${files.length} files written`);
  }
  for (const r of readers) r.close();

  const author = 'HiveSync Bench <bench@hivesync.invalid> 1700000000 +0000';
  const commitMsg = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  await write(`commit refs/heads/main\nmark :${files.length + 1}\ncommitter ${author}\n${commitMsg('large tree')}`);
  for (const [i, f] of files.entries()) await write(`M 100644 :${mark(i)} ${quotePath(f.path)}\n`);
  await write('\n');
  for (let c = 1; c <= opts.laterCommits; c++) {
    await write(`commit refs/heads/main\ncommitter ${author}\n${commitMsg(`change ${c}`)}`);
    for (const i of changedFiles(c, files.length, opts)) {
      const data = Buffer.concat([contents.get(i)!, Buffer.from(`// change ${c}\n`)]);
      await write(`M 100644 inline ${quotePath(files[i]!.path)}\ndata ${data.length}\n`);
      await write(data);
      await write('\n');
    }
    await write('\n');
  }
  await write('done\n');
  fi.stdin.end();
  await exited;
  const commits = git(gitDir, 'rev-list', '--reverse', 'main').split('\n');
  const tree: LargeTree = { gitDir, commits, files: files.length, bytes, buildMs: Date.now() - started };
  fs.writeFileSync(stamp, JSON.stringify({ key, tree }));
  return tree;
}

/** The files later commit `c` (from 1) changes: every step-th file from an offset of its own. */
function changedFiles(c: number, total: number, opts: LargeTreeOptions): number[] {
  const step = Math.max(1, Math.round(1 / opts.changeFraction));
  const out: number[] = [];
  for (let i = (c - 1) % step; i < total; i += step) out.push(i);
  return out;
}

function isChanged(i: number, total: number, opts: LargeTreeOptions): boolean {
  const step = Math.max(1, Math.round(1 / opts.changeFraction));
  return i % step < opts.laterCommits && i < total;
}

/** A path for fast-import's `M` command: quoted C-style when it needs to be. */
function quotePath(p: string): string {
  return /["\\\n]|^ /.test(p) ? JSON.stringify(p) : p;
}

function git(gitDir: string, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
}

/** Reads blobs one after another through one long-lived `git cat-file --batch`. */
class BlobReader {
  private readonly child;
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: (() => void) | undefined;

  constructor(gitDir: string) {
    this.child = spawn('git', ['--git-dir', gitDir, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.child.stdout.on('data', (d: Buffer) => {
      this.buffered = this.buffered.length ? Buffer.concat([this.buffered, d]) : d;
      this.waiting?.();
    });
  }

  async read(oid: string): Promise<Buffer> {
    this.child.stdin.write(`${oid}\n`);
    for (;;) {
      const nl = this.buffered.indexOf(10);
      if (nl !== -1) {
        const header = this.buffered.subarray(0, nl).toString();
        const size = Number(header.split(' ')[2]);
        if (!Number.isFinite(size)) throw new Error(`cat-file: ${header}`);
        if (this.buffered.length >= nl + 1 + size + 1) {
          const body = Buffer.from(this.buffered.subarray(nl + 1, nl + 1 + size));
          this.buffered = this.buffered.subarray(nl + 1 + size + 1);
          return body;
        }
      }
      await new Promise<void>((r) => (this.waiting = r));
      this.waiting = undefined;
    }
  }

  close(): void {
    this.child.stdin.end();
  }
}
