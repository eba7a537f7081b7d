import { describe, expect, it } from 'vitest';
import { explainLines } from './explain.js';

const TS = `import fs from 'node:fs/promises';

/** Loads the user's settings. */
export async function loadSettings(dir: string, fallback = 'default'): Promise<string> {
  const text = await fs.readFile(\`\${dir}/settings.json\`, 'utf8');
  if (!text) throw new Error('empty settings');
  return parse(text) ?? fallback;
}

function parse(text: string): string | undefined {
  return JSON.parse(text).name;
}

export const answer = 42;
`;

describe('explainLines (offline)', () => {
  it('states the function, its parameters, what it awaits, calls, returns and throws, all read off the code', async () => {
    const files = new Map([['src/settings.ts', TS]]);
    const e = await explainLines(files, 'src/settings.ts', 5, 6);
    expect(e.declaration).toEqual({ name: 'loadSettings', kind: 'function', line: 4 });
    expect(e.calls).toEqual(['fs.readFile', 'parse']);
    expect(e.text).toContain('**`loadSettings`** — function at src/settings.ts:4');
    expect(e.text).toContain('- `dir`: `string`');
    expect(e.text).toContain('`fallback`');
    expect(e.text).toContain("Defaults to `'default'`");
    expect(e.text).toContain("Its doc comment says: “Loads the user's settings.”");
    expect(e.text).toContain('Calls `fs.readFile` and `parse`.');
    expect(e.text).toMatch(/Throws `Error`/);
    // Nothing beyond what the code says: every backticked name in the answer is in the source.
    for (const [, code] of e.text.matchAll(/`([A-Za-z_][\w.]*)`/g)) expect(TS).toContain(code!.split('.').at(-1));
  });

  it('a one-return function shows its expression; a recursive head is not a call', async () => {
    const files = new Map([['src/settings.ts', TS]]);
    const e = await explainLines(files, 'src/settings.ts', 11, 11);
    expect(e.declaration?.name).toBe('parse');
    expect(e.text).toContain('Its body is one return: `JSON.parse(text).name`.');
    expect(e.calls).toEqual(['JSON.parse']);
  });

  it('lines outside any declaration, and languages it does not read, get only the calls seen', async () => {
    const outside = await explainLines(new Map([['src/settings.ts', TS]]), 'src/settings.ts', 15, 15);
    expect(outside.declaration).toBeNull();
    expect(outside.text).toContain('No function or type declaration of src/settings.ts spans src/settings.ts:15.');
    const rb = await explainLines(new Map([['x.rb', 'def go\n  puts(compute(1))\nend\n']]), 'x.rb', 2, 2);
    expect(rb.declaration).toBeNull();
    expect(rb.calls).toEqual(['puts', 'compute']);
    expect(rb.text).toContain('does not read this file');
  });

  it('reads Python too', async () => {
    const py = 'def total(items, tax=0.2):\n    """Sum with tax."""\n    return sum(items) * (1 + tax)\n';
    const e = await explainLines(new Map([['m.py', py]]), 'm.py', 1, 3);
    expect(e.declaration?.name).toBe('total');
    expect(e.calls).toEqual(['sum']);
    expect(e.text).toContain('`tax`');
  });
});
