import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { requiredLiteral } from './matcher.js';
import { and, caseOf, casedQuery, foldByte, literalQuery, regexpQuery, type TrigramQuery } from './query-plan.js';

/** The trigrams of a text as the index stores them, each with the set of cases it has there (see caseOf). */
function trigramsOf(text: string): Map<number, number> {
  const b = Buffer.from(text, 'utf8');
  const out = new Map<number, number>();
  for (let i = 0; i + 2 < b.length; i++) {
    const [x, y, z] = [foldByte(b[i]!), foldByte(b[i + 1]!), foldByte(b[i + 2]!)];
    const t = (x << 16) | (y << 8) | z;
    if (x !== 10 && y !== 10 && z !== 10) out.set(t, (out.get(t) ?? 0) | (1 << caseOf(b[i]!, b[i + 1]!, b[i + 2]!)));
  }
  return out;
}

function passes(q: TrigramQuery, tris: Map<number, number>): boolean {
  switch (q.op) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'tri':
      return tris.has(q.tri) && (q.case === undefined || (tris.get(q.tri)! & (1 << q.case)) !== 0);
    case 'and':
      return q.subs.every((s) => passes(s, tris));
    case 'or':
      return q.subs.some((s) => passes(s, tris));
  }
}

function show(q: TrigramQuery): string {
  switch (q.op) {
    case 'all':
    case 'none':
      return q.op.toUpperCase();
    case 'tri':
      return (
        JSON.stringify(String.fromCharCode(q.tri >> 16, (q.tri >> 8) & 255, q.tri & 255)) +
        (q.case === undefined ? '' : `/${q.case}`)
      );
    default:
      return `(${q.subs.map(show).join(q.op === 'and' ? ' ' : ' | ')})`;
  }
}

describe('regex to trigram query', () => {
  it('turns literals, alternations and classes into AND/OR of trigrams', () => {
    expect(show(literalQuery('Hello'))).toBe('("hel" "ell" "llo")');
    expect(show(regexpQuery('abc|xyz', false))).toBe('("abc" | "xyz")');
    expect(show(regexpQuery('res\\.send\\w*\\(', false))).toBe('("res" "es." "s.s" ".se" "sen" "end")');
    expect(show(regexpQuery('a[bc]d', false))).toBe('("abd" | "acd")');
  });

  it('looks up what a case-sensitive search needs in its case, beside the folded query', () => {
    // G, I, T upper: case 7; "itH": 1; non-letters carry no case.
    expect(show(casedQuery('GITHUB_x'))).toBe('("git"/7 "ith"/7 "thu"/7 "hub"/7 "ub_"/6 "b_x"/4)');
    expect(show(casedQuery('GitHub'))).toBe('("git"/4 "ith"/1 "thu"/2 "hub"/4)');
    expect(show(casedQuery('a.b1'))).toBe('("a.b"/0 ".b1"/0)');
    expect(show(casedQuery('12;'))).toBe('"12;"');
    expect(casedQuery('ab').op).toBe('all');
    // A trigram in a case replaces the same one in any case beside it in an AND.
    expect(show(and(regexpQuery('GITHUB\\w*IONS', false), casedQuery('GITHUB')))).toBe(
      '("ion" "ons" "git"/7 "ith"/7 "thu"/7 "hub"/7)',
    );
    const tris = trigramsOf('const githubActions = GitHub; // ions');
    expect(passes(casedQuery('GitHub'), tris)).toBe(true);
    expect(passes(casedQuery('GITHUB'), tris)).toBe(false);
    expect(passes(literalQuery('GITHUB'), tris)).toBe(true);
  });

  it('falls back to a scan only when there is no usable trigram', () => {
    expect(regexpQuery('\\d+', false).op).toBe('all');
    expect(regexpQuery('(a*)*b', false).op).toBe('all');
    expect(regexpQuery('ab.*cd', false).op).toBe('all');
    expect(regexpQuery('abc.*', false).op).not.toBe('all');
  });

  it('is sound: every text with a match passes its query (random expressions and texts)', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const atoms = ['a', 'b', 'c', 'A', 'ab', 'abc', '.', '[ab]', '[^a]', '\\w', '\\d', 'é', 'É', '\\b', '^', '$'];
    const gen = (depth: number): string => {
      const r = rand(depth > 2 ? 2 : 7);
      if (r < 2) return atoms[rand(atoms.length)]!;
      if (r === 2) return gen(depth + 1) + gen(depth + 1) + gen(depth + 1);
      if (r === 3) return `(${gen(depth + 1)}|${gen(depth + 1)})`;
      if (r === 4) return `(?:${gen(depth + 1)})${['*', '+', '?', '{2}', '{1,3}'][rand(5)]}`;
      if (r === 5) return `(?i:${gen(depth + 1)})`;
      return gen(depth + 1) + gen(depth + 1);
    };
    const alphabet = ['a', 'b', 'c', 'A', 'B', 'C', 'é', 'É', ' ', '1', '_', 'x'];
    let checked = 0;
    for (let n = 0; n < 3000; n++) {
      const pattern = gen(0);
      const ignoreCase = rand(4) === 0;
      const re = RE2JS.compile(pattern, RE2JS.MULTILINE | (ignoreCase ? RE2JS.CASE_INSENSITIVE : 0));
      // (As a search plans it: a case-sensitive one also needs its required run in that case.)
      const plan = ignoreCase
        ? regexpQuery(pattern, true)
        : and(regexpQuery(pattern, false), casedQuery(requiredLiteral(pattern) ?? ''));
      for (let t = 0; t < 20; t++) {
        let text = '';
        for (let k = rand(12); k > 0; k--) text += alphabet[rand(alphabet.length)];
        if (re.matcher(text).find()) {
          checked++;
          if (!passes(plan, trigramsOf(text))) {
            throw new Error(`unsound: /${pattern}/${ignoreCase ? 'i' : ''} matches ${JSON.stringify(text)}`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
