import { describeFunction, describeType, isPlaceholder, listEffects } from './describe.js';
import { AiError } from './errors.js';
import { goModel } from './lang/go.js';
import { pythonModel } from './lang/python.js';
import {
  isFunctionFacts,
  type DocItem,
  type SourceModel,
  type TextChange,
  type ValueExport,
} from './lang/source-model.js';
import { TS_EXTENSIONS, singleFileProject, sourceFileOf, tsProject, type ProjectOptions } from './lang/ts-project.js';
import { typescriptModel } from './lang/typescript.js';
import { type Language } from './model.js';
import { listing } from './words.js';
import {
  type DocTarget,
  type Edit,
  type ExportSummary,
  type FileSet,
  type FileSummary,
  type SymbolKind,
} from './types.js';

const BOM = '\uFEFF';

/** The language a path is written in, judged by its extension. */
export function languageOf(filePath: string): Language | undefined {
  if (/\.pyi?$/.test(filePath)) return 'python';
  if (filePath.endsWith('.go')) return 'go';
  if (/\.(js|jsx|mjs|cjs)$/.test(filePath)) return 'javascript';
  if (TS_EXTENSIONS.test(filePath)) return 'typescript';
  return undefined;
}

/** Reads the file from the set; a byte-order mark is kept aside so offsets start at the first character. */
function readFile(files: FileSet, filePath: string): { text: string; bom: string } {
  const text = files.get(filePath);
  if (text === undefined) throw new AiError('file_not_found', `${filePath} is not in the project.`);
  return text.startsWith(BOM) ? { text: text.slice(1), bom: BOM } : { text, bom: '' };
}

/** Options of `loadModel`. */
interface ModelOptions extends ProjectOptions {
  /**
   * Read the file alone, without the rest of the project: names, lines and doc comments are right, types are not.
   * For questions the syntax answers (is this function documented?), in milliseconds instead of seconds.
   */
  syntaxOnly?: boolean;
}

/** The declarations of one file and how to document them. */
export async function loadModel(files: FileSet, filePath: string, options: ModelOptions = {}): Promise<SourceModel> {
  const { text } = readFile(files, filePath);
  const language = languageOf(filePath);
  if (language === 'python') return pythonModel(text, filePath);
  if (language === 'go') return goModel(text, filePath);
  if (language === 'typescript' || language === 'javascript') {
    const { syntaxOnly, ...projectOptions } = options;
    const project = syntaxOnly
      ? singleFileProject(filePath, files.get(filePath) ?? text)
      : tsProject(files, { near: filePath, ...projectOptions });
    const sourceFile = sourceFileOf(project, filePath);
    if (!sourceFile)
      throw new AiError('unsupported_language', `${filePath} is too large or generated; it is not read.`);
    return typescriptModel(sourceFile, text);
  }
  throw new AiError(
    'unsupported_language',
    `The local provider documents TypeScript, JavaScript, Python and Go; ${filePath} is none of them.`,
  );
}

function applyChanges(text: string, changes: readonly TextChange[]): string {
  let out = text;
  for (const change of [...changes].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, change.start) + change.text + out.slice(change.end);
  }
  return out;
}

function kindLabel(kind: SymbolKind): string {
  return kind === 'getter' || kind === 'setter' ? 'accessor' : kind;
}

/** Picks the declaration a target names: by name (`fn`, `Class.method`) or by the lines it spans. */
function findItem(items: readonly DocItem[], target: DocTarget, filePath: string): DocItem {
  if ('symbol' in target) {
    const wanted = target.symbol.trim();
    const exact = items.filter((item) => item.name === wanted);
    const byMember = items.filter((item) => item.name.endsWith(`.${wanted}`));
    const found = exact[0] ?? byMember[0];
    if (!found) throw new AiError('symbol_not_found', `${filePath} declares no function or type named ${wanted}.`);
    return found;
  }
  const { startLine, endLine } = target;
  if (!Number.isInteger(startLine) || !Number.isInteger(endLine) || startLine < 1 || endLine < startLine) {
    throw new AiError('symbol_not_found', `Lines ${startLine}-${endLine} are not a valid range.`);
  }
  const containing = items
    .filter((item) => item.startLine <= startLine && item.endLine >= startLine)
    .sort((a, b) => a.endLine - a.startLine - (b.endLine - b.startLine));
  const starting = items.filter((item) => item.startLine >= startLine && item.startLine <= endLine);
  const found = containing[0] ?? starting[0];
  if (!found)
    throw new AiError('symbol_not_found', `No function or type of ${filePath} spans lines ${startLine}-${endLine}.`);
  return found;
}

/** Why documenting `item` has nothing to do. */
function documentedMessage(item: DocItem, filePath: string): string {
  return `\`${item.name}\` in ${filePath}:${item.line} already has a doc comment.`;
}

/** Why documenting the whole file has nothing to do, when every declaration has docs (or there is none). */
function fileDocumentedMessage(items: readonly DocItem[], filePath: string): string | undefined {
  if (items.length === 0) return `${filePath} declares no functions or types to document.`;
  if (items.every((item) => item.doc !== undefined))
    return `Every declaration in ${filePath} already has a doc comment (${items.length} in all).`;
  return undefined;
}

/**
 * Why documenting `target` (one function, or with no target the whole file) has nothing to do, found from the file
 * alone without loading the project: the sentence to show, or undefined when there is work to do. Fast (no type
 * checking), so callers ask it before reading the rest of the project. Refusals (no such function) reject as
 * `documentFunction` would.
 */
export async function nothingToDocument(
  files: FileSet,
  filePath: string,
  target?: DocTarget,
): Promise<string | undefined> {
  const model = await loadModel(files, filePath, { syntaxOnly: true });
  if (!target) return fileDocumentedMessage(model.items, filePath);
  const item = findItem(model.items, target, filePath);
  return item.doc === undefined ? undefined : documentedMessage(item, filePath);
}

/**
 * Adds a doc comment to one function, method or type: JSDoc for TypeScript and JavaScript, a docstring for Python,
 * `//` lines for Go. Only comment lines are added (a one-line Python `def f(): …` is the exception: its body moves to
 * the next line). A declaration that already has docs is left alone: `after` equals `before`, and `description`
 * says why.
 */
export async function documentFunction(
  files: FileSet,
  filePath: string,
  target: DocTarget,
  options: ProjectOptions = {},
): Promise<Edit> {
  const { text, bom } = readFile(files, filePath);
  const model = await loadModel(files, filePath, options);
  const item = findItem(model.items, target, filePath);
  if (item.doc !== undefined) {
    return { path: filePath, before: bom + text, after: bom + text, description: documentedMessage(item, filePath) };
  }
  const change = model.render(item);
  if (!change) {
    throw new AiError(
      'unsupported_layout',
      `${item.name} shares its line with other code; there is no line to put a comment above.`,
    );
  }
  return {
    path: filePath,
    before: bom + text,
    after: bom + applyChanges(text, [change]),
    description: `Document ${kindLabel(item.kind)} ${item.name} in ${filePath}${change.splitsLine ? ' (its one-line body moves to its own line)' : ''}`,
  };
}

/**
 * Documents every declaration of the file that has no doc comment yet (functions, classes, methods, interfaces,
 * types), leaving documented ones as they are. When there is nothing to add, `after` equals `before` and
 * `description` says why.
 */
export async function documentFile(files: FileSet, filePath: string, options: ProjectOptions = {}): Promise<Edit> {
  const { text, bom } = readFile(files, filePath);
  const model = await loadModel(files, filePath, options);
  const documented: DocItem[] = [];
  const changes: TextChange[] = [];
  const seen = new Set<number>();
  for (const item of model.items) {
    if (item.doc !== undefined) continue;
    const change = model.render(item);
    if (!change || seen.has(change.start)) continue;
    seen.add(change.start);
    changes.push(change);
    documented.push(item);
  }
  const names = documented.map((item) => item.name);
  const shown = names.length > 4 ? `${names.slice(0, 4).join(', ')} and ${names.length - 4} more` : listing(names);
  const undocumented = model.items.filter((item) => item.doc === undefined).map((item) => `\`${item.name}\``);
  return {
    path: filePath,
    before: bom + text,
    after: bom + applyChanges(text, changes),
    description:
      documented.length > 0
        ? `Document ${documented.length} declaration${documented.length === 1 ? '' : 's'} in ${filePath} (${shown})`
        : (fileDocumentedMessage(model.items, filePath) ??
          `The declarations of ${filePath} without a doc comment (${listing(undocumented)}) share their line with other code: there is no line to put a comment above.`),
  };
}

/** "`fetchUser` fetches the user …" from a name and its doc's first sentence. */
function asClause(name: string, doc: string): string {
  const code = `\`${name}\``;
  const lower = doc.charAt(0).toLowerCase() + doc.slice(1);
  if (/^(Asynchronously|[A-Z][a-z]+s)\b/.test(doc) && !/^(Options|Settings|Props|Parameters|Arguments)\b/.test(doc)) {
    return `${code} ${lower}`;
  }
  if (/^(Thrown|Raised|Returned) when\b/.test(doc)) return `${code} is ${lower}`;
  if (/^(A|An|The|One)\b/.test(doc)) return `${code} is ${lower}`;
  if (/^(Options|Configuration|Settings|Parameters|Arguments|Input|Props)\b/.test(doc)) return `${code} holds ${lower}`;
  return `${code}: ${doc}`;
}

/** A summary derived from the code (`Returns \`a + b\`.`), or empty when only a person can say what it is for. */
function generatedSummary(item: DocItem): string {
  const summary = isFunctionFacts(item.facts) ? describeFunction(item.facts).summary : describeType(item.facts).summary;
  return isPlaceholder(summary) ? '' : summary;
}

/** One line of a summary: a declaration, or an exported value (CommonJS `exports.x = …`). */
interface Listed {
  name: string;
  kind: SymbolKind;
  signature: string;
  line: number;
  doc: () => string;
  item?: DocItem;
}

function listedItem(item: DocItem): Listed {
  const own = item.doc && item.doc !== '(documented)' ? item.doc : undefined;
  return {
    name: item.name,
    kind: item.kind,
    signature: item.signature,
    line: item.line,
    doc: () => own ?? generatedSummary(item),
    item,
  };
}

function listedValue(value: ValueExport): Listed {
  return {
    name: value.name,
    kind: 'variable',
    signature: value.signature,
    line: value.line,
    doc: () => value.doc ?? `A value exported as \`${value.name}\`.`,
  };
}

/**
 * What a file exports: exported top-level declarations, CommonJS exports (`exports.x = …`, `module.exports = …`,
 * `module.exports.x = …`), and the methods assigned to an exported object (`app.use = function use() {…}` after
 * `var app = module.exports = {}`), in file order.
 */
function exportsOf(model: SourceModel): Listed[] {
  const names = new Set(model.items.map((item) => item.name));
  const exported = model.items.filter((item) => {
    if (!item.exported) return false;
    const dot = item.name.indexOf('.');
    // Members of an exported class are described with it; members of an exported plain object are the API.
    return dot === -1 || !names.has(item.name.slice(0, dot));
  });
  return [...exported.map(listedItem), ...(model.values ?? []).map(listedValue)].sort((a, b) => a.line - b.line);
}

/** Describes a file's exported API in a paragraph, and lists each export with its signature and doc. */
export async function summarizeFile(
  files: FileSet,
  filePath: string,
  options: ProjectOptions = {},
): Promise<FileSummary> {
  const model = await loadModel(files, filePath, options);
  const topLevel = model.items.filter((item) => !item.name.includes('.')).map(listedItem);
  const exported = exportsOf(model);
  const exports: ExportSummary[] = exported.map((entry) => ({
    name: entry.name,
    kind: entry.kind,
    signature: entry.signature,
    doc: entry.doc(),
  }));
  const listed = exported.length > 0 ? exported : topLevel;
  const byKind = new Map<SymbolKind, string[]>();
  for (const entry of listed) byKind.set(entry.kind, [...(byKind.get(entry.kind) ?? []), entry.name]);
  const groups = [...byKind].map(([kind, names]) => {
    const noun = kind === 'variable' ? 'value' : kind;
    const plural = names.length === 1 ? noun : noun === 'class' ? 'classes' : `${noun}s`;
    const shown = names.slice(0, 4).map((name) => `\`${name}\``);
    return `${names.length} ${plural} (${shown.join(', ')}${names.length > 4 ? ', …' : ''})`;
  });
  const sentences: string[] = [];
  if (listed.length === 0) sentences.push(`\`${filePath}\` declares no functions or types.`);
  else if (exported.length === 0) sentences.push(`\`${filePath}\` exports nothing; it declares ${listing(groups)}.`);
  else sentences.push(`\`${filePath}\` exports ${listing(groups)}.`);
  const undescribed: string[] = [];
  for (const entry of listed.slice(0, 8)) {
    const doc = entry.doc();
    if (!doc) {
      undescribed.push(`\`${entry.name}\``);
      continue;
    }
    const clause = asClause(entry.name, doc);
    // Doc comments often end without a full stop ("Expose middleware"); the paragraph needs one.
    sentences.push(/[.!?]$/.test(clause) ? clause : `${clause}.`);
  }
  if (undescribed.length > 0)
    sentences.push(`${listing(undescribed)} ${undescribed.length === 1 ? 'has' : 'have'} no doc comment.`);
  if (listed.length > 8) sentences.push(`${listed.length - 8} more declarations are not described here.`);
  const effects = listEffects(
    model.items
      .filter((item) => (exported.length > 0 ? item.exported : true))
      .flatMap((item) => (isFunctionFacts(item.facts) ? item.facts.effects : []))
      .filter((effect) => effect.kind !== 'state'),
  );
  if (effects) sentences.push(`Side effects: ${effects}.`);
  return { summary: sentences.join(' '), exports };
}
