import { describe, expect, it } from 'vitest';
import { placeInFile, placeInPrepared, prepareFile, similarity } from './anchoring.js';

const file = (...lines: string[]) => `${lines.join('\n')}\n`;
/** A module: the import, a blank line, `body`, a blank line, then `exports`. */
const source = (body: string[], exports = 'export { add };') => file('import x from "x";', '', ...body, '', exports);
const base = source(['function add(a, b) {', '  return a + b;', '}']);
const baseLines = base.trimEnd().split('\n');
/** `base` with `add` moved into a class below the export, re-indented. */
const movedIntoClass = [
  'import x from "x";',
  '',
  'export { add };',
  '',
  'class M {',
  '  function add(a, b) {',
  '    return a + b;',
  '  }',
  '}',
];
const anchor = { path: 'm.js', startLine: 3, endLine: 5, text: 'function add(a, b) {\n  return a + b;\n}' };

describe('placeInFile', () => {
  it('follows lines inserted above', () => {
    const next = file('// header', '// more', ...baseLines);
    expect(placeInFile(base, next, anchor)).toMatchObject({ status: 'current', startLine: 5, endLine: 7 });
  });

  it('finds the block moved elsewhere in the file, even re-indented', () => {
    const next = file(...movedIntoClass);
    expect(placeInFile(base, next, anchor)).toMatchObject({ status: 'moved', startLine: 6, endLine: 8 });
  });

  it('follows a slightly edited block', () => {
    const next = source(['function add(a, b, c = 0) {', '  return a + b + c;', '}']);
    const p = placeInFile(base, next, anchor);
    expect(p).toMatchObject({ status: 'edited', startLine: 3, endLine: 5 });
    expect(p.text).toContain('a + b + c');
  });

  it('marks a deleted block outdated instead of jumping to a look-alike', () => {
    const next = source(['function sub(a, b) {', '  return a - b;', '}'], 'export { sub };');
    const withOther = file(
      'import x from "x";',
      '',
      '',
      'export { add };',
      'function scale(x) {',
      '  return x * 3 + offset;',
      '}',
    );
    expect(placeInFile(base, withOther, anchor)).toMatchObject({ status: 'outdated', reason: 'deleted' });
    // Rewritten beyond recognition in place: also gone.
    const rewritten = source(['const table = new Map();', 'table.set(1, 2);', 'console.log(table);'], 'export {};');
    expect(placeInFile(base, rewritten, anchor)).toMatchObject({ status: 'outdated', reason: 'deleted' });
    expect(placeInFile(base, next, anchor).status).not.toBe('current');
  });

  it('keeps a single deleted line outdated even when similar lines exist', () => {
    const src = file('a();', 'b();', 'target(1);', 'c();');
    const next = file('a();', 'b();', 'c();', 'target(2);');
    const one = { path: 'f.js', startLine: 3, endLine: 3, text: 'target(1);' };
    // Deleted in place; `target(2);` elsewhere is 90% similar but one short line is no evidence that it moved.
    expect(placeInFile(src, next, one)).toMatchObject({ status: 'outdated', reason: 'deleted', startLine: 3 });
    const none = file('a();', 'b();', 'c();', 'other(9);');
    expect(placeInFile(src, none, one)).toMatchObject({ status: 'outdated', reason: 'deleted' });
  });

  it('does not move a deleted statement or brace onto a look-alike', () => {
    const src = file(
      'function a(x) {',
      '  if (!x) {',
      '    return null;',
      '  }',
      '  return x;',
      '}',
      '',
      'function b(y) {',
      '  return null;',
      '}',
    );
    const next = file('function a(x) {', '  return x;', '}', '', 'function b(y) {', '  return null;', '}');
    const ret = { path: 'f.js', startLine: 3, endLine: 3, text: '    return null;' };
    expect(placeInFile(src, next, ret)).toMatchObject({ status: 'outdated', reason: 'deleted' });
    const brace = { path: 'f.js', startLine: 4, endLine: 4, text: '  }' };
    expect(placeInFile(src, next, brace)).toMatchObject({ status: 'outdated', reason: 'deleted' });
    // Even when the look-alike is new: `return null;` alone is too common to say where the code went.
    const added = file('function a(x) {', '  return x;', '}', '', 'function c() {', '  return null;', '}');
    expect(placeInFile(src, added, ret)).toMatchObject({ status: 'outdated', reason: 'deleted' });
  });

  it('does not move a block to one of several identical copies', () => {
    const block = ['const total = items.reduce((s, i) => s + i.price, 0);', 'log(total);'];
    const rest = ['// one', '// two', '// three'];
    const src = file('// top', ...block, ...rest);
    const next = file('// top', ...rest, 'function x() {', ...block, '}', 'function y() {', ...block, '}');
    const a = { path: 'f.js', startLine: 2, endLine: 3, text: block.join('\n') };
    expect(placeInFile(src, next, a)).toMatchObject({ status: 'outdated', reason: 'deleted' });
    const once = file('// top', ...rest, 'function x() {', ...block, '}');
    expect(placeInFile(src, once, a)).toMatchObject({ status: 'moved', startLine: 6, endLine: 7 });
  });

  it('keeps every line of a block that grows', () => {
    const next = source([
      'function add(a, b) {',
      '  if (typeof a !== "number") throw new TypeError("a");',
      '  if (typeof b !== "number") throw new TypeError("b");',
      '  return a + b;',
      '}',
    ]);
    const p = placeInFile(base, next, anchor);
    expect(p).toMatchObject({ status: 'edited', startLine: 3, endLine: 7 });
    expect(p.text.split('\n')).toHaveLength(5);
  });
});

describe('placeInFile on large files', () => {
  // 4,000 lines of look-alike code, and a 60-line block in the middle of it.
  const words = ['user', 'order', 'invoice', 'session', 'cache', 'queue', 'render', 'parse', 'token', 'stream'];
  let seed = 1;
  const pick = () => words[((seed = (seed * 1664525 + 1013904223) >>> 0) >>> 8) % words.length]!;
  const big = Array.from(
    { length: 4000 },
    (_, i) => `  const ${pick()}${i % 97} = ${pick()}.${pick()}(${pick()}, ${i % 89});`,
  );
  const block = { path: 'big.ts', startLine: 2001, endLine: 2060, text: big.slice(2000, 2060).join('\n') };
  const without = (all: string[]) => file(...all.slice(0, 2000), ...all.slice(2060));

  it('compares no block when the anchor was deleted and no line of it is left anywhere', () => {
    // Every other line elsewhere changed too: the old code compared thousands of 60-line blocks here (seconds).
    const renamed = big.map((l, i) => (i % 2 ? l.replace('const', 'let') : l));
    for (const next of [without(big), without(renamed)]) {
      const stats = { compared: 0 };
      expect(placeInFile(file(...big), next, block, 'big.ts', { stats })).toMatchObject({
        status: 'outdated',
        reason: 'deleted',
      });
      expect(stats.compared).toBe(0);
    }
  });

  it('finds a block edited in place in a file whose every line changed, comparing only blocks near its place', () => {
    const stats = { compared: 0 };
    const renamed = big.map((l) => l.replace('const', 'let'));
    expect(placeInFile(file(...big), file(...renamed), block, 'big.ts', { stats })).toMatchObject({
      status: 'edited',
      startLine: 2001,
      endLine: 2060,
    });
    expect(stats.compared).toBeGreaterThan(0);
    expect(stats.compared).toBeLessThanOrEqual(17);
  });

  it('gives up past its deadline: outdated, too_costly, at the lines it had', () => {
    const renamed = big.map((l) => l.replace('const', 'let'));
    expect(placeInFile(file(...big), file(...renamed), block, 'big.ts', { deadline: performance.now() })).toMatchObject(
      { status: 'outdated', reason: 'too_costly', startLine: 2001, endLine: 2060, text: block.text },
    );
    // A placement that needs no search is not affected by the budget.
    expect(placeInFile(base, base, anchor, 'm.js', { deadline: performance.now() + 10_000 })).toMatchObject({
      status: 'current',
    });
  });
});

describe('prepareFile', () => {
  it('serves every anchor of a file from one diff, placing each as placeInFile does', () => {
    const src = file('// header', ...baseLines, '', 'function sub(a, b) {', '  return a - b;', '}');
    const next = file(
      '// header',
      '// inserted',
      ...movedIntoClass,
      '',
      'function sub(a, b, c = 0) {',
      '  return a - b - c;',
      '}',
    );
    const anchors = [
      { path: 'm.js', startLine: 1, endLine: 2, text: '// header\nimport x from "x";' },
      { path: 'm.js', startLine: 4, endLine: 6, text: anchor.text },
      { path: 'm.js', startLine: 10, endLine: 12, text: 'function sub(a, b) {\n  return a - b;\n}' },
    ];
    const prepared = prepareFile(src, next)!;
    const shared = anchors.map((a) => placeInPrepared(prepared, a));
    expect(shared).toEqual(anchors.map((a) => placeInFile(src, next, a)));
    expect(shared.map((p) => p.status)).toEqual(['edited', 'moved', 'edited']);
  });

  it('gives up past its deadline, and every anchor of the file is then too_costly', () => {
    expect(prepareFile(base, base.replace('return', 'return 0 +'), { deadline: performance.now() })).toBeUndefined();
  });
});

describe('similarity', () => {
  it('is a Levenshtein ratio', () => {
    expect(similarity('abc', 'abc')).toBe(1);
    expect(similarity('abcd', 'abce')).toBe(0.75);
    expect(similarity('', '')).toBe(1);
  });
});
