import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff.js';
import { documentFile, documentFunction, nothingToDocument, summarizeFile } from './document.js';
import { AiError } from './errors.js';
import { commentOnlyProblem } from './testing/comments.js';
import { cleanRepos, gitApply, loadFixture, readRepoFile, tempRepo } from './testing/git.js';
import { repoFile, repoFiles, skipWithout } from './testing/test-repos.js';
import { type Edit } from './types.js';

afterAll(cleanRepos);

const docs = loadFixture('docs');

/** Applies the edit's patch with git on a repository of the original files and returns the file as git leaves it. */
function applyWithGit(files: ReadonlyMap<string, string>, edit: Edit): string {
  const dir = tempRepo(files);
  gitApply(dir, unifiedDiff([edit]));
  return readRepoFile(dir, edit.path);
}

/** The 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((line) => line.includes(needle)) + 1;
}

async function refusal(promise: Promise<unknown>): Promise<AiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AiError);
  return error as AiError;
}

describe('documentFunction', () => {
  it('documents an async TypeScript function with its parameters, result and the error it throws', async () => {
    const edit = await documentFunction(docs, 'users.ts', { symbol: 'fetchUser' });
    const patch = unifiedDiff([edit]);
    expect(commentOnlyProblem(patch, 'typescript')).toBeUndefined();
    expect(applyWithGit(docs, edit)).toBe(edit.after);
    const doc = edit.after.slice(edit.after.indexOf('/**'), edit.after.indexOf('export async function fetchUser'));
    // Only what the code states: the placeholder summary, what it awaits and does, the types, the default, the
    // return type and the throw with its condition.
    expect(doc).toBe(
      [
        '/**',
        ' * TODO: describe. Awaits `` fetch(`${baseUrl}/users/${userId}`) `` and `res.json()`. It sends',
        ' * network requests with `fetch`.',
        ' *',
        ' * @param userId `string`.',
        " * @param baseUrl `string`. Defaults to `'https://api.example.com'`.",
        ' * @returns `Promise<User>`.',
        ' * @throws {NotFoundError} when `res.status` is 404.',
        ' */',
        '',
      ].join('\n'),
    );
    expect(edit.description).toBe('Document function fetchUser in users.ts');
  });

  it('finds the declaration from a line range, and documents methods in place', async () => {
    const lines = docs.get('users.ts')!.split('\n');
    const line = lines.findIndex((text) => text.includes('save(user: User): void')) + 1;
    const edit = await documentFunction(docs, 'users.ts', { startLine: line + 1, endLine: line + 2 });
    expect(commentOnlyProblem(unifiedDiff([edit]), 'typescript')).toBeUndefined();
    expect(edit.after).toContain(
      [
        '  /**',
        '   * TODO: describe. It updates `this.users` and logs to the console.',
        '   *',
        '   * @param user `User`.',
        '   * @throws {TypeError} when `isValidEmail(user.email)` is false.',
        '   */',
        '  save(user: User): void {',
      ].join('\n'),
    );
  });

  it('writes a Google-style Python docstring after the def line, indented like the body', async () => {
    const edit = await documentFunction(docs, 'users.py', { symbol: 'parse_config' });
    const patch = unifiedDiff([edit]);
    expect(commentOnlyProblem(patch, 'python')).toBeUndefined();
    expect(applyWithGit(docs, edit)).toBe(edit.after);
    expect(edit.after).toContain(
      [
        'def parse_config(text: str, strict: bool = True) -> dict:',
        '    """TODO: describe.',
        '',
        '    Args:',
        '        text (str): TODO: describe.',
        '        strict (bool): Defaults to `True`.',
        '',
        '    Returns:',
        '        `dict`.',
        '',
        '    Raises:',
        '        ValueError: If `strict` is set and `"name"` is not in `data`.',
        '    """',
        '    data = json.loads(text)',
      ].join('\n'),
    );
  });

  it('documents a Python method found by Class.method, skipping self', async () => {
    const edit = await documentFunction(docs, 'users.py', { symbol: 'UserRepository.find_by_email' });
    expect(commentOnlyProblem(unifiedDiff([edit]), 'python')).toBeUndefined();
    expect(edit.after).toContain('        """TODO: describe. It queries the database (`self.db.execute`).');
    expect(edit.after).toContain('            email (str): TODO: describe.');
    expect(edit.after).toContain('        Returns:\n            `Optional[dict]`.');
    expect(edit.after).not.toContain('self: ');
  });

  it('moves the body of a one-line Python def to its own line, keeping the code as it was', async () => {
    const edit = await documentFunction(docs, 'users.py', { symbol: 'is_admin' });
    const patch = unifiedDiff([edit]);
    expect(applyWithGit(docs, edit)).toBe(edit.after);
    const removed = patch.split('\n').filter((line) => line.startsWith('-') && !line.startsWith('---'));
    expect(removed).toEqual(['-def is_admin(user: dict) -> bool: return user.get("role") == "admin"']);
    expect(edit.after).toContain('def is_admin(user: dict) -> bool:\n    """Returns `user.get("role") == "admin"`.');
    expect(edit.after).toContain('    """\n    return user.get("role") == "admin"');
    expect(edit.description).toContain('one-line body moves to its own line');
  });

  it('writes Go doc comments that start with the name, from a line range', async () => {
    const lines = docs.get('store.go')!.split('\n');
    const line = lines.findIndex((text) => text.startsWith('func (s *Store) GetUser')) + 1;
    const edit = await documentFunction(docs, 'store.go', { startLine: line, endLine: line });
    const patch = unifiedDiff([edit]);
    expect(commentOnlyProblem(patch, 'go')).toBeUndefined();
    expect(applyWithGit(docs, edit)).toBe(edit.after);
    const after = edit.after.split('\n');
    const at = after.findIndex((text) => text.startsWith('func (s *Store) GetUser'));
    let first = at;
    while (after[first - 1]?.startsWith('//')) first--;
    const comment = after
      .slice(first, at)
      .map((text) => text.replace(/^\/\/ /, ''))
      .join(' ');
    expect(comment).toMatch(/^GetUser TODO: describe\. It updates s\.reads and queries the database/);
    expect(comment).toContain('ErrNotFound if err is sql.ErrNoRows');
    expect(comment).toContain('an error if row.Scan fails');
  });

  it('leaves a declaration that already has a doc comment alone, and says why, in every language', async () => {
    for (const [file, symbol, line] of [
      ['users.ts', 'loadUsers', lineOf(docs.get('users.ts')!, 'export async function loadUsers')],
      ['users.py', 'UserRepository.get_user', lineOf(docs.get('users.py')!, 'def get_user')],
      ['store.go', 'Store.DeleteUser', lineOf(docs.get('store.go')!, ') DeleteUser(')],
    ] as const) {
      const edit = await documentFunction(docs, file, { symbol: symbol.split('.').pop()! });
      expect(edit.after).toBe(edit.before);
      expect(edit.description).toBe(`\`${symbol}\` in ${file}:${line} already has a doc comment.`);
    }
  });

  it('refuses unknown symbols, missing files and other languages', async () => {
    expect((await refusal(documentFunction(docs, 'users.ts', { symbol: 'nope' }))).code).toBe('symbol_not_found');
    expect((await refusal(documentFunction(docs, 'users.ts', { startLine: 999, endLine: 999 }))).code).toBe(
      'symbol_not_found',
    );
    expect((await refusal(documentFunction(docs, 'missing.ts', { symbol: 'x' }))).code).toBe('file_not_found');
    const ruby = new Map([['app.rb', 'def hello; end\n']]);
    expect((await refusal(documentFunction(ruby, 'app.rb', { symbol: 'hello' }))).code).toBe('unsupported_language');
  });
});

describe('documentFile', () => {
  it('documents every undocumented declaration and leaves documented ones alone', async () => {
    const edit = await documentFile(docs, 'users.ts');
    expect(commentOnlyProblem(unifiedDiff([edit]), 'typescript')).toBeUndefined();
    expect(applyWithGit(docs, edit)).toBe(edit.after);
    expect(edit.after.match(/Reads users from a JSON file on disk/g)).toHaveLength(1);
    for (const declaration of [
      'export interface User {',
      'export class NotFoundError',
      'export type Role',
      'export async function fetchUser',
      'export function isValidEmail',
      'export class UserCache',
      '  get(userId: string)',
      '  save(user: User)',
      'export const formatUserName',
    ]) {
      const before = edit.after.slice(0, edit.after.indexOf(declaration)).trimEnd();
      expect(before.endsWith('*/'), declaration).toBe(true);
    }
    const again = await documentFile(new Map([['users.ts', edit.after]]), 'users.ts');
    expect(again.after).toBe(again.before);
    expect(again.description).toBe('Every declaration in users.ts already has a doc comment (11 in all).');
  });

  it('keeps CRLF line endings', async () => {
    const text = [
      'export function sum(values: number[]): number {',
      '  return values.reduce((a, b) => a + b, 0);',
      '}',
      '',
      'export function isEmpty(values: number[]): boolean {',
      '  return values.length === 0;',
      '}',
      '',
    ].join('\r\n');
    const files = new Map([['math.ts', text]]);
    const edit = await documentFile(files, 'math.ts');
    expect(edit.after.replace(/\r\n/g, '')).not.toContain('\n');
    expect(edit.after).toContain('/**\r\n * Returns `values.length === 0`.\r\n *\r\n * @param values `number[]`.\r\n');
    expect(commentOnlyProblem(unifiedDiff([edit]), 'typescript')).toBeUndefined();
    expect(applyWithGit(files, edit)).toBe(edit.after);
  });

  it('matches tab indentation in TypeScript and Python', async () => {
    const ts =
      'export class Counter {\n\tcount = 0;\n\n\tincrement(step: number): number {\n\t\tthis.count += step;\n\t\treturn this.count;\n\t}\n}\n';
    const py = 'class Counter:\n\tdef increment(self, step):\n\t\tself.count += step\n\t\treturn self.count\n';
    const files = new Map([
      ['counter.ts', ts],
      ['counter.py', py],
    ]);
    const tsEdit = await documentFile(files, 'counter.ts');
    expect(tsEdit.after).toContain(
      '\t/**\n\t * TODO: describe. It updates `this.count`.\n\t *\n\t * @param step `number`.\n\t * @returns `number`.\n\t */\n',
    );
    const pyEdit = await documentFile(files, 'counter.py');
    expect(pyEdit.after).toContain(
      '\tdef increment(self, step):\n\t\t"""TODO: describe. It updates `self.count`.\n\n\t\tArgs:\n\t\t\tstep: TODO: describe.\n',
    );
    expect(commentOnlyProblem(unifiedDiff([pyEdit]), 'python')).toBeUndefined();
    expect(applyWithGit(files, pyEdit)).toBe(pyEdit.after);
  });

  it('handles a file without a final newline', async () => {
    const files = new Map([['last.go', 'package last\n\nfunc Add(a int, b int) int {\n\treturn a + b\n}']]);
    const edit = await documentFile(files, 'last.go');
    expect(edit.after.endsWith('}')).toBe(true);
    const patch = unifiedDiff([edit]);
    expect(patch).toContain('\\ No newline at end of file');
    expect(commentOnlyProblem(patch, 'go')).toBeUndefined();
    expect(applyWithGit(files, edit)).toBe(edit.after);
  });

  it('puts the comment above directives that apply to the next line', async () => {
    const files = new Map([
      [
        'lint.ts',
        '// eslint-disable-next-line @typescript-eslint/no-explicit-any\nexport function load(raw: any): number {\n  return Number(raw);\n}\n',
      ],
      ['fast.go', 'package fast\n\n//go:noinline\nfunc Double(n int) int {\n\treturn n * 2\n}\n'],
    ]);
    const ts = await documentFunction(files, 'lint.ts', { symbol: 'load' });
    expect(ts.after).toMatch(/^\/\*\*\n(.*\n)* \*\/\n\/\/ eslint-disable-next-line .*\nexport function load/);
    const go = await documentFunction(files, 'fast.go', { symbol: 'Double' });
    expect(go.after).toMatch(/\n\/\/ Double [^\n]+\n\/\/go:noinline\nfunc Double\(n int\) int \{/);
    expect(commentOnlyProblem(unifiedDiff([go]), 'go')).toBeUndefined();
  });

  it('documents a Python file with a mix of documented and undocumented symbols', async () => {
    const edit = await documentFile(docs, 'users.py');
    expect(applyWithGit(docs, edit)).toBe(edit.after);
    expect(edit.after.match(/Return the user with this id\./g)).toHaveLength(1);
    expect(edit.after).toContain('class NotFoundError(Exception):\n    """TODO: describe. Extends `Exception`."""');
    expect(edit.after).toContain(
      'class UserRepository:\n    """TODO: describe. Fields: `db` and `table`. Methods: `find_by_email` and `get_user`."""',
    );
    expect(edit.description).toMatch(/^Document 6 declarations in users\.py/);
  });
});

describe('summarizeFile', () => {
  it('describes the exported API of a TypeScript file', async () => {
    const { summary, exports } = await summarizeFile(docs, 'users.ts');
    expect(exports.map((e) => [e.name, e.kind])).toEqual([
      ['User', 'interface'],
      ['NotFoundError', 'class'],
      ['Role', 'type'],
      ['fetchUser', 'function'],
      ['isValidEmail', 'function'],
      ['loadUsers', 'function'],
      ['UserCache', 'class'],
      ['formatUserName', 'function'],
    ]);
    expect(exports.find((e) => e.name === 'fetchUser')?.signature).toBe(
      "async function fetchUser(userId: string, baseUrl = 'https://api.example.com'): Promise<User>",
    );
    expect(exports.find((e) => e.name === 'loadUsers')?.doc).toBe('Reads users from a JSON file on disk.');
    expect(summary).toMatch(/^`users\.ts` exports 1 interface \(`User`\), 2 classes/);
    // A summary says what the code shows (`Returns …`) or what a person wrote; the rest is named as undocumented.
    expect(summary).toContain('`isValidEmail` returns `/^[^@\\s]+@[^@\\s]+$/.test(email)`.');
    expect(summary).toContain('`User`, `NotFoundError`, `Role`, `fetchUser` and `UserCache` have no doc comment.');
    expect(exports.find((e) => e.name === 'fetchUser')?.doc).toBe('');
    expect(summary).toContain('Side effects: network requests (`fetch`), file reads (`readFile`) and console output.');
  });

  it('lists public Python and exported Go declarations only', async () => {
    const python = await summarizeFile(docs, 'users.py');
    expect(python.exports.map((e) => e.name)).toEqual(['NotFoundError', 'UserRepository', 'parse_config', 'is_admin']);
    const go = await summarizeFile(docs, 'store.go');
    expect(go.exports.map((e) => e.name)).toEqual(['User', 'Store', 'NewStore', 'ValidateEmail']);
    expect(go.exports.find((e) => e.name === 'NewStore')?.signature).toBe('func NewStore(db *sql.DB) *Store');
  });
});

describe('CommonJS exports', () => {
  const cjs = (text: string) => summarizeFile(new Map([['lib/m.js', text]]), 'lib/m.js');
  const listed = async (text: string) => (await cjs(text)).exports.map((e) => `${e.kind} ${e.name}`);

  it('sees exports.x = …, module.exports.x = …, module.exports = … as the exported API', async () => {
    expect(await listed('exports.add = function add(a, b) {\n  return a + b;\n};\n')).toEqual(['function add']);
    expect(await listed('module.exports.sub = (a, b) => a - b;\nfunction local() {}\n')).toEqual(['function sub']);
    expect(await listed('module.exports = function parse(text) {\n  return text;\n};\n')).toEqual(['function parse']);
    expect(await listed('function a() {}\nfunction b() {}\nfunction c() {}\nmodule.exports = { a, b: b };\n')).toEqual([
      'function a',
      'function b',
    ]);
    expect(await listed('exports = module.exports = create;\nfunction create() {}\nfunction helper() {}\n')).toEqual([
      'function create',
    ]);
    expect(await listed('/** Supported methods. */\nexports.methods = ["get"];\nexports.version = "1";\n')).toEqual([
      'variable methods',
      'variable version',
    ]);
    const { summary, exports } = await cjs(
      '/** Supported methods. */\nexports.methods = ["get"];\n\n/** Parses a header. */\nexports.parse = function (header) {\n  return header.split(",");\n};\n',
    );
    expect(summary).toBe(
      '`lib/m.js` exports 1 value (`methods`) and 1 function (`parse`). `methods`: Supported methods. `parse` parses a header.',
    );
    expect(exports[1]).toEqual({
      name: 'parse',
      kind: 'function',
      signature: 'exports.parse = function (header)',
      doc: 'Parses a header.',
    });
  });

  it('lists the methods assigned to the exported object, not those of a local helper object', async () => {
    const text = [
      'var app = exports = module.exports = {};',
      'var helper = {};',
      '',
      '/** Starts the app. */',
      'app.start = function start(port) {',
      '  return port;',
      '};',
      '',
      'helper.secret = function secret() {};',
      '',
    ].join('\n');
    expect(await listed(text)).toEqual(['method app.start']);
    expect(
      await listed('function View() {}\nView.prototype.render = function () {};\nmodule.exports = View;\n'),
    ).toEqual(['function View']);
  });

  it('documents a function assigned to exports.x in place, and git applies the patch', async () => {
    const files = new Map([['lib/m.js', "'use strict';\n\nexports.add = function add(a, b) {\n  return a + b;\n};\n"]]);
    const edit = await documentFunction(files, 'lib/m.js', { startLine: 3, endLine: 3 });
    expect(edit.description).toBe('Document function add in lib/m.js');
    expect(edit.after).toMatch(
      /\n\/\*\*\n \* Returns `a \+ b`\.\n(.*\n)* \*\/\nexports\.add = function add\(a, b\) \{\n/,
    );
    expect(commentOnlyProblem(unifiedDiff([edit]), 'javascript')).toBeUndefined();
    expect(applyWithGit(files, edit)).toBe(edit.after);
  });
});

describe.skipIf(skipWithout('express'))('on express, whose functions are documented already', () => {
  let application: string;
  let utils: string;
  beforeAll(() => {
    application = repoFile('express', 'lib/application.js');
    utils = repoFile('express', 'lib/utils.js');
  });

  it('says that a documented function has nothing to do from its file alone (the whole project is never loaded)', async () => {
    const init = lineOf(application, 'app.init = function init()');
    const logerror = lineOf(application, 'function logerror(err)');
    const file = new Map([['lib/application.js', application]]);
    expect(await nothingToDocument(file, 'lib/application.js', { startLine: init, endLine: init })).toBe(
      `\`app.init\` in lib/application.js:${init} already has a doc comment.`,
    );
    expect(await nothingToDocument(file, 'lib/application.js', { startLine: logerror, endLine: logerror })).toBe(
      `\`logerror\` in lib/application.js:${logerror} already has a doc comment.`,
    );
    expect(await nothingToDocument(file, 'lib/application.js')).toBe(
      'Every declaration in lib/application.js already has a doc comment (18 in all).',
    );
    // An undocumented function is work to do.
    const bare = new Map([['lib/x.js', 'exports.add = function (a, b) {\n  return a + b;\n};\n']]);
    expect(await nothingToDocument(bare, 'lib/x.js', { startLine: 1, endLine: 1 })).toBeUndefined();
    expect(await nothingToDocument(bare, 'lib/x.js')).toBeUndefined();
  });

  it('leaves documented functions alone with the whole project loaded too', async () => {
    const project = repoFiles('express', /\.js$|package\.json$/);
    const init = lineOf(application, 'app.init = function init()');
    const edit = await documentFunction(project, 'lib/application.js', { startLine: init, endLine: init });
    expect(edit.after).toBe(edit.before);
    expect(edit.description).toBe(`\`app.init\` in lib/application.js:${init} already has a doc comment.`);
    const file = await documentFile(project, 'lib/utils.js');
    expect(file.after).toBe(file.before);
    expect(file.description).toBe('Every declaration in lib/utils.js already has a doc comment (9 in all).');
  });

  it('summarizes lib/utils.js by its CommonJS exports', async () => {
    const { summary, exports } = await summarizeFile(new Map([['lib/utils.js', utils]]), 'lib/utils.js');
    expect(exports.map((e) => `${e.kind} ${e.name}`)).toEqual([
      'variable methods',
      'variable etag',
      'variable wetag',
      'function normalizeType',
      'function normalizeTypes',
      'function compileETag',
      'function compileQueryParser',
      'function compileTrust',
      'function setCharset',
    ]);
    expect(exports.find((e) => e.name === 'compileQueryParser')).toMatchObject({
      signature: 'exports.compileQueryParser = function compileQueryParser(val)',
      doc: 'Compile "query parser" value to function.',
    });
    expect(summary).toMatch(/^`lib\/utils\.js` exports 3 values \(`methods`, `etag`, `wetag`\) and 6 functions /);
    expect(summary).not.toContain('acceptParams');
  });
});
