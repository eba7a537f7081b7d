import type { DiffLine } from '@hivesync/sdk';

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
