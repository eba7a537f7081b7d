import { diffArrays } from 'diff';
import { distance } from 'fastest-levenshtein';

/** A range of lines in a file, with their text (lines joined by "\n"). */
export interface Anchor {
  path: string;
  startLine: number;
  endLine: number;
  text: string;
}

/** Where an anchor is in a newer version of its file. */
export type Placement =
  | ({ status: 'current' | 'moved' | 'edited'; reason: null } & Anchor)
  | ({ status: 'outdated'; reason: 'deleted' | 'file_deleted' | 'too_costly' } & Anchor);

/** Limits and counters of one placement. */
export interface PlaceOptions {
  /** A `performance.now()` time after which the placement gives up and answers `outdated`, `too_costly`. */
  deadline?: number;
  /** Filled in with how many candidate blocks the similarity step compared (the expensive part). */
  stats?: { compared: number };
}

/** Edited lines still count as the same code at this similarity (CodeStream uses the same Levenshtein ratio). */
export const SIMILARITY_THRESHOLD = 0.5;
/** Away from where the code was, an edited block must be this similar to count as the same code. */
export const MOVED_AND_EDITED_THRESHOLD = 0.8;
/** Elsewhere in the file, a block is a candidate only when at least this share of its lines of code is there verbatim. */
export const MOVED_SHARED_LINES = 0.5;

class TooCostly extends Error {}

/** Splits file content into lines (a final newline does not start an empty last line). */
export function splitLines(content: string): string[] {
  const lines = content.split('\n');
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return lines;
}

const normalize = (line: string) => line.trim().replace(/\s+/g, ' ');

/** Below this many characters of real code, a block is too common to be recognised away from where it was. */
export const MIN_EVIDENCE_CHARS = 20;

/**
 * How much a block says about itself: the characters of its lines that hold a letter or digit (blank lines and lone
 * punctuation such as `}` or `});` are found everywhere, so they are no evidence that code moved there).
 */
export function evidence(lines: readonly string[]): number {
  let n = 0;
  for (const line of lines) {
    const t = normalize(line);
    if (/[\p{L}\p{N}]/u.test(t)) n += t.length;
  }
  return n;
}

/** 1 for identical strings, 0 for nothing in common: 1 - Levenshtein distance / longer length. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - distance(a, b) / longest;
}

/**
 * What placing anchors of one version of a file in a newer one needs whatever the anchor: both versions' lines and
 * the line diff between them. Computed once per file (`prepareFile`) and shared by every anchor in that file.
 */
export interface PreparedFile {
  readonly oldLines: readonly string[];
  readonly newLines: readonly string[];
  /** Every unchanged old line's index → its new index. */
  readonly map: ReadonlyMap<number, number>;
  /** The new lines ignoring indentation and runs of spaces (computed on first use: most anchors never need it). */
  readonly normalized: readonly string[];
  /** Characters of `normalized` before each line, each line counted with its "\n" (prefix sums). */
  readonly prefix: Int32Array;
  /** New lines that are old lines unchanged (1) or not (0). */
  readonly keptAt: Uint8Array;
}

/**
 * The per-file part of placing anchors: splits both versions and diffs them. Past `options.deadline` it gives up
 * and returns undefined (every anchor of the file is then `outdated`, `too_costly`).
 */
export function prepareFile(
  oldContent: string,
  newContent: string,
  options: Pick<PlaceOptions, 'deadline'> = {},
): PreparedFile | undefined {
  try {
    return prepareOrThrow(oldContent, newContent, options.deadline ?? Infinity);
  } catch (err) {
    if (err instanceof TooCostly) return undefined;
    throw err;
  }
}

function prepareOrThrow(oldContent: string, newContent: string, deadline: number): PreparedFile {
  const oldLines = splitLines(oldContent);
  const newLines = splitLines(newContent);
  // Map every unchanged old line to its new index. Lines found on one side only can never be matched, so they are
  // left out before diffing (as GNU diff does): the result is the same longest common subsequence, and a file whose
  // every line changed (a rename across it, a re-format) costs nothing to diff instead of O(lines × edits).
  const onBothSides = (from: string[], other: string[]) => {
    const there = new Set(other);
    const at: number[] = [];
    for (let i = 0; i < from.length; i++) if (there.has(from[i]!)) at.push(i);
    return at;
  };
  const oldAt = onBothSides(oldLines, newLines);
  const newAt = onBothSides(newLines, oldLines);
  if (performance.now() >= deadline) throw new TooCostly();
  // What is left of the budget bounds the diff too (it returns undefined past its timeout).
  const parts =
    deadline === Infinity
      ? diffArrays(
          oldAt.map((i) => oldLines[i]!),
          newAt.map((i) => newLines[i]!),
        )
      : diffArrays(
          oldAt.map((i) => oldLines[i]!),
          newAt.map((i) => newLines[i]!),
          { timeout: Math.max(1, deadline - performance.now()) },
        );
  if (!parts) throw new TooCostly();
  const map = new Map<number, number>();
  const keptAt = new Uint8Array(newLines.length);
  let oi = 0;
  let ni = 0;
  for (const part of parts) {
    const n = part.count ?? part.value.length;
    if (part.added) ni += n;
    else if (part.removed) oi += n;
    else {
      for (let k = 0; k < n; k++) {
        map.set(oldAt[oi + k]!, newAt[ni + k]!);
        keptAt[newAt[ni + k]!] = 1;
      }
      oi += n;
      ni += n;
    }
  }
  let normalized: string[] | undefined;
  let prefix: Int32Array | undefined;
  return {
    oldLines,
    newLines,
    map,
    keptAt,
    get normalized() {
      return (normalized ??= newLines.map(normalize));
    },
    get prefix() {
      if (!prefix) {
        const lines = this.normalized;
        prefix = new Int32Array(lines.length + 1);
        for (let i = 0; i < lines.length; i++) prefix[i + 1] = prefix[i]! + lines[i]!.length + 1;
      }
      return prefix;
    },
  };
}

/**
 * Places an anchor of `oldContent` in `newContent` (`prepareFile` then `placeInPrepared`): see `placeInPrepared`.
 * Past `options.deadline` it gives up: `outdated`, reason `too_costly`, at the anchor's lines.
 */
export function placeInFile(
  oldContent: string,
  newContent: string,
  anchor: Anchor,
  newPath = anchor.path,
  options: PlaceOptions = {},
): Placement {
  const file = prepareFile(oldContent, newContent, options);
  return file ? placeInPrepared(file, anchor, newPath, options) : tooCostly(anchor, newPath);
}

/** Where the anchor was: the next commit tries again (from the thread's anchor). */
export function tooCostly(anchor: Anchor, newPath = anchor.path): Placement {
  const { startLine, endLine, text } = anchor;
  return { status: 'outdated', reason: 'too_costly', path: newPath, startLine, endLine, text };
}

/**
 * Places an anchor of a file's old version in its new one (`file`, from `prepareFile`), in order:
 * 1. follow the line diff: lines inserted or deleted above (or below) only shift it (`current`); when its first and
 *    last lines survived but lines inside it changed, it is the span between them, grown or shrunk (`edited`);
 * 2. else the same block elsewhere (ignoring indentation), only when it is the one such block in the new file, was
 *    not there already, and carries enough code to be recognised (`moved`);
 * 3. else the most similar block of the same size: in place if similar enough, elsewhere only when nearly identical,
 *    unambiguous and with enough code (`edited`); line hashes choose the blocks worth comparing;
 * 4. else its code is gone (`outdated`, reason `deleted`), placed where it used to be.
 * Past `options.deadline` it gives up: `outdated`, reason `too_costly`, at the anchor's lines.
 */
export function placeInPrepared(
  file: PreparedFile,
  anchor: Anchor,
  newPath = anchor.path,
  options: PlaceOptions = {},
): Placement {
  try {
    return placeOrThrow(file, anchor, newPath, options);
  } catch (err) {
    if (!(err instanceof TooCostly)) throw err;
    return tooCostly(anchor, newPath);
  }
}

function placeOrThrow(file: PreparedFile, anchor: Anchor, newPath: string, options: PlaceOptions): Placement {
  const { deadline = Infinity, stats } = options;
  const checkTime = () => {
    if (performance.now() >= deadline) throw new TooCostly();
  };
  const { oldLines, newLines, map, keptAt } = file;
  const s = anchor.startLine - 1;
  const e = anchor.endLine - 1;
  const size = e - s + 1;
  const anchored = splitLines(anchor.text);
  const place = (status: 'current' | 'moved' | 'edited', start: number, length = size): Placement => ({
    status,
    reason: null,
    path: newPath,
    startLine: start + 1,
    endLine: start + length,
    text: newLines.slice(start, start + length).join('\n'),
  });

  // 1. Every anchored line survived, contiguously.
  const first = map.get(s);
  if (first !== undefined && Array.from({ length: size }, (_, k) => map.get(s + k) === first + k).every(Boolean)) {
    return place('current', first);
  }
  // 1b. Its first and last lines survived, lines inside changed: the block is everything between them, so a block
  //     that grows keeps all its lines. The diff keeps order, so only this block's lines (and lines added among
  //     them) can lie between the two.
  const last = map.get(e);
  if (size > 1 && first !== undefined && last !== undefined && last > first) {
    return place('edited', first, last - first + 1);
  }
  // New lines that are old lines unchanged (code that was already there): never where this block went.
  const allKept = (i: number) => {
    for (let k = 0; k < size; k++) if (!keptAt[i + k]) return false;
    return true;
  };
  const enoughEvidence = evidence(anchored) >= MIN_EVIDENCE_CHARS;

  // Where the block would be now: after the nearest unchanged line above it.
  let expected = 0;
  let keptAbove = -1;
  for (let k = s - 1; k >= 0; k--) {
    const m = map.get(k);
    if (m !== undefined) {
      expected = m + 1;
      keptAbove = k;
      break;
    }
  }

  // 2. The same block elsewhere (moved): the only copy in the new file, new there, and with enough code in it.
  const want = anchored.map(normalize);
  const normalized = file.normalized;
  const copies: number[] = [];
  for (let i = 0; i + size <= newLines.length; i++) {
    let same = true;
    for (let k = 0; k < size && same; k++) same = normalized[i + k] === want[k];
    if (same) copies.push(i);
  }
  if (enoughEvidence && copies.length === 1 && !allKept(copies[0]!)) return place('moved', copies[0]!);

  // 3. The most similar block of the same size (edited): in the lines that replaced the old ones at the
  //    CodeStream threshold; anywhere else only when nearly identical (moved and lightly edited), so that a
  //    deleted line never latches onto some look-alike elsewhere in the file.
  let replacedEnd = newLines.length;
  for (let k = e + 1; k < oldLines.length; k++) {
    const m = map.get(k);
    if (m !== undefined) {
      replacedEnd = m;
      break;
    }
  }
  const target = want.join('\n');
  const windows = Math.max(0, newLines.length - size + 1);
  const shared = sharedLines(want, normalized, size, windows);
  const codeLines = want.filter(isCode).length;
  // Characters of each window's normalised text, from prefix sums: a Levenshtein ratio is at most shorter / longer.
  const prefix = file.prefix;
  const lengthOf = (i: number) => prefix[i + size]! - prefix[i]! - 1;
  // Windows overlapping the new lines that took the old ones' place (none when the lines were only deleted).
  const local = {
    from: Math.max(0, expected - size + 1),
    to: replacedEnd > expected ? Math.min(windows, replacedEnd) : 0,
  };
  // Elsewhere only with enough code to recognise, and never onto a copy already placed exactly (ambiguous).
  const global = enoughEvidence && copies.length === 0 ? { from: 0, to: windows } : { from: 0, to: 0 };
  // Line hashes pick the plausible windows, so that Levenshtein (quadratic in characters) runs on a few places only.
  // In place: every window when the lines that replaced the block are few; when they are many (a file rewritten),
  // the windows that keep one of its lines of code, and those near where it would sit in the rewritten region.
  // And never a window that is mostly other code that was already there (kept lines from outside the block).
  const aligned = expected + (s - (keptAbove + 1));
  const scanAll = local.to - local.from <= Math.max(2 * size, 16);
  const foreign = new Int32Array(newLines.length + 1);
  const foreignAt = new Uint8Array(newLines.length);
  for (const [o, n] of map) if (o < s || o > e) foreignAt[n] = 1;
  for (let i = 0; i < newLines.length; i++) foreign[i + 1] = foreign[i]! + foreignAt[i]!;
  const plausibleHere = (i: number) =>
    2 * (foreign[i + size]! - foreign[i]!) < size &&
    (scanAll || shared[i]! > 0 || Math.abs(i - aligned) <= Math.min(size, 8));
  // Elsewhere: the block moved and was lightly edited, so most of its lines of code are still there verbatim.
  const minShared = Math.max(1, Math.ceil(codeLines * MOVED_SHARED_LINES));
  const plausibleElsewhere = (i: number) => shared[i]! >= minShared;
  for (const [range, threshold] of [
    [local, SIMILARITY_THRESHOLD],
    [global, MOVED_AND_EDITED_THRESHOLD],
  ] as const) {
    let bestScore = -1;
    let bestAt = -1;
    // Windows as good as the threshold that do not overlap the best one: more than one place fits.
    const fits: number[] = [];
    for (let i = range.from; i < range.to; i++) {
      // Only windows that overlap the replaced lines count as "the same place".
      if (range === local && (i + size <= expected || !plausibleHere(i))) continue;
      if (range === global && (!plausibleElsewhere(i) || allKept(i))) continue;
      const length = lengthOf(i);
      if (Math.min(length, target.length) < threshold * Math.max(length, target.length)) continue;
      checkTime();
      if (stats) stats.compared++;
      const score = similarity(target, normalized.slice(i, i + size).join('\n'));
      if (score < threshold) continue;
      fits.push(i);
      if (score > bestScore) {
        bestScore = score;
        bestAt = i;
      }
    }
    const ambiguous = range === global && fits.some((i) => Math.abs(i - bestAt) >= size);
    if (bestAt >= 0 && !ambiguous) return place('edited', bestAt);
  }

  // 4. Gone.
  const at = Math.min(expected, Math.max(0, newLines.length - 1));
  return {
    status: 'outdated' as const,
    reason: 'deleted' as const,
    path: newPath,
    startLine: at + 1,
    endLine: at + 1,
    text: anchor.text,
  };
}

const isCode = (normalizedLine: string) => /[\p{L}\p{N}]/u.test(normalizedLine);

/**
 * For each window of `size` lines of `lines`, how many of the anchor's lines of code (`want`, counted with their
 * repeats) it holds verbatim: one pass with a sliding count, whatever the size.
 */
function sharedLines(want: readonly string[], lines: readonly string[], size: number, windows: number): Int32Array {
  const needed = new Map<string, number>();
  for (const line of want) if (isCode(line)) needed.set(line, (needed.get(line) ?? 0) + 1);
  const out = new Int32Array(windows);
  const held = new Map<string, number>();
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const need = needed.get(line);
    if (need !== undefined) {
      const have = held.get(line) ?? 0;
      if (have < need) count++;
      held.set(line, have + 1);
    }
    if (i >= size) {
      const gone = lines[i - size]!;
      const needGone = needed.get(gone);
      if (needGone !== undefined) {
        const have = held.get(gone)! - 1;
        held.set(gone, have);
        if (have < needGone) count--;
      }
    }
    if (i >= size - 1 && i - size + 1 < windows) out[i - size + 1] = count;
  }
  return out;
}
