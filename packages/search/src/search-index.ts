import crypto from 'node:crypto';
import { type Stats, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  BLOB_BINARY,
  BLOB_TOO_LARGE,
  type CommitFile,
  type CommitList,
  decodeCommitList,
  documentStarts,
  encodeCommitList,
  encodeSegment,
  FORMAT_VERSION,
  IndexFormatError,
  type Manifest,
  newId,
  readManifest,
  type SegmentBlob,
  writeAtomic,
  type WriteHooks,
} from './format.js';
import { assertObjectId, blobSizes, type GitSource, listTree, readBlobs } from './git.js';
import { type Language, LANGUAGES, languageId, languageOf, parseLanguage } from './language.js';
import { type LineMatch, LineMatcher, SearchQueryError } from './matcher.js';
import {
  and,
  caseOf,
  casedQuery,
  foldByte,
  isScan,
  literalQuery,
  regexpQuery,
  type TrigramQuery,
} from './query-plan.js';
import { ReadAhead, type WholeFile } from './read-ahead.js';
import type { PoolTask, SearchPool } from './search-pool.js';
import { PageCache, SegmentReader } from './segment-reader.js';

/** The commit has no index (yet): the caller starts an index job and answers 409 `index_missing`. */
export class IndexMissingError extends Error {
  override name = 'IndexMissingError';
  constructor(readonly commit: string) {
    super(`commit ${commit} is not indexed`);
  }
}

/** Limits of an index (all have defaults). */
export interface SearchIndexOptions {
  /** Blobs larger than this are listed but their text is not indexed (default 1 MiB). */
  maxBlobBytes?: number;
  /** A segment is closed once its text reaches this many bytes (default 32 MiB). */
  segmentBytes?: number;
  /** The page cache shared by the indexes of a process (default: one of 16 MiB for all). */
  cache?: PageCache;
  /** Test seam: called between a file's fsync and its rename. */
  hooks?: WriteHooks;
  /**
   * Threads that read, beside the calling one, the files of counts and of pages whose matches are sparse (default:
   * none, every file is read on the calling thread). One pool serves any number of indexes.
   */
  pool?: SearchPool;
  /**
   * A count or sparse page whose candidate files hold fewer bytes than this is read on the calling thread alone
   * (default POOL_MIN_BYTES): handing chunks to a thread that was idle costs more than it saves on a few MB.
   */
  poolMinBytes?: number;
}

/**
 * Candidate bytes below which the pool is not used (see SearchIndexOptions.poolMinBytes): a count on vue core
 * (5.8 MB) took 3.9 ms on the calling thread alone, 5.0 ms with the pool's thread, measured between rg runs.
 */
const POOL_MIN_BYTES = 16 * 1024 * 1024;

/** A search over one commit. */
export interface SearchQuery {
  q: string;
  regex?: boolean;
  ignoreCase?: boolean;
  word?: boolean;
  /** Only files at or under this repository path (a file or a directory). */
  path?: string;
  /** Only files whose path matches this glob (`*`, `?`, `**`, `{a,b}`); without a `/` it matches the file name. */
  glob?: string;
  lang?: string;
  /** File-name search: match `q` against paths, not contents. */
  files?: boolean;
  /** Lines of context before and after each match (0 to 10). */
  context?: number;
  /** Matching lines (or files) per page (default 100). */
  limit?: number;
  /** Where the previous page stopped (its `next`). */
  cursor?: string;
  /**
   * Count the matching lines (file names with `files`) instead of returning them: `count` in the page, no matches.
   * A count stopped by the time budget has `timed_out` and a `next` that counts on from there (add the two).
   */
  count?: boolean;
  /** Milliseconds after which the search returns what it has with `timed_out` (default 5,000). */
  timeBudgetMs?: number;
  /** Stop once the page's matches take about this many bytes (default 2 MiB). */
  maxBytes?: number;
}

/** A matching line of a file. */
export interface SearchMatch extends LineMatch {
  path: string;
}

/** One page of a search's results, in path order. */
export interface SearchPage {
  commit: string;
  matches: SearchMatch[];
  /** For file-name searches. */
  files: { path: string; lang: Language | null; ranges: [number, number][] }[];
  /** Pass as `cursor` to get the next page; null when there is no more. */
  next: string | null;
  /** A limit (matches or bytes) stopped the page before the end. */
  truncated: boolean;
  /** The time budget stopped the page before the end (`next` continues). */
  timed_out: boolean;
  /** No trigram narrowed the search: every file was read. */
  scan: boolean;
  /** Files whose text was read (candidates the index could not rule out). */
  files_read: number;
  /** With `count`: the matching lines (or file names) from the cursor on, up to where the page stopped. */
  count?: number;
}

/** A query keeps the first this many files it reads in the page cache, and no more. */
const KEEP_FILES = 256;
/** Candidate files in a search's first chunk for the pool; each next one has twice as many, up to CHUNK_MAX. */
const CHUNK_FILES = 64;
const CHUNK_MAX = 512;
/** Searches whose prepared state a pool thread keeps (more than the pool remembers having sent: see SearchPool). */
export const CHUNK_RUNS = 4;

/**
 * A search under way: its query checked and planned, the commit's list and the candidates of its segments (a page's
 * evaluated as its files first need them, undefined until then; see SearchIndex.search).
 */
interface Run {
  query: SearchQuery;
  plan: TrigramQuery;
  matcher: LineMatcher;
  filter: ((p: string) => boolean) | undefined;
  lang: number | undefined;
  list: CommitList;
  readers: SegmentReader[];
  candidates: (Candidates | undefined)[];
  fingerprint: string;
  limit: number;
  maxBytes: number;
  context: number;
  started: number;
  budget: number;
  /** The files of the list a path prefix leaves, [first, end) (the whole list without one). */
  span: [number, number];
  /** The cursor of a page that stops at line `afterLine` of file `i` of `list`. */
  cursor: (i: number, afterLine: number) => string;
}

/**
 * A page being filled, with the bytes its matches take in JSON and the list position of each match's file; `needs`:
 * the segment whose candidates the page stopped for (scanFiles returns the file to go on from).
 */
interface PageState {
  page: SearchPage;
  bytes: number;
  fileOf: number[];
  needs?: number;
}

/** What a pool thread needs of a search, sent with the search's first chunk for that thread. */
export interface ChunkSearch {
  q: string;
  regex?: boolean;
  ignoreCase?: boolean;
  word?: boolean;
  count?: boolean;
  context: number;
  /** The segment files, by their position in the commit's list. */
  segments: string[];
  candidates: Candidates[];
  started: number;
  budget: number;
}

/**
 * One chunk of a search, for a pool thread: candidate files given by segment and blob (the thread needs neither the
 * commit's list nor its paths; a match names its file by position in the chunk).
 */
export interface ChunkTask {
  /** The search it is part of: a thread keeps what the search's first chunk brought for the next ones. */
  search: string;
  /** Only in a search's first chunk for a thread (the pool leaves it out after). */
  setup?: ChunkSearch;
  segs: Uint16Array;
  blobs: Uint32Array;
  /** The first file is read from after this line. */
  afterLine: number;
  /** Matches (and their bytes, paths not counted) the page still had room for when the chunk started. */
  limit: number;
  maxBytes: number;
}

/** What a chunk found, its files named by position in the chunk; `stop` when its own limit or the budget stopped it. */
export interface ChunkResult {
  matches: LineMatch[];
  fileOf: number[];
  files_read: number;
  count: number | undefined;
  stop: { file: number; afterLine: number; timed_out: boolean } | null;
}

/** Adds a match to the page, or, when the page is full (matches or bytes), stops the page before it. */
function addMatch(run: Run, state: PageState, m: SearchMatch, file: number): boolean {
  // The match's size in a JSON answer (about: field names, numbers, ranges and the strings as JSON).
  const size =
    80 + jsonBytes(m.path) + jsonBytes(m.text) + 16 * m.ranges.length + jsonBytes(m.before) + jsonBytes(m.after);
  const { page } = state;
  if (page.matches.length >= run.limit || (page.matches.length > 0 && state.bytes + size > run.maxBytes)) {
    page.truncated = true;
    page.next = run.cursor(file, m.line - 1);
    return false;
  }
  page.matches.push(m);
  state.fileOf.push(file);
  state.bytes += size;
  return true;
}

const MAX_DOCS = 1048576; // 2^20: documents per segment at most (a posting's gap and flag fit 3 varint bytes)

/**
 * One byte per possible trigram (2^24 of them, 16 MiB): the cases a blob's occurrences of it have so far (see
 * caseOf; 0 when none yet), clear between calls of blobTrigrams; made by the first (a process or search thread that
 * only searches never needs it).
 */
let trigramCases: Uint8Array | undefined;

/**
 * The distinct trigrams of a blob (ASCII case folded, none across a newline), in the order first seen, each with the
 * set of the cases it occurs in here in its top 8 bits (`cases << 24 | trigram`, cases as `1 << caseOf(...)`):
 * duplicates are dropped as they come (a source file repeats most of its trigrams), and the segment sorts every
 * document's at once (see encodeSegment).
 */
export function blobTrigrams(buf: Buffer): Uint32Array {
  if (buf.length < 3) return new Uint32Array(0);
  const cases = (trigramCases ??= new Uint8Array(1 << 24));
  const arr = new Uint32Array(Math.min(buf.length - 2, 1 << 24));
  let k = 0;
  let a = foldByte(buf[0]!);
  let b = foldByte(buf[1]!);
  // The upper case bits of the last three bytes, as caseOf packs them.
  let up = caseOf(0, buf[0]!, buf[1]!);
  for (let i = 2; i < buf.length; i++) {
    const raw = buf[i]!;
    const upper = raw >= 65 && raw <= 90 ? 1 : 0;
    const c = raw | (upper << 5);
    up = ((up << 1) | upper) & 7;
    if (a !== 10 && b !== 10 && c !== 10) {
      const t = (a << 16) | (b << 8) | c;
      if (cases[t] === 0) arr[k++] = t;
      cases[t]! |= 1 << up;
    }
    a = b;
    b = c;
  }
  const unique = arr.subarray(0, k);
  for (let j = 0; j < k; j++) {
    const t = unique[j]!;
    unique[j] = ((cases[t]! << 24) | t) >>> 0;
    cases[t] = 0;
  }
  return unique;
}

/** Git's binary test (`-I`): a NUL byte in the first 8,000 bytes. */
function isBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

/** Collects blobs into segments of bounded size and writes each when it is full. */
class SegmentBuilder {
  private blobs: SegmentBlob[] = [];
  /** Every document's distinct trigrams, one document after another in arrival order, and where each one's end. */
  private tris = new Uint32Array(1 << 16);
  private ntris = 0;
  private docEnds: number[] = [];
  private ndocs = 0;
  private bytes = 0;
  private writes: Promise<void> = Promise.resolve();
  readonly written: { id: string; oids: string[]; blobs: number; content_bytes: number; file_bytes: number }[] = [];

  constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
    private readonly hooks: WriteHooks | undefined,
  ) {}

  /** Adds a blob; a full segment is encoded at once and written in the background (in order). */
  add(oid: string, flags: number, content: Buffer): void {
    const starts = flags === 0 ? documentStarts(content) : [];
    if (this.ndocs + starts.length >= MAX_DOCS) this.flush();
    this.blobs.push({ oid, flags, content, docs: starts });
    starts.forEach((start, k) => {
      const tris = blobTrigrams(content.subarray(start, starts[k + 1] ?? content.length));
      if (this.ntris + tris.length > this.tris.length) {
        const grown = new Uint32Array(Math.max(this.tris.length * 2, this.ntris + tris.length));
        grown.set(this.tris.subarray(0, this.ntris));
        this.tris = grown;
      }
      this.tris.set(tris, this.ntris);
      this.ntris += tris.length;
      this.docEnds.push(this.ntris);
      this.ndocs++;
    });
    if (flags === 0) this.bytes += content.length;
    if (this.bytes >= this.segmentBytes || this.blobs.length >= MAX_DOCS - 1) this.flush();
  }

  private flush(): void {
    if (this.blobs.length === 0) return;
    const id = newId();
    const blobs = this.blobs;
    const bytes = this.bytes;
    const parts = encodeSegment(blobs, this.tris.subarray(0, this.ntris), this.docEnds);
    this.blobs = [];
    this.tris = new Uint32Array(1 << 16);
    this.ntris = 0;
    this.docEnds = [];
    this.ndocs = 0;
    this.bytes = 0;
    const oids = blobs.map((b) => b.oid).sort();
    this.writes = this.writes.then(async () => {
      await writeAtomic(path.join(this.dir, `seg-${id}.hsx`), parts, this.hooks);
      this.written.push({
        id,
        oids,
        blobs: oids.length,
        content_bytes: bytes,
        file_bytes: parts.reduce((n, p) => n + p.length, 0),
      });
    });
    // A failed write is reported by done(); until then it must not be an unhandled rejection.
    this.writes.catch(() => undefined);
  }

  /** Writes what is left and waits for every segment to be on disk. */
  async done(): Promise<void> {
    this.flush();
    await this.writes;
  }
}

/** What indexing a commit did. */
export interface IndexReport {
  commit: string;
  /** False when the commit was indexed already. */
  indexed: boolean;
  files: number;
  /** Blobs read from git (new since the commits already indexed). */
  new_blobs: number;
  /** Bytes of text read from git. */
  new_bytes: number;
  ms: number;
}

/**
 * The search index of one repository, under `dir`: content addressed (a blob is indexed once however many commits
 * hold it), incremental (indexing a commit reads only the blobs no indexed commit has), searched through a bounded
 * page cache. One writer at a time (a lock file); any number of readers, in any process.
 */
export class SearchIndex {
  private readonly cache: PageCache;
  private readonly readers = new Map<string, Promise<SegmentReader>>();
  private readonly lists = new Map<string, CommitList>();
  private manifest: { key: string; value: Manifest } | undefined;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly options: SearchIndexOptions = {},
  ) {
    this.cache = options.cache ?? defaultCache;
  }

  /** The manifest as on disk now (re-read when the file changed). */
  async current(): Promise<Manifest> {
    const file = path.join(this.dir, 'manifest.json');
    // (A synchronous stat: a few microseconds, where a thread-pool round trip cost a rare query a tenth of its time.)
    let st: Stats | undefined;
    try {
      st = statSync(file);
    } catch {
      st = undefined;
    }
    const key = st ? `${st.ino}:${st.mtimeMs}:${st.size}` : 'none';
    if (this.manifest?.key === key) return this.manifest.value;
    const value = await readManifest(this.dir);
    this.manifest = { key, value };
    // Segments no longer named are closed a minute later (searches under way may still read them).
    const named = new Set(value.segments.map((s) => s.id));
    for (const [id, reader] of this.readers) {
      if (named.has(id)) continue;
      this.readers.delete(id);
      setTimeout(() => void reader.then((r) => r.close()).catch(() => undefined), 60_000).unref();
    }
    return value;
  }

  /** Whether `commit` is indexed. */
  async has(commit: string): Promise<boolean> {
    return (await this.current()).commits.some((c) => c.sha === commit);
  }

  /** The indexed commits, oldest first. */
  async commits(): Promise<string[]> {
    return (await this.current()).commits.map((c) => c.sha);
  }

  /** Runs `fn` holding the index's write lock (in this process and, through a lock file, across processes). */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writing.then(async () => {
      await fs.mkdir(this.dir, { recursive: true });
      const lock = path.join(this.dir, 'lock');
      for (let attempt = 0; ; attempt++) {
        try {
          await (await fs.open(lock, 'wx')).close();
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          const st = await fs.stat(lock).catch(() => undefined);
          // A writer that died leaves its lock: one older than 30 minutes (no indexing takes that long) is taken over.
          if (st && Date.now() - st.mtimeMs > 30 * 60_000) await fs.rm(lock, { force: true });
          else if (attempt > 600) throw new Error(`search index ${this.dir} is locked by another writer`);
          else await new Promise((r) => setTimeout(r, 500));
        }
      }
      try {
        return await fn();
      } finally {
        await fs.rm(lock, { force: true });
      }
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  /**
   * Indexes `commit` of the repository `src`: lists its files, reads only the blobs that no indexed commit has, and
   * publishes the commit (new segments and its file list first, then the manifest, each written atomically).
   */
  async indexCommit(src: GitSource, commit: string): Promise<IndexReport> {
    assertObjectId(commit);
    const started = Date.now();
    return this.exclusive(async () => {
      const manifest = await this.readForWrite();
      const files = await listTree(src, commit);
      if (manifest.commits.some((c) => c.sha === commit)) {
        return { commit, indexed: false, files: files.length, new_blobs: 0, new_bytes: 0, ms: Date.now() - started };
      }
      const where = await this.blobLocations(manifest);
      const maxBlob = this.options.maxBlobBytes ?? 1024 * 1024;
      const builder = new SegmentBuilder(this.dir, this.options.segmentBytes ?? 32 * 1024 * 1024, this.options.hooks);
      const toRead: string[] = [];
      const seen = new Set<string>();
      let newBytes = 0;
      for (const f of files) {
        if (where.has(f.oid) || seen.has(f.oid)) continue;
        seen.add(f.oid);
      }
      // Sizes of the new blobs only (a commit after the first brings few).
      const sizes = await blobSizes(src, [...seen]);
      for (const oid of seen) {
        if (sizes.get(oid)! > maxBlob) builder.add(oid, BLOB_TOO_LARGE, Buffer.alloc(0));
        else toRead.push(oid);
      }
      // cat-file streams; a full segment is written while git keeps going.
      await readBlobs(src, toRead, (oid, content) => {
        newBytes += content.length;
        const binary = isBinary(content);
        builder.add(oid, binary ? BLOB_BINARY : 0, binary ? Buffer.alloc(0) : content);
      });
      await builder.done();
      const segments = [...manifest.segments];
      for (const w of builder.written) {
        const ord = segments.length;
        segments.push({ id: w.id, blobs: w.blobs, content_bytes: w.content_bytes, file_bytes: w.file_bytes });
        w.oids.forEach((oid, i) => where.set(oid, { seg: ord, blob: i }));
      }
      const list = this.commitFiles(files, where, segments);
      const name = `commit-${commit}-${newId()}.hsc`;
      await writeAtomic(path.join(this.dir, name), encodeCommitList(list.segments, list.files), this.options.hooks);
      const next: Manifest = {
        format: FORMAT_VERSION,
        segments,
        commits: [
          ...manifest.commits,
          {
            sha: commit,
            file: name,
            files: list.files.length,
            segments: list.segments,
            indexed_at: new Date().toISOString(),
          },
        ],
      };
      await this.writeManifest(next);
      return {
        commit,
        indexed: true,
        files: files.length,
        new_blobs: seen.size,
        new_bytes: newBytes,
        ms: Date.now() - started,
      };
    });
  }

  /** The manifest for a writer: a damaged or foreign-version index is started afresh (the caller re-indexes). */
  private async readForWrite(): Promise<Manifest> {
    try {
      return await readManifest(this.dir);
    } catch (err) {
      if (!(err instanceof IndexFormatError) && !(err instanceof SyntaxError)) throw err;
      return { format: FORMAT_VERSION, segments: [], commits: [] };
    }
  }

  private async writeManifest(next: Manifest): Promise<void> {
    await writeAtomic(path.join(this.dir, 'manifest.json'), Buffer.from(JSON.stringify(next)), this.options.hooks);
    this.manifest = undefined;
  }

  /** Where every indexed blob is: segment position in the manifest and index in the segment. */
  private async blobLocations(manifest: Manifest): Promise<Map<string, { seg: number; blob: number }>> {
    const where = new Map<string, { seg: number; blob: number }>();
    for (let s = 0; s < manifest.segments.length; s++) {
      const reader = await this.reader(manifest.segments[s]!.id);
      (await reader.blobIds()).forEach((oid, i) => where.set(oid, { seg: s, blob: i }));
    }
    return where;
  }

  private commitFiles(
    files: { path: string; oid: string }[],
    where: Map<string, { seg: number; blob: number }>,
    segments: Manifest['segments'],
  ): { segments: string[]; files: CommitFile[] } {
    const segOrd = new Map<number, number>();
    const used: string[] = [];
    const out: CommitFile[] = [];
    // (Each path encoded once: encoding in the comparison was half the sort's time at 57,515 files.)
    const keyed = files.map((f) => ({ f, key: Buffer.from(f.path, 'utf8') }));
    keyed.sort((a, b) => Buffer.compare(a.key, b.key));
    for (const { f } of keyed) {
      const loc = where.get(f.oid)!;
      let ord = segOrd.get(loc.seg);
      if (ord === undefined) {
        ord = used.length;
        segOrd.set(loc.seg, ord);
        used.push(segments[loc.seg]!.id);
      }
      out.push({ path: f.path, oid: f.oid, lang: languageId(languageOf(f.path)), seg: ord, blob: loc.blob });
    }
    return { segments: used, files: out };
  }

  private reader(id: string): Promise<SegmentReader> {
    let r = this.readers.get(id);
    if (!r) {
      r = SegmentReader.open(id, path.join(this.dir, `seg-${id}.hsx`), this.cache);
      r.catch(() => this.readers.delete(id));
      this.readers.set(id, r);
    }
    return r;
  }

  private async list(file: string): Promise<CommitList> {
    const cached = this.lists.get(file);
    if (cached) return cached;
    const list = decodeCommitList(await fs.readFile(path.join(this.dir, file)));
    // A few lists in memory (one entry per file of a commit); the oldest goes first.
    if (this.lists.size >= 4) this.lists.delete(this.lists.keys().next().value!);
    this.lists.set(file, list);
    return list;
  }

  /**
   * Keeps only the commits in `keep` (any others are dropped from the manifest), then collects garbage: a segment
   * no kept commit uses is deleted; segments that are mostly dead blobs, or too many small ones, are rewritten into
   * one holding only the live blobs (and the kept commits' lists re-pointed); then every file the manifest does not
   * name (old lists, what a crashed writer left) is removed.
   */
  async gc(
    keep: Iterable<string>,
    options: { maxSegments?: number } = {},
  ): Promise<{ commits: number; segments: number; rewritten: number; removed_files: number }> {
    const kept = new Set(keep);
    const maxSegments = options.maxSegments ?? 16;
    return this.exclusive(async () => {
      const manifest = await this.readForWrite();
      const commits = manifest.commits.filter((c) => kept.has(c.sha));
      const lists = await Promise.all(commits.map((c) => this.list(c.file)));
      const live = new Set<string>();
      for (const l of lists) for (const oid of l.oids) live.add(oid);
      const used = new Set(commits.flatMap((c) => c.segments));
      const segs = manifest.segments.filter((s) => used.has(s.id));
      const ids = new Map<string, string[]>();
      for (const s of segs) ids.set(s.id, await (await this.reader(s.id)).blobIds());
      const liveCount = (id: string) => ids.get(id)!.filter((o) => live.has(o)).length;
      // Mostly dead, or the smallest beyond the segment budget.
      const rewrite = new Set(segs.filter((s) => liveCount(s.id) * 2 < s.blobs).map((s) => s.id));
      const bySize = segs.filter((s) => !rewrite.has(s.id)).sort((a, b) => a.content_bytes - b.content_bytes);
      for (let i = 0; segs.length - rewrite.size + 1 > maxSegments && i < bySize.length; i++)
        rewrite.add(bySize[i]!.id);
      if (rewrite.size === 1 && segs.length <= maxSegments) {
        const only = segs.find((s) => rewrite.has(s.id))!;
        if (liveCount(only.id) * 2 >= only.blobs) rewrite.clear();
      }

      let segments = segs;
      let nextCommits = commits;
      if (rewrite.size > 0) {
        const builder = new SegmentBuilder(this.dir, this.options.segmentBytes ?? 32 * 1024 * 1024, this.options.hooks);
        // The live blobs of the rewritten segments, copied in the newest commit's path order (then the older ones'),
        // as indexing adds them: a bulk read of that commit reads the new segment front to back.
        const from = new Map<string, { reader: SegmentReader; blob: number }>();
        for (const s of segs) {
          if (!rewrite.has(s.id)) continue;
          const reader = await this.reader(s.id);
          ids.get(s.id)!.forEach((oid, blob) => live.has(oid) && from.set(oid, { reader, blob }));
        }
        for (const l of [...lists].reverse()) {
          for (const oid of l.oids) {
            const f = from.get(oid);
            if (!f) continue;
            from.delete(oid);
            const { flags, bytes } = await f.reader.content(f.blob, false);
            builder.add(oid, flags, bytes);
          }
        }
        await builder.done();
        segments = [
          ...segs.filter((s) => !rewrite.has(s.id)),
          ...builder.written.map((w) => ({
            id: w.id,
            blobs: w.blobs,
            content_bytes: w.content_bytes,
            file_bytes: w.file_bytes,
          })),
        ];
        const where = new Map<string, { seg: number; blob: number }>();
        segments.forEach((s, ord) => {
          const oids = ids.get(s.id) ?? builder.written.find((w) => w.id === s.id)!.oids;
          oids.forEach((oid, i) => where.set(oid, { seg: ord, blob: i }));
        });
        nextCommits = [];
        for (let c = 0; c < commits.length; c++) {
          const l = lists[c]!;
          const files = l.paths.map((p, i) => ({ path: p, oid: l.oids[i]! }));
          const list = this.commitFiles(files, where, segments);
          const name = `commit-${commits[c]!.sha}-${newId()}.hsc`;
          await writeAtomic(path.join(this.dir, name), encodeCommitList(list.segments, list.files), this.options.hooks);
          nextCommits.push({ ...commits[c]!, file: name, segments: list.segments });
        }
      }
      const next: Manifest = { format: FORMAT_VERSION, segments, commits: nextCommits };
      if (
        rewrite.size > 0 ||
        next.commits.length !== manifest.commits.length ||
        next.segments.length !== manifest.segments.length
      ) {
        await this.writeManifest(next);
      }
      const wanted = new Set(['manifest.json', 'lock', ...next.commits.map((c) => c.file)]);
      for (const s of next.segments) wanted.add(`seg-${s.id}.hsx`);
      let removed = 0;
      for (const name of await fs.readdir(this.dir)) {
        if (wanted.has(name)) continue;
        await fs.rm(path.join(this.dir, name), { force: true, recursive: true });
        removed++;
      }
      return {
        commits: next.commits.length,
        segments: next.segments.length,
        rewritten: rewrite.size,
        removed_files: removed,
      };
    });
  }

  /** Bytes on disk: segments (text and postings) and lists, from the manifest. */
  async stats(): Promise<{ commits: number; segments: number; blobs: number; text_bytes: number; disk_bytes: number }> {
    const m = await this.current();
    let disk = 0;
    for (const name of await fs.readdir(this.dir).catch(() => [] as string[])) {
      disk += (await fs.stat(path.join(this.dir, name)).catch(() => ({ size: 0 }))).size;
    }
    return {
      commits: m.commits.length,
      segments: m.segments.length,
      blobs: m.segments.reduce((n, s) => n + s.blobs, 0),
      text_bytes: m.segments.reduce((n, s) => n + s.content_bytes, 0),
      disk_bytes: disk,
    };
  }

  /** Searches `commit` (which must be indexed: IndexMissingError otherwise). */
  async search(commit: string, query: SearchQuery): Promise<SearchPage> {
    const started = Date.now();
    const run = await this.prepare(commit, query, started);
    const { list } = run;
    let start = 0;
    let afterLine = 0;
    if (query.cursor) ({ start, afterLine } = decodeCursor(query.cursor, run.fingerprint, list));
    const [first, end] = run.span;
    if (start < first) [start, afterLine] = [first, 0];
    const state: PageState = {
      page: {
        commit,
        matches: [],
        files: [],
        next: null,
        truncated: false,
        timed_out: false,
        scan: !query.files && isScan(run.plan),
        files_read: 0,
        ...(query.count && { count: 0 }),
      },
      bytes: 0,
      fileOf: [],
    };
    // (The pool's threads start with the first search, whether it needs them or not.)
    this.options.pool?.warm();
    const pool = query.files ? undefined : this.options.pool;
    // A count is read on the pool's threads. A page reads its first 256 files here (most pages end within them, and
    // dense matches are cheaper made here than copied between threads); a page that read that many and found few
    // matches reads the rest on the pool's threads, in chunks whose results are taken in path order.
    if (pool && query.count) await this.parallel(run, state, start, afterLine, pool);
    else {
      // (Stopped each time it reaches a segment whose candidates are not evaluated yet: evaluated, then on from there.)
      for (let from = start, line = afterLine; ;) {
        const at = scanFiles(run, state, from, line, end, pool ? KEEP_FILES : 0);
        if (state.needs !== undefined) {
          run.candidates[state.needs] = await evaluate(run.readers[state.needs]!, run.plan);
          state.needs = undefined;
          if (at !== from) line = 0;
          from = at!;
          continue;
        }
        if (at !== undefined) await this.parallel(run, state, at, 0, pool!);
        break;
      }
    }
    return state.page;
  }

  /** What every part of a search needs: the query checked and planned, the commit's list, its segments' candidates. */
  private async prepare(commit: string, query: SearchQuery, started: number): Promise<Run> {
    if (query.q.length > 1000) throw new SearchQueryError('q: at most 1,000 characters');
    const matcher = new LineMatcher({ q: query.q, regex: query.regex, ignoreCase: query.ignoreCase, word: query.word });
    const filter = pathFilter(query);
    let lang: number | undefined;
    if (query.lang !== undefined) {
      const l = parseLanguage(query.lang);
      if (!l) throw new SearchQueryError(`lang: unknown language ${JSON.stringify(query.lang)}`);
      lang = languageId(l);
    }
    // What a case-sensitive search's lines must hold is looked up in its case (see caseOf).
    const plan: TrigramQuery = query.files
      ? { op: 'all' }
      : and(
          query.regex ? regexpQuery(query.q, query.ignoreCase === true) : literalQuery(query.q),
          casedQuery(matcher.required ?? ''),
        );
    const entry = (await this.current()).commits.find((c) => c.sha === commit);
    if (!entry) throw new IndexMissingError(commit);
    const list = await this.list(entry.file);
    // Which blobs of each segment may match: every segment of the commit at once (posting lists, no text).
    const readers = await Promise.all(list.segments.map((id) => this.reader(id)));
    // A page of matches evaluates a segment's candidates when its files are first reached: the first 100 matches of a
    // common word are in a segment or two, and evaluating a common trigram's posting lists in every segment of a
    // large tree was half of such a page's time. A count reads every candidate: all at once.
    const lazy = !query.files && !query.count;
    const candidates: (Candidates | undefined)[] = query.files
      ? []
      : lazy
        ? new Array<undefined>(readers.length).fill(undefined)
        : await Promise.all(readers.map((r) => evaluate(r, plan)));
    const run: Run = {
      query,
      plan,
      matcher,
      filter,
      lang,
      list,
      readers,
      candidates,
      fingerprint: queryFingerprint(commit, query),
      cursor: (i, afterLine) => encodeCursor(run.fingerprint, i, list.paths[i]!, afterLine),
      limit: query.limit ?? 100,
      maxBytes: query.maxBytes ?? 2 * 1024 * 1024,
      context: Math.max(0, Math.min(10, query.context ?? 0)),
      started,
      budget: query.timeBudgetMs ?? 5000,
      span: prefixSpan(list.paths, query.path),
    };
    return run;
  }

  /**
   * Files from `start` on, read by the pool's threads in chunks of candidate files (the first small, then larger; as
   * many under way as the pool has threads, each asked for no more matches than the page still has room for) whose
   * results are added in path order; once the page is full or the budget ran out, no more chunks start.
   */
  private async parallel(run: Run, state: PageState, start: number, afterLine: number, pool: SearchPool) {
    const { list, query } = run;
    // Every segment's candidates (a page evaluated only those it reached), then the candidate files, filters applied:
    // a chunk is only what its thread reads.
    await Promise.all(
      run.candidates.map(async (c, seg) => {
        if (c === undefined) run.candidates[seg] = await evaluate(run.readers[seg]!, run.plan);
      }),
    );
    const files: number[] = [];
    let bytes = 0;
    for (let i = start; i < run.span[1]; i++) {
      if (!isCandidate(run, i)) continue;
      files.push(i);
      bytes += run.readers[list.segs[i]!]!.location(list.blobs[i]!).length;
    }
    const usePool = bytes >= (this.options.poolMinBytes ?? POOL_MIN_BYTES);
    // (At most CHUNK_MAX: this thread reads chunks too, and other requests wait while it does.)
    const cap = Math.min(CHUNK_MAX, Math.max(CHUNK_FILES, Math.ceil(files.length / ((pool.size + 1) * 4))));
    const chunks: number[][] = [];
    for (let at = 0, size = CHUNK_FILES; at < files.length; at += size, size = Math.min(cap, size * 2)) {
      chunks.push(files.slice(at, at + size));
    }
    const setup: ChunkSearch = {
      q: query.q,
      regex: query.regex,
      ignoreCase: query.ignoreCase,
      word: query.word,
      count: query.count,
      context: run.context,
      segments: run.readers.map((r) => r.file),
      candidates: run.candidates as Candidates[],
      started: run.started,
      budget: run.budget,
    };
    const search = crypto.randomUUID();
    const local: ChunkRun = { setup, matcher: run.matcher, readers: run.readers };
    // Each chunk's result: on a pool thread (a task) or read here.
    const results: { task?: PoolTask; done?: ChunkResult; settled: boolean }[] = [];
    let stopped = false;
    const taskOf = (chunk: number[]): ChunkTask => ({
      search,
      setup,
      segs: Uint16Array.from(chunk, (i) => list.segs[i]!),
      blobs: Uint32Array.from(chunk, (i) => list.blobs[i]!),
      afterLine: chunk[0] === start ? afterLine : 0,
      limit: Math.max(1, run.limit - state.page.matches.length),
      maxBytes: Math.max(1, run.maxBytes - state.bytes),
    });
    const submit = (): void => {
      if (!usePool || stopped || results.length >= chunks.length) return;
      const entry: (typeof results)[number] = { settled: false };
      entry.task = pool.run(taskOf(chunks[results.length]!));
      results.push(entry);
      // (A chunk done starts the next at once, before its result is taken: the threads never wait for the merge.)
      void entry.task.result.then(
        (found) => {
          entry.settled = true;
          // (Chunks after one that stopped are not needed.)
          if (found.stop) stopped = true;
          submit();
        },
        () => {
          entry.settled = true;
        },
      );
    };
    // A chunk's result from its thread; a chunk whose segment the thread could not open, because garbage collection
    // deleted its file since this search opened it here (an open file stays readable), is read here instead.
    const pooled = async (task: PoolTask, chunk: number[]): Promise<ChunkResult> => {
      try {
        return await task.result;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        return searchChunk(local, taskOf(chunk));
      }
    };
    // The first chunk (the smallest) is read here while the threads start on the next ones: a search of one chunk
    // makes no round trip to a thread.
    const first: (typeof results)[number] = { settled: false };
    if (chunks.length > 0) results.push(first);
    for (let w = 0; w < pool.size * pool.depth; w++) submit();
    try {
      if (chunks.length > 0) {
        first.done = searchChunk(local, taskOf(chunks[0]!));
        first.settled = true;
        if (first.done.stop) stopped = true;
      }
      for (let k = 0; k < chunks.length; k++) {
        // While chunk k is read on a thread, this thread reads the next chunk no thread has started (one at a time,
        // letting other requests in between).
        while (!stopped && k < results.length && !results[k]!.settled && results.length < chunks.length) {
          const done = searchChunk(local, taskOf(chunks[results.length]!));
          results.push({ done, settled: true });
          if (done.stop) stopped = true;
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (k >= results.length) results.push({ done: searchChunk(local, taskOf(chunks[k]!)), settled: true });
        const chunk = chunks[k]!;
        const found = results[k]!.done ?? (await pooled(results[k]!.task!, chunk));
        const { page } = state;
        page.files_read += found.files_read;
        if (found.count !== undefined) page.count! += found.count;
        for (let m = 0; m < found.matches.length; m++) {
          const file = chunk[found.fileOf[m]!]!;
          if (!addMatch(run, state, { path: list.paths[file]!, ...found.matches[m]! }, file)) return;
        }
        // (A chunk stopped by its own limit or budget says where it stopped: the page stops there.)
        if (found.stop) {
          page.timed_out = found.stop.timed_out;
          page.truncated = !found.stop.timed_out;
          page.next = run.cursor(chunk[found.stop.file]!, found.stop.afterLine);
          return;
        }
      }
    } finally {
      stopped = true;
      for (const r of results) r.task?.cancel();
    }
  }

  /** Closes the open segment files. */
  async close(): Promise<void> {
    const readers = [...this.readers.values()];
    this.readers.clear();
    await Promise.all(readers.map((r) => r.then((x) => x.close()).catch(() => undefined)));
  }
}

const defaultCache = new PageCache();

/**
 * Files [start, end) of the commit's list, from line `afterLine` of the first, into the page, until a limit or the
 * budget stops it (`next` set) or the range ends. With `yieldAfter` > 0, a page with room left stops once it has
 * read that many files while its matches are sparse, and returns where to go on from (undefined otherwise).
 */
function scanFiles(
  run: Run,
  state: PageState,
  start: number,
  afterLine: number,
  end: number,
  yieldAfter = 0,
  keepFirst = true,
): number | undefined {
  const { query, list, matcher } = run;
  const { page } = state;
  let ahead: ReadAhead | undefined;
  for (let i = start; i < end; i++) {
    const from = i === start ? afterLine : 0;
    // (Checked after the first file: every page makes progress, however small the budget.)
    if (i > start && Date.now() - run.started >= run.budget) {
      page.timed_out = true;
      page.next = run.cursor(i, from);
      return undefined;
    }
    // (Only while matches are sparse, under one in 16 files read: dense ones are cheaper matched here than copied
    // between threads, and a dense page is soon full.)
    if (yieldAfter > 0 && page.files_read >= yieldAfter && from === 0 && page.matches.length * 16 < page.files_read)
      return i;
    const p = list.paths[i]!;
    if (!passesFilters(run, i)) continue;
    if (query.files) {
      const ranges = matcher.pathRanges(p);
      if (ranges.length === 0) continue;
      if (query.count) {
        page.count!++;
        continue;
      }
      if (page.files.length >= run.limit) {
        page.truncated = true;
        page.next = run.cursor(i, 0);
        return undefined;
      }
      page.files.push({ path: p, lang: (LANGUAGES[list.langs[i]!] || null) as Language | null, ranges });
      continue;
    }
    const seg = list.segs[i]!;
    const cand = run.candidates[seg];
    if (cand === undefined) {
      state.needs = seg;
      return i;
    }
    const blob = list.blobs[i]!;
    if (cand !== 'all' && !cand.blobs[blob]) continue;
    const reader = run.readers[seg]!;
    // The first files a query's first page reads are kept in the page cache; more, or a later page, a count or a
    // scan, is a bulk read (see content), read ahead in large reads or into a shared buffer: nothing below awaits
    // until the next file.
    const keep = keepFirst && !page.scan && !query.count && !query.cursor && page.files_read < KEEP_FILES;
    let whole: Buffer | undefined;
    if (!keep && readsWhole(reader, blob, cand, run.context)) {
      ahead ??= new ReadAhead(run.readers, (j) => wholeFile(run, j), end);
      whole = ahead.bytes(i, seg, blob);
    }
    for (const part of candidateParts(reader, blob, cand, keep, from, run.context, whole)) {
      if (part === undefined) break; // not indexed (binary, too large)
      if (part.first) page.files_read++;
      const after = Math.max(0, from - part.line);
      if (query.count) {
        page.count! += matcher.countOf(part.bytes, after, part.decode);
        continue;
      }
      for (const m of matcher.linesOf(part.bytes, after, run.context, part.decode)) {
        m.line += part.line;
        if (!addMatch(run, state, { path: p, ...m }, i)) return undefined;
        if (Date.now() - run.started >= run.budget) {
          page.timed_out = true;
          page.next = run.cursor(i, m.line);
          return undefined;
        }
      }
    }
  }
  return undefined;
}

function jsonBytes(value: string | string[] | undefined): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

/** Which blobs and documents of a segment may match (flags, 1: may), or 'all'. */
export type Candidates = 'all' | { blobs: Uint8Array; docs: Uint8Array };

/** Evaluates a trigram query on a segment. */
async function evaluate(reader: SegmentReader, plan: TrigramQuery): Promise<Candidates> {
  const docs = await evalNode(reader, plan);
  if (docs === 'all') return 'all';
  const flags = { blobs: new Uint8Array(reader.blobCount), docs: new Uint8Array(reader.docCount) };
  for (const d of docs) {
    flags.blobs[reader.blobOf(d)] = 1;
    flags.docs[d] = 1;
  }
  return flags;
}

/** Whether file `i` of the run's list passes its path and language filters. */
function passesFilters(run: Run, i: number): boolean {
  if (run.filter && !run.filter(run.list.paths[i]!)) return false;
  return run.lang === undefined || run.list.langs[i] === run.lang;
}

/** Whether file `i` of the run's list is to be read: through the filters, and its blob a candidate. */
function isCandidate(run: Run, i: number): boolean {
  const cand = run.candidates[run.list.segs[i]!];
  // (A segment not evaluated yet: not known to be one, so not read ahead; see SearchIndex.search.)
  if (cand === undefined) return false;
  return (cand === 'all' || cand.blobs[run.list.blobs[i]!] === 1) && passesFilters(run, i);
}

/**
 * Whether a candidate blob's whole text is matched: unless only some of its documents are candidates, the others
 * more than half its text, and no context lines are asked (they could reach into a document not read), when just
 * those documents are. (Matching a document that is not a candidate finds nothing, so it is only a cost: a read of
 * each run of candidate documents costs a system call, as much as copying and matching tens of KB. Reading each
 * candidate document of the large tree's partly matching blobs on its own, 10,000 reads of 16 KiB, took 40% of a
 * count's reads.)
 */
function readsWhole(reader: SegmentReader, blob: number, cand: Candidates, context: number): boolean {
  if (cand === 'all' || context > 0) return true;
  const [d0, d1] = reader.docsOf(blob);
  const length = reader.location(blob).length;
  let skipped = 0;
  for (let d = d0; d < d1; d++) {
    if (cand.docs[d] === 0) skipped += (d + 1 < d1 ? reader.docStart(d + 1).start : length) - reader.docStart(d).start;
  }
  return skipped * 2 <= length;
}

/** File `i` of the run's list, when it is to be read and read whole (see ReadAhead). */
function wholeFile(run: Run, i: number): WholeFile | undefined {
  if (!isCandidate(run, i)) return undefined;
  const seg = run.list.segs[i]!;
  const blob = run.list.blobs[i]!;
  return readsWhole(run.readers[seg]!, blob, run.candidates[seg]!, run.context) ? { seg, blob } : undefined;
}

/** A part of a blob's text to match: its bytes, the lines before it in the blob, and how to decode it. */
interface Part {
  bytes: Buffer;
  line: number;
  decode: () => string;
  /** The blob's first part read. */
  first: boolean;
}

/**
 * The parts of a blob to match, read one at a time (each is done with before the next is read: they may share a
 * buffer): the whole text, or, when only some of its documents are candidates and no context lines are asked (they
 * could reach into a document not read), just those documents (each run of them in one read), skipping those wholly
 * before line `from`. Yields undefined for a blob whose text is not indexed.
 */
function* candidateParts(
  reader: SegmentReader,
  blob: number,
  cand: Candidates,
  keep: boolean,
  from: number,
  context: number,
  whole?: Buffer,
): Generator<Part | undefined> {
  if (whole) {
    yield { bytes: whole, line: 0, decode: () => reader.text(blob, whole, false), first: true };
    return;
  }
  const [d0, d1] = reader.docsOf(blob);
  if (cand === 'all' || readsWhole(reader, blob, cand, context)) {
    const { flags, bytes } = reader.contentNow(blob, keep);
    if (flags !== 0) return yield undefined;
    yield { bytes, line: 0, decode: () => reader.text(blob, bytes, keep), first: true };
    return;
  }
  let first = true;
  for (let d = d0; d < d1;) {
    // (A document ends where the next one starts, its last line where the next one's lines begin.)
    if (!cand.docs[d] || (d + 1 < d1 && reader.docStart(d + 1).line <= from)) {
      d++;
      continue;
    }
    // A run of candidate documents, read at once.
    let end = d + 1;
    while (end < d1 && cand.docs[end]) end++;
    const { start, line } = reader.docStart(d);
    const bytes = reader.rangeNow(blob, start, end < d1 ? reader.docStart(end).start : Infinity);
    yield { bytes, line, decode: () => bytes.toString('utf8'), first };
    first = false;
    d = end;
  }
}

async function evalNode(reader: SegmentReader, q: TrigramQuery): Promise<Uint32Array | 'all'> {
  switch (q.op) {
    case 'all':
      return 'all';
    case 'none':
      return new Uint32Array(0);
    case 'tri':
      return reader.postings(q.tri, q.case);
    case 'or': {
      let acc: Uint32Array = new Uint32Array(0);
      for (const sub of q.subs) {
        const ids = await evalNode(reader, sub);
        if (ids === 'all') return 'all';
        acc = unionSorted(acc, ids);
      }
      return acc;
    }
    case 'and': {
      // Rarest trigram first: the intersection only shrinks, and an empty one ends the evaluation.
      const freq = await Promise.all(q.subs.map((s) => (s.op === 'tri' ? reader.frequency(s.tri) : Infinity)));
      const order = q.subs.map((_, i) => i).sort((a, b) => freq[a]! - freq[b]!);
      let acc: Uint32Array | 'all' = 'all';
      for (const i of order) {
        if (freq[i] === 0) return new Uint32Array(0);
        const ids = await evalNode(reader, q.subs[i]!);
        if (ids === 'all') continue;
        acc = acc === 'all' ? ids : intersectSorted(acc, ids);
        if (acc.length === 0) return acc;
      }
      return acc;
    }
  }
}

function intersectSorted(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) i++;
    else if (a[i]! > b[j]!) j++;
    else {
      out[k++] = a[i]!;
      i++;
      j++;
    }
  }
  return out.subarray(0, k);
}

function unionSorted(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out[k++] = a[i++]!;
    else if (i >= a.length || b[j]! < a[i]!) out[k++] = b[j++]!;
    else {
      out[k++] = a[i++]!;
      j++;
    }
  }
  return out.subarray(0, k);
}

/**
 * The files of a list sorted by path (byte order) that may lie under `prefix`: [first, end), found by binary search
 * (the filter still checks each: "a-b" sorts between "a" and "a/"). A path-filtered page no longer runs the filter
 * over every file before the directory (57,515 of them on the large tree: most of such a page's time).
 */
function prefixSpan(paths: string[], prefix: string | undefined): [number, number] {
  const p = prefix?.replace(/\/+$/, '');
  if (!p) return [0, paths.length];
  const lower = (key: Buffer) => {
    let lo = 0;
    let hi = paths.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(Buffer.from(paths[mid]!, 'utf8'), key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // ("p" itself, and every "p/…", which sorts before "p0": "0" follows "/".)
  return [lower(Buffer.from(p, 'utf8')), lower(Buffer.from(`${p}0`, 'utf8'))];
}

/** The path filter of a query (prefix and glob), or undefined when there is none. */
function pathFilter(query: SearchQuery): ((p: string) => boolean) | undefined {
  const prefix = query.path?.replace(/\/+$/, '');
  const glob = query.glob ? globToRegExp(query.glob) : undefined;
  if (!prefix && !glob) return undefined;
  return (p) => {
    if (prefix && p !== prefix && !p.startsWith(`${prefix}/`)) return false;
    if (glob) {
      const subject = query.glob!.includes('/') ? p : p.slice(p.lastIndexOf('/') + 1);
      if (!glob.test(subject)) return false;
    }
    return true;
  };
}

/** A glob as an anchored RegExp: `**` any path, `*` and `?` within a segment, `{a,b}` alternatives. */
export function globToRegExp(glob: string): RegExp {
  if (glob.length > 300) throw new SearchQueryError('glob: at most 300 characters');
  let re = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      re += '(?:';
      depth++;
    } else if (c === '}' && depth > 0) {
      re += ')';
      depth--;
    } else if (c === ',' && depth > 0) re += '|';
    else re += c.replace(/[.+^$()|[\]\\{}]/g, '\\$&');
  }
  if (depth !== 0) throw new SearchQueryError('glob: unbalanced braces');
  return new RegExp(`^${re}$`, 'u');
}

function queryFingerprint(commit: string, q: SearchQuery): string {
  const key = JSON.stringify([commit, q.q, !!q.regex, !!q.ignoreCase, !!q.word, q.path ?? '', q.glob ?? '']);
  return crypto
    .createHash('sha256')
    .update(key + JSON.stringify([q.lang ?? '', !!q.files, ...(q.count ? ['count'] : [])]))
    .digest('base64url')
    .slice(0, 12);
}

function encodeCursor(fingerprint: string, file: number, p: string, afterLine: number): string {
  return Buffer.from(JSON.stringify([fingerprint, file, p, afterLine])).toString('base64url');
}

function decodeCursor(cursor: string, fingerprint: string, list: CommitList): { start: number; afterLine: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new SearchQueryError('cursor: not a cursor of this search');
  }
  if (
    !Array.isArray(parsed) ||
    parsed[0] !== fingerprint ||
    !Number.isInteger(parsed[1]) ||
    !Number.isInteger(parsed[3]) ||
    list.paths[parsed[1] as number] !== parsed[2]
  ) {
    throw new SearchQueryError('cursor: not a cursor of this search');
  }
  return { start: parsed[1] as number, afterLine: parsed[3] as number };
}

/** What a pool thread keeps of a search between its chunks. */
export interface ChunkRun {
  setup: ChunkSearch;
  matcher: LineMatcher;
  readers: SegmentReader[];
}

/** What a pool thread prepares from a search's first chunk: its matcher and its segments, opened by `open`. */
export async function prepareChunkRun(setup: ChunkSearch, open: (file: string) => Promise<SegmentReader>) {
  const matcher = new LineMatcher({ q: setup.q, regex: setup.regex, ignoreCase: setup.ignoreCase, word: setup.word });
  return { setup, matcher, readers: await Promise.all(setup.segments.map(open)) };
}

/**
 * Reads one chunk on a pool thread: the same loop as a search's own (SearchIndex.scanFiles), over the chunk's files,
 * which the search's thread chose and filtered. Nothing is kept in the page cache.
 */
export function searchChunk(prepared: ChunkRun, task: ChunkTask): ChunkResult {
  const { setup } = prepared;
  const n = task.blobs.length;
  const run: Run = {
    query: { q: setup.q, count: setup.count },
    plan: { op: 'all' },
    matcher: prepared.matcher,
    filter: undefined,
    lang: undefined,
    list: {
      segments: [],
      paths: new Array<string>(n).fill(''),
      oids: [],
      langs: new Uint8Array(n),
      segs: task.segs,
      blobs: task.blobs,
    },
    readers: prepared.readers,
    candidates: setup.candidates,
    fingerprint: '',
    cursor: (i, afterLine) => JSON.stringify([i, afterLine]),
    limit: task.limit,
    maxBytes: task.maxBytes,
    context: setup.context,
    started: setup.started,
    budget: setup.budget,
    span: [0, n],
  };
  const state: PageState = {
    page: {
      commit: '',
      matches: [],
      files: [],
      next: null,
      truncated: false,
      timed_out: false,
      scan: false,
      files_read: 0,
      ...(setup.count && { count: 0 }),
    },
    bytes: 0,
    fileOf: [],
  };
  scanFiles(run, state, 0, task.afterLine, n, 0, false);
  const { page } = state;
  let stop: ChunkResult['stop'] = null;
  if (page.next) {
    const [file, afterLine] = JSON.parse(page.next) as [number, number];
    stop = { file, afterLine, timed_out: page.timed_out };
  }
  // (Paths are the search's thread's to add: here they are all empty.)
  const matches = page.matches.map(({ path: _path, ...m }) => m);
  return { matches, fileOf: state.fileOf, files_read: page.files_read, count: page.count, stop };
}
