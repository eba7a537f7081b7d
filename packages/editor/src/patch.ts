/**
 * Unified diffs as the server's suggestions carry them (`git diff` output that `git apply` accepts on the job's
 * commit): parsed into files and hunks, and applied to a file's current text the way `git apply` does it, exact
 * context only, a hunk that moved being found by searching outwards from where it should be. A hunk whose lines are
 * not there any more is a conflict: nothing is changed.
 */

/** One line of a hunk: context (` `), removed (`-`) or added (`+`). */
export interface HunkLine {
  kind: ' ' | '-' | '+';
  text: string;
}

/** One `@@ -a,b +c,d @@` hunk. */
export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: HunkLine[];
  /** The old side ends without a newline (`\ No newline at end of file` after a removed or context line). */
  oldNoNewline: boolean;
  /** The new side ends without a newline. */
  newNoNewline: boolean;
}

/** One file of a patch; `oldPath` null for a new file, `newPath` null for a deleted one. */
export interface FilePatch {
  oldPath: string | null;
  newPath: string | null;
  hunks: Hunk[];
}

/** The outcome of applying one file's hunks: the new text (null when the file is deleted), or a conflict. */
export type ApplyResult = { ok: true; text: string | null } | { ok: false; hunk: number; line: number; reason: string };

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

function stripPrefix(p: string): string | null {
  const path = p.replace(/\t.*$/, '').trim();
  if (path === '/dev/null') return null;
  return path.replace(/^[ab]\//, '');
}

/** The files and hunks of a unified diff. */
export function parsePatch(patch: string): FilePatch[] {
  const files: FilePatch[] = [];
  const lines = patch.split('\n');
  let file: FilePatch | undefined;
  let hunk: Hunk | undefined;
  let last: HunkLine['kind'] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.startsWith('diff --git ')) {
      file = undefined;
      hunk = undefined;
      continue;
    }
    if (line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ') && (hunk === undefined || hunkFull(hunk))) {
      file = { oldPath: stripPrefix(line.slice(4)), newPath: stripPrefix(lines[i + 1]!.slice(4)), hunks: [] };
      files.push(file);
      hunk = undefined;
      i++;
      continue;
    }
    const header = HUNK_HEADER.exec(line);
    if (header && file) {
      hunk = {
        oldStart: Number(header[1]),
        oldLines: header[2] === undefined ? 1 : Number(header[2]),
        newStart: Number(header[3]),
        newLines: header[4] === undefined ? 1 : Number(header[4]),
        lines: [],
        oldNoNewline: false,
        newNoNewline: false,
      };
      file.hunks.push(hunk);
      continue;
    }
    if (!hunk) continue;
    if (line.startsWith('\\')) {
      if (last === '-' || last === ' ') hunk.oldNoNewline = true;
      if (last === '+' || last === ' ') hunk.newNoNewline = true;
      continue;
    }
    if (hunkFull(hunk)) continue;
    const kind = line[0];
    if (kind === ' ' || kind === '-' || kind === '+') {
      hunk.lines.push({ kind, text: line.slice(1) });
      last = kind;
    } else if (line === '') {
      // An empty context line whose leading space was lost (some tools trim trailing whitespace).
      hunk.lines.push({ kind: ' ', text: '' });
      last = ' ';
    }
  }
  return files;
}

function hunkFull(h: Hunk): boolean {
  const old = h.lines.filter((l) => l.kind !== '+').length;
  const neu = h.lines.filter((l) => l.kind !== '-').length;
  return old >= h.oldLines && neu >= h.newLines;
}

/** The path a file patch is about (its new path, or its old one when deleted). */
export function patchPath(file: FilePatch): string {
  return (file.newPath ?? file.oldPath)!;
}

/** Splits a text into lines, remembering its line ending and whether it ends with one. */
function splitText(text: string): { lines: string[]; eol: string; finalNewline: boolean } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (text === '') return { lines: [], eol, finalNewline: false };
  const lines = text.split(/\r?\n/);
  const finalNewline = lines[lines.length - 1] === '';
  if (finalNewline) lines.pop();
  return { lines, eol, finalNewline };
}

function matchesAt(lines: readonly string[], expected: readonly string[], at: number): boolean {
  if (at < 0 || at + expected.length > lines.length) return false;
  for (let i = 0; i < expected.length; i++) if (lines[at + i] !== expected[i]) return false;
  return true;
}

/**
 * Applies one file's hunks to `text` (null: the file does not exist). The result is the new text, or null when the
 * patch deletes the file; a hunk whose removed and context lines are nowhere in the file is a conflict.
 */
export function applyFilePatch(text: string | null, file: FilePatch): ApplyResult {
  if (file.oldPath === null && text !== null && text !== '') {
    return { ok: false, hunk: 0, line: 1, reason: 'the file already exists here' };
  }
  if (file.oldPath !== null && text === null) {
    return { ok: false, hunk: 0, line: 1, reason: 'the file does not exist here' };
  }
  const { lines, eol, finalNewline } = splitText(text ?? '');
  let out = [...lines];
  let offset = 0;
  let newline = file.oldPath === null ? true : finalNewline;
  for (let h = 0; h < file.hunks.length; h++) {
    const hunk = file.hunks[h]!;
    const expected = hunk.lines.filter((l) => l.kind !== '+').map((l) => l.text);
    const replacement = hunk.lines.filter((l) => l.kind !== '-').map((l) => l.text);
    // A hunk of 0 old lines starts after line oldStart; otherwise at it.
    const wanted = (hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1) + offset;
    const at = locate(out, expected, wanted);
    if (at === undefined) {
      return {
        ok: false,
        hunk: h + 1,
        line: hunk.oldStart,
        reason: `the lines around line ${hunk.oldStart} are not what the suggestion was made on`,
      };
    }
    out = [...out.slice(0, at), ...replacement, ...out.slice(at + expected.length)];
    offset += replacement.length - expected.length + (at - wanted);
    if (hunk.newNoNewline) newline = false;
    else if (hunk.oldNoNewline) newline = true;
  }
  if (file.newPath === null) return { ok: true, text: null };
  const body = out.join(eol);
  return { ok: true, text: out.length === 0 ? '' : newline ? body + eol : body };
}

// Where `expected` is: at `wanted`, else the nearest place above or below (git apply's offset search).
function locate(lines: readonly string[], expected: readonly string[], wanted: number): number | undefined {
  if (expected.length === 0) return Math.min(Math.max(wanted, 0), lines.length);
  for (let d = 0; d <= lines.length; d++) {
    if (matchesAt(lines, expected, wanted - d)) return wanted - d;
    if (d > 0 && matchesAt(lines, expected, wanted + d)) return wanted + d;
  }
  return undefined;
}
