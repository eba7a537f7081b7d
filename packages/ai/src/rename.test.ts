import { afterAll, describe, expect, it } from 'vitest';
import { reverseEdits, unifiedDiff } from './diff.js';
import { AiError } from './errors.js';
import { renameSymbol } from './rename.js';
import { cleanRepos, gitApply, loadFixture, readRepoFile, tempRepo, typecheck } from './testing/git.js';
import { type Edit } from './types.js';

afterAll(cleanRepos);

const project = loadFixture('rename-project');

function lineOf(path: string, needle: string): number {
  const index = project
    .get(path)!
    .split('\n')
    .findIndex((line) => line.includes(needle));
  if (index === -1) throw new Error(`${needle} is not in ${path}`);
  return index + 1;
}

/** Applies the edits with git to a copy of the project; returns the repository after checking it still compiles. */
function applyAndTypecheck(edits: readonly Edit[]): string {
  const dir = tempRepo(project);
  expect(typecheck(dir)).toBe('');
  gitApply(dir, unifiedDiff(edits));
  for (const edit of edits) expect(readRepoFile(dir, edit.path)).toBe(edit.after);
  expect(typecheck(dir)).toBe('');
  return dir;
}

function refusal(run: () => unknown): AiError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AiError);
    return error as AiError;
  }
  throw new Error('expected an AiError');
}

const after = (edits: readonly Edit[], path: string) => edits.find((edit) => edit.path === path)?.after;

describe('renameSymbol', () => {
  it('renames an exported function across its declaration, a re-export, imports, calls and namespace uses', () => {
    const edits = renameSymbol(
      project,
      'src/users/user.ts',
      lineOf('src/users/user.ts', 'export function formatUser'),
      'formatUser',
      'describeUser',
    );
    expect(edits.map((edit) => edit.path)).toEqual([
      'src/users/user.ts',
      'src/app.ts',
      'src/index.ts',
      'src/report.ts',
    ]);
    expect(edits[0]?.description).toBe('Rename formatUser to describeUser (1 place in src/users/user.ts)');
    expect(after(edits, 'src/index.ts')).toContain("export { describeUser, UserStore } from './users/user.js';");
    const report = after(edits, 'src/report.ts')!;
    expect(report).toContain("import { describeUser, type UserRecord, type UserStore } from './index.js';");
    expect(report).toContain('.map(describeUser);');
    // Strings and comments keep the old name; so does an unrelated local with the same name.
    expect(report).toContain("export const REPORT_TITLE = 'formatUser report';");
    expect(report).toContain("/** The name 'formatUser' in this string is data, not code. */");
    expect(after(edits, 'src/users/user.ts')).toContain(
      '// formatUser is mentioned in this comment and must stay as it is.',
    );
    const app = after(edits, 'src/app.ts')!;
    expect(app).toContain('const formatUser = (text: string) => text.toUpperCase();');
    expect(app).toContain('return formatUser(report(store');
    expect(app).toContain('export const first = users.describeUser(');
    applyAndTypecheck(edits);
  });

  it('renames a method through this.x and obj.x uses, starting from a call site in another file', () => {
    const edits = renameSymbol(
      project,
      'src/report.ts',
      lineOf('src/report.ts', 'store.lookup(id)'),
      'lookup',
      'findById',
    );
    const user = after(edits, 'src/users/user.ts')!;
    expect(user).toContain('  findById(id: string): UserRecord | undefined {');
    expect(user).toContain('this.findById(id) ?? []');
    expect(user).toContain('  lookupMany(ids: readonly string[]): UserRecord[] {');
    const report = after(edits, 'src/report.ts')!;
    expect(report).toContain('.map((id) => store.findById(id))');
    // A local arrow function that happens to be called lookup is another symbol.
    expect(report).toContain('const lookup = (id: string) => `#${id}`;');
    expect(report).toContain('return ids.map(lookup);');
    expect(after(edits, 'src/app.ts')).toContain("store.findById('1')");
    applyAndTypecheck(edits);
  });

  it('keeps a shorthand property working when its property is renamed', () => {
    const edits = renameSymbol(
      project,
      'src/users/user.ts',
      lineOf('src/users/user.ts', 'displayName: string'),
      'displayName',
      'fullName',
    );
    const app = after(edits, 'src/app.ts')!;
    expect(app).toContain("const displayName = 'Ada Lovelace';");
    expect(app).toContain("store.add({ id: '1', fullName: displayName });");
    expect(app).toContain("{ id: '0', fullName: 'nobody' }");
    expect(after(edits, 'src/users/user.ts')).toContain('return `${user.fullName} (${user.id})`;');
    applyAndTypecheck(edits);
  });

  it('keeps a shorthand property working when the variable is renamed', () => {
    const edits = renameSymbol(
      project,
      'src/app.ts',
      lineOf('src/app.ts', "const displayName = 'Ada"),
      'displayName',
      'authorName',
    );
    expect(edits).toHaveLength(1);
    expect(edits[0]?.after).toContain("const authorName = 'Ada Lovelace';");
    expect(edits[0]?.after).toContain("store.add({ id: '1', displayName: authorName });");
    applyAndTypecheck(edits);
  });

  it('refuses a new name that clashes with a binding in a file that imports the symbol', () => {
    const error = refusal(() =>
      renameSymbol(
        project,
        'src/users/user.ts',
        lineOf('src/users/user.ts', 'export function formatUser'),
        'formatUser',
        'report',
      ),
    );
    expect(error.code).toBe('name_collision');
    expect(error.details.some((detail) => detail.startsWith('src/report.ts:1: import { formatUser'))).toBe(true);
  });

  it('refuses a new name that is already a member of the class', () => {
    const error = refusal(() =>
      renameSymbol(project, 'src/report.ts', lineOf('src/report.ts', 'store.lookup(id)'), 'lookup', 'add'),
    );
    expect(error.code).toBe('name_collision');
    expect(error.message).toContain('Renaming lookup to add would clash');
    expect(error.details.join('\n')).toContain('add is already a member of UserStore');
  });

  it('refuses a local rename that would capture an outer name used in its scope', () => {
    const error = refusal(() =>
      renameSymbol(project, 'src/report.ts', lineOf('src/report.ts', 'const lookup ='), 'lookup', 'ids'),
    );
    expect(error.code).toBe('name_collision');
    expect(error.details.join('\n')).toContain('src/report.ts:15: return ids.map(lookup);');
  });

  it('refuses a module export that already exists', () => {
    const error = refusal(() =>
      renameSymbol(
        project,
        'src/users/user.ts',
        lineOf('src/users/user.ts', 'export function formatUser'),
        'formatUser',
        'UserStore',
      ),
    );
    expect(error.code).toBe('name_collision');
  });

  it('refuses invalid names, unknown symbols and other languages', () => {
    const line = lineOf('src/report.ts', 'const lookup =');
    expect(refusal(() => renameSymbol(project, 'src/report.ts', line, 'lookup', 'class')).code).toBe('invalid_name');
    expect(refusal(() => renameSymbol(project, 'src/report.ts', line, 'lookup', '1x')).code).toBe('invalid_name');
    expect(refusal(() => renameSymbol(project, 'src/report.ts', line, 'lookup', 'a-b')).code).toBe('invalid_name');
    expect(refusal(() => renameSymbol(project, 'src/report.ts', line, 'lookup', 'lookup')).code).toBe('invalid_name');
    expect(refusal(() => renameSymbol(project, 'src/report.ts', 1, 'lookup', 'find')).code).toBe('symbol_not_found');
    expect(refusal(() => renameSymbol(project, 'src/report.ts', 4, 'REPORT', 'TITLE')).code).toBe('symbol_not_found');
    const python = new Map([['app.py', 'def f():\n    pass\n']]);
    expect(refusal(() => renameSymbol(python, 'app.py', 1, 'f', 'g')).code).toBe('unsupported_language');
  });

  it('finds the symbol on a nearby line and refuses lib symbols', () => {
    const edits = renameSymbol(
      project,
      'src/report.ts',
      lineOf('src/report.ts', 'const lookup =') - 1,
      'lookup',
      'label',
    );
    expect(edits[0]?.after).toContain('return ids.map(label);');
    const error = refusal(() =>
      renameSymbol(project, 'src/app.ts', lineOf('src/app.ts', 'toUpperCase'), 'toUpperCase', 'upper'),
    );
    expect(error.code).toBe('not_renameable');
  });

  it('produces edits that reverseEdits undoes', () => {
    const edits = renameSymbol(
      project,
      'src/users/user.ts',
      lineOf('src/users/user.ts', 'export class UserStore'),
      'UserStore',
      'UserDirectory',
    );
    const dir = applyAndTypecheck(edits);
    gitApply(dir, unifiedDiff(reverseEdits(edits)));
    for (const edit of edits) expect(readRepoFile(dir, edit.path)).toBe(edit.before);
  });
});

describe('renameSymbol on a large project', () => {
  it('refuses when a file too large for the analysis mentions the symbol, and not when it does not', () => {
    const filler = `export const blob = ${JSON.stringify('x'.repeat(1_100_000))};\n`;
    const withMention = new Map(project);
    withMention.set('src/generated.ts', `import { lookupLabels } from './report.js';\n${filler}lookupLabels;\n`);
    const line = lineOf('src/report.ts', 'export function lookupLabels');
    const error = refusal(() => renameSymbol(withMention, 'src/report.ts', line, 'lookupLabels', 'findLabels'));
    expect(error.code).toBe('project_too_large');
    expect(error.details).toEqual(['src/generated.ts']);

    const without = new Map(project);
    without.set('src/generated.ts', filler);
    expect(renameSymbol(without, 'src/report.ts', line, 'lookupLabels', 'findLabels').length).toBeGreaterThan(0);
  });
});
