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
  countLines(from: number, end: number, k: number): number;
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
    }
    return this.exports.countLines(at, end, needle.length);
  }
}

/** The kernel whose memory holds read-ahead text (read there: counted where it lies), and the one texts are copied to. */
let readInto: Kernel | undefined;
let copyInto: Kernel | undefined;

/**
 * A buffer of `size` bytes in a kernel's memory, for text read from disk to be counted without a copy (see
 * ReadAhead). A later call may detach the buffers an earlier one gave.
 */
export function kernelBuffer(size: number): Buffer {
  readInto ??= new Kernel();
  readInto.reserve(size);
  return Buffer.from(readInto.bytes.buffer, TEXT_AT, size);
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
  if (readInto !== undefined && bytes.buffer === readInto.bytes.buffer)
    return readInto.count(bytes.byteOffset + from, bytes.byteOffset + bytes.length, needle);
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
