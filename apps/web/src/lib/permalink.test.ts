import { describe, expect, it } from 'vitest';
import { blobPath, formatLineHash, parseLineHash } from './permalink.js';

describe('line permalinks', () => {
  it('reads a line and a range, in either order, and refuses anything else', () => {
    expect(parseLineHash('#L7')).toEqual({ start: 7, end: 7 });
    expect(parseLineHash('#L10-L20')).toEqual({ start: 10, end: 20 });
    expect(parseLineHash('#L20-L10')).toEqual({ start: 10, end: 20 });
    for (const bad of ['', '#', '#L0', '#Lx', '#L1-', '#top']) expect(parseLineHash(bad), bad).toBeNull();
  });

  it('writes what it reads', () => {
    expect(formatLineHash({ start: 3, end: 3 })).toBe('#L3');
    expect(parseLineHash(formatLineHash({ start: 3, end: 9 }))).toEqual({ start: 3, end: 9 });
  });

  it('encodes each path segment but keeps the slashes', () => {
    expect(blobPath('p1', 'abc', 'lib/a b#c.js')).toBe('/projects/p1/blob/abc/lib/a%20b%23c.js');
  });
});
