import crypto from 'node:crypto';
import type { RepoFile, SearchMatch, Tree } from '@hivesync/core';
import { formatBytes, type Colors } from './output.js';

/**
 * `tree` output, like `ls`: one entry per line, named relative to the listed directory, directories with a trailing
 * `/`, files after a right-aligned size column. Sorted by name in byte order (git's order). Only entries below the
 * directory are shown: a recursive listing from the server also carries the directory itself and its parents.
 */
export function formatTree(tree: Tree, c: Colors): string[] {
  const prefix = tree.path === '' ? '' : `${tree.path.replace(/\/+$/, '')}/`;
  const below = tree.entries.filter((e) => e.path.startsWith(prefix) && e.path.length > prefix.length);
  const rows = below.map((e) => {
    const name = e.path.slice(prefix.length);
    return e.type === 'dir'
      ? { name: `${name}/`, size: '', style: (s: string) => c.bold(c.blue(s)) }
      : { name, size: formatBytes(e.size ?? 0), style: (s: string) => s };
  });
  rows.sort((a, b) => compareBytes(a.name, b.name));
  const width = Math.max(0, ...rows.map((r) => r.size.length));
  return rows.map((r) => (width === 0 ? r.style(r.name) : `${r.size.padStart(width)}  ${r.style(r.name)}`));
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** How `search` highlights: the query, when it is a fixed string (a regular expression is not re-run here). */
export interface Highlight {
  query: string;
  ignoreCase: boolean;
}

/**
 * One match the way `grep -n --column` prints it: `path:line:column:text`. With colors, the path is magenta, the
 * numbers green, and a fixed-string match in the text bold red. `column` is the server's 1-based byte column.
 */
export function formatMatch(m: SearchMatch, c: Colors, highlight?: Highlight): string {
  const sep = c.cyan(':');
  return `${c.magenta(m.path)}${sep}${c.green(String(m.line))}${sep}${c.green(String(m.column))}${sep}${highlightText(m, c, highlight)}`;
}

function highlightText(m: SearchMatch, c: Colors, highlight: Highlight | undefined): string {
  // The server says where every match is; older servers did not.
  if (m.ranges) return highlightRanges(m.text, m.ranges, c);
  if (!highlight || highlight.query === '') return m.text;
  // The column counts bytes: find the character index it starts at.
  const start = Buffer.from(m.text)
    .subarray(0, Math.max(0, m.column - 1))
    .toString().length;
  const found = m.text.slice(start, start + highlight.query.length);
  const same = highlight.ignoreCase ? found.toLowerCase() === highlight.query.toLowerCase() : found === highlight.query;
  if (!same) return m.text;
  return `${m.text.slice(0, start)}${c.bold(c.red(found))}${m.text.slice(start + found.length)}`;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The bytes of a file from the API, and whether they are provably the repository's: their git blob hash must equal
 * `hash` (SHA-1, or SHA-256 for a SHA-256 repository). A server whose UTF-8 decoder dropped a leading byte-order
 * mark is compensated for: the mark is put back when that is what makes the hash match.
 */
export function fileBytes(file: RepoFile): { bytes: Buffer; verified: boolean } {
  const bytes = Buffer.from(file.content, file.encoding === 'base64' ? 'base64' : 'utf8');
  if (matchesBlobHash(bytes, file)) return { bytes, verified: true };
  if (file.encoding === 'utf8') {
    const withBom = Buffer.concat([BOM, bytes]);
    if (matchesBlobHash(withBom, file)) return { bytes: withBom, verified: true };
  }
  return { bytes, verified: false };
}

function matchesBlobHash(bytes: Buffer, file: RepoFile): boolean {
  const algorithm = file.hash.length === 40 ? 'sha1' : file.hash.length === 64 ? 'sha256' : undefined;
  // A hash of another kind cannot be checked here: the size is all there is to compare.
  if (algorithm === undefined) return bytes.length === file.size;
  const hash = crypto.createHash(algorithm).update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
  return hash === file.hash.toLowerCase();
}

/** `text` with its [start, end) ranges (UTF-16 offsets, sorted) in bold red. */
export function highlightRanges(text: string, ranges: readonly (readonly [number, number])[], c: Colors): string {
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at || end <= start) continue;
    out += text.slice(at, start) + c.bold(c.red(text.slice(start, end)));
    at = end;
  }
  return out + text.slice(at);
}

/**
 * One match like `grep -n --column -C`: context lines as `path-line-text` before and after the
 * `path:line:column:text` line.
 */
export function formatMatchWithContext(m: SearchMatch, c: Colors, highlight?: Highlight): string[] {
  const context = (line: number, text: string) =>
    `${c.magenta(m.path)}${c.cyan('-')}${c.green(String(line))}${c.cyan('-')}${text}`;
  const before = (m.before ?? []).map((t, i, all) => context(m.line - all.length + i, t));
  const after = (m.after ?? []).map((t, i) => context(m.line + 1 + i, t));
  return [...before, formatMatch(m, c, highlight), ...after];
}

/**
 * Matches the way ripgrep prints them on a terminal: the path as a heading, then `line:text` with the matches
 * highlighted, context lines as `line-text` (each line once, `--` between chunks that are not adjacent), a blank
 * line between files.
 */
export function formatGrouped(matches: readonly SearchMatch[], c: Colors): string[] {
  const out: string[] = [];
  let path: string | undefined;
  let last = 0; // the last line printed of the current file
  for (const m of matches) {
    if (m.path !== path) {
      if (path !== undefined) out.push('');
      out.push(c.bold(c.magenta(m.path)));
      path = m.path;
      last = 0;
    }
    const lines: [number, string, boolean][] = [
      ...(m.before ?? []).map((t, i, all): [number, string, boolean] => [m.line - all.length + i, t, false]),
      [m.line, m.text, true],
      ...(m.after ?? []).map((t, i): [number, string, boolean] => [m.line + 1 + i, t, false]),
    ];
    for (const [n, text, isMatch] of lines) {
      if (n <= last) {
        // Already printed as context of the previous match: a match line replaces nothing, it was shown as context.
        if (isMatch && out.length > 0)
          out[out.length - (last - n) - 1] = `${c.green(String(n))}:${highlightText(m, c, undefined)}`;
        continue;
      }
      if (last > 0 && n > last + 1 && (m.before || m.after)) out.push(c.dim('--'));
      out.push(isMatch ? `${c.green(String(n))}:${highlightText(m, c, undefined)}` : `${c.green(String(n))}-${text}`);
      last = n;
    }
  }
  return out;
}
