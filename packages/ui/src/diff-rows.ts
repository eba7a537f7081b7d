import type { DiffFile, DiffLine } from '@hivesync/sdk';

/** A row of the split view: the old line on the left, the new one on the right (either may be missing). */
export interface SplitRow {
  left?: DiffLine;
  right?: DiffLine;
}

/** Pairs each run of deleted lines with the run of added lines that follows it, as side-by-side rows. */
export function splitRows(lines: readonly DiffLine[]): SplitRow[] {
  const rows: SplitRow[] = [];
  let deleted: DiffLine[] = [];
  let added: DiffLine[] = [];
  const flush = () => {
    for (let i = 0; i < Math.max(deleted.length, added.length); i++) {
      rows.push({ ...(deleted[i] && { left: deleted[i] }), ...(added[i] && { right: added[i] }) });
    }
    deleted = [];
    added = [];
  };
  for (const line of lines) {
    if (line.type === 'delete') {
      if (added.length > 0) flush();
      deleted.push(line);
    } else if (line.type === 'add') added.push(line);
    else {
      flush();
      rows.push({ left: line, right: line });
    }
  }
  flush();
  return rows;
}

/** Above this many lines (context included) a file's diff is shown as plain text: parsing it would hold up the page. */
export const HIGHLIGHT_MAX_LINES = 2000;

/** Whether a file's diff gets syntax highlighting: a text file with at most HIGHLIGHT_MAX_LINES lines in its hunks. */
export function highlightable(file: DiffFile): boolean {
  if (file.binary) return false;
  let lines = 0;
  for (const hunk of file.hunks) lines += hunk.lines.length;
  return lines > 0 && lines <= HIGHLIGHT_MAX_LINES;
}
