import { createRequire } from 'node:module';
import path from 'node:path';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';
import { AiError } from '../errors.js';

const require = createRequire(import.meta.url);

/** Grammars shipped as wasm by their npm packages (ABI 15, loaded by web-tree-sitter 0.25). */
export type Grammar = 'python' | 'go';

let ready: Promise<void> | undefined;
const languages = new Map<Grammar, Promise<Language>>();

function grammarWasm(grammar: Grammar): string {
  const dir = path.dirname(require.resolve(`tree-sitter-${grammar}/package.json`));
  return path.join(dir, `tree-sitter-${grammar}.wasm`);
}

/** The grammar, loaded once per process; the first call pays for compiling the wasm runtime and grammar. */
export function loadGrammar(grammar: Grammar): Promise<Language> {
  ready ??= Parser.init();
  let language = languages.get(grammar);
  if (!language) {
    language = ready.then(() => Language.load(grammarWasm(grammar)));
    languages.set(grammar, language);
  }
  return language;
}

/**
 * Parses a file, hands the tree to `use`, then frees the tree and the parser. Both live in the wasm heap, which no
 * garbage collector reclaims: a tree left alive cost ~1.3 MB of RSS per parse, for good. `use` must not keep nodes
 * (nor anything that reads them later): they are invalid once it returns. Refuses a file the grammar cannot make
 * sense of at the top level.
 */
export async function withTree<T>(
  grammar: Grammar,
  text: string,
  filePath: string,
  use: (tree: Tree) => T | Promise<T>,
): Promise<T> {
  const language = await loadGrammar(grammar);
  const parser = new Parser();
  let tree: Tree | null = null;
  try {
    parser.setLanguage(language);
    tree = parser.parse(text);
    if (!tree) throw new AiError('parse_error', `Could not parse ${filePath}.`);
    return await use(tree);
  } finally {
    tree?.delete();
    parser.delete();
  }
}

/** The named children of a node, without nulls. */
export function namedChildren(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null);
}

/** The children of a node, without nulls. */
export function children(node: Node): Node[] {
  return node.children.filter((child): child is Node => child !== null);
}

/** Whether two nodes are the same node (wrappers are created afresh on every access). */
export function sameNode(a: Node | null | undefined, b: Node | null | undefined): boolean {
  return !!a && !!b && a.id === b.id;
}

/** Every descendant (depth first, in source order) for which `visit` returns true; `descend` stops at a node. */
export function walk(node: Node, visit: (node: Node) => boolean | void): void {
  for (const child of children(node)) {
    if (visit(child) === false) continue;
    walk(child, visit);
  }
}
