import { describe, expect, it } from 'vitest';
import { LineMatcher, linearSource } from './matcher.js';

describe('line matching', () => {
  it('runs RE2 patterns on V8’s linear engine only when they mean the same there', () => {
    expect(linearSource('res\\.send\\w*\\(', false)).toBe('res\\.send\\w*\\(');
    expect(linearSource('a\\sb[\\s-]', false)).toBe('a[\\t\\n\\f\\r ]b[\\t\\n\\f\\r -]');
    expect(linearSource('[\\s-a]', false)).toBeUndefined();
    expect(linearSource('Foo[A-Z]', true)).toBe('foo[a-z]');
    for (const p of ['(?i)x', '(?P<n>x)', '\\pL', '[[:alpha:]]', '\\Ax', 'x\\z', '\\x41', '[]a]', '[A-z]']) {
      expect(linearSource(p, true), p).toBeUndefined();
    }
    expect(linearSource('é', true)).toBeUndefined();
    expect(linearSource('é', false)).toBe('é');
  });

  it('finds the same lines and ranges natively as with RE2JS (random patterns and texts)', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const atoms = [
      'a',
      'b',
      'A',
      'ab',
      '.',
      '[ab]',
      '[^a]',
      '[a-c]',
      '\\w',
      '\\W',
      '\\d',
      '\\s',
      '\\S',
      '\\b',
      '^',
      '$',
    ];
    const gen = (depth: number): string => {
      const r = rand(depth > 2 ? 2 : 6);
      if (r < 2) return atoms[rand(atoms.length)]!;
      if (r === 2) return gen(depth + 1) + gen(depth + 1);
      if (r === 3) return `(${gen(depth + 1)}|${gen(depth + 1)})`;
      if (r === 4) return `(?:${gen(depth + 1)})${['*', '+', '?', '{2}', '{1,3}', '*?'][rand(6)]}`;
      return gen(depth + 1) + gen(depth + 1) + gen(depth + 1);
    };
    const alphabet = ['a', 'b', 'c', 'A', 'B', ' ', '\t', '\r', '1', '_', 'é', '-'];
    let compared = 0;
    for (let n = 0; n < 1500; n++) {
      const q = gen(0);
      const ignoreCase = rand(3) === 0;
      const word = rand(5) === 0;
      const native = new LineMatcher({ q, regex: true, ignoreCase, word });
      const re2 = new LineMatcher({ q, regex: true, ignoreCase, word, native: false });
      let text = '';
      for (let k = rand(40); k > 0; k--) text += rand(8) === 0 ? '\n' : alphabet[rand(alphabet.length)];
      const a = [...native.lines(text, 0, 0)];
      const b = [...re2.lines(text, 0, 0)];
      expect(a, `/${q}/${ignoreCase ? 'i' : ''}${word ? ' word' : ''} on ${JSON.stringify(text)}`).toEqual(b);
      compared += a.length;
    }
    expect(compared).toBeGreaterThan(500);
  });
});
