import type { AiJob, Suggestion, SuggestionState } from '@hivesync/core';
import { firstLine } from './collab-format.js';
import { formatTable, shortId, type Cell, type Colors } from './output.js';

/** What a line of a unified diff is. */
export type DiffLineKind = 'header' | 'hunk' | 'add' | 'del' | 'context' | 'note';

/** One line of a unified diff, and what it is. */
export interface DiffLine {
  kind: DiffLineKind;
  text: string;
}

/**
 * Splits a unified diff (as `git diff` writes it) into its lines, each with its kind. Hunk bodies are counted from
 * their `@@ -a,b +c,d @@` header, so a removed line that reads `-- x` or an added one that reads `++ x` is never
 * taken for a file header.
 */
export function parseDiff(patch: string): DiffLine[] {
  const lines = patch.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const out: DiffLine[] = [];
  let oldLeft = 0;
  let newLeft = 0;
  for (const text of lines) {
    const inHunk = oldLeft > 0 || newLeft > 0;
    if (inHunk && text.startsWith('+')) {
      newLeft--;
      out.push({ kind: 'add', text });
    } else if (inHunk && text.startsWith('-')) {
      oldLeft--;
      out.push({ kind: 'del', text });
    } else if (inHunk && (text.startsWith(' ') || text === '')) {
      oldLeft--;
      newLeft--;
      out.push({ kind: 'context', text });
    } else if (text.startsWith('\\')) {
      out.push({ kind: 'note', text });
    } else {
      const hunk = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(text);
      if (hunk) {
        oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
        newLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
        out.push({ kind: 'hunk', text });
      } else {
        oldLeft = newLeft = 0;
        out.push({ kind: 'header', text });
      }
    }
  }
  return out;
}

/**
 * A diff for people, like `git diff --color`: file headers bold, `@@ … @@` cyan (the function name after it plain),
 * added lines green, removed lines red. With colors disabled (not a terminal, NO_COLOR) the text is the patch as is.
 */
export function formatDiff(patch: string, c: Colors): string[] {
  return parseDiff(patch).map(({ kind, text }) => {
    switch (kind) {
      case 'header':
        return c.bold(text);
      case 'hunk': {
        const end = text.indexOf('@@', 2);
        return end === -1 ? c.cyan(text) : `${c.cyan(text.slice(0, end + 2))}${text.slice(end + 2)}`;
      }
      case 'add':
        return c.green(text);
      case 'del':
        return c.red(text);
      case 'note':
        return c.dim(text);
      default:
        return text;
    }
  });
}

/**
 * The files a patch changes, in its order, as paths relative to the repository root: the new name of a renamed or
 * added file, the old name of a deleted one. Git's quoted paths (`"b/caf\303\251.ts"`) are unquoted.
 */
export function patchFiles(patch: string): string[] {
  const files: string[] = [];
  let section: { fromGit?: string; old?: string; next?: string; renamed?: string } | undefined;
  const flush = () => {
    const file = section?.next ?? section?.renamed ?? section?.old ?? section?.fromGit;
    if (file !== undefined && !files.includes(file)) files.push(file);
  };
  for (const { kind, text } of parseDiff(patch)) {
    if (kind !== 'header') continue;
    if (text.startsWith('diff --git ')) {
      flush();
      const b = / "?b\/(.*?)"?$/.exec(text);
      section = b ? { fromGit: unquote(b[0].trim()).replace(/^b\//, '') } : {};
    } else if (text.startsWith('--- ') || text.startsWith('+++ ')) {
      section ??= {};
      const path = headerPath(text.slice(4));
      if (path === null) continue;
      if (text.startsWith('--- ')) section.old = path;
      else section.next = path;
    } else if (text.startsWith('rename to ') && section) {
      section.renamed = unquote(text.slice('rename to '.length));
    }
  }
  flush();
  return files;
}

/** The path of a `---`/`+++` line without its a/ or b/ prefix; null for /dev/null. */
function headerPath(value: string): string | null {
  const path = unquote(value.replace(/\t.*$/, ''));
  if (path === '/dev/null') return null;
  return path.replace(/^[ab]\//, '');
}

/** Undoes git's C-style quoting of a path (`"a\tb"`, octal escapes for UTF-8 bytes); other text is returned as is. */
export function unquote(value: string): string {
  if (!(value.length >= 2 && value.startsWith('"') && value.endsWith('"'))) return value;
  const bytes: number[] = [];
  const escapes: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '"': 34, '\\': 92 };
  const body = value.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch));
      continue;
    }
    const next = body[i + 1] ?? '';
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A suggestion's state, colored: proposed yellow, approved cyan, applied green, rejected and reverted dim. */
export function formatState(state: SuggestionState, c: Colors): string {
  if (state === 'proposed') return c.yellow(state);
  if (state === 'approved') return c.cyan(state);
  if (state === 'applied') return c.green(state);
  return c.dim(state);
}

const STYLE: Record<SuggestionState, (c: Colors) => (s: string) => string> = {
  proposed: (c) => c.yellow,
  approved: (c) => c.cyan,
  applied: (c) => c.green,
  rejected: (c) => c.dim,
  reverted: (c) => c.dim,
};

/** A suggestion for review: its id and state, its description, the files it changes, then the colored diff. */
export function formatSuggestion(s: Suggestion, c: Colors): string[] {
  const files = s.files.length > 0 ? s.files : patchFiles(s.patch);
  return [
    `${c.bold(`suggestion ${s.id}`)}  ${formatState(s.state, c)}  ${c.dim(`(job ${s.job_id})`)}`,
    ...s.description.split(/\r?\n/).map((line) => (line === '' ? '' : `    ${line}`)),
    `    ${c.dim(`files: ${files.join(', ') || '-'}`)}`,
    '',
    ...formatDiff(s.patch, c),
  ];
}

/** `suggestions` output: one suggestion a row, with its id, state, first line of description and files. */
export function formatSuggestionList(suggestions: Suggestion[], c: Colors): string {
  const rows: Cell[][] = suggestions.map((s) => [
    { text: shortId(s.id), style: c.dim },
    { text: s.state, style: STYLE[s.state](c) },
    firstLine(s.description, 72),
    truncate(s.files.join(', '), 60),
  ]);
  return formatTable(['ID', 'STATE', 'DESCRIPTION', 'FILES'], rows, c);
}

/** One export of a `summarize_file` job's result. */
export interface ExportRow {
  name: string;
  kind: string;
  signature: string;
  doc: string;
}

/** The summary and exports of a `summarize_file` job's result, read defensively (its shape is not in the schema). */
export function summaryOf(job: Pick<AiJob, 'result'>): { summary: string; exports: ExportRow[] } {
  const result = job.result ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
  const exports = Array.isArray(result.exports) ? (result.exports as unknown[]) : [];
  return {
    summary: text(result.summary),
    exports: exports
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => ({ name: text(e.name), kind: text(e.kind), signature: text(e.signature), doc: text(e.doc) })),
  };
}

/** `summarize` output: the summary paragraph, then the exported API as a table (name, kind, signature, doc). */
export function formatSummary(job: Pick<AiJob, 'result' | 'path'>, c: Colors): string[] {
  const { summary, exports } = summaryOf(job);
  const lines = [summary === '' ? c.dim('(no summary)') : summary, ''];
  if (exports.length === 0) return [...lines, c.dim(`${job.path ?? 'The file'} exports nothing.`)];
  const rows: Cell[][] = exports.map((e) => [
    { text: e.name, style: c.bold },
    e.kind,
    { text: truncate(e.signature, 60), style: c.cyan },
    firstLine(e.doc, 80),
  ]);
  return [...lines, formatTable(['EXPORT', 'KIND', 'SIGNATURE', 'DOC'], rows, c)];
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
