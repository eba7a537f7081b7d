/** The line ending a file mostly uses; new lines are written with the same one. */
export function detectEol(text: string): '\n' | '\r\n' {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = (text.match(/\n/g)?.length ?? 0) - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

/** The file's indentation unit: a tab, or the most common step between space-indented lines (2 by default). */
export function detectIndentUnit(text: string): string {
  const lines = splitLines(text);
  let tabs = 0;
  let spaced = 0;
  const steps = new Map<number, number>();
  let previous = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const lead = /^[ \t]*/.exec(line)?.[0] ?? '';
    if (lead.startsWith('\t')) {
      tabs++;
      continue;
    }
    if (lead.length > 0) spaced++;
    const step = Math.abs(lead.length - previous);
    if (step > 0 && step <= 8) steps.set(step, (steps.get(step) ?? 0) + 1);
    previous = lead.length;
  }
  if (tabs > spaced) return '\t';
  let best = 2;
  let bestCount = 0;
  for (const [step, count] of steps) {
    if (count > bestCount || (count === bestCount && step < best)) [best, bestCount] = [step, count];
  }
  return ' '.repeat(best);
}

/** The text's lines without their terminators (a final newline does not add an empty line). */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Offsets where each line starts; `lineStarts(text)[i]` is the start of 1-based line i + 1. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** The leading spaces and tabs of the line that holds `offset`. */
export function indentAt(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
}

/** Whether only whitespace precedes `offset` on its line (so whole lines can be inserted above it). */
export function startsLine(text: string, offset: number): boolean {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return text.slice(start, offset).trim() === '';
}

/** Comments that act on the line after them and must stay right above their declaration. */
const NEXT_LINE_DIRECTIVE =
  /^\s*(\/\/\s*(eslint-disable-next-line|@ts-expect-error|@ts-ignore|prettier-ignore|biome-ignore|c8 ignore|istanbul ignore|go:|nolint|lint:)|\/\*\s*(eslint-disable-next-line|istanbul ignore|c8 ignore))/;

/**
 * Where a comment for the declaration starting the line at `lineStart` goes: above any directive comments that
 * apply to that declaration (`// eslint-disable-next-line`, `// @ts-expect-error`, `//go:noinline`).
 */
export function aboveDirectives(text: string, lineStart: number): number {
  let start = lineStart;
  while (start > 0) {
    const previousStart = text.lastIndexOf('\n', start - 2) + 1;
    const previous = text.slice(previousStart, start).replace(/\r?\n$/, '');
    if (!NEXT_LINE_DIRECTIVE.test(previous)) break;
    start = previousStart;
  }
  return start;
}

/** Whether a comment line is a directive rather than documentation. */
export function isDirective(line: string): boolean {
  return NEXT_LINE_DIRECTIVE.test(line) || /^\s*\/\/(go:|line |export |extern )/.test(line);
}

/** One insertion of whole lines before the line starting at `offset`. */
export interface LineInsertion {
  /** Offset of the start of a line (or the end of the text). */
  offset: number;
  lines: string[];
}

/**
 * Inserts whole lines, each ended with the file's line ending, so that no existing line changes. Inserting at the
 * end of a file without a final newline first ends the last line, which is the one case that touches a line.
 */
export function insertLines(text: string, insertions: readonly LineInsertion[], eol: string): string {
  const sorted = [...insertions].sort((a, b) => b.offset - a.offset);
  let out = text;
  for (const { offset, lines } of sorted) {
    if (lines.length === 0) continue;
    const block = lines.map((line) => line + eol).join('');
    if (offset >= out.length && out.length > 0 && !out.endsWith('\n')) out = out + eol + block.slice(0, -eol.length);
    else out = out.slice(0, offset) + block + out.slice(offset);
  }
  return out;
}

/** Greedy word wrap to `width` columns; a word longer than the width stays whole on its own line. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** Display width of an indentation string, counting a tab as four columns. */
export function indentWidth(indent: string): number {
  let width = 0;
  for (const ch of indent) width += ch === '\t' ? 4 : 1;
  return width;
}

/** Collapses whitespace runs so a multi-line signature prints on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\(\s+/g, '(').replace(/\s+\)/g, ')').trim();
}
