import { createHash } from 'node:crypto';
import { formatPatch, structuredPatch } from 'diff';
import { type Edit } from './types.js';

/** Lines of unchanged context around each change, as git writes them. */
const CONTEXT_LINES = 3;

/** The id git gives this content as a file (`git hash-object`): the blob's SHA-1 over its UTF-8 bytes. */
export function gitBlobId(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * One git-style unified diff for a list of edits (`diff --git a/x b/x`, `index <before>..<after>`, `---`/`+++`,
 * hunks with three lines of context, `\ No newline at end of file` where a file lacks one) that `git apply` accepts
 * on the original files. The `index` line names the blobs of the file before and after (full ids, as
 * `git diff --full-index` writes them): where a working copy has the original file's blob, `git apply --3way` merges
 * the patch with local changes instead of refusing it. Edits of the same path are chained in order; unchanged files
 * are left out, so no changes give an empty string.
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
    const formatted = formatPatch({ ...patch, isGit: true });
    const header = formatted.indexOf('\n') + 1;
    out += `${formatted.slice(0, header)}index ${gitBlobId(before)}..${gitBlobId(after)}\n${formatted.slice(header)}`;
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
