/** A generated TypeScript project, and what a rename of its shared function must change. */
export interface GeneratedProject {
  files: Map<string, string>;
  /** The file declaring `formatAmount`, and the 1-based line of the declaration. */
  declaring: string;
  line: number;
  symbol: string;
  /** Every file a complete rename of `formatAmount` changes: the declaring file and each importer, sorted. */
  users: string[];
  /** Files with a local function of the same name that is not the shared one: a rename leaves them alone. */
  lookalikes: string[];
}

/**
 * A TypeScript project of `modules` files under `src/mods/` (plus `src/money.ts`, `package.json` and
 * `tsconfig.json`): each module imports its predecessor, every 50th and the last one import and call
 * `formatAmount` from `src/money.ts`, every 97th declares an unrelated local `formatAmount`. In `git ls-tree`
 * order the declaring file comes after every module, so a reader that stops after N files misses it and the
 * importers past N.
 */
export function generatedProject(modules: number): GeneratedProject {
  const files = new Map<string, string>();
  const name = (i: number) => `m${String(i).padStart(4, '0')}`;
  files.set('package.json', `${JSON.stringify({ name: 'generated', private: true, type: 'module' }, null, 2)}\n`);
  files.set(
    'tsconfig.json',
    `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true }, include: ['src'] }, null, 2)}\n`,
  );
  files.set(
    'src/money.ts',
    [
      '/** Cents as a price: 1234 → "12.34". */',
      'export function formatAmount(cents: number): string {',
      '  return `${Math.trunc(cents / 100)}.${String(Math.abs(cents) % 100).padStart(2, "0")}`;',
      '}',
      '',
    ].join('\n'),
  );
  const users = ['src/money.ts'];
  const lookalikes: string[] = [];
  for (let i = 0; i < modules; i++) {
    const path = `src/mods/${name(i)}.ts`;
    const uses = i % 50 === 0 || i === modules - 1;
    const lookalike = !uses && i % 97 === 0;
    const lines = [
      ...(uses ? ["import { formatAmount } from '../money.js';"] : []),
      ...(i > 0 ? [`import { total as previous } from './${name(i - 1)}.js';`] : []),
      '',
      `/** The running total of module ${i}. */`,
      `export function total(): number {`,
      `  return ${i > 0 ? 'previous() + ' : ''}${i % 7};`,
      '}',
      '',
      ...(uses ? [`export const label = (): string => formatAmount(total());`, ''] : []),
      ...(lookalike
        ? [
            '// Not the shared one: its own local function, which a rename of the shared one leaves alone.',
            'function formatAmount(value: string): string {',
            '  return value.trim();',
            '}',
            `export const tag = formatAmount(' ${name(i)} ');`,
            '',
          ]
        : []),
    ];
    files.set(path, lines.join('\n'));
    if (uses) users.push(path);
    if (lookalike) lookalikes.push(path);
  }
  return { files, declaring: 'src/money.ts', line: 2, symbol: 'formatAmount', users: users.sort(), lookalikes };
}
