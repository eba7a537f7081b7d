import { kernelBuffer } from './count-lines.js';
import { MAX_CACHED_BLOB, type SegmentReader } from './segment-reader.js';

/** Bytes of blob text a read ahead reads at first; it doubles each time it is used up, up to READ_AHEAD_MAX. */
const READ_AHEAD_FIRST = 256 * 1024;
const READ_AHEAD_MAX = 2 * 1024 * 1024;
/** A gap up to this size between two blobs read ahead is read with them: one read instead of two. */
const READ_AHEAD_GAP = 64 * 1024;

/**
 * One buffer per thread for what is read ahead (reused: its bytes are only read before the next fill), in the memory
 * of the kernel that counts lines, so that a count reads its text where it lies (see countLinesHolding).
 */
let shared: Buffer | undefined;

/** A file of the list that is read whole: the position of its segment in the commit's list, and its blob there. */
export interface WholeFile {
  seg: number;
  blob: number;
}

/**
 * The whole texts of the next files a bulk read (a count, a scan, a page whose matches are sparse) reads, read ahead
 * of it in a few large reads: the blobs are sorted by where they lie in their segment and those close together read
 * at once. A read of one small blob costs a system call of several microseconds, as much as copying 100 KB: reading
 * vue core's 686 blobs one at a time took 4–10 ms, the whole segment in one read 0.3 ms.
 *
 * `wholeFile(i)` says whether file `i` of the list is read whole (a candidate, through the filters, all of its text
 * needed) and where its blob is; `end` is where the bulk read stops. Files are read ahead in order from the first
 * one asked for: a bulk read stopped by a limit or its budget has read ahead at most READ_AHEAD_MAX bytes it did not
 * need. The bytes given out are valid until the next `bytes` call that reads ahead again: synchronous code only.
 */
export class ReadAhead {
  private readonly views = new Map<number, Buffer>();
  /** Files before this position have been read ahead (or passed over). */
  private until = -1;
  private want = READ_AHEAD_FIRST;

  constructor(
    private readonly readers: SegmentReader[],
    private readonly wholeFile: (i: number) => WholeFile | undefined,
    private readonly end: number,
  ) {}

  /** The text of blob `blob` of segment `seg`, which file `i` holds, when it was read ahead (or is now). */
  bytes(i: number, seg: number, blob: number): Buffer | undefined {
    if (i >= this.until) this.fill(i);
    return this.views.get(key(seg, blob));
  }

  /** Reads ahead the files from `from` on, until about `want` bytes of text. */
  private fill(from: number): void {
    this.views.clear();
    const picks: { seg: number; blob: number; offset: number; length: number }[] = [];
    const seen = new Set<number>();
    let total = 0;
    let i = from;
    for (; i < this.end && total < this.want; i++) {
      const f = this.wholeFile(i);
      if (!f || seen.has(key(f.seg, f.blob))) continue;
      seen.add(key(f.seg, f.blob));
      const { flags, length, offset } = this.readers[f.seg]!.location(f.blob);
      // (Not indexed or empty: nothing to read; larger than a cached blob: read on its own.)
      if (flags !== 0 || length === 0 || length > MAX_CACHED_BLOB) continue;
      picks.push({ seg: f.seg, blob: f.blob, offset, length });
      total += length;
    }
    this.until = i;
    this.want = Math.min(READ_AHEAD_MAX, this.want * 2);
    if (picks.length === 0) return;
    picks.sort((a, b) => a.seg - b.seg || a.offset - b.offset);
    // Runs of blobs read at once: the same segment, gaps of at most READ_AHEAD_GAP, all gaps read at most as many
    // bytes as the text (the buffer stays within twice what is read ahead).
    const runs: { first: number; last: number }[] = [];
    let gaps = 0;
    for (let k = 0; k < picks.length; k++) {
      const p = picks[k]!;
      const run = runs[runs.length - 1];
      if (run && picks[run.last]!.seg === p.seg) {
        const prev = picks[run.last]!;
        const gap = p.offset - (prev.offset + prev.length);
        if (gap >= 0 && gap <= READ_AHEAD_GAP && gaps + gap <= total) {
          run.last = k;
          gaps += gap;
          continue;
        }
      }
      runs.push({ first: k, last: k });
    }
    const size = runs.reduce((n, r) => n + spanOf(picks[r.first]!, picks[r.last]!), 0);
    if (shared === undefined || shared.length < size) shared = kernelBuffer(size);
    let at = 0;
    for (const run of runs) {
      const first = picks[run.first]!;
      const last = picks[run.last]!;
      const len = spanOf(first, last);
      this.readers[first.seg]!.readNow(shared, at, len, first.offset);
      for (let k = run.first; k <= run.last; k++) {
        const p = picks[k]!;
        const start = at + p.offset - first.offset;
        this.views.set(key(p.seg, p.blob), shared.subarray(start, start + p.length));
      }
      at += len;
    }
  }
}

/** The bytes from the start of blob `a` to the end of blob `b` (of the same segment, `b` not before `a`). */
const spanOf = (a: { offset: number }, b: { offset: number; length: number }): number => b.offset + b.length - a.offset;

/** A (segment, blob) pair as one number (segments are fewer than 2^16, blobs than 2^32). */
const key = (seg: number, blob: number): number => seg * 2 ** 32 + blob;
