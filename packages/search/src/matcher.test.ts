import { describe, expect, it } from 'vitest';
import { LineMatcher, linearSource, requiredLiteral } from './matcher.js';

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

  it('matches a large file a piece at a time exactly as its whole text, from any line on', () => {
    // 100 KB over 4,000 lines (several 32 KiB pieces), some lines empty, some non-ASCII, no final newline.
    const lines = Array.from({ length: 4000 }, (_, i) =>
      i % 97 === 0 ? '' : `${i % 13 === 0 ? 'é ' : ''}line ${i} ${'x'.repeat(i % 17)} end${i % 7}`,
    );
    const text = lines.join('\n');
    const bytes = Buffer.from(text, 'utf8');
    for (const q of ['end[0-3]$', '^$', 'é line \\d+', 'x{16}']) {
      for (const ignoreCase of [false, true]) {
        const m = new LineMatcher({ q, regex: true, ignoreCase });
        for (const after of [0, 1234]) {
          const whole = [...m.lines(text, after, 0)];
          expect(whole.length, q).toBeGreaterThan(0);
          expect([...m.linesOf(bytes, after, 0)], q).toEqual(whole);
          expect(m.countOf(bytes, after), q).toBe(whole.length);
        }
      }
    }
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

  it('finds the same lines in bytes (through a required literal) as in the decoded text (random patterns)', () => {
    let seed = 11;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const atoms = ['abc', 'ab', 'c', 'é', '.', '[ab]', '\\w', '\\b', '^', '$', 'a+', 'b?', 'c*', '\\.', '\\(', '\\pL'];
    const gen = (depth: number): string => {
      const r = rand(depth > 2 ? 2 : 6);
      if (r < 2) return atoms[rand(atoms.length)]!;
      if (r === 2) return gen(depth + 1) + gen(depth + 1);
      if (r === 3) return `(${gen(depth + 1)}|${gen(depth + 1)})`;
      if (r === 4) return `(?:${gen(depth + 1)})${['*', '+', '?', '{2}', '{1,3}'][rand(5)]}`;
      return gen(depth + 1) + gen(depth + 1) + gen(depth + 1);
    };
    const alphabet = ['a', 'b', 'c', 'abc', 'é', '.', '(', ' ', '\n', 'A'];
    let anchored = 0;
    let compared = 0;
    for (let n = 0; n < 1500; n++) {
      const q = gen(0);
      const word = rand(5) === 0;
      const m = new LineMatcher({ q, regex: true, word });
      let text = '';
      for (let k = rand(60); k > 0; k--) text += alphabet[rand(alphabet.length)];
      const run = requiredLiteral(q);
      if (run !== undefined && run.length >= 2) anchored++;
      const context = rand(3);
      const expected = [...m.lines(text, 0, context)];
      expect([...m.linesOf(Buffer.from(text), 0, context)], `/${q}/ on ${JSON.stringify(text)}`).toEqual(expected);
      expect(m.countOf(Buffer.from(text), 0), `count /${q}/ on ${JSON.stringify(text)}`).toBe(expected.length);
      const literal = new LineMatcher({ q: atoms[rand(4)]!, word });
      expect(literal.countOf(Buffer.from(text), 1)).toBe([...literal.lines(text, 1, 0)].length);
      compared += expected.length;
    }
    expect(anchored).toBeGreaterThan(100);
    expect(compared).toBeGreaterThan(300);
  });
});

describe('requiredLiteral', () => {
  it('finds the longest run every match holds', () => {
    expect(requiredLiteral('create\\w*ntext\\b')).toBe('create');
    expect(requiredLiteral('foo\\.bar(baz)+qux')).toBe('foo.bar');
    expect(requiredLiteral('abcd?ef')).toBe('abc');
    expect(requiredLiteral('ab+cdef')).toBe('cdef');
    expect(requiredLiteral('x{2,3}hello[a-z]{2}w')).toBe('hello');
    expect(requiredLiteral('(?:abc)defg')).toBe('defg');
    expect(requiredLiteral('\\p{Greek}+word\\pLxy')).toBe('word');
    expect(requiredLiteral('[]a]bcd')).toBe('bcd');
  });

  it('gives none when the pattern does not make one plain', () => {
    expect(requiredLiteral('abc|def')).toBeUndefined();
    expect(requiredLiteral('(?i)abcdef')).toBeUndefined();
    expect(requiredLiteral('\\Qa.b\\E')).toBeUndefined();
    expect(requiredLiteral('\\123abc')).toBeUndefined();
    expect(requiredLiteral('.*')).toBeUndefined();
  });

  it('finds the same lines through the anchor as without it', () => {
    const text = 'const createAppContext = 1\nCreateAppContext\nfoo createXYZcontext\n\ncreate_ntext x';
    for (const q of ['create\\w*ntext\\b', 'App(Con)text', 'ntext$', '^create', 'e{1}ate']) {
      const m = new LineMatcher({ q, regex: true });
      expect([...m.linesOf(Buffer.from(text), 0, 1)]).toEqual([...m.lines(text, 0, 1)]);
    }
  });
});
