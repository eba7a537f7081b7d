import { RE2JS, RE2JSException } from 're2js';

/** A search the caller got wrong (an invalid regular expression, an empty query, a foreign cursor): a 400. */
export class SearchQueryError extends Error {
  override name = 'SearchQueryError';
}

/** One matching line. Columns are 1-based bytes (like `git grep --column`); ranges index `text` (UTF-16). */
export interface LineMatch {
  line: number;
  column: number;
  text: string;
  /** [start, end) of each match in `text`, for highlighting. */
  ranges: [number, number][];
  before?: string[];
  after?: string[];
}

/** What to look for in each line. */
export interface MatchOptions {
  q: string;
  regex?: boolean;
  ignoreCase?: boolean;
  /** Only matches that are whole words (not preceded or followed by a letter, digit or underscore). */
  word?: boolean;
}

const WORD = /[A-Za-z0-9_]/;

/** Compiles a pattern with RE2 semantics (linear time); an invalid one is a SearchQueryError with RE2's message. */
function compile(pattern: string, ignoreCase: boolean): RE2JS {
  try {
    return RE2JS.compile(pattern, RE2JS.MULTILINE | (ignoreCase ? RE2JS.CASE_INSENSITIVE : 0));
  } catch (err) {
    if (err instanceof RE2JSException) throw new SearchQueryError(`q: not a valid regular expression (${err.message})`);
    throw err;
  }
}

/**
 * Finds the lines of a text that match, with grep's semantics: a pattern matches within one line (never across a
 * newline), `^`/`$` are the line's ends, one result per line with every match in it.
 */
export class LineMatcher {
  private readonly literal: string | undefined;
  private readonly re: RE2JS | undefined;

  constructor(private readonly opts: MatchOptions) {
    if (opts.q === '') throw new SearchQueryError('q: must not be empty');
    if (/[\n\r\0]/.test(opts.q)) throw new SearchQueryError('q: must be a single line');
    if (!opts.regex && !opts.ignoreCase) this.literal = opts.q;
    else this.re = compile(opts.regex ? opts.q : RE2JS.quote(opts.q), opts.ignoreCase === true);
  }

  private isWord(text: string, start: number, end: number): boolean {
    if (end === start) return false;
    return !(start > 0 && WORD.test(text[start - 1]!)) && !(end < text.length && WORD.test(text[end]!));
  }

  /** Every match in one line (no newline in it), [start, end) pairs; empty when the line does not match. */
  lineRanges(line: string): [number, number][] {
    const out: [number, number][] = [];
    if (this.literal !== undefined) {
      const q = this.literal;
      for (let i = line.indexOf(q); i !== -1;) {
        if (!this.opts.word || this.isWord(line, i, i + q.length)) {
          out.push([i, i + q.length]);
          i = line.indexOf(q, i + q.length);
        } else {
          i = line.indexOf(q, i + 1);
        }
      }
      return out;
    }
    const m = this.re!.matcher(line);
    let from = 0;
    while (from <= line.length && m.find(from)) {
      const s = m.start();
      const e = m.end();
      if (!this.opts.word || this.isWord(line, s, e)) {
        out.push([s, e]);
        from = e > s ? e : e + 1;
      } else {
        from = s + 1;
      }
    }
    return out;
  }

  /** Whether a path (for file-name search) matches, and where. */
  pathRanges(p: string): [number, number][] {
    return this.lineRanges(p);
  }

  /**
   * The matching lines of `text` after line `afterLine` (1-based; 0 for all), with `context` lines around each, one
   * at a time (the caller stops when its limits are reached).
   */
  *lines(text: string, afterLine: number, context: number): Generator<LineMatch> {
    if (text === '') return;
    let lineNo = 1;
    let lineStart = 0;
    // Skip to the first line after the cursor.
    while (lineNo <= afterLine) {
      const nl = text.indexOf('\n', lineStart);
      if (nl === -1) return;
      lineStart = nl + 1;
      lineNo++;
    }
    const m = this.re?.matcher(text);
    let from = lineStart;
    while (from <= text.length) {
      let hit: number;
      if (this.literal !== undefined) hit = text.indexOf(this.literal, from);
      else hit = m!.find(from) ? m!.start() : -1;
      if (hit === -1) return;
      // Advance the line count to the line holding the hit.
      for (let nl = text.indexOf('\n', lineStart); nl !== -1 && nl < hit; nl = text.indexOf('\n', lineStart)) {
        lineStart = nl + 1;
        lineNo++;
      }
      const nl = text.indexOf('\n', lineStart);
      const lineEnd = nl === -1 ? text.length : nl;
      if (hit === text.length && lineStart === text.length && text.length > 0) return; // past the final newline
      const line = text.slice(lineStart, lineEnd);
      const ranges = this.lineRanges(line);
      if (ranges.length > 0) {
        const match: LineMatch = {
          line: lineNo,
          column: Buffer.byteLength(line.slice(0, ranges[0]![0])) + 1,
          text: line,
          ranges,
        };
        if (context > 0) {
          match.before = linesBefore(text, lineStart, context);
          match.after = linesAfter(text, lineEnd, context);
        }
        yield match;
      }
      if (nl === -1) return;
      from = nl + 1;
      lineStart = nl + 1;
      lineNo++;
    }
  }
}

function linesBefore(text: string, lineStart: number, n: number): string[] {
  const out: string[] = [];
  let end = lineStart - 1; // the newline before this line
  while (out.length < n && end >= 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    out.unshift(text.slice(start, end));
    end = start - 1;
  }
  return out;
}

function linesAfter(text: string, lineEnd: number, n: number): string[] {
  const out: string[] = [];
  let start = lineEnd + 1;
  while (out.length < n && start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    out.push(text.slice(start, end));
    start = end + 1;
  }
  return out;
}
