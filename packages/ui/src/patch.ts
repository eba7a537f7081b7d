import type { Diff, DiffFile, SuggestionState } from '@hivesync/sdk';

/** A suggestion's state in words. */
export const STATE_WORDS: Record<SuggestionState, string> = {
  proposed: 'Proposed: waiting for review',
  approved: 'Approved: not applied yet',
  rejected: 'Rejected',
  applied: 'Applied to a working copy',
  reverted: 'Reverted',
};

/**
 * The file name "Download patch" saves: `hivesync-<first 8 of the id>.patch`, or `…-partial.patch` when hunks were
 * left out.
 */
export function patchFileName(suggestionId: string, options: { partial?: boolean } = {}): string {
  return `hivesync-${suggestionId.slice(0, 8)}${options.partial ? '-partial' : ''}.patch`;
}

/** The key of a hunk in a review's selection: its file's index in the diff and its own in the file. */
export function hunkKey(fileIndex: number, hunkIndex: number): string {
  return `${fileIndex}:${hunkIndex}`;
}

/** A path as git's patch headers write it: as is, or quoted with C escapes (octal for non-ASCII bytes). */
function gitQuote(name: string): string {
  if (![...name].some((c) => c === '"' || c === '\\' || c < ' ' || c > '~')) return name;
  const escapes: Record<number, string> = {
    7: 'a',
    8: 'b',
    9: 't',
    10: 'n',
    11: 'v',
    12: 'f',
    13: 'r',
    34: '"',
    92: '\\',
  };
  let out = '';
  for (const byte of new TextEncoder().encode(name)) {
    if (escapes[byte]) out += `\\${escapes[byte]}`;
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `"${out}"`;
}

/**
 * A unified diff of the hunks of `diff` not in `excluded` (keys from hunkKey), for `git apply`: each kept hunk as it
 * was, its new start moved back by what the left-out hunks above it would have added. Files with no hunk kept are
 * left out; '' when nothing is kept.
 */
export function patchWithout(diff: Diff, excluded: ReadonlySet<string>): string {
  let out = '';
  diff.files.forEach((file: DiffFile, f) => {
    const kept = file.hunks.map((h, i) => ({ h, keep: !excluded.has(hunkKey(f, i)) }));
    if (!kept.some((k) => k.keep)) return;
    const oldPath = file.old_path ?? file.path;
    out += `diff --git ${gitQuote(`a/${oldPath}`)} ${gitQuote(`b/${file.path}`)}\n`;
    out += `--- ${file.status === 'added' ? '/dev/null' : gitQuote(`a/${oldPath}`)}\n`;
    out += `+++ ${file.status === 'deleted' ? '/dev/null' : gitQuote(`b/${file.path}`)}\n`;
    let shift = 0;
    for (const { h, keep } of kept) {
      if (!keep) {
        shift += h.new_lines - h.old_lines;
        continue;
      }
      out += `@@ -${h.old_start},${h.old_lines} +${h.new_start - shift},${h.new_lines} @@\n`;
      for (const line of h.lines) {
        out += `${line.type === 'add' ? '+' : line.type === 'delete' ? '-' : ' '}${line.text}\n`;
        if (line.no_newline) out += '\\ No newline at end of file\n';
      }
    }
  });
  return out;
}

/**
 * What a person runs at the root of their checkout, on the job's commit, to apply a downloaded patch: git applies it
 * as it is, or changes nothing. `--3way` (or the CLI's `hivesync apply`) merges it with local changes instead.
 */
export function gitApplyCommand(suggestionId: string, options: { threeWay?: boolean; partial?: boolean } = {}): string {
  return `git apply ${options.threeWay ? '--3way ' : ''}${patchFileName(suggestionId, options)}`;
}

/** The CLI's command that applies a suggestion and reports it applied (docs/cli.md, "AI suggestions"). */
export function cliApplyCommand(suggestionId: string): string {
  return `hivesync apply ${suggestionId.slice(0, 8)}`;
}
