import { afterEach, describe, expect, it, vi } from 'vitest';
import { Parser, Tree } from 'web-tree-sitter';
import { buildContextDetailed } from '../context.js';
import { documentFile, summarizeFile } from '../document.js';
import { loadFixture } from '../testing/git.js';
import { loadGrammar, withTree } from './tree-sitter.js';

const docs = loadFixture('docs');

/** Counts the trees and parsers made and freed while `run` runs (they live in wasm memory, never collected). */
async function countWasmObjects(run: () => Promise<unknown>) {
  await Promise.all([loadGrammar('python'), loadGrammar('go')]);
  const parse = vi.spyOn(Parser.prototype, 'parse');
  const setLanguage = vi.spyOn(Parser.prototype, 'setLanguage');
  const parserDelete = vi.spyOn(Parser.prototype, 'delete');
  const treeDelete = vi.spyOn(Tree.prototype, 'delete');
  try {
    await run();
  } catch {
    // Refusals count too: what matters here is what they leave behind.
  }
  const trees = parse.mock.results.filter((r) => r.type === 'return' && r.value).length;
  return {
    trees,
    treesFreed: treeDelete.mock.calls.length,
    parsers: setLanguage.mock.calls.length,
    parsersFreed: parserDelete.mock.calls.length,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('tree-sitter trees and parsers are freed', () => {
  it('by documentation and summaries of Python and Go files, which still place their comments', async () => {
    let python = '';
    let go = '';
    const counts = await countWasmObjects(async () => {
      python = (await documentFile(docs, 'users.py')).after;
      go = (await documentFile(docs, 'store.go')).after;
      await summarizeFile(docs, 'users.py');
      await summarizeFile(docs, 'store.go');
    });
    expect(counts.trees).toBeGreaterThanOrEqual(4);
    expect(counts.treesFreed).toBe(counts.trees);
    expect(counts.parsersFreed).toBe(counts.parsers);
    // The comments are placed from offsets read before the tree was freed.
    expect(python).not.toBe(docs.get('users.py'));
    expect(python).toMatch(/def \w+\([^)]*\)[^:]*:\n\s+"""/);
    expect(go).toMatch(/\n\/\/ \w+ [^\n]+\nfunc /);
  });

  it('by the context of a model request that trims Python and Go files', async () => {
    const manifest = [...docs].map(([path, text]) => ({ path, size: text.length }));
    const counts = await countWasmObjects(() => buildContextDetailed(docs, manifest, ['users.py', 'store.go'], 1_500));
    expect(counts.trees).toBeGreaterThanOrEqual(2);
    expect(counts.treesFreed).toBe(counts.trees);
    expect(counts.parsersFreed).toBe(counts.parsers);
  });

  it('when the code reading the tree throws', async () => {
    const counts = await countWasmObjects(() =>
      withTree('python', 'def f():\n    return 1\n', 'f.py', () => {
        throw new Error('reader failed');
      }),
    );
    expect(counts).toEqual({ trees: 1, treesFreed: 1, parsers: 1, parsersFreed: 1 });
  });
});
