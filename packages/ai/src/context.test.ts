import { describe, expect, it } from 'vitest';
import { buildContext, buildContextDetailed } from './context.js';
import { loadFixture } from './testing/git.js';

const docs = loadFixture('docs');
const manifest = [...docs].map(([path, text]) => ({ path, size: text.length }));

/** Every line of the context is a header, a manifest line, a marker, or a whole line of one of the files. */
function unexplainedLines(text: string): string[] {
  const known = new Set([...docs.values()].flatMap((file) => file.split('\n')));
  return text
    .split('\n')
    .filter(
      (line) =>
        line !== '' &&
        !known.has(line) &&
        !/^=== .+ \(\d+ lines\) ===$/.test(line) &&
        !/^# Project files \(\d+\)$/.test(line) &&
        !/^\S+ {2}\d+$/.test(line) &&
        !/^… \d+ more files \(\d+ bytes\)$/.test(line) &&
        !/^\s*(\/\/|#) … \d+ (more )?lines? omitted \(.+\)$/.test(line),
    );
}

describe('buildContext', () => {
  it('includes the manifest and whole files when they fit', async () => {
    const text = await buildContext(docs, manifest, ['users.ts'], 100_000);
    expect(text.startsWith('# Project files (3)\n')).toBe(true);
    expect(text).toContain(`users.ts  ${docs.get('users.ts')!.length}\n`);
    expect(text).toContain(`=== users.ts (52 lines) ===\n${docs.get('users.ts')}`);
  });

  it('drops function bodies from the end first and keeps every signature', async () => {
    const full = docs.get('users.ts')!.length;
    const budget = 300 + full - 250;
    const result = await buildContextDetailed(docs, manifest, ['users.ts'], budget);
    expect(result.text.length).toBeLessThanOrEqual(budget);
    expect(unexplainedLines(result.text)).toEqual([]);
    const trimmed = result.trimmed[0]!;
    expect(trimmed.path).toBe('users.ts');
    expect(trimmed.declarations).toEqual([]);
    // The last bodies go first; the first function keeps its body.
    expect(trimmed.bodies[0]).toBe('save');
    expect(trimmed.bodies).not.toContain('fetchUser');
    expect(result.text).toContain('  save(user: User): void {\n    // … 3 lines omitted (body of save)\n  }');
    for (const signature of ['get(userId: string): User | undefined {', 'export const formatUserName']) {
      expect(result.text).toContain(signature);
    }
    expect(result.text).toContain('const res = await fetch(`${baseUrl}/users/${userId}`);');
  });

  it('drops whole declarations from the end when bodies are not enough, with one marker for neighbours', async () => {
    const budget = 700;
    const result = await buildContextDetailed(docs, [], ['users.ts'], budget);
    expect(result.text.length).toBeLessThanOrEqual(budget);
    expect(unexplainedLines(result.text)).toEqual([]);
    expect(result.trimmed[0]?.declarations.length).toBeGreaterThan(0);
    expect(result.text).toMatch(/\/\/ … \d+ lines omitted \(([\w]+, )+[\w]+\)\n$/);
    expect(result.text).toContain('export interface User {');
  });

  it('trims Python and Go at their own declaration boundaries with their own comment syntax', async () => {
    const result = await buildContextDetailed(docs, [], ['users.py', 'store.go'], 1400);
    expect(result.text.length).toBeLessThanOrEqual(1400);
    expect(unexplainedLines(result.text)).toEqual([]);
    expect(result.text).toMatch(/\n {8}# … \d+ lines omitted \(body of UserRepository\.get_user\)\n/);
    expect(result.text).toContain('def parse_config(text: str, strict: bool = True) -> dict:\n');
    expect(result.text).toMatch(
      /func \(s \*Store\) GetUser\(id int64\) \(\*User, error\) \{\n\t\/\/ … \d+ lines omitted \(body of GetUser\)\n\}/,
    );
  });

  it('shortens the manifest and leaves out files that do not fit at all', async () => {
    const big = Array.from({ length: 200 }, (_, i) => ({ path: `src/file-${i}.ts`, size: i * 10 }));
    const result = await buildContextDetailed(docs, big, ['users.ts', 'missing.ts'], 400);
    expect(result.text.length).toBeLessThanOrEqual(400);
    expect(result.text).toMatch(/… \d+ more files \(\d+ bytes\)\n/);
    expect(result.omittedManifestEntries).toBeGreaterThan(0);
    expect(result.omittedFiles).toContain('missing.ts');
    expect(unexplainedLines(result.text)).toEqual([]);
  });
});
