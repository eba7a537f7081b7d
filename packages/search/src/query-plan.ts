/**
 * Turning a search into a trigram query, after Russ Cox's "Regular Expression Matching with a Trigram Index"
 * (Google Code Search, `index/regexp.go`): every regular expression is analysed into what its matches must contain
 * (exact strings, prefixes, suffixes) and that becomes an AND/OR tree of trigrams. The tree only has to be *sound*
 * (every blob with a match passes it); RE2 verifies each candidate afterwards, so whatever this analyser does not
 * understand it treats as "any string", which costs selectivity, never results.
 *
 * Strings here are byte strings (one char per UTF-8 byte, codes 0-255) with ASCII letters folded to lower case, as
 * the index stores them.
 */

/** A trigram query: `all` (no restriction), `none`, a trigram (3 bytes packed in 24 bits), or AND/OR of queries. */
export type TrigramQuery =
  | { op: 'all' }
  | { op: 'none' }
  | { op: 'tri'; tri: number; case?: number }
  | { op: 'and'; subs: TrigramQuery[] }
  | { op: 'or'; subs: TrigramQuery[] };

const ALL: TrigramQuery = { op: 'all' };
const NONE: TrigramQuery = { op: 'none' };

const MAX_EXACT = 7;
const MAX_SET = 20;

/** ASCII upper case to lower case, byte by byte (the index's folding). */
export function foldByte(b: number): number {
  return b >= 65 && b <= 90 ? b + 32 : b;
}

/**
 * The case of three bytes as the index keeps it for each trigram of a document: 4, 2 and 1 for an upper case ASCII
 * letter first, second and third (0 for `abc`, `a_c` or `a$c`, 5 for `AbC`). A posting holds the set of the cases the
 * document's occurrences of its trigram have (bit `1 << case`), so a case-sensitive search passes over documents
 * that hold `github` but not `GITHUB`.
 */
export function caseOf(a: number, b: number, c: number): number {
  const up = (x: number) => (x >= 65 && x <= 90 ? 1 : 0);
  return (up(a) << 2) | (up(b) << 1) | up(c);
}

/** Packs three bytes into a trigram. */
export function trigramOf(a: number, b: number, c: number): number {
  return (a << 16) | (b << 8) | c;
}

function keyOf(q: TrigramQuery): string {
  switch (q.op) {
    case 'all':
    case 'none':
      return q.op;
    case 'tri':
      return q.case === undefined ? `t${q.tri}` : `t${q.tri}c${q.case}`;
    default:
      return `${q.op}(${q.subs.map(keyOf).join(',')})`;
  }
}

function combine(op: 'and' | 'or', a: TrigramQuery, b: TrigramQuery): TrigramQuery {
  const absorbing = op === 'and' ? 'none' : 'all';
  const neutral = op === 'and' ? 'all' : 'none';
  if (a.op === absorbing || b.op === absorbing) return op === 'and' ? NONE : ALL;
  if (a.op === neutral) return b;
  if (b.op === neutral) return a;
  const subs: TrigramQuery[] = [];
  const seen = new Set<string>();
  for (const q of [a, b]) {
    for (const s of q.op === op ? q.subs : [q]) {
      const k = keyOf(s);
      if (!seen.has(k)) {
        seen.add(k);
        subs.push(s);
      }
    }
  }
  // (A trigram in a case makes the same trigram in any case redundant beside it.)
  const cased = new Set(subs.flatMap((s) => (s.op === 'tri' && s.case !== undefined ? [s.tri] : [])));
  const kept = op === 'and' ? subs.filter((s) => !(s.op === 'tri' && s.case === undefined && cased.has(s.tri))) : subs;
  return kept.length === 1 ? kept[0]! : { op, subs: kept };
}

/** AND of two queries, simplified. */
export function and(a: TrigramQuery, b: TrigramQuery): TrigramQuery {
  return combine('and', a, b);
}

/** OR of two queries, simplified. */
export function or(a: TrigramQuery, b: TrigramQuery): TrigramQuery {
  return combine('or', a, b);
}

// A newline never occurs inside a match (matching is line by line) and the index holds no trigram across one, so a
// string with a newline in it says nothing about what a match contains.
function andTrigrams(q: TrigramQuery, set: Set<string>): TrigramQuery {
  if (set.size === 0 || minLen(set) < 3) return q;
  let alt: TrigramQuery = NONE;
  for (const s of set) {
    let all: TrigramQuery = ALL;
    for (let i = 0; i + 3 <= s.length; i++) {
      const a = s.charCodeAt(i);
      const b = s.charCodeAt(i + 1);
      const c = s.charCodeAt(i + 2);
      if (a === 10 || b === 10 || c === 10) continue;
      all = and(all, { op: 'tri', tri: trigramOf(a, b, c) });
    }
    alt = or(alt, all);
  }
  return and(q, alt);
}

function minLen(set: Set<string>): number {
  let m = Infinity;
  for (const s of set) m = Math.min(m, s.length);
  return m === Infinity ? 0 : m;
}

function cross(a: Set<string>, b: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const x of a) for (const y of b) out.add(x + y);
  return out;
}

function union(a: Set<string>, b: Set<string>): Set<string> {
  return new Set([...a, ...b]);
}

interface Info {
  canEmpty: boolean;
  /** All the strings the expression can match, when they are few; null when unknown. */
  exact: Set<string> | null;
  /** Every match starts with one of these (meaningful when `exact` is null). */
  prefix: Set<string>;
  /** Every match ends with one of these (meaningful when `exact` is null). */
  suffix: Set<string>;
  match: TrigramQuery;
}

const anyString = (): Info => ({
  canEmpty: true,
  exact: null,
  prefix: new Set(['']),
  suffix: new Set(['']),
  match: ALL,
});
const anyChar = (): Info => ({
  canEmpty: false,
  exact: null,
  prefix: new Set(['']),
  suffix: new Set(['']),
  match: ALL,
});
const emptyString = (): Info => ({
  canEmpty: true,
  exact: new Set(['']),
  prefix: new Set(),
  suffix: new Set(),
  match: ALL,
});
const exactSet = (set: Set<string>): Info => ({
  canEmpty: set.has(''),
  exact: set,
  prefix: new Set(),
  suffix: new Set(),
  match: ALL,
});

function addExact(info: Info): void {
  if (info.exact) info.match = andTrigrams(info.match, info.exact);
}

function simplifySet(info: Info, set: Set<string>, isSuffix: boolean): Set<string> {
  info.match = andTrigrams(info.match, set);
  let s = set;
  for (let n = 3; n === 3 || s.size > MAX_SET; n--) {
    const next = new Set<string>();
    for (const str of s) {
      next.add(str.length >= n ? (isSuffix ? str.slice(str.length - n + 1) : str.slice(0, n - 1)) : str);
    }
    s = next;
    if (n <= 1) break;
  }
  return s;
}

function simplify(info: Info, force: boolean): void {
  const ex = info.exact;
  if (ex && (ex.size > MAX_EXACT || (minLen(ex) >= 3 && force) || minLen(ex) >= 4)) {
    addExact(info);
    for (const s of ex) {
      if (s.length < 3) {
        info.prefix.add(s);
        info.suffix.add(s);
      } else {
        info.prefix.add(s.slice(0, 2));
        info.suffix.add(s.slice(s.length - 2));
      }
    }
    info.exact = null;
  }
  if (!info.exact) {
    info.prefix = simplifySet(info, info.prefix, false);
    info.suffix = simplifySet(info, info.suffix, true);
  }
}

function concat(x: Info, y: Info): Info {
  const xy: Info = {
    canEmpty: x.canEmpty && y.canEmpty,
    exact: null,
    prefix: new Set(),
    suffix: new Set(),
    match: and(x.match, y.match),
  };
  if (x.exact && y.exact && x.exact.size * y.exact.size <= MAX_EXACT) {
    xy.exact = cross(x.exact, y.exact);
  } else {
    if (x.exact) xy.prefix = cross(x.exact, y.prefix);
    else xy.prefix = x.canEmpty ? union(x.prefix, y.prefix) : new Set(x.prefix);
    if (y.exact) xy.suffix = cross(x.suffix, y.exact);
    else xy.suffix = y.canEmpty ? union(y.suffix, x.suffix) : new Set(y.suffix);
    // x's exact strings / y's exact strings are otherwise lost: keep what they require.
    if (x.exact) addExactTo(xy, x.exact);
    if (y.exact) addExactTo(xy, y.exact);
  }
  if (!x.exact && !y.exact && x.suffix.size <= MAX_SET && y.prefix.size <= MAX_SET) {
    const joined = cross(x.suffix, y.prefix);
    if (minLen(joined) >= 3) xy.match = andTrigrams(xy.match, joined);
  }
  simplify(xy, false);
  return xy;
}

function addExactTo(info: Info, set: Set<string>): void {
  info.match = andTrigrams(info.match, set);
}

function alternate(x: Info, y: Info): Info {
  const xy: Info = {
    canEmpty: x.canEmpty || y.canEmpty,
    exact: null,
    prefix: new Set(),
    suffix: new Set(),
    match: ALL,
  };
  if (x.exact && y.exact) {
    xy.exact = union(x.exact, y.exact);
  } else if (x.exact) {
    xy.prefix = union(x.exact, y.prefix);
    xy.suffix = union(x.exact, y.suffix);
    addExact(x);
  } else if (y.exact) {
    xy.prefix = union(x.prefix, y.exact);
    xy.suffix = union(x.suffix, y.exact);
    addExact(y);
  } else {
    xy.prefix = union(x.prefix, y.prefix);
    xy.suffix = union(x.suffix, y.suffix);
  }
  xy.match = or(x.match, y.match);
  simplify(xy, false);
  return xy;
}

function plus(x: Info): Info {
  if (x.exact) return { ...x, prefix: new Set(x.exact), suffix: new Set(x.exact), exact: null };
  return x;
}

/** The UTF-8 bytes of a code point as a byte string, ASCII folded. */
function byteString(cp: number): string {
  const bytes = Buffer.from(String.fromCodePoint(cp), 'utf8');
  let s = '';
  for (const b of bytes) s += String.fromCharCode(foldByte(b));
  return s;
}

/** Whether a code point outside ASCII has another case (its folding is RE2's, not the index's). */
function hasOtherCase(cp: number): boolean {
  const c = String.fromCodePoint(cp);
  return c.toLowerCase() !== c || c.toUpperCase() !== c;
}

function literalInfo(cp: number, ignoreCase: boolean): Info {
  // Under case folding RE2 also matches the non-ASCII forms of a few letters (K: U+212A, ſ: U+017F), so a folded
  // letter is only a constraint on the index for the ASCII letters' own bytes; non-ASCII cased letters are wildcards.
  if (ignoreCase && cp > 127 && hasOtherCase(cp)) return anyChar();
  return exactSet(new Set([byteString(cp)]));
}

/** A parse error the analyser met; the caller reports RE2's own message instead (RE2 validates first). */
class Unsupported extends Error {}

/** Analyses an RE2 regular expression into the trigram query its matches satisfy. */
export function regexpQuery(pattern: string, ignoreCase: boolean): TrigramQuery {
  let info: Info;
  try {
    info = new Analyser(pattern, ignoreCase).parse();
  } catch (err) {
    if (err instanceof Unsupported) return ALL;
    throw err;
  }
  simplify(info, true);
  addExact(info);
  return info.match;
}

/** The trigram query of a literal string (case folded: the index is). */
export function literalQuery(text: string): TrigramQuery {
  const bytes = Buffer.from(text, 'utf8');
  let s = '';
  for (const b of bytes) s += String.fromCharCode(foldByte(b));
  return andTrigrams(ALL, new Set([s]));
}

/**
 * The trigram query of a string matched case-sensitively: its trigrams, each in the case it has here (see caseOf),
 * for those with a letter in them. ALL for a string under three bytes.
 */
export function casedQuery(text: string): TrigramQuery {
  const bytes = Buffer.from(text, 'utf8');
  let q: TrigramQuery = ALL;
  for (let i = 0; i + 3 <= bytes.length; i++) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1]!, bytes[i + 2]!];
    if (a === 10 || b === 10 || c === 10) continue;
    const tri = trigramOf(foldByte(a), foldByte(b), foldByte(c));
    const letter = [a, b, c].some((x) => (x | 32) >= 97 && (x | 32) <= 122);
    q = and(q, letter ? { op: 'tri', tri, case: caseOf(a, b, c) } : { op: 'tri', tri });
  }
  return q;
}

/** Whether a query needs no index (every blob is a candidate: a scan). */
export function isScan(q: TrigramQuery): boolean {
  return q.op === 'all';
}

class Analyser {
  private i = 0;
  constructor(
    private readonly src: string,
    private ignoreCase: boolean,
  ) {}

  parse(): Info {
    const info = this.alternation();
    if (this.i < this.src.length) throw new Unsupported('trailing');
    return info;
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private alternation(): Info {
    let info = this.concatenation();
    while (this.peek() === '|') {
      this.i++;
      info = alternate(info, this.concatenation());
    }
    return info;
  }

  private concatenation(): Info {
    let info = emptyString();
    while (this.i < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.repetition();
      if (atom === 'flags') continue;
      info = concat(info, atom);
    }
    return info;
  }

  private repetition(): Info | 'flags' {
    const atom = this.atom();
    if (atom === 'flags') return atom;
    let info = atom;
    for (;;) {
      const c = this.peek();
      if (c === '*') {
        this.i++;
        info = anyString();
      } else if (c === '+') {
        this.i++;
        info = plus(info);
      } else if (c === '?') {
        this.i++;
        info = alternate(info, emptyString());
      } else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
        if (!m) return info; // a literal brace, as RE2 reads it
        this.i += m[0].length;
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        if (min === 0) {
          info = max === 0 ? emptyString() : max === Infinity ? anyString() : alternate(plus(info), emptyString());
        } else {
          let rep = info;
          for (let k = 1; k < Math.min(min, 3); k++) rep = concat(rep, info);
          info = min > 3 || max !== min ? plus(rep) : rep;
        }
      } else {
        return info;
      }
      if (this.peek() === '?') this.i++; // non-greedy: the same strings
    }
  }

  private atom(): Info | 'flags' {
    const c = this.src[this.i]!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '.':
        this.i++;
        return anyChar();
      case '^':
      case '$':
        this.i++;
        return emptyString();
      case '\\':
        return this.escape();
      default: {
        const cp = this.src.codePointAt(this.i)!;
        this.i += cp > 0xffff ? 2 : 1;
        return this.literal(cp);
      }
    }
  }

  private literal(cp: number): Info {
    return literalInfo(cp, this.ignoreCase);
  }

  private group(): Info | 'flags' {
    this.i++;
    const outer = this.ignoreCase;
    if (this.src.startsWith('?', this.i)) {
      const named = /^\?P?<[A-Za-z0-9_]+>/.exec(this.src.slice(this.i));
      if (named) {
        this.i += named[0].length;
      } else {
        const flags = /^\?([a-zA-Z]*)(-([a-zA-Z]*))?([:)])/.exec(this.src.slice(this.i));
        if (!flags) throw new Unsupported('group');
        this.i += flags[0].length;
        let ic = this.ignoreCase;
        if (flags[1]!.includes('i')) ic = true;
        if ((flags[3] ?? '').includes('i')) ic = false;
        if (flags[4] === ')') {
          // (?i) holds until the end of the enclosing group.
          this.ignoreCase = ic;
          return 'flags';
        }
        this.ignoreCase = ic;
      }
    }
    const info = this.alternation();
    if (this.peek() !== ')') throw new Unsupported('unclosed');
    this.i++;
    this.ignoreCase = outer;
    return info;
  }

  private escape(): Info {
    const c = this.src[this.i + 1];
    if (c === undefined) throw new Unsupported('escape');
    this.i += 2;
    switch (c) {
      case 'b':
      case 'B':
      case 'A':
      case 'z':
        return emptyString();
      case 'd':
        return this.setOf([...'0123456789'].map((d) => d.charCodeAt(0)));
      case 'Q': {
        const end = this.src.indexOf('\\E', this.i);
        const text = this.src.slice(this.i, end === -1 ? undefined : end);
        this.i = end === -1 ? this.src.length : end + 2;
        let info = emptyString();
        for (const ch of text) info = concat(info, this.literal(ch.codePointAt(0)!));
        return info;
      }
      case 'p':
      case 'P':
        if (this.peek() === '{') this.i = this.src.indexOf('}', this.i) + 1 || this.src.length;
        else this.i++;
        return anyChar();
      case 'x': {
        const m = /^(\{([0-9a-fA-F]+)\}|[0-9a-fA-F]{2})/.exec(this.src.slice(this.i));
        if (!m) throw new Unsupported('hex');
        this.i += m[0].length;
        return this.literal(parseInt(m[2] ?? m[1]!, 16));
      }
      case 'n':
        return this.literal(10);
      case 't':
        return this.literal(9);
      case 'r':
        return this.literal(13);
      case 'f':
        return this.literal(12);
      case 'v':
        return this.literal(11);
      case 'a':
        return this.literal(7);
      default:
        if (/[0-7]/.test(c)) {
          const m = /^[0-7]{0,2}/.exec(this.src.slice(this.i))!;
          this.i += m[0].length;
          return this.literal(parseInt(c + m[0], 8));
        }
        if (/[A-Za-z0-9]/.test(c)) return anyChar(); // \w \s \D \W \S and the rest: many characters
        return this.literal(c.codePointAt(0)!);
    }
  }

  private setOf(cps: number[]): Info {
    const set = new Set<string>();
    for (const cp of cps) {
      const info = this.literal(cp);
      if (!info.exact) return anyChar();
      for (const s of info.exact) set.add(s);
    }
    return set.size > MAX_SET ? anyChar() : exactSet(set);
  }

  private charClass(): Info {
    // [...]: small positive classes become sets of strings; anything else (negated, named, ranges of more than a
    // few characters) matches "a character".
    this.i++;
    const negated = this.peek() === '^';
    if (negated) this.i++;
    const cps: number[] = [];
    let simple = true;
    let first = true;
    for (;;) {
      const c = this.src[this.i];
      if (c === undefined) throw new Unsupported('class');
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      let cp: number;
      if (c === '[' && this.src[this.i + 1] === ':') {
        const end = this.src.indexOf(':]', this.i + 2);
        if (end === -1) throw new Unsupported('class');
        this.i = end + 2;
        simple = false;
        continue;
      }
      if (c === '\\') {
        const e = this.src[this.i + 1];
        if (e === undefined) throw new Unsupported('class');
        const table: Record<string, number> = { n: 10, t: 9, r: 13, f: 12, v: 11, a: 7 };
        if (e in table) {
          cp = table[e]!;
          this.i += 2;
        } else if (e === 'x') {
          const m = /^\\x(\{([0-9a-fA-F]+)\}|[0-9a-fA-F]{2})/.exec(this.src.slice(this.i));
          if (!m) throw new Unsupported('hex');
          this.i += m[0].length;
          cp = parseInt(m[2] ?? m[1]!, 16);
        } else if (/[A-Za-z0-9]/.test(e)) {
          if ((e === 'p' || e === 'P') && this.src[this.i + 2] === '{') {
            this.i = this.src.indexOf('}', this.i) + 1 || this.src.length;
          } else this.i += e === 'p' || e === 'P' ? 3 : 2;
          simple = false;
          continue;
        } else {
          cp = e.codePointAt(0)!;
          this.i += 2;
        }
      } else {
        cp = this.src.codePointAt(this.i)!;
        this.i += cp > 0xffff ? 2 : 1;
      }
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.src[this.i + 1] !== undefined) {
        this.i++;
        let hi: number;
        if (this.src[this.i] === '\\') {
          const e = this.src[this.i + 1]!;
          if (/[A-Za-z0-9]/.test(e)) throw new Unsupported('range');
          hi = e.codePointAt(0)!;
          this.i += 2;
        } else {
          hi = this.src.codePointAt(this.i)!;
          this.i += hi > 0xffff ? 2 : 1;
        }
        if (hi - cp > MAX_SET) simple = false;
        else for (let k = cp; k <= hi; k++) cps.push(k);
      } else {
        cps.push(cp);
      }
    }
    if (negated || !simple || cps.length === 0) return anyChar();
    return this.setOf(cps);
  }
}
