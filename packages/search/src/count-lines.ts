import { BYTE_RANK } from './byte-rank.js';
import { WASM } from './count-lines.wasm.js';

/** Where text starts in a kernel's memory: the needle is before it (a query is at most 1,000 characters). */
const TEXT_AT = 4096;
/** Texts up to this size are copied into the kernel's memory to be counted (it grows to the largest); longer ones are
 * counted in JavaScript. */
const KERNEL_MAX_COPY = 8 * 1024 * 1024;
const PAGE = 64 * 1024;
const NL = 0x0a;

interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  countLines(from: number, end: number, k: number, p: number, q: number): number;
}

/** The part of the WebAssembly global used here (the package's types are Node.js's, without it). */
const { Module, Instance } = (
  globalThis as unknown as {
    WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object) => { exports: object } };
  }
).WebAssembly;

let compiled: object | undefined;

/** An instance of wasm/count-lines.wat (this thread's), its memory as bytes, and the needle last put there. */
class Kernel {
  private readonly exports = new Instance((compiled ??= new Module(Buffer.from(WASM, 'base64'))))
    .exports as KernelExports;
  private needle: Buffer | undefined;
  bytes = new Uint8Array(0);

  /** Grows the memory to hold `size` bytes of text. Growing detaches every view of it made before. */
  reserve(size: number): void {
    const { memory } = this.exports;
    const pages = Math.ceil((TEXT_AT + size) / PAGE) - memory.buffer.byteLength / PAGE;
    if (pages > 0) memory.grow(pages);
    if (this.bytes.buffer !== memory.buffer) this.bytes = new Uint8Array(memory.buffer);
  }

  /** The lines of memory [at, end) that hold `needle`. */
  count(at: number, end: number, needle: Buffer): number {
    if (this.needle !== needle) {
      this.bytes.set(needle, 0);
      this.needle = needle;
      [this.p, this.q] = rarestPair(needle);
    }
    return this.exports.countLines(at, end, needle.length, this.p, this.q);
  }

  private p = 0;
  private q = 0;
}

/**
 * Two positions of the needle whose bytes the kernel looks for first, in order: its rarest byte in code (BYTE_RANK)
 * and the rarest of those at least two bytes away from it, when there are any (neighbours go together: in `export`,
 * `xp` as in `expect` is far more common than `x` and `r` three apart). In 32 MiB of the large bench tree's code the
 * pair of `export` was found 217,000 times at its first and last bytes, 126,000 times at its two rarest (`x`, `p`),
 * 20,000 times at these (18,000 lines hold the word). A one-byte needle: both 0.
 */
export function rarestPair(needle: Buffer): [number, number] {
  const rank = (j: number) => BYTE_RANK[needle[j]!]!;
  let p = 0;
  for (let j = 1; j < needle.length; j++) if (rank(j) < rank(p)) p = j;
  let q = -1;
  for (const gap of [2, 1]) {
    for (let j = 0; j < needle.length; j++) {
      if (Math.abs(j - p) >= gap && (q === -1 || rank(j) < rank(q))) q = j;
    }
    if (q !== -1) break;
  }
  if (q === -1) return [0, 0];
  return p < q ? [p, q] : [q, p];
}

/**
 * The kernels whose memory holds text read from disk, by what reads there (read ahead, and the shared buffer of
 * single reads: see kernelBuffer), and the one other texts are copied to.
 */
const readInto = new Map<KernelUse, Kernel>();
let copyInto: Kernel | undefined;

/** What reads into a kernel's memory: each its own kernel, so that one's buffer never moves under the other's. */
export type KernelUse = 'read-ahead' | 'scratch';

/**
 * A buffer of `size` bytes in a kernel's memory, for text read from disk to be counted without a copy (see
 * ReadAhead and SegmentReader's scratch buffer). A later call for the same `use` may detach the buffers an earlier one
 * gave.
 */
export function kernelBuffer(size: number, use: KernelUse = 'read-ahead'): Buffer {
  let kernel = readInto.get(use);
  if (kernel === undefined) readInto.set(use, (kernel = new Kernel()));
  kernel.reserve(size);
  return Buffer.from(kernel.bytes.buffer, TEXT_AT, size);
}

/**
 * How many lines of `bytes` from `from` (a line's start) hold `needle` (no newline in it), each line counted once:
 * the count of a plain case-sensitive literal. WebAssembly SIMD looks at 16 positions at a time (wasm/count-lines.wat)
 * where a loop of `Buffer.indexOf` calls stops at every byte that starts the needle (every `c` of code, for `const`)
 * and crosses into C++ for each hit: a count of `const` in vue core's files took a quarter of the time, the copy into
 * the kernel's memory included. Text read by `kernelBuffer` is counted where it lies.
 */
export function countLinesHolding(bytes: Buffer, from: number, needle: Buffer): number {
  const length = bytes.length - from;
  if (needle.length === 0 || length < needle.length) return 0;
  if (needle.length > TEXT_AT) return countLinesHoldingJs(bytes, from, needle);
  for (const kernel of readInto.values()) {
    if (bytes.buffer === kernel.bytes.buffer)
      return kernel.count(bytes.byteOffset + from, bytes.byteOffset + bytes.length, needle);
  }
  if (length > KERNEL_MAX_COPY) return countLinesHoldingJs(bytes, from, needle);
  copyInto ??= new Kernel();
  copyInto.reserve(length);
  copyInto.bytes.set(from === 0 ? bytes : bytes.subarray(from), TEXT_AT);
  return copyInto.count(TEXT_AT, TEXT_AT + length, needle);
}

/** `countLinesHolding` with `Buffer.indexOf`: for texts too long for the kernel, and what the tests compare it with. */
export function countLinesHoldingJs(bytes: Buffer, from: number, needle: Buffer): number {
  let n = 0;
  for (let hit = bytes.indexOf(needle, from); hit !== -1;) {
    n++;
    const nl = bytes.indexOf(NL, hit + needle.length);
    if (nl === -1) break;
    hit = bytes.indexOf(needle, nl + 1);
  }
  return n;
}
