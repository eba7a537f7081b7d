import { describe, expect, it } from 'vitest';
import { renameSymbol } from './rename.js';
import { generatedProject } from './testing/generated-project.js';

// A scale test: `npm test` runs it, `npm run test:quick` (files named *.scale.test.ts are left out) does not.
describe('renameSymbol on a large project', () => {
  it('renames in every file of a generated 5,000-module project, past any 2,000th file, and leaves look-alikes', () => {
    const big = generatedProject(5000);
    expect(big.files.size).toBe(5003);
    const edits = renameSymbol(big.files, big.declaring, big.line, big.symbol, 'formatPrice');
    const changed = edits.map((e) => e.path).sort();
    expect(changed).toEqual(big.users);
    expect(changed).toContain('src/mods/m4999.ts');
    for (const edit of edits) {
      expect(edit.after).not.toMatch(/\bformatAmount\b/);
      expect(edit.after.split('formatPrice').length - 1).toBe(edit.before.split('formatAmount').length - 1);
    }
    for (const path of big.lookalikes) expect(changed).not.toContain(path);
  }, 120_000);
});
