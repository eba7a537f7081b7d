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
  | ({ status: 'outdated'; reason: 'deleted' | 'file_deleted' } & Anchor);

/** Edited lines still count as the same code at this similarity (CodeStream uses the same Levenshtein ratio). */
export const SIMILARITY_THRESHOLD = 0.5;
/** Away from where the code was, an edited block must be this similar to count as the same code. */
export const MOVED_AND_EDITED_THRESHOLD = 0.8;
// Past this many candidate windows the fuzzy search is bounded to the changed region only.
const MAX_FUZZY_WINDOWS = 4000;

/** Splits file content into lines (a final newline does not start an empty last line). */
export function splitLines(content: string): string[] {
  const lines = content.split('\n');
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return lines;
}

const normalize = (line: string) => line.trim().replace(/\s+/g, ' ');

/** 1 for identical strings, 0 for nothing in common: 1 - Levenshtein distance / longer length. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - distance(a, b) / longest;
}

/**
 * Places an anchor of `oldContent` in `newContent`, in order:
 * 1. follow the line diff: lines inserted or deleted above (or below) only shift it (`current`);
 * 2. else look for the same block elsewhere (ignoring indentation), nearest to where it was (`moved`);
 * 3. else the most similar block of the same size, if similar enough (`edited`);
 * 4. else its code is gone (`outdated`, reason `deleted`), placed where it used to be.
 */
export function placeInFile(oldContent: string, newContent: string, anchor: Anchor, newPath = anchor.path): Placement {
  const oldLines = splitLines(oldContent);
  const newLines = splitLines(newContent);
  const s = anchor.startLine - 1;
  const e = anchor.endLine - 1;
  const size = e - s + 1;
  const anchored = splitLines(anchor.text);

  // Map every unchanged old line to its new index.
  const map = new Map<number, number>();
  let oi = 0;
  let ni = 0;
  for (const part of diffArrays(oldLines, newLines)) {
    const n = part.count ?? part.value.length;
    if (part.added) ni += n;
    else if (part.removed) oi += n;
    else {
      for (let k = 0; k < n; k++) map.set(oi + k, ni + k);
      oi += n;
      ni += n;
    }
  }
  const place = (status: 'current' | 'moved' | 'edited', start: number): Placement => ({
    status,
    reason: null,
    path: newPath,
    startLine: start + 1,
    endLine: start + size,
    text: newLines.slice(start, start + size).join('\n'),
  });

  // 1. Every anchored line survived, contiguously.
  const first = map.get(s);
  if (first !== undefined && Array.from({ length: size }, (_, k) => map.get(s + k) === first + k).every(Boolean)) {
    return place('current', first);
  }

  // Where the block would be now: after the nearest unchanged line above it.
  let expected = 0;
  for (let k = s - 1; k >= 0; k--) {
    const m = map.get(k);
    if (m !== undefined) {
      expected = m + 1;
      break;
    }
  }

  // 2. The same block elsewhere (moved), nearest to where it was expected.
  const want = anchored.map(normalize);
  let best = -1;
  for (let i = 0; i + size <= newLines.length; i++) {
    let same = true;
    for (let k = 0; k < size && same; k++) same = normalize(newLines[i + k]!) === want[k];
    if (same && (best < 0 || Math.abs(i - expected) < Math.abs(best - expected))) best = i;
  }
  if (best >= 0) return place('moved', best);

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
  // Windows overlapping the new lines that took the old ones' place (none when the lines were only deleted).
  const local = {
    from: Math.max(0, expected - size + 1),
    to: replacedEnd > expected ? Math.min(windows, replacedEnd) : 0,
  };
  const global = windows <= MAX_FUZZY_WINDOWS ? { from: 0, to: windows } : { from: 0, to: 0 };
  let bestScore = -1;
  let bestAt = -1;
  for (const [range, threshold] of [
    [local, SIMILARITY_THRESHOLD],
    [global, MOVED_AND_EDITED_THRESHOLD],
  ] as const) {
    for (let i = range.from; i < range.to; i++) {
      // Only windows that overlap the replaced lines count as "the same place".
      if (range === local && i + size <= expected) continue;
      const score = similarity(
        target,
        newLines
          .slice(i, i + size)
          .map(normalize)
          .join('\n'),
      );
      if (score >= threshold && score > bestScore) {
        bestScore = score;
        bestAt = i;
      }
    }
    if (bestAt >= 0) return place('edited', bestAt);
  }

  // 4. Gone.
  const at = Math.min(expected, Math.max(0, newLines.length - 1));
  return {
    status: 'outdated',
    reason: 'deleted',
    path: newPath,
    startLine: at + 1,
    endLine: at + 1,
    text: anchor.text,
  };
}
