import { formatPatch, structuredPatch } from 'diff';
import { type Edit } from './types.js';

/** Lines of unchanged context around each change, as git writes them. */
const CONTEXT_LINES = 3;

/**
 * One git-style unified diff for a list of edits (`diff --git a/x b/x`, `---`/`+++`, hunks with three lines of
 * context, `\ No newline at end of file` where a file lacks one) that `git apply` accepts on the original files.
 * Edits of the same path are chained in order; unchanged files are left out, so no changes give an empty string.
 */
export function unifiedDiff(edits: readonly Edit[]): string {
  const byPath = new Map<string, { before: string; after: string }>();
  for (const edit of edits) {
    const previous = byPath.get(edit.path);
    if (!previous) byPath.set(edit.path, { before: edit.before, after: edit.after });
    else if (previous.after === edit.before) previous.after = edit.after;
    else throw new Error(`Two edits of ${edit.path} start from different texts; they cannot be combined.`);
  }
  let out = '';
  for (const [filePath, { before, after }] of byPath) {
    if (before === after) continue;
    const patch = structuredPatch(`a/${filePath}`, `b/${filePath}`, before, after, undefined, undefined, {
      context: CONTEXT_LINES,
    });
    out += formatPatch({ ...patch, isGit: true });
  }
  return out;
}

/** The edits that undo these: before and after swapped, last edit first. */
export function reverseEdits(edits: readonly Edit[]): Edit[] {
  return [...edits].reverse().map((edit) => ({
    path: edit.path,
    before: edit.after,
    after: edit.before,
    description: `Revert: ${edit.description}`,
  }));
}
