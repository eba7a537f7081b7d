import v8 from 'node:v8';
import { RE2JS, RE2JSException } from 're2js';
import { countLinesHolding } from './count-lines.js';
import { documentStarts } from './format.js';

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
  /** Use V8's linear engine when the pattern means the same there (default true; false: RE2JS always). */
  native?: boolean;
}

const WORD = /[A-Za-z0-9_]/;
const NL = 10;
/**
 * A file decoded whole for a pattern is decoded in pieces of about this many bytes (cut after a newline) when no
 * context is asked: a piece's text stays a young, small string (V8 puts strings over 128 KiB in its large-object
 * space, freed only by a full collection: a scan of a gigabyte of large files grew the heap by hundreds of MB).
 */
const PIECE_BYTES = 32 * 1024;

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/**
 * The longest run of literal characters that every match of an RE2 pattern contains (case-sensitive), or undefined
 * when the pattern does not make one plain: an alternation or flags at its top level, `\Q…\E`. Conservative: any
 * group, class, escape of a letter or digit, `.` or anchor ends a run, and a character followed by `?`, `*` or a
 * `{` count leaves it. A line without the run cannot match, so only lines holding it need the regex.
 */
export function requiredLiteral(pattern: string): string | undefined {
  let best = '';
  let run = '';
  let depth = 0;
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (depth > 0) {
      if (c === '\\') i++;
      else if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === '[') i = classEnd(pattern, i);
      continue;
    }
    let lit: string | undefined;
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined || n === 'Q' || /[0-9]/.test(n)) return undefined; // \Q…\E, octal escapes
      i++;
      if (/[!-/:-@[-`{-~]/.test(n)) lit = n;
      else if (/[pP]/.test(n) && pattern[i + 1] === '{') i = pattern.indexOf('}', i);
      else if (/[pP]/.test(n)) i++;
      else if (n === 'x' && pattern[i + 1] === '{') i = pattern.indexOf('}', i);
      else if (n === 'x') i += 2;
    } else if (c === '|') {
      return undefined;
    } else if (c === '(') {
      if (pattern[i + 1] === '?' && pattern[i + 2] !== ':' && pattern[i + 2] !== 'P' && pattern[i + 2] !== '<')
        return undefined; // flags such as (?i) change what the rest means
      end();
      depth = 1;
      continue;
    } else if (c === '[') {
      i = classEnd(pattern, i);
    } else if (c === '{') {
      i = pattern.indexOf('}', i); // a count after a group or class (or a literal brace: then a run just ends)
    } else if (!'.^$?*+{}'.includes(c)) {
      lit = c;
      // A surrogate pair is one character.
      if (c >= '\uD800' && c <= '\uDBFF' && i + 1 < pattern.length) lit += pattern[++i];
    }
    if (i < 0) return undefined;
    const q = pattern[i + 1];
    if (lit === undefined) {
      end();
    } else if (q === '?' || q === '*' || q === '{') {
      end();
    } else if (q === '+') {
      run += lit;
      end();
    } else {
      run += lit;
    }
    // A quantifier's own characters (and a lazy `?` after it) are not literals.
    if (q === '?' || q === '*' || q === '+') {
      i++;
      if (pattern[i + 1] === '?') i++;
    } else if (q === '{') {
      i = pattern.indexOf('}', i);
      if (i < 0) return undefined;
      if (pattern[i + 1] === '?') i++;
    }
  }
  end();
  return best === '' ? undefined : best;
}

/** The index of the `]` closing the class that opens at `i` (-1 when it never closes). */
function classEnd(pattern: string, i: number): number {
  let j = i + 1;
  if (pattern[j] === '^') j++;
  if (pattern[j] === ']') j++;
  for (; j < pattern.length; j++) {
    if (pattern[j] === '\\') j++;
    else if (pattern[j] === '[' && pattern[j + 1] === ':') {
      const close = pattern.indexOf(':]', j + 2);
      if (close < 0) return -1;
      j = close + 1;
    } else if (pattern[j] === ']') return j;
  }
  return -1;
}

/** Compiles a pattern with RE2 semantics (linear time); an invalid one is a SearchQueryError with RE2's message. */
function compile(pattern: string, ignoreCase: boolean): RE2JS {
  try {
    return RE2JS.compile(pattern, RE2JS.MULTILINE | (ignoreCase ? RE2JS.CASE_INSENSITIVE : 0));
  } catch (err) {
    if (err instanceof RE2JSException) throw new SearchQueryError(`q: not a valid regular expression (${err.message})`);
    throw err;
  }
}

let linearEngine: boolean | undefined;

/**
 * Whether V8's native regular expressions can run RE2 patterns in bounded time: its backtracking engine (fast, some
 * 100 times RE2JS's speed) with the fallback to its linear-time engine once a match backtracks too much
 * (`--enable-experimental-regexp-engine-on-excessive-backtracks`), so `(a*)*b` stays linear. Only patterns the
 * linear engine accepts are run this way (checked with its `l` flag). Enabled once per process.
 */
function hasLinearEngine(): boolean {
  if (linearEngine === undefined) {
    try {
      v8.setFlagsFromString('--enable-experimental-regexp-engine');
      v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
      linearEngine = new RegExp('a(b|c)*', LINEAR).test('abc');
    } catch {
      linearEngine = false;
    }
  }
  return linearEngine;
}

/** ASCII upper case to lower case; the length (and every offset) stays the same. */
function foldAscii(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : text;
}

const PUNCT = /^[!-/:-@[-`{-~]$/;
const SURROGATE = /[\uD800-\uDFFF]/;
// The flag of V8's linear engine (unknown to linters: it exists once the engine is enabled).
const LINEAR = 'l';

/**
 * The JavaScript source of an RE2 pattern that means exactly the same on one line of text, or undefined when the
 * pattern uses anything whose meaning differs between the two (or that V8's linear engine lacks): named groups,
 * flags, Unicode classes, POSIX classes, \A, \z, \x…, astral characters, and with `fold` any non-ASCII character
 * (the text is then folded to ASCII lower case, and so are the pattern's letters). RE2JS has validated it already.
 */
export function linearSource(pattern: string, fold: boolean, inText = false): string | undefined {
  let out = '';
  // Over a whole text (finding candidate lines), nothing may cross a newline: a match within a line never holds
  // one, and `.*` or `[^x]*` running on to the text's end from every candidate made a scan quadratic.
  const nl = inText ? '' : '\\n';
  const lit = (c: string) => (fold ? c.toLowerCase() : c);
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const code = c.charCodeAt(0);
    if (code > 0x7f && (fold || (code >= 0xd800 && code <= 0xdfff))) return undefined;
    if (c === '\\') {
      const e = pattern[++i];
      if (e === undefined) return undefined;
      if (inText && e === 'W') out += '[^\\w\\n]';
      else if (inText && e === 'D') out += '[^\\d\\n]';
      else if ('dDwWbB'.includes(e)) out += `\\${e}`;
      else if (e === 's') out += `[\\t${nl}\\f\\r ]`;
      else if (e === 'S') out += '[^\\t\\n\\f\\r ]';
      else if ('ntrfv'.includes(e)) out += `\\${e}`;
      else if (PUNCT.test(e)) out += `\\${e}`;
      else return undefined;
    } else if (c === '[') {
      let j = i + 1;
      let cls = '[';
      if (pattern[j] === '^') {
        cls += '^';
        j++;
      }
      if (pattern[j] === ']') return undefined; // RE2's leading literal ], JavaScript's empty class
      for (; j < pattern.length && pattern[j] !== ']'; j++) {
        const k = pattern[j]!;
        const kc = k.charCodeAt(0);
        if (kc > 0x7f && (fold || (kc >= 0xd800 && kc <= 0xdfff))) return undefined;
        if (k === '\\') {
          const e = pattern[++j];
          if (e === undefined) return undefined;
          // A class escape next to a range's hyphen: an error in RE2, a literal hyphen in JavaScript.
          if ('dws'.includes(e) && pattern[j + 1] === '-' && pattern[j + 2] !== ']') return undefined;
          if ('dw'.includes(e)) cls += `\\${e}`;
          else if (e === 's') cls += `\\t${nl}\\f\\r `;
          else if ('ntrfv'.includes(e)) cls += `\\${e}`;
          else if (PUNCT.test(e)) cls += `\\${e}`;
          else return undefined;
        } else if (k === '[') {
          if (pattern[j + 1] === ':') return undefined;
          cls += '\\[';
        } else if (
          k === '-' &&
          fold &&
          /[A-Za-z]/.test(pattern[j - 1] ?? '') &&
          /[A-Za-z]/.test(pattern[j + 1] ?? '')
        ) {
          // A range of letters folds only when both ends are letters of the same case.
          const a = pattern[j - 1]!;
          const b = pattern[j + 1]!;
          if (a >= 'a' !== b >= 'a') return undefined;
          cls += '-';
        } else if (
          k === '-' &&
          fold &&
          /[A-Za-z]/.test(pattern[j - 1] ?? '') !== /[A-Za-z]/.test(pattern[j + 1] ?? '')
        ) {
          return undefined;
        } else {
          cls += lit(k);
        }
      }
      if (j >= pattern.length) return undefined;
      out += inText && cls.startsWith('[^') ? `${cls}\\n]` : `${cls}]`;
      i = j;
    } else if (c === '(') {
      if (pattern[i + 1] === '?') {
        if (pattern[i + 2] !== ':') return undefined;
        i += 2;
      }
      out += '(?:';
    } else if (c === '{') {
      const m = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i));
      if (m) {
        out += m[0];
        i += m[0].length - 1;
      } else out += '\\{';
    } else if (c === '}' || c === ']' || c === '/') {
      out += `\\${c}`;
    } else if (c === '.' && inText) {
      out += '[^\\n]';
    } else if ('|)*+?^$.'.includes(c)) {
      out += c;
    } else {
      out += lit(c);
    }
  }
  return out;
}

/** A pattern compiled for V8's linear engine: over whole texts (to find candidate lines) and over one line. */
interface LinearPattern {
  whole: RegExp;
  line: RegExp;
  fold: boolean;
}

function compileLinear(pattern: string, fold: boolean): LinearPattern | undefined {
  if (!hasLinearEngine()) return undefined;
  const source = linearSource(pattern, fold);
  const inText = linearSource(pattern, fold, true);
  if (source === undefined || inText === undefined) return undefined;
  try {
    // The linear engine must accept both, or a catastrophic case would have nothing to fall back to.
    new RegExp(source, LINEAR);
    new RegExp(inText, LINEAR);
    // `s`: a dot matches \r like RE2's (lines never hold \n); `m` for finding candidates in a whole text, where
    // nothing crosses a newline.
    return { whole: new RegExp(inText, 'gm'), line: new RegExp(source, 'gs'), fold };
  } catch {
    return undefined; // not linear in V8 (or not valid JavaScript): RE2JS then
  }
}

/**
 * Finds the lines of a text that match, with grep's semantics: a pattern matches within one line (never across a
 * newline), `^`/`$` are the line's ends, one result per line with every match in it.
 */
export class LineMatcher {
  private readonly literal: string | undefined;
  private readonly re: RE2JS | undefined;
  private readonly fast: LinearPattern | undefined;
  /** Bytes every matching line holds (case-sensitive searches), to find candidate lines without decoding. */
  private readonly anchor: Buffer | undefined;
  /** Text every matching line holds, in this case (case-sensitive searches): the index looks its trigrams up cased. */
  readonly required: string | undefined;

  constructor(private readonly opts: MatchOptions) {
    if (opts.q === '') throw new SearchQueryError('q: must not be empty');
    if (/[\n\r\0]/.test(opts.q)) throw new SearchQueryError('q: must be a single line');
    if (!opts.regex && !opts.ignoreCase) {
      this.literal = opts.q;
      // (A literal holding U+FFFD could match where invalid UTF-8 was decoded to it: that text is decoded whole.)
      if (!opts.q.includes('\uFFFD')) {
        this.anchor = Buffer.from(opts.q, 'utf8');
        this.required = opts.q;
      }
      return;
    }
    if (opts.regex && !opts.ignoreCase) {
      const run = requiredLiteral(opts.q);
      if (run !== undefined && run.length >= 2 && !run.includes('\uFFFD')) {
        this.anchor = Buffer.from(run, 'utf8');
        this.required = run;
      }
    }
    const pattern = opts.regex ? opts.q : RE2JS.quote(opts.q);
    // RE2 decides what is valid and what it means; V8's linear engine runs it when it means the same.
    this.re = compile(pattern, opts.ignoreCase === true);
    if (opts.native !== false)
      this.fast = compileLinear(opts.regex ? opts.q : escapeRegExp(opts.q), opts.ignoreCase === true);
  }

  private isWord(text: string, start: number, end: number): boolean {
    if (end === start) return false;
    return !(start > 0 && WORD.test(text[start - 1]!)) && !(end < text.length && WORD.test(text[end]!));
  }

  /** Every match in one line (no newline in it), [start, end) pairs; empty when the line does not match. */
  lineRanges(line: string, native = true): [number, number][] {
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
    if (this.fast && native) {
      const re = this.fast.line;
      const subject = this.fast.fold ? foldAscii(line) : line;
      re.lastIndex = 0;
      for (let m = re.exec(subject); m; m = re.exec(subject)) {
        const s = m.index;
        const e = s + m[0].length;
        if (!this.opts.word || this.isWord(line, s, e)) {
          out.push([s, e]);
          re.lastIndex = e > s ? e : e + 1;
        } else {
          re.lastIndex = s + 1;
        }
        if (re.lastIndex > subject.length) break;
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
    return this.lineRanges(p, !SURROGATE.test(p));
  }

  /**
   * The matching lines of a blob's bytes (UTF-8), like `lines` on its text. A case-sensitive literal is found in the
   * bytes themselves (UTF-8 is self-synchronizing: the literal's bytes occur exactly where the literal does in the
   * decoded text), and only the lines that hold it are decoded: most candidate files of a trigram query do not
   * match, and decoding whole files was most of a rare query's time. Anything else decodes the text.
   */
  *linesOf(
    bytes: Buffer,
    afterLine: number,
    context: number,
    decode: () => string = () => bytes.toString('utf8'),
  ): Generator<LineMatch> {
    const needle = this.anchor;
    if (needle === undefined) {
      if (context > 0 || bytes.length <= PIECE_BYTES) yield* this.lines(decode(), afterLine, context);
      else yield* this.piecewise(bytes, afterLine);
      return;
    }
    let lineNo = 1;
    let lineStart = 0;
    while (lineNo <= afterLine) {
      const nl = bytes.indexOf(NL, lineStart);
      if (nl === -1) return;
      lineStart = nl + 1;
      lineNo++;
    }
    let from = lineStart;
    while (from < bytes.length) {
      const hit = bytes.indexOf(needle, from);
      if (hit === -1) return;
      for (let nl = bytes.indexOf(NL, lineStart); nl !== -1 && nl < hit; nl = bytes.indexOf(NL, lineStart)) {
        lineStart = nl + 1;
        lineNo++;
      }
      const nl = bytes.indexOf(NL, lineStart);
      const lineEnd = nl === -1 ? bytes.length : nl;
      const line = bytes.toString('utf8', lineStart, lineEnd);
      const ranges = this.lineRanges(line, !SURROGATE.test(line));
      if (ranges.length > 0) {
        const match: LineMatch = {
          line: lineNo,
          column: Buffer.byteLength(line.slice(0, ranges[0]![0])) + 1,
          text: line,
          ranges,
        };
        if (context > 0) {
          match.before = bytesBefore(bytes, lineStart, context);
          match.after = bytesAfter(bytes, lineEnd, context);
        }
        yield match;
      }
      if (nl === -1) return;
      from = nl + 1;
      lineStart = nl + 1;
      lineNo++;
    }
  }

  /**
   * How many lines of a blob's bytes after line `afterLine` match, without building the matches: a literal's lines
   * are counted from its hits in the bytes (a whole-word or regex check decodes just the hit's line).
   */
  countOf(bytes: Buffer, afterLine: number, decode: () => string = () => bytes.toString('utf8')): number {
    const needle = this.anchor;
    if (needle === undefined) {
      let n = 0;
      const all = bytes.length <= PIECE_BYTES ? this.lines(decode(), afterLine, 0) : this.piecewise(bytes, afterLine);
      for (const _ of all) n++;
      return n;
    }
    let lineStart = 0;
    for (let line = 1; line <= afterLine; line++) {
      const nl = bytes.indexOf(NL, lineStart);
      if (nl === -1) return 0;
      lineStart = nl + 1;
    }
    // A plain literal's lines are the lines that hold its bytes: counted 16 bytes at a time.
    if (this.literal !== undefined && !this.opts.word) return countLinesHolding(bytes, lineStart, needle);
    let n = 0;
    for (let hit = bytes.indexOf(needle, lineStart); hit !== -1;) {
      const start = hit === 0 ? 0 : bytes.lastIndexOf(NL, hit - 1) + 1;
      const nl = bytes.indexOf(NL, hit);
      const end = nl === -1 ? bytes.length : nl;
      const line = bytes.toString('utf8', start, end);
      if (this.lineRanges(line, !SURROGATE.test(line)).length > 0) n++;
      if (nl === -1) break;
      hit = bytes.indexOf(needle, nl + 1);
    }
    return n;
  }

  /** `lines` of a large blob's text without context, decoded a piece of about PIECE_BYTES (whole lines) at a time. */
  private *piecewise(bytes: Buffer, afterLine: number): Generator<LineMatch> {
    let lineNo = 1;
    let start = 0;
    for (; lineNo <= afterLine; lineNo++) {
      const nl = bytes.indexOf(NL, start);
      if (nl === -1) return;
      start = nl + 1;
    }
    // Cut the way documents are (after the first newline past the size), so a piece never splits a line.
    const rest = bytes.subarray(start);
    const starts = documentStarts(rest, PIECE_BYTES);
    for (let k = 0; k < starts.length; k++) {
      const a = starts[k]!;
      const b = starts[k + 1] ?? rest.length;
      for (const m of this.lines(rest.toString('utf8', a, b), 0, 0)) {
        m.line += lineNo - 1;
        yield m;
      }
      for (let at = rest.indexOf(NL, a); at !== -1 && at < b; at = rest.indexOf(NL, at + 1)) lineNo++;
    }
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
    // JavaScript's `.` and negated classes match half of a character outside the BMP, RE2's the whole character: a
    // text holding one is matched by RE2JS.
    const native = this.fast !== undefined && !SURROGATE.test(text);
    const m = native ? undefined : this.re?.matcher(text);
    const whole = native ? this.fast!.whole : undefined;
    const subject = native && this.fast!.fold ? foldAscii(text) : text;
    let from = lineStart;
    while (from <= text.length) {
      let hit: number;
      if (this.literal !== undefined) hit = text.indexOf(this.literal, from);
      else if (whole) {
        whole.lastIndex = from;
        hit = whole.exec(subject)?.index ?? -1;
      } else hit = m!.find(from) ? m!.start() : -1;
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
      const ranges = this.lineRanges(line, native);
      if (ranges.length > 0) {
        const match: LineMatch = {
          line: lineNo,
          column: Buffer.byteLength(line.slice(0, ranges[0]![0])) + 1,
          text: own(line),
          ranges,
        };
        if (context > 0) {
          match.before = linesBefore(text, lineStart, context).map(own);
          match.after = linesAfter(text, lineEnd, context).map(own);
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

/**
 * A copy of `part` (a slice of a file's text) that does not hold on to the text: V8 makes a slice of 13 characters or
 * more a view of its parent, so a page of matches kept every file (or piece) they came from alive, hundreds of MB on
 * a scan of a large tree.
 */
function own(part: string): string {
  return part.length < 13 ? part : Buffer.from(part, 'utf8').toString('utf8');
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

function bytesBefore(bytes: Buffer, lineStart: number, n: number): string[] {
  const out: string[] = [];
  let end = lineStart - 1; // the newline before this line
  while (out.length < n && end >= 0) {
    const start = end === 0 ? 0 : bytes.lastIndexOf(NL, end - 1) + 1;
    out.unshift(bytes.toString('utf8', start, end));
    end = start - 1;
  }
  return out;
}

function bytesAfter(bytes: Buffer, lineEnd: number, n: number): string[] {
  const out: string[] = [];
  let start = lineEnd + 1;
  while (out.length < n && start < bytes.length) {
    const nl = bytes.indexOf(NL, start);
    const end = nl === -1 ? bytes.length : nl;
    out.push(bytes.toString('utf8', start, end));
    start = end + 1;
  }
  return out;
}
