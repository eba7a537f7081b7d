import { describe, expect, it } from 'vitest';
import { matchSegments } from './highlight.js';

const fixed = { regex: false, matchCase: false };

describe('matchSegments', () => {
  it('finds every occurrence of a fixed string, ignoring case unless asked', () => {
    expect(matchSegments('Etag etag ETAG', 'etag', fixed)).toEqual([
      { text: 'Etag', match: true },
      { text: ' ', match: false },
      { text: 'etag', match: true },
      { text: ' ', match: false },
      { text: 'ETAG', match: true },
    ]);
    expect(matchSegments('Etag etag', 'etag', { regex: false, matchCase: true })).toEqual([
      { text: 'Etag ', match: false },
      { text: 'etag', match: true },
    ]);
  });

  it('treats a fixed string literally (no regular expression meaning)', () => {
    expect(matchSegments('a.b axb', 'a.b', fixed)).toEqual([
      { text: 'a.b', match: true },
      { text: ' axb', match: false },
    ]);
  });

  it('matches a regular expression, skipping empty matches', () => {
    expect(matchSegments('res.send(200)', 'se[a-z]+', { regex: true, matchCase: true })).toEqual([
      { text: 'res.', match: false },
      { text: 'send', match: true },
      { text: '(200)', match: false },
    ]);
    expect(matchSegments('abc', 'x*', { regex: true, matchCase: true })).toEqual([{ text: 'abc', match: false }]);
  });

  it('leaves the line as it is when JavaScript cannot read the expression', () => {
    expect(matchSegments('a(b', '(?<', { regex: true, matchCase: false })).toEqual([{ text: 'a(b', match: false }]);
  });

  it('keeps markup as plain text pieces', () => {
    expect(
      matchSegments('<b>x</b>', 'x', fixed)
        .map((s) => s.text)
        .join(''),
    ).toBe('<b>x</b>');
  });
});
