import { applyFilePatch, parsePatch, patchPath } from '@hivesync/editor';
import type { TextDocumentEdit, WorkspaceEdit, CreateFile, DeleteFile } from 'vscode-languageserver';

/** A file's text as the editor has it: `version` is the open document's, null when read from disk. */
export interface FileText {
  text: string | null;
  version: number | null;
}

/** Why a patch could not become an edit: the file and what no longer matches. */
export class PatchConflict extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`the suggestion no longer applies to ${path}: ${reason}. Your files were not changed.`);
  }
}

/**
 * The WorkspaceEdit that does what a suggestion's patch does to the files as the editor has them now (unsaved edits
 * included): per file, one edit replacing the lines between the first and the last changed one, so the editor's
 * undo takes it back in one step and cursors elsewhere stay put. Throws PatchConflict when any hunk no longer
 * matches: then nothing is edited.
 */
export async function patchToWorkspaceEdit(
  patch: string,
  uriOf: (path: string) => string,
  read: (path: string) => Promise<FileText>,
): Promise<WorkspaceEdit> {
  const changes: (TextDocumentEdit | CreateFile | DeleteFile)[] = [];
  for (const file of parsePatch(patch)) {
    const path = patchPath(file);
    const uri = uriOf(path);
    const current = await read(file.oldPath ?? path);
    const result = applyFilePatch(current.text, file);
    if (!result.ok) throw new PatchConflict(path, `${result.reason} (hunk ${result.hunk})`);
    if (result.text === null) {
      changes.push({ kind: 'delete', uri, options: { ignoreIfNotExists: true } });
      continue;
    }
    if (current.text === null) {
      changes.push({ kind: 'create', uri, options: { ignoreIfExists: false } });
      changes.push({
        textDocument: { uri, version: null },
        edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: result.text }],
      });
      continue;
    }
    changes.push({ textDocument: { uri, version: current.version }, edits: [minimalEdit(current.text, result.text)] });
  }
  return { documentChanges: changes };
}

/** One TextEdit turning `before` into `after`: the lines between their common head and tail. */
export function minimalEdit(before: string, after: string) {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  // Lines [head, a.length - tail) of `before` become lines [head, b.length - tail) of `after`.
  const endLine = a.length - tail;
  const added = b.slice(head, b.length - tail);
  if (endLine < a.length) {
    return {
      range: { start: { line: head, character: 0 }, end: { line: endLine, character: 0 } },
      newText: added.map((l) => `${l}\n`).join(''),
    };
  }
  // The change reaches the last line (no newline after it): replace up to its end.
  const last = a[a.length - 1] ?? '';
  const start = head < a.length ? { line: head, character: 0 } : { line: a.length - 1, character: last.length };
  const newText = head < a.length ? added.join('\n') : `\n${added.join('\n')}`;
  return { range: { start, end: { line: a.length - 1, character: last.length } }, newText };
}

/** A text with a TextEdit-list applied (for tests and for checking an edit before sending it). */
export function applyEdits(
  text: string,
  edits: readonly {
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    newText: string;
  }[],
): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => {
    let o = 0;
    for (let i = 0; i < p.line && i < lines.length; i++) o += lines[i]!.length + 1;
    return o + p.character;
  };
  const sorted = [...edits].sort((x, y) => offset(y.range.start) - offset(x.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
