import { readSync } from 'node:fs';
import fs from 'node:fs/promises';
import { LRUCache } from 'lru-cache';
import { kernelBuffer } from './count-lines.js';
import {
  BLOB_ENTRY,
  DOC_ENTRY,
  FORMAT_VERSION,
  HEADER_BYTES,
  LOWER_ONLY,
  IndexFormatError,
  SEGMENT_MAGIC,
  TRIGRAM_ENTRY,
} from './format.js';

// The operating system's page: a trigram lookup needs 1 KiB of the table (64 KiB pages read and cached 64 times
// that for every trigram of a query, and their churn was most of a searching process's memory).
const PAGE = 4 * 1024;
// One trigram in this many is kept in memory (4 bytes each): 1/256 of the trigram table's size.
const SAMPLE = 64;
/** The largest blob whose text the page cache keeps. */
export const MAX_CACHED_BLOB = 256 * 1024;
/** The largest blob read into the shared scratch buffer (see contentNow); larger ones get a buffer of their own. */
const MAX_SCRATCH = 4 * 1024 * 1024;
let shared: Buffer | undefined;

/**
 * A buffer of `len` bytes for a read its caller is done with before it next awaits: the shared one when it fits. It
 * lies in the memory of a line-counting kernel, so that a count counts the text where it was read, not copied there
 * after (the documents of a file only partly a candidate, blobs too large to read ahead).
 */
function scratchBuffer(len: number): Buffer {
  if (len > MAX_SCRATCH) return Buffer.allocUnsafe(len);
  if (shared === undefined || shared.length < len) {
    shared = kernelBuffer(Math.max(len, 2 * (shared?.length ?? 32 * 1024)), 'scratch');
  }
  return shared.subarray(0, len);
}

/**
 * A bounded cache of segment bytes (4 KiB pages of the tables, and the text of blobs up to 256 KiB), least recently
 * used dropped first. One per process is enough: whatever the number or size of repositories, the index's memory is
 * this cache plus one query's working set.
 */
export class PageCache {
  private readonly lru: LRUCache<string, Buffer | string>;
  constructor(readonly maxBytes = 16 * 1024 * 1024) {
    this.lru = new LRUCache<string, Buffer | string>({
      maxSize: maxBytes,
      // A string's characters take one or two bytes each: counted as two.
      sizeCalculation: (v) => Math.max(1, typeof v === 'string' ? 2 * v.length : v.length),
    });
  }

  has(key: string): boolean {
    return this.lru.has(key);
  }

  get(key: string): Buffer | undefined {
    const v = this.lru.get(key);
    return typeof v === 'string' ? undefined : v;
  }

  set(key: string, page: Buffer): void {
    this.lru.set(key, page);
  }

  getText(key: string): string | undefined {
    const v = this.lru.get(key);
    return typeof v === 'string' ? v : undefined;
  }

  setText(key: string, text: string): void {
    this.lru.set(key, text);
  }

  /** Bytes held now. */
  get size(): number {
    return this.lru.calculatedSize;
  }
}

/** A segment opened for reading: its header in memory, everything else read by position when needed. */
export class SegmentReader {
  readonly blobCount: number;
  readonly trigramCount: number;
  readonly docCount: number;
  private readonly blobTableOff: number;
  private readonly triTableOff: number;
  private readonly contentOff: number;
  /**
   * Every SAMPLE-th trigram of the table, in memory, read on the first lookup (a search thread, which is given the
   * candidates, never looks one up): a lookup reads one page of the table, not log2(n).
   */
  private sample: Promise<Uint32Array> | undefined;
  /** Each document's blob, start in the blob's text, and lines before it (12 bytes a document, about one per 16 KiB
   * of text), in memory; and each blob's first document. */
  private docBlobs: Uint32Array = new Uint32Array(0);
  private docStarts: Uint32Array = new Uint32Array(0);
  private docLines: Uint32Array = new Uint32Array(0);
  private blobFirstDoc: Uint32Array = new Uint32Array(1);
  /**
   * Each blob's flags, length and where its content starts (13 bytes a blob), in memory: reading a file's text is
   * one read, with no page of the blob table to find first (a scan through every file churned the page cache with
   * them, and a search thread's small cache could not hold them).
   */
  private blobFlags: Uint8Array = new Uint8Array(0);
  private blobLengths: Uint32Array = new Uint32Array(0);
  private blobOffsets: Float64Array = new Float64Array(0);

  private constructor(
    readonly id: string,
    /** The segment's file. */
    readonly file: string,
    private readonly fh: fs.FileHandle,
    private readonly cache: PageCache,
    header: Buffer,
  ) {
    this.blobCount = header.readUInt32LE(12);
    this.trigramCount = header.readUInt32LE(16);
    this.docCount = header.readUInt32LE(20);
    this.blobTableOff = Number(header.readBigUInt64LE(24));
    this.triTableOff = Number(header.readBigUInt64LE(32));
    this.contentOff = Number(header.readBigUInt64LE(48));
  }

  /** Opens a segment; throws IndexFormatError when it is truncated or of another version. */
  static async open(id: string, file: string, cache: PageCache): Promise<SegmentReader> {
    const fh = await fs.open(file, 'r');
    try {
      const header = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await fh.read(header, 0, HEADER_BYTES, 0);
      const size = (await fh.stat()).size;
      if (bytesRead < HEADER_BYTES || !header.subarray(0, 8).equals(SEGMENT_MAGIC)) {
        throw new IndexFormatError(`segment ${id}: not a segment`);
      }
      if (header.readUInt32LE(8) !== FORMAT_VERSION) throw new IndexFormatError(`segment ${id}: another version`);
      if (Number(header.readBigUInt64LE(56)) !== size) throw new IndexFormatError(`segment ${id}: truncated`);
      const reader = new SegmentReader(id, file, fh, cache, header);
      await reader.loadBlobs();
      await reader.loadDocuments();
      return reader;
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  /** `len` bytes at `off`, through the page cache. */
  private read(off: number, len: number): Buffer {
    const first = Math.floor(off / PAGE);
    const last = Math.floor((off + len - 1) / PAGE);
    const pages: Buffer[] = [];
    for (let p = first; p <= last; p++) {
      const key = `${this.id}:${p}`;
      let page = this.cache.get(key);
      if (!page) {
        page = Buffer.allocUnsafeSlow(PAGE); // only its first bytesRead bytes are kept (never a slice of a pool)
        const bytesRead = readSync(this.fh.fd, page, 0, PAGE, p * PAGE);
        page = page.subarray(0, bytesRead);
        this.cache.set(key, page);
      }
      pages.push(page);
    }
    const all = pages.length === 1 ? pages[0]! : Buffer.concat(pages);
    const start = off - first * PAGE;
    return all.subarray(start, start + len);
  }

  /** The entry of blob `i`: id, flags, length and where its content starts. */
  async blob(i: number): Promise<{ oid: string; flags: number; length: number; offset: number }> {
    return this.entry(i);
  }

  /** Blob `i`'s flags, length and where its content starts in the segment's file, from memory. */
  location(i: number): { flags: number; length: number; offset: number } {
    return { flags: this.blobFlags[i]!, length: this.blobLengths[i]!, offset: this.blobOffsets[i]! };
  }

  private entry(i: number): { oid: string; flags: number; length: number; offset: number } {
    const e = this.read(this.blobTableOff + i * BLOB_ENTRY, BLOB_ENTRY);
    return {
      oid: e.subarray(0, 20).toString('hex'),
      flags: e.readUInt32LE(20),
      length: e.readUInt32LE(24),
      offset: Number(e.readBigUInt64LE(28)),
    };
  }

  /** Every blob id of the segment, in table order (for indexing and GC, which need them all). */
  async blobIds(): Promise<string[]> {
    const table = Buffer.alloc(this.blobCount * BLOB_ENTRY);
    if (table.length) await this.fh.read(table, 0, table.length, this.blobTableOff);
    const ids: string[] = [];
    for (let i = 0; i < this.blobCount; i++)
      ids.push(table.subarray(i * BLOB_ENTRY, i * BLOB_ENTRY + 20).toString('hex'));
    return ids;
  }

  /**
   * A blob's content (never to be modified: it may be the cache's). Blobs up to 256 KiB go through the cache, so the
   * files a team searches again and again cost no read; larger ones are read directly and not kept. `keep: false`
   * takes a cached copy but keeps none (a query reading thousands of files would only push out the ones that
   * matter, and every copy it kept would live long enough to become old garbage: a scan's memory).
   */
  async content(i: number, keep = true): Promise<{ flags: number; bytes: Buffer }> {
    const { flags, bytes } = this.contentNow(i, keep, false);
    return { flags, bytes };
  }

  /**
   * `content`, read at once, for a caller that is done with the bytes before it next awaits: with `keep` false and
   * `scratch` true, a blob that is not cached is read into a buffer every reader shares and reuses (a scan's reads
   * make no garbage; new buffers for a gigabyte of blobs grew the process by a hundred MB between collections).
   */
  contentNow(i: number, keep: boolean, scratch = true): { flags: number; bytes: Buffer } {
    const b = this.location(i);
    const key = `${this.id}:c${i}`;
    const cacheable = b.length <= MAX_CACHED_BLOB && (keep || this.cache.has(key));
    const cached = cacheable ? this.cache.get(key) : undefined;
    if (cached) return { flags: b.flags, bytes: cached };
    let bytes: Buffer;
    if (cacheable) bytes = Buffer.allocUnsafeSlow(b.length);
    else if (scratch) bytes = scratchBuffer(b.length);
    else bytes = Buffer.allocUnsafe(b.length);
    if (b.length && readSync(this.fh.fd, bytes, 0, b.length, b.offset) !== b.length) {
      throw new IndexFormatError(`segment ${this.id}: blob ${i} is cut short`);
    }
    if (cacheable) this.cache.set(key, bytes);
    return { flags: b.flags, bytes };
  }

  /**
   * Bytes [start, end) of a blob's content, read at once (`contentNow`'s rules: the cached content's bytes when the
   * blob is cached, else read into the shared buffer, which the caller is done with before it next awaits).
   */
  rangeNow(i: number, start: number, end: number): Buffer {
    const cached = this.cache.get(`${this.id}:c${i}`);
    if (cached) return cached.subarray(start, end);
    const b = this.location(i);
    const len = Math.min(end, b.length) - start;
    const bytes = scratchBuffer(len);
    if (len > 0 && readSync(this.fh.fd, bytes, 0, len, b.offset + start) !== len) {
      throw new IndexFormatError(`segment ${this.id}: blob ${i} is cut short`);
    }
    return bytes;
  }

  /**
   * Reads `len` bytes of the segment's file at `offset` into `into` at `at`, at once (a read ahead of a bulk read
   * covering several blobs' contents; see ReadAhead).
   */
  readNow(into: Buffer, at: number, len: number, offset: number): void {
    if (len > 0 && readSync(this.fh.fd, into, at, len, offset) !== len) {
      throw new IndexFormatError(`segment ${this.id}: cut short at ${offset + len}`);
    }
  }

  /**
   * A blob's text (its `content` decoded as UTF-8), for searches that must read all of it: kept in the cache for
   * blobs up to 256 KiB, so a pattern that scans every file decodes each once, not once per query.
   */
  text(i: number, bytes: Buffer, keep = true): string {
    if (bytes.length > MAX_CACHED_BLOB) return bytes.toString('utf8');
    const key = `${this.id}:t${i}`;
    let text = this.cache.getText(key);
    if (text === undefined) {
      text = bytes.toString('utf8');
      if (keep) this.cache.setText(key, text);
    }
    return text;
  }

  /** The blob (its index in the blob table) that document `doc` is part of. */
  blobOf(doc: number): number {
    return this.docBlobs[doc]!;
  }

  /** The documents of blob `i`: [first, end). */
  docsOf(i: number): [number, number] {
    return [this.blobFirstDoc[i]!, this.blobFirstDoc[i + 1]!];
  }

  /** Where document `doc` starts in its blob's text, and how many lines come before it there. */
  docStart(doc: number): { start: number; line: number } {
    return { start: this.docStarts[doc]!, line: this.docLines[doc]! };
  }

  /**
   * The posting list of a trigram (the documents holding it, ascending); empty when absent. With `cased` (see
   * caseOf), only the documents holding it in that case.
   */
  async postings(tri: number, cased?: number): Promise<Uint32Array> {
    const at = await this.findTrigram(tri);
    if (at < 0) return new Uint32Array(0);
    const e = this.read(this.triTableOff + at * TRIGRAM_ENTRY, TRIGRAM_ENTRY);
    const count = e.readUInt32LE(4);
    const start = Number(e.readBigUInt64LE(8));
    const end =
      at + 1 < this.trigramCount
        ? Number(this.read(this.triTableOff + (at + 1) * TRIGRAM_ENTRY + 8, 8).readBigUInt64LE(0))
        : this.contentOff;
    const bytes = this.read(start, end - start);
    const out = new Uint32Array(count);
    const bit = cased === undefined ? -1 : 1 << cased;
    let prev = -1;
    let o = 0;
    let n = 0;
    for (let k = 0; k < count; k++) {
      let v = 0;
      let shift = 0;
      for (;;) {
        const b = bytes[o++]!;
        v |= (b & 0x7f) << shift;
        if (b < 0x80) break;
        shift += 7;
      }
      prev = prev + 1 + (v >>> 1);
      const cases = v & 1 ? bytes[o++]! : LOWER_ONLY;
      if (cases & bit) out[n++] = prev;
    }
    return n === count ? out : out.subarray(0, n);
  }

  /** How many documents hold a trigram (0 when none), for ordering an AND rarest first. */
  async frequency(tri: number): Promise<number> {
    const at = await this.findTrigram(tri);
    if (at < 0) return 0;
    return this.read(this.triTableOff + at * TRIGRAM_ENTRY + 4, 4).readUInt32LE(0);
  }

  /** Reads the blob table's flags, lengths and offsets once, when the segment is opened. */
  private async loadBlobs(): Promise<void> {
    const table = Buffer.alloc(this.blobCount * BLOB_ENTRY);
    if (table.length) await this.fh.read(table, 0, table.length, this.blobTableOff);
    this.blobFlags = new Uint8Array(this.blobCount);
    this.blobLengths = new Uint32Array(this.blobCount);
    this.blobOffsets = new Float64Array(this.blobCount);
    for (let i = 0; i < this.blobCount; i++) {
      this.blobFlags[i] = table.readUInt32LE(i * BLOB_ENTRY + 20);
      this.blobLengths[i] = table.readUInt32LE(i * BLOB_ENTRY + 24);
      this.blobOffsets[i] = Number(table.readBigUInt64LE(i * BLOB_ENTRY + 28));
    }
  }

  /** Reads the document table once, when the segment is opened. */
  private async loadDocuments(): Promise<void> {
    const table = Buffer.alloc(this.docCount * DOC_ENTRY);
    if (table.length) await this.fh.read(table, 0, table.length, this.blobTableOff + this.blobCount * BLOB_ENTRY);
    this.docBlobs = new Uint32Array(this.docCount);
    this.docStarts = new Uint32Array(this.docCount);
    this.docLines = new Uint32Array(this.docCount);
    for (let d = 0; d < this.docCount; d++) {
      this.docBlobs[d] = table.readUInt32LE(d * DOC_ENTRY);
      this.docStarts[d] = table.readUInt32LE(d * DOC_ENTRY + 4);
      this.docLines[d] = table.readUInt32LE(d * DOC_ENTRY + 8);
    }
    // Documents are in blob order: blob b's are those from its first to the next blob's first.
    this.blobFirstDoc = new Uint32Array(this.blobCount + 1);
    for (let b = 0, d = 0; b <= this.blobCount; b++) {
      while (d < this.docCount && this.docBlobs[d]! < b) d++;
      this.blobFirstDoc[b] = d;
    }
  }

  /** Reads the trigram table once, keeping every SAMPLE-th trigram. */
  private async loadSample(): Promise<Uint32Array> {
    const n = Math.ceil(this.trigramCount / SAMPLE);
    const sample = new Uint32Array(n);
    const chunk = Buffer.alloc(SAMPLE * TRIGRAM_ENTRY * 256);
    for (let i = 0; i < n;) {
      const first = i * SAMPLE;
      const { bytesRead } = await this.fh.read(chunk, 0, chunk.length, this.triTableOff + first * TRIGRAM_ENTRY);
      for (let k = 0; i < n && k * SAMPLE * TRIGRAM_ENTRY < bytesRead; k++, i++) {
        sample[i] = chunk.readUInt32LE(k * SAMPLE * TRIGRAM_ENTRY);
      }
    }
    return sample;
  }

  /** The table position of a trigram, or -1. */
  private async findTrigram(tri: number): Promise<number> {
    let lo = 0;
    let hi = this.trigramCount - 1;
    this.sample ??= this.loadSample().catch((err: unknown) => {
      this.sample = undefined; // (the next lookup tries again)
      throw err;
    });
    const sample = await this.sample;
    if (sample.length > 0) {
      // The last sampled trigram ≤ tri starts the block that holds it, if any block does.
      let a = 0;
      let b = sample.length - 1;
      if (tri < sample[0]!) return -1;
      while (a < b) {
        const mid = (a + b + 1) >> 1;
        if (sample[mid]! <= tri) a = mid;
        else b = mid - 1;
      }
      lo = a * SAMPLE;
      hi = Math.min(this.trigramCount - 1, lo + SAMPLE - 1);
      const block = this.read(this.triTableOff + lo * TRIGRAM_ENTRY, (hi - lo + 1) * TRIGRAM_ENTRY);
      let x = 0;
      let y = hi - lo;
      while (x <= y) {
        const mid = (x + y) >> 1;
        const t = block.readUInt32LE(mid * TRIGRAM_ENTRY);
        if (t === tri) return lo + mid;
        if (t < tri) x = mid + 1;
        else y = mid - 1;
      }
      return -1;
    }
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = this.read(this.triTableOff + mid * TRIGRAM_ENTRY, 4).readUInt32LE(0);
      if (t === tri) return mid;
      if (t < tri) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
