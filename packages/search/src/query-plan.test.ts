import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { foldByte, literalQuery, regexpQuery, type TrigramQuery } from './query-plan.js';

/** The trigrams of a text as the index stores them. */
function trigramsOf(text: string): Set<number> {
  const b = Buffer.from(text, 'utf8');
  const out = new Set<number>();
  for (let i = 0; i + 2 < b.length; i++) {
    const [x, y, z] = [foldByte(b[i]!), foldByte(b[i + 1]!), foldByte(b[i + 2]!)];
    if (x !== 10 && y !== 10 && z !== 10) out.add((x << 16) | (y << 8) | z);
  }
  return out;
}

function passes(q: TrigramQuery, tris: Set<number>): boolean {
  switch (q.op) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'tri':
      return tris.has(q.tri);
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
      return JSON.stringify(String.fromCharCode(q.tri >> 16, (q.tri >> 8) & 255, q.tri & 255));
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
      const plan = regexpQuery(pattern, ignoreCase);
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
