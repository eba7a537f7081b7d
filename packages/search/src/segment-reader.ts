import { readSync } from 'node:fs';
import fs from 'node:fs/promises';
import { LRUCache } from 'lru-cache';
import { BLOB_ENTRY, FORMAT_VERSION, HEADER_BYTES, IndexFormatError, SEGMENT_MAGIC, TRIGRAM_ENTRY } from './format.js';

const PAGE = 64 * 1024;
// One trigram in this many is kept in memory (4 bytes each): 1/256 of the trigram table's size.
const SAMPLE = 64;
const MAX_CACHED_BLOB = 256 * 1024;

/**
 * A bounded cache of segment bytes (64 KiB pages of the tables, and the text of blobs up to 256 KiB), least recently
 * used dropped first. One per process is enough: whatever the number or size of repositories, the index's memory is
 * this cache plus one query's working set.
 */
export class PageCache {
  private readonly lru: LRUCache<string, Buffer | string>;
  constructor(readonly maxBytes = 32 * 1024 * 1024) {
    this.lru = new LRUCache<string, Buffer | string>({
      maxSize: maxBytes,
      // A string's characters take one or two bytes each: counted as two.
      sizeCalculation: (v) => Math.max(1, typeof v === 'string' ? 2 * v.length : v.length),
    });
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
  private readonly blobTableOff: number;
  private readonly triTableOff: number;
  private readonly contentOff: number;
  /** Every SAMPLE-th trigram of the table, in memory: a lookup reads one page of the table, not log2(n). */
  private sample: Uint32Array | undefined;

  private constructor(
    readonly id: string,
    private readonly fh: fs.FileHandle,
    private readonly cache: PageCache,
    header: Buffer,
  ) {
    this.blobCount = header.readUInt32LE(12);
    this.trigramCount = header.readUInt32LE(16);
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
      const reader = new SegmentReader(id, fh, cache, header);
      await reader.loadSample();
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
  private async read(off: number, len: number): Promise<Buffer> {
    const first = Math.floor(off / PAGE);
    const last = Math.floor((off + len - 1) / PAGE);
    const pages: Buffer[] = [];
    for (let p = first; p <= last; p++) {
      const key = `${this.id}:${p}`;
      let page = this.cache.get(key);
      if (!page) {
        page = Buffer.allocUnsafe(PAGE); // only its first bytesRead bytes are kept
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
    const e = await this.read(this.blobTableOff + i * BLOB_ENTRY, BLOB_ENTRY);
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
   * files a team searches again and again cost no read; larger ones are read directly and not kept.
   */
  async content(i: number): Promise<{ flags: number; bytes: Buffer }> {
    const b = await this.blob(i);
    const cacheable = b.length <= MAX_CACHED_BLOB;
    const key = `${this.id}:c${i}`;
    const cached = cacheable ? this.cache.get(key) : undefined;
    if (cached) return { flags: b.flags, bytes: cached };
    const bytes = cacheable ? Buffer.allocUnsafeSlow(b.length) : Buffer.allocUnsafe(b.length);
    if (b.length && readSync(this.fh.fd, bytes, 0, b.length, b.offset) !== b.length) {
      throw new IndexFormatError(`segment ${this.id}: blob ${i} is cut short`);
    }
    if (cacheable) this.cache.set(key, bytes);
    return { flags: b.flags, bytes };
  }

  /**
   * A blob's text (its `content` decoded as UTF-8), for searches that must read all of it: kept in the cache for
   * blobs up to 256 KiB, so a pattern that scans every file decodes each once, not once per query.
   */
  text(i: number, bytes: Buffer): string {
    if (bytes.length > MAX_CACHED_BLOB) return bytes.toString('utf8');
    const key = `${this.id}:t${i}`;
    let text = this.cache.getText(key);
    if (text === undefined) {
      text = bytes.toString('utf8');
      this.cache.setText(key, text);
    }
    return text;
  }

  /** The posting list of a trigram (indexes of the blobs holding it, ascending); empty when absent. */
  async postings(tri: number): Promise<Uint32Array> {
    const at = await this.findTrigram(tri);
    if (at < 0) return new Uint32Array(0);
    const e = await this.read(this.triTableOff + at * TRIGRAM_ENTRY, TRIGRAM_ENTRY);
    const count = e.readUInt32LE(4);
    const start = Number(e.readBigUInt64LE(8));
    const end =
      at + 1 < this.trigramCount
        ? Number((await this.read(this.triTableOff + (at + 1) * TRIGRAM_ENTRY + 8, 8)).readBigUInt64LE(0))
        : this.contentOff;
    const bytes = await this.read(start, end - start);
    const out = new Uint32Array(count);
    let prev = -1;
    let o = 0;
    for (let k = 0; k < count; k++) {
      let v = 0;
      let shift = 0;
      for (;;) {
        const b = bytes[o++]!;
        v |= (b & 0x7f) << shift;
        if (b < 0x80) break;
        shift += 7;
      }
      prev = prev + 1 + v;
      out[k] = prev;
    }
    return out;
  }

  /** How many blobs hold a trigram (0 when none), for ordering an AND rarest first. */
  async frequency(tri: number): Promise<number> {
    const at = await this.findTrigram(tri);
    if (at < 0) return 0;
    return (await this.read(this.triTableOff + at * TRIGRAM_ENTRY + 4, 4)).readUInt32LE(0);
  }

  /** Reads the trigram table once, when the segment is opened, keeping every SAMPLE-th trigram. */
  private async loadSample(): Promise<void> {
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
    this.sample = sample;
  }

  /** The table position of a trigram, or -1. */
  private async findTrigram(tri: number): Promise<number> {
    let lo = 0;
    let hi = this.trigramCount - 1;
    if (this.sample && this.sample.length > 0) {
      // The last sampled trigram ≤ tri starts the block that holds it, if any block does.
      let a = 0;
      let b = this.sample.length - 1;
      if (tri < this.sample[0]!) return -1;
      while (a < b) {
        const mid = (a + b + 1) >> 1;
        if (this.sample[mid]! <= tri) a = mid;
        else b = mid - 1;
      }
      lo = a * SAMPLE;
      hi = Math.min(this.trigramCount - 1, lo + SAMPLE - 1);
      const block = await this.read(this.triTableOff + lo * TRIGRAM_ENTRY, (hi - lo + 1) * TRIGRAM_ENTRY);
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
      const t = (await this.read(this.triTableOff + mid * TRIGRAM_ENTRY, 4)).readUInt32LE(0);
      if (t === tri) return mid;
      if (t < tri) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
