import { parsePatch } from 'diff';
import type { Diff, DiffFile, DiffLine } from '@hivesync/core';

const NO_NEWLINE = '\\';

/** A patch path without git's `a/` or `b/` prefix; null for /dev/null (the side of an added or deleted file). */
function repoPath(name: string | undefined): string | null {
  if (name === undefined || name === '/dev/null') return null;
  return name.replace(/^[ab]\//, '');
}

/**
 * A suggestion's unified diff as the history endpoints' `Diff` (files, hunks, numbered lines), so that clients show
 * it like a commit's diff. The patch is read by jsdiff (git's quoted paths, `\ No newline at end of file`, renames);
 * `from` and `to` are both the job's commit: the patch is proposed on it, it is not a commit itself.
 */
export function suggestionDiff(patch: string, commit: string): Diff {
  const files: DiffFile[] = parsePatch(patch)
    .filter((p) => p.oldFileName !== undefined || p.newFileName !== undefined)
    .map((p) => {
      const oldPath = repoPath(p.oldFileName);
      const newPath = repoPath(p.newFileName);
      const status =
        p.isCreate || oldPath === null
          ? 'added'
          : p.isDelete || newPath === null
            ? 'deleted'
            : p.isRename || oldPath !== newPath
              ? 'renamed'
              : 'modified';
      let additions = 0;
      let deletions = 0;
      const hunks = p.hunks.map((h) => {
        let oldLine = h.oldStart;
        let newLine = h.newStart;
        const lines: DiffLine[] = [];
        for (const raw of h.lines) {
          const kind = raw[0];
          const text = raw.slice(1);
          if (kind === NO_NEWLINE) {
            const last = lines.at(-1);
            if (last) last.no_newline = true;
          } else if (kind === '+') {
            additions++;
            lines.push({ type: 'add', old_line: null, new_line: newLine++, text });
          } else if (kind === '-') {
            deletions++;
            lines.push({ type: 'delete', old_line: oldLine++, new_line: null, text });
          } else {
            lines.push({ type: 'context', old_line: oldLine++, new_line: newLine++, text });
          }
        }
        return {
          old_start: h.oldStart,
          old_lines: h.oldLines,
          new_start: h.newStart,
          new_lines: h.newLines,
          heading: '',
          lines,
        };
      });
      return {
        path: (newPath ?? oldPath)!,
        old_path: status === 'renamed' ? oldPath : null,
        status,
        old_mode: p.oldMode ?? null,
        new_mode: p.newMode ?? null,
        additions,
        deletions,
        binary: p.isBinary === true,
        truncated: false,
        hunks,
      } satisfies DiffFile;
    });
  return {
    from: commit,
    to: commit,
    files,
    total_files: files.length,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    truncated: false,
  };
}
