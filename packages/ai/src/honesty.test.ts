import {
  Node,
  Project,
  createWrappedNode,
  ts,
  type ArrowFunction,
  type ConstructorDeclaration,
  type FunctionDeclaration,
  type FunctionExpression,
  type JSDoc,
  type MethodDeclaration,
  type SourceFile,
} from 'ts-morph';
import { beforeAll, describe, expect, it } from 'vitest';
import { PLACEHOLDER } from './describe.js';
import { documentFile, documentFunction } from './document.js';
import { repoFile, skipWithout } from './testing/test-repos.js';
import { splitIdentifier } from './words.js';

/**
 * Files of real repositories, in a fixed order; the functions checked are the first `PER_FILE` function-like
 * declarations of each (file order) that get a generated comment, and the first `COUNT` of those overall.
 */
const FILES: ['express' | 'core', string][] = [
  ['express', 'lib/utils.js'],
  ['express', 'lib/application.js'],
  ['express', 'lib/request.js'],
  ['express', 'lib/response.js'],
  ['express', 'lib/view.js'],
  ['core', 'packages/shared/src/general.ts'],
  ['core', 'packages/reactivity/src/ref.ts'],
  ['core', 'packages/runtime-core/src/scheduler.ts'],
  ['core', 'packages/compiler-core/src/utils.ts'],
  ['core', 'packages/shared/src/looseEqual.ts'],
];
const PER_FILE = 6;
const COUNT = 50;

/** Removes every JSDoc block that fills its own lines, so that each function is undocumented. */
function stripJsDoc(text: string): string {
  return text.replace(/^[ \t]*\/\*\*[\s\S]*?\*\/[ \t]*\r?\n/gm, '');
}

/** Words that carry no information about a function in a summary line. */
const FILLER = new Set(
  'a an the of to for from with by in on and or it its this that given value values result returns return gets get sets set checks check whether is are be'.split(
    ' ',
  ),
);

const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

/** A type stated in a tag: `{T}`, or the leading "`T`." of its text (fenced with two backticks when it holds one). */
function statedType(typeExpression: string | undefined, comment: string): string | undefined {
  if (typeExpression) return flat(typeExpression.replace(/^\{|\}$/g, '').replace(/^\.\.\./, ''));
  const match = /^``\s(.+?)\s``\.|^`([^`]+)`\./.exec(comment);
  return match ? flat(match[1] ?? match[2] ?? '') : undefined;
}

/** What is left of a tag's text once the stated type is taken off. */
function afterType(comment: string): string {
  return comment.replace(/^``\s(.+?)\s``\.\s*|^`([^`]+)`\.\s*/, '').trim();
}

/** Code spans of a text (`x` and `` x `y` ``). */
function codeSpans(text: string): string[] {
  return [...text.matchAll(/``\s(.+?)\s``|`([^`]+)`/g)].map((m) => m[1] ?? m[2] ?? '');
}

type FunctionLike =
  FunctionDeclaration | FunctionExpression | ArrowFunction | MethodDeclaration | ConstructorDeclaration;

/** The function-like declarations of a file, in file order. */
function functionsOf(sourceFile: SourceFile): FunctionLike[] {
  const out: FunctionLike[] = [];
  sourceFile.forEachDescendant((node) => {
    if (
      Node.isFunctionDeclaration(node) ||
      Node.isFunctionExpression(node) ||
      Node.isArrowFunction(node) ||
      Node.isMethodDeclaration(node) ||
      Node.isConstructorDeclaration(node)
    )
      out.push(node);
  });
  return out;
}

interface Checked {
  where: string;
  comment: string;
  problems: string[];
}

/**
 * Every way `doc`, the comment generated above `original`, contradicts the code or says nothing, as sentences (none
 * when it is honest).
 */
function checkFunction(original: FunctionLike, doc: JSDoc, name: string): string[] {
  const problems: string[] = [];
  // An overload's comment may quote its implementation's body.
  const implementation =
    Node.isFunctionDeclaration(original) ||
    Node.isMethodDeclaration(original) ||
    Node.isConstructorDeclaration(original)
      ? original.getImplementation()
      : undefined;
  const source = flat(
    `${original.getText()} ${implementation && implementation !== original ? implementation.getText() : ''}`,
  );
  const description = flat(doc.getDescription());
  const summary = description.split(/(?<=\.)\s/)[0] ?? '';
  // The summary line: the placeholder, or a sentence whose code is in the function.
  if (summary !== PLACEHOLDER) {
    const spans = codeSpans(summary);
    if (spans.length === 0) {
      const nameWords = new Set(splitIdentifier(name).flatMap((w) => [w, `${w}s`, `${w}es`, `${w}ed`, `${w}d`]));
      const words = summary
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((w) => w && !FILLER.has(w) && !nameWords.has(w));
      problems.push(
        words.length === 0
          ? `summary restates the name: "${summary}"`
          : `summary is not derived from the code: "${summary}"`,
      );
    }
    for (const span of spans) if (!source.includes(span)) problems.push(`summary quotes code not in the body: ${span}`);
  }
  // Facts in the details must be in the code too.
  for (const span of codeSpans(description.slice(summary.length)).filter((s) => !s.includes('…'))) {
    if (!source.includes(span)) problems.push(`detail quotes code not in the function: ${span}`);
  }
  // Types are judged on the file as it was: in JavaScript the comment's own types would be read as declarations.
  const params = original.getParameters().filter((p) => p.getName() !== 'this');
  const tags = doc.getTags();
  const paramTags = tags.filter((t) => Node.isJSDocParameterTag(t));
  if (paramTags.length !== params.length)
    problems.push(`${paramTags.length} @param tags for ${params.length} parameters`);
  paramTags.forEach((tag, i) => {
    const param = params[i];
    if (!param) return problems.push(`@param ${tag.getName()} names no parameter`);
    const isName = Node.isIdentifier(param.getNameNode());
    if (isName && tag.getName() !== param.getName())
      problems.push(`@param ${tag.getName()} is parameter ${i + 1}, named ${param.getName()}`);
    const comment = flat(tag.getCommentText() ?? '').replace(/^- /, '');
    const stated = statedType(tag.getTypeExpression()?.getText(), comment);
    if (stated !== undefined) {
      const written = param.getTypeNode()?.getText();
      let expected = flat(written ?? param.getType().getText(param));
      if (param.isRestParameter()) expected = expected.replace(/\[\]$/, '');
      if (stated !== expected) problems.push(`@param ${tag.getName()} says ${stated}, the code says ${expected}`);
    }
    const rest = afterType(comment);
    if (rest && !/^(Defaults to |Optional\.|Modified in place \(|Keyword arguments\.)/.test(rest))
      problems.push(`@param ${tag.getName()} says something not derived: "${rest}"`);
    for (const span of codeSpans(rest).filter((s) => !s.includes('…'))) {
      if (!source.includes(span)) problems.push(`@param ${tag.getName()} quotes code not in the function: ${span}`);
    }
  });
  const returnTags = tags.filter((t) => Node.isJSDocReturnTag(t));
  if (returnTags.length > 1) problems.push('more than one @returns');
  const returnTag = returnTags[0];
  if (returnTag && Node.isJSDocReturnTag(returnTag)) {
    const written = original.getReturnTypeNode();
    const declared = flat(written?.getText() ?? original.getSignature().getReturnType().getText(original));
    if (/^(void|undefined|never|Promise<void>)$/.test(declared))
      problems.push(`@returns on a function returning ${declared}`);
    const body = original.getBody();
    const returnsSomething = !!written || (body && !Node.isBlock(body)) || /\breturn\s+[^;\s}]/.test(source);
    if (!returnsSomething) problems.push('@returns on a function that returns nothing');
    const stated = statedType(returnTag.getTypeExpression()?.getText(), flat(returnTag.getCommentText() ?? ''));
    if (stated === undefined) problems.push('@returns states no type');
    else if (stated !== declared) problems.push(`@returns says ${stated}, the code says ${declared}`);
  }
  for (const tag of tags.filter((t) => t.getTagName() === 'throws')) {
    if (!/\bthrow\b/.test(source)) problems.push(`@throws on a function without a throw: ${flat(tag.getText())}`);
  }
  return problems;
}

describe.skipIf(skipWithout('express') || skipWithout('core'))(
  'on 50 real functions of express and vue core, with their doc comments removed',
  () => {
    const checked: Checked[] = [];

    beforeAll(async () => {
      for (const [repo, file] of FILES) {
        const text = stripJsDoc(repoFile(repo, file));
        const edit = await documentFile(new Map([[file, text]]), file);
        // Read the result back with a checker of its own: names, types and tags as the compiler sees them.
        const project = new Project({
          useInMemoryFileSystem: true,
          // The settings the provider reads a project with when it has no tsconfig.json.
          compilerOptions: {
            allowJs: true,
            checkJs: false,
            strict: true,
            target: ts.ScriptTarget.ES2022,
            module: ts.ModuleKind.ESNext,
            moduleResolution: ts.ModuleResolutionKind.Bundler,
            esModuleInterop: true,
            skipLibCheck: true,
            types: [],
          },
        });
        const sourceFile = project.createSourceFile(file, edit.after);
        const originals = functionsOf(project.createSourceFile(`original/${file}`, text));
        const documented = functionsOf(sourceFile);
        expect(documented.length).toBe(originals.length);
        let taken = 0;
        documented.forEach((node, index) => {
          const original = originals[index];
          if (taken >= PER_FILE || !original) return;
          const jsDoc = ts
            .getJSDocCommentsAndTags(node.compilerNode)
            .filter((d): d is ts.JSDoc => d.kind === ts.SyntaxKind.JSDoc)
            .at(-1);
          if (!jsDoc) return;
          const wrapper = createWrappedNode(jsDoc, { sourceFile: sourceFile.compilerNode });
          if (!Node.isJSDoc(wrapper)) return;
          const name =
            (Node.isConstructorDeclaration(node) ? 'constructor' : undefined) ??
            (Node.hasName(node) ? node.getName() : undefined) ??
            node.getParent()?.getText().split(/\s*=/)[0]?.split('.').pop() ??
            'anonymous';
          taken++;
          checked.push({
            where: `${repo}:${file}:${node.getStartLineNumber()} ${name}`,
            comment: wrapper.getText(),
            problems: checkFunction(original, wrapper, name),
          });
        });
      }
    }, 240_000);

    it(`checks at least ${COUNT} functions`, () => {
      expect(checked.length).toBeGreaterThanOrEqual(COUNT);
    });

    it('writes no comment that contradicts the code or restates the name', () => {
      const bad = checked.slice(0, COUNT).filter((c) => c.problems.length > 0);
      expect(bad.map((c) => `${c.where}: ${c.problems.join('; ')}\n${c.comment}`)).toEqual([]);
    });

    it('states the types it can see, and says what it derived', () => {
      const first = checked.slice(0, COUNT);
      const withType = first.filter((c) => /@param (\{[^}]+\} \w+|\w+ `)/.test(c.comment));
      const derived = first.filter((c) => !c.comment.includes(PLACEHOLDER));
      // Not a quota of prose: evidence that the check above looked at typed tags and derived summaries.
      expect(withType.length).toBeGreaterThan(10);
      expect(derived.length).toBeGreaterThan(3);
    });
  },
);

describe('the check itself', () => {
  it('flags comments that restate the name, invent text, or contradict the types (as the old provider wrote)', () => {
    const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { strict: true } });
    const text = [
      '/**',
      ' * Gets the user.',
      ' *',
      ' * @param id The user id.',
      ' * @param extra `string`.',
      ' * @returns `string`.',
      ' */',
      'export function getUser(id: number): number | undefined {',
      '  return id > 0 ? id : undefined;',
      '}',
      '/**',
      ' * Removes the arr from the given el.',
      ' *',
      ' * @param arr `T[]`.',
      ' * @returns `void`.',
      ' * @throws {TypeError} when it fails.',
      ' */',
      'export function remove<T>(arr: T[]): void {',
      '  arr.pop();',
      '}',
    ].join('\n');
    const [getUser, remove] = functionsOf(project.createSourceFile('bad.ts', text)) as FunctionDeclaration[];
    expect(checkFunction(getUser!, getUser!.getJsDocs()[0]!, 'getUser')).toEqual([
      'summary restates the name: "Gets the user."',
      '2 @param tags for 1 parameters',
      '@param id says something not derived: "The user id."',
      '@param extra names no parameter',
      '@returns says string, the code says number | undefined',
    ]);
    expect(checkFunction(remove!, remove!.getJsDocs()[0]!, 'remove')).toEqual([
      'summary is not derived from the code: "Removes the arr from the given el."',
      '@returns on a function returning void',
      '@throws on a function without a throw: @throws {TypeError} when it fails.',
    ]);
  });
});

/** The comment `documentFunction` puts above `symbol`. */
async function commentFor(file: string, text: string, symbol: string): Promise<string> {
  const edit = await documentFunction(new Map([[file, text]]), file, { symbol });
  const added = edit.after.slice(0, edit.after.length - edit.before.length + edit.after.indexOf('/**'));
  return added.slice(added.indexOf('/**'), added.indexOf('*/') + 2);
}

describe('the comments of the local provider state only what the code shows', () => {
  it('does not write "Get gets." for a get method, nor invent a return for an `any`', async () => {
    const text = 'class Get {\n  get(key) {\n    return this.map[key];\n  }\n}\nmodule.exports = Get;\n';
    const comment = await commentFor('lib/get.js', text, 'get');
    expect(comment).toBe('/**\n   * Returns `this.map[key]`.\n   *\n   * @param key\n   */');
  });

  it('does not write "Returns the levenshtein.": the summary is left to a person, the types are stated', async () => {
    const text = [
      'export function levenshtein(a: string, b: string): number {',
      '  const d: number[][] = [];',
      '  for (let i = 0; i <= a.length; i++) d[i] = [i];',
      '  for (let j = 0; j <= b.length; j++) d[0]![j] = j;',
      '  return d[a.length]![b.length]!;',
      '}',
      '',
    ].join('\n');
    expect(await commentFor('lev.ts', text, 'levenshtein')).toBe(
      '/**\n * TODO: describe.\n *\n * @param a `string`.\n * @param b `string`.\n * @returns `number`.\n */',
    );
  });

  it('gives @returns the declared type, or the inferred one, and none for void', async () => {
    const text = [
      'export async function load(id: string) {',
      '  const res = await fetch(id);',
      '  if (!res.ok) throw new Error(`status ${res.status}`);',
      '  return res.status === 200;',
      '}',
      'export function log(message: string): void {',
      '  console.log(message);',
      '}',
      '',
    ].join('\n');
    expect(await commentFor('a.ts', text, 'load')).toBe(
      [
        '/**',
        ' * TODO: describe. Awaits `fetch(id)`. It sends network requests with `fetch`.',
        ' *',
        ' * @param id `string`.',
        ' * @returns `Promise<boolean>`.',
        ' * @throws {Error} when `res.ok` is false.',
        ' */',
      ].join('\n'),
    );
    expect(await commentFor('a.ts', text, 'log')).toBe(
      '/**\n * TODO: describe. It logs to the console.\n *\n * @param message `string`.\n */',
    );
  });

  it('says which parameters the function changes, and claims no type for a throw of an untyped value', async () => {
    const text = [
      'exports.init = function init(req, res, opts) {',
      '  opts = opts || {};',
      '  if (opts.fail) throw opts.fail;',
      '  req.res = res;',
      '  res.locals[opts.name] = true;',
      '  delete req.query;',
      '  req.stack.push(opts);',
      '};',
      '',
    ].join('\n');
    expect(await commentFor('lib/init.js', text, 'init')).toBe(
      [
        '/**',
        ' * TODO: describe.',
        ' *',
        ' * @param req Modified in place (`req.res`, `req.query` and `req.stack.push`).',
        ' * @param res Modified in place (`res.locals[opts.name]`).',
        ' * @param opts',
        ' * @throws when `opts.fail` is set.',
        ' */',
      ].join('\n'),
    );
  });
});
