import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The on-disk format (version 3). Everything under the index directory is immutable once written, except
 * `manifest.json`, which names the files that make up the index; each file is written to a temporary name, fsynced
 * and renamed, and the manifest last, so a crash at any point leaves the previous manifest naming complete files.
 *
 *     manifest.json            {format, segments: [...], commits: [...]}
 *     seg-<id>.hsx             a segment: blobs (by git blob id), their trigram posting lists and their text
 *     commit-<sha>-<id>.hsc    a commit's files: path, blob id, language, and where the blob is (segment, index)
 *
 * Segment (all integers little-endian):
 *
 *     header   64 B   magic "HSXSEG\0\1", u32 version, u32 blobs, u32 trigrams, u32 documents,
 *                     u64 blob table, u64 trigram table, u64 postings, u64 content, u64 file size
 *     blobs    40 B each, sorted by blob id: 20 B id, u32 flags, u32 length, u64 content offset, u32 first document
 *     docs     12 B each (right after the blob table), in blob order: u32 the document's blob (its index in the
 *              table), u32 where it starts in the blob's text, u32 how many lines come before it
 *     trigrams 16 B each, sorted: u32 trigram, u32 document count, u64 postings offset
 *     postings per document holding a trigram, ascending: a varint, the gap from the previous document shifted
 *              left by one, with 1 in its low bit when a byte of cases follows: the set of the cases the
 *              document's occurrences have (bit `1 << case`, case 4/2/1 for an upper case first/second/third
 *              letter: see caseOf); without the byte, only lower case (`abc`) or no letters
 *     content  each blob's bytes as git stores them, in the order the blobs were added (a commit's in path order)
 *
 * Posting lists name documents, not blobs: a blob's text is cut into documents of about DOCUMENT_BYTES, each ending
 * at a newline (a line is never cut, and no trigram spans a newline, so a match, which is within a line, has all its
 * trigrams in one document). A large file holding every trigram of a rare word somewhere, but not together, is then
 * not a candidate (version 1 listed blobs: a rare word's candidates were hundreds of 250 KiB files to read).
 *
 * The cases of a posting (version 3) let a case-sensitive search skip documents that hold its trigrams only in other
 * cases: the index is case folded, so `GITHUB\w*IONS` had every document holding `github` and `ions` (12,451 files
 * of the large bench tree) as a candidate for its 3 matching files; with the cases, 3. They add 0.03× (vue core) to
 * 0.08× (the large tree) the text to the index: most postings are of lower case text and store no byte.
 *
 * A segment is read with positioned reads through a bounded page cache, never loaded whole.
 */
export const FORMAT_VERSION = 3;

/**
 * A posting's cases when every occurrence of its trigram in the document has no upper case letter (`abc`, `a_1`):
 * most postings, which therefore store no byte of cases.
 */
export const LOWER_ONLY = 1;

export const SEGMENT_MAGIC = Buffer.from('HSXSEG\0\x01', 'latin1');
export const COMMIT_MAGIC = Buffer.from('HSXCOM\0\x01', 'latin1');
export const HEADER_BYTES = 64;
export const BLOB_ENTRY = 40;
export const TRIGRAM_ENTRY = 16;
export const DOC_ENTRY = 12;
/**
 * A document ends at the first newline after this many bytes of a blob's text (or at the blob's end). (4 KiB was
 * tried on the large tree: a rare regex's repeated searches read a third of the bytes, but its first search, which
 * the bench measures, was no faster; the index grew by 7% and a searching process by 16 MB.)
 */
export const DOCUMENT_BYTES = 16 * 1024;

/** Where a blob's text is cut into documents: each document's start (the first is 0). */
export function documentStarts(content: Buffer, size = DOCUMENT_BYTES): number[] {
  const starts = [0];
  let start = 0;
  while (content.length - start > size) {
    const nl = content.indexOf(10, start + size - 1);
    if (nl === -1 || nl + 1 >= content.length) break;
    start = nl + 1;
    starts.push(start);
  }
  return starts;
}

/** Blob flags: why a blob's text is not in the index. */
export const BLOB_BINARY = 1;
export const BLOB_TOO_LARGE = 2;

/** The manifest: which files make up the index. */
export interface Manifest {
  format: number;
  segments: { id: string; blobs: number; content_bytes: number; file_bytes: number }[];
  /** Oldest first. */
  commits: { sha: string; file: string; files: number; segments: string[]; indexed_at: string }[];
}

/** A fresh random id for a file name. */
export function newId(): string {
  return crypto.randomBytes(8).toString('hex');
}

/** Writes `data` to `file` atomically: a temporary file, fsync, rename, fsync of the directory. */
export async function writeAtomic(file: string, data: Buffer | Buffer[], hooks?: WriteHooks): Promise<void> {
  const tmp = `${file}.tmp-${newId()}`;
  const fh = await fs.open(tmp, 'wx', 0o644);
  try {
    for (const part of Array.isArray(data) ? data : [data]) await fh.write(part);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await hooks?.beforeRename?.(tmp, file);
  await fs.rename(tmp, file);
  await syncDir(path.dirname(file));
}

/** Test seams: called between the temporary file's fsync and its rename (a test can crash the writer there). */
export interface WriteHooks {
  beforeRename?: (tmp: string, final: string) => void | Promise<void>;
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // Some filesystems cannot fsync a directory; the rename is still atomic.
  } finally {
    await fh.close();
  }
}

/** Reads the manifest, or an empty one when there is none. Throws when it is unreadable or of another version. */
export async function readManifest(dir: string): Promise<Manifest> {
  let raw: string;
  try {
    raw = await fs.readFile(path.join(dir, 'manifest.json'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { format: FORMAT_VERSION, segments: [], commits: [] };
    throw err;
  }
  const manifest = JSON.parse(raw) as Manifest;
  if (manifest.format !== FORMAT_VERSION) {
    throw new IndexFormatError(`search index format ${manifest.format}, this server reads ${FORMAT_VERSION}`);
  }
  return manifest;
}

/** The index on disk is of another version, or damaged: rebuild it. */
export class IndexFormatError extends Error {
  override name = 'IndexFormatError';
}

/** Writes a varint at `at`; returns the next position. */
function putVarint(out: Uint8Array, at: number, v: number): number {
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[at++] = v;
  return at;
}

/**
 * Every (trigram, document) pair of a segment, sorted by trigram and then document (its rank in the blob table):
 * the pairs gathered in document rank order, then a stable radix sort on the trigram's two 12-bit halves (two passes
 * over the pairs, where a comparison sort of packed pairs was most of an index build's time).
 */
function sortPairs(
  tris: Uint32Array,
  docEnds: readonly number[],
  docRank: Uint32Array,
): { pairTri: Uint32Array; pairDoc: Uint32Array } {
  const n = tris.length;
  const byRank = new Uint32Array(docRank.length);
  docRank.forEach((rank, arrival) => (byRank[rank] = arrival));
  const tri = new Uint32Array(n);
  const doc = new Uint32Array(n);
  let k = 0;
  for (let rank = 0; rank < byRank.length; rank++) {
    const a = byRank[rank]!;
    const from = a === 0 ? 0 : docEnds[a - 1]!;
    const to = docEnds[a]!;
    tri.set(tris.subarray(from, to), k);
    doc.fill(rank, k, k + to - from);
    k += to - from;
  }
  const tmpTri = new Uint32Array(n);
  const tmpDoc = new Uint32Array(n);
  radixPass(tri, doc, tmpTri, tmpDoc, 0);
  radixPass(tmpTri, tmpDoc, tri, doc, 12);
  return { pairTri: tri, pairDoc: doc };
}

/** One stable pass of sortPairs: the pairs ordered by 12 bits of their trigram, from `shift` up. */
function radixPass(tri: Uint32Array, doc: Uint32Array, toTri: Uint32Array, toDoc: Uint32Array, shift: number): void {
  const n = tri.length;
  const counts = new Uint32Array(4096);
  for (let i = 0; i < n; i++) counts[(tri[i]! >>> shift) & 4095]!++;
  for (let b = 0, sum = 0; b < 4096; b++) {
    const c = counts[b]!;
    counts[b] = sum;
    sum += c;
  }
  for (let i = 0; i < n; i++) {
    const t = tri[i]!;
    const bucket = (t >>> shift) & 4095;
    const at = counts[bucket]!;
    counts[bucket] = at + 1;
    toTri[at] = t;
    toDoc[at] = doc[i]!;
  }
}

/** One blob going into a segment, with where its documents start (none for a blob not indexed). */
export interface SegmentBlob {
  oid: string;
  flags: number;
  content: Buffer;
  docs: number[];
}

/**
 * Encodes a segment. `tris` holds the distinct trigrams of every document, one document after another in the order
 * their blobs arrived; `docEnds[d]` is where document d's end.
 */
export function encodeSegment(blobs: SegmentBlob[], tris: Uint32Array, docEnds: readonly number[]): Buffer[] {
  const order = blobs.map((_, i) => i).sort((a, b) => (blobs[a]!.oid < blobs[b]!.oid ? -1 : 1));
  // Documents renumbered in blob table order (a blob's documents stay together, in text order).
  const arrivalFirst = new Uint32Array(blobs.length);
  let ndocs = 0;
  blobs.forEach((b, a) => {
    arrivalFirst[a] = ndocs;
    ndocs += b.docs.length;
  });
  const docRank = new Uint32Array(ndocs);
  const firstDoc = new Uint32Array(blobs.length);
  const docTable = Buffer.alloc(ndocs * DOC_ENTRY);
  let next = 0;
  order.forEach((arrival, r) => {
    firstDoc[r] = next;
    const { docs, content } = blobs[arrival]!;
    let line = 0;
    let counted = 0;
    docs.forEach((start, k) => {
      for (let nl = content.indexOf(10, counted); nl !== -1 && nl < start; nl = content.indexOf(10, nl + 1)) line++;
      counted = start;
      docRank[arrivalFirst[arrival]! + k] = next;
      docTable.writeUInt32LE(r, next * DOC_ENTRY);
      docTable.writeUInt32LE(start, next * DOC_ENTRY + 4);
      docTable.writeUInt32LE(line, next++ * DOC_ENTRY + 8);
    });
  });
  const { pairTri, pairDoc } = sortPairs(tris, docEnds, docRank);

  const blobTable = Buffer.alloc(blobs.length * BLOB_ENTRY);
  // Trigram table and postings.
  const triEntries: number[] = [];
  // A gap is below 2^20 (documents per segment): with its flag, at most 3 bytes, and a byte of cases.
  const postings = new Uint8Array(pairTri.length * 4);
  let plen = 0;
  for (let i = 0; i < pairTri.length;) {
    const tri = pairTri[i]! & 0xffffff;
    const start = plen;
    let prev = -1;
    let count = 0;
    for (; i < pairTri.length && (pairTri[i]! & 0xffffff) === tri; i++) {
      const doc = pairDoc[i]!;
      const cases = pairTri[i]! >>> 24;
      const flagged = cases !== LOWER_ONLY;
      plen = putVarint(postings, plen, ((doc - prev - 1) << 1) | (flagged ? 1 : 0));
      if (flagged) postings[plen++] = cases;
      prev = doc;
      count++;
    }
    triEntries.push(tri, count, start);
  }
  const ntri = triEntries.length / 3;
  const blobTableOff = HEADER_BYTES;
  const triTableOff = blobTableOff + blobTable.length + docTable.length;
  const postingsOff = triTableOff + ntri * TRIGRAM_ENTRY;
  const contentOff = postingsOff + plen;
  // The texts in the order the blobs came (a commit's new blobs in path order: a bulk read of a commit's files reads
  // the segment front to back, a few large reads instead of one for each file; see ReadAhead).
  const contentAt = new Float64Array(blobs.length);
  let offset = contentOff;
  blobs.forEach((b, arrival) => {
    contentAt[arrival] = offset;
    offset += b.content.length;
  });
  order.forEach((arrival, r) => {
    const b = blobs[arrival]!;
    const at = r * BLOB_ENTRY;
    Buffer.from(b.oid.slice(0, 40), 'hex').copy(blobTable, at);
    blobTable.writeUInt32LE(b.flags, at + 20);
    blobTable.writeUInt32LE(b.content.length, at + 24);
    blobTable.writeBigUInt64LE(BigInt(contentAt[arrival]!), at + 28);
    blobTable.writeUInt32LE(firstDoc[r]!, at + 36);
  });
  const triTable = Buffer.alloc(ntri * TRIGRAM_ENTRY);
  for (let t = 0; t < ntri; t++) {
    triTable.writeUInt32LE(triEntries[t * 3]!, t * TRIGRAM_ENTRY);
    triTable.writeUInt32LE(triEntries[t * 3 + 1]!, t * TRIGRAM_ENTRY + 4);
    triTable.writeBigUInt64LE(BigInt(postingsOff + triEntries[t * 3 + 2]!), t * TRIGRAM_ENTRY + 8);
  }
  const header = Buffer.alloc(HEADER_BYTES);
  SEGMENT_MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, 8);
  header.writeUInt32LE(blobs.length, 12);
  header.writeUInt32LE(ntri, 16);
  header.writeUInt32LE(ndocs, 20);
  header.writeBigUInt64LE(BigInt(blobTableOff), 24);
  header.writeBigUInt64LE(BigInt(triTableOff), 32);
  header.writeBigUInt64LE(BigInt(postingsOff), 40);
  header.writeBigUInt64LE(BigInt(contentOff), 48);
  header.writeBigUInt64LE(BigInt(offset), 56);
  const postingBytes = Buffer.from(postings.buffer, 0, plen);
  return [header, blobTable, docTable, triTable, postingBytes, ...blobs.map((b) => b.content)];
}

/** One file of a commit, as its list stores it. */
export interface CommitFile {
  path: string;
  oid: string;
  lang: number;
  /** Position of the blob's segment in the list's segment table, and the blob's index in that segment. */
  seg: number;
  blob: number;
}

/** Encodes a commit's file list (sorted by path, byte order) and the segments it refers to. */
export function encodeCommitList(segments: string[], files: CommitFile[]): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(24);
  COMMIT_MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, 8);
  header.writeUInt32LE(files.length, 12);
  header.writeUInt32LE(segments.length, 16);
  parts.push(header);
  for (const s of segments) {
    const b = Buffer.from(s, 'utf8');
    parts.push(Buffer.from([b.length]), b);
  }
  for (const f of files) {
    const p = Buffer.from(f.path, 'utf8');
    const rec = Buffer.alloc(2 + p.length + 2 + 4 + 1 + 20);
    rec.writeUInt16LE(p.length, 0);
    p.copy(rec, 2);
    let o = 2 + p.length;
    rec.writeUInt16LE(f.seg, o);
    rec.writeUInt32LE(f.blob, o + 2);
    rec.writeUInt8(f.lang, o + 6);
    Buffer.from(f.oid.slice(0, 40), 'hex').copy(rec, o + 7);
    o += 27;
    parts.push(rec);
  }
  const body = Buffer.concat(parts);
  // A trailing checksum: a truncated or damaged list is detected, never half-read.
  const sum = crypto.createHash('sha256').update(body).digest().subarray(0, 16);
  return Buffer.concat([body, sum]);
}

/** A commit's file list in memory: parallel arrays, one entry per file, in path order. */
export interface CommitList {
  segments: string[];
  paths: string[];
  oids: string[];
  langs: Uint8Array;
  segs: Uint16Array;
  blobs: Uint32Array;
}

/** Decodes a commit list; throws IndexFormatError when it is truncated, damaged or of another version. */
export function decodeCommitList(buf: Buffer): CommitList {
  if (buf.length < 40 || !buf.subarray(0, 8).equals(COMMIT_MAGIC)) throw new IndexFormatError('not a commit list');
  const body = buf.subarray(0, buf.length - 16);
  const sum = crypto.createHash('sha256').update(body).digest().subarray(0, 16);
  if (!sum.equals(buf.subarray(buf.length - 16))) throw new IndexFormatError('commit list damaged or truncated');
  if (buf.readUInt32LE(8) !== FORMAT_VERSION) throw new IndexFormatError('commit list of another version');
  const n = buf.readUInt32LE(12);
  const nseg = buf.readUInt32LE(16);
  let o = 24;
  const segments: string[] = [];
  for (let i = 0; i < nseg; i++) {
    const len = buf[o]!;
    segments.push(buf.subarray(o + 1, o + 1 + len).toString('utf8'));
    o += 1 + len;
  }
  const list: CommitList = {
    segments,
    paths: new Array<string>(n),
    oids: new Array<string>(n),
    langs: new Uint8Array(n),
    segs: new Uint16Array(n),
    blobs: new Uint32Array(n),
  };
  for (let i = 0; i < n; i++) {
    const plen = buf.readUInt16LE(o);
    list.paths[i] = buf.subarray(o + 2, o + 2 + plen).toString('utf8');
    o += 2 + plen;
    list.segs[i] = buf.readUInt16LE(o);
    list.blobs[i] = buf.readUInt32LE(o + 2);
    list.langs[i] = buf[o + 6]!;
    list.oids[i] = buf.subarray(o + 7, o + 27).toString('hex');
    o += 27;
  }
  return list;
}
