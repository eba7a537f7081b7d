import { describeFunction, describeType, listEffects } from './describe.js';
import { AiError } from './errors.js';
import { goModel } from './lang/go.js';
import { pythonModel } from './lang/python.js';
import { isFunctionFacts, type DocItem, type SourceModel, type TextChange } from './lang/source-model.js';
import { TS_EXTENSIONS, sourceFileOf, tsProject, type ProjectOptions } from './lang/ts-project.js';
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

/** The declarations of one file and how to document them. */
export async function loadModel(files: FileSet, filePath: string, options: ProjectOptions = {}): Promise<SourceModel> {
  const { text } = readFile(files, filePath);
  const language = languageOf(filePath);
  if (language === 'python') return pythonModel(text, filePath);
  if (language === 'go') return goModel(text, filePath);
  if (language === 'typescript' || language === 'javascript') {
    const project = tsProject(files, { near: filePath, ...options });
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

/**
 * Adds a doc comment to one function, method or type: JSDoc for TypeScript and JavaScript, a docstring for Python,
 * `//` lines for Go. Only comment lines are added (a one-line Python `def f(): …` is the exception: its body moves to
 * the next line). Refuses a declaration that already has docs.
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
    throw new AiError('already_documented', `${item.name} in ${filePath} already has a doc comment.`);
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
 * types), leaving documented ones as they are. When there is nothing to add, `after` equals `before`.
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
  return {
    path: filePath,
    before: bom + text,
    after: bom + applyChanges(text, changes),
    description:
      documented.length === 0
        ? `Nothing to document in ${filePath}: every declaration has a doc comment`
        : `Document ${documented.length} declaration${documented.length === 1 ? '' : 's'} in ${filePath} (${shown})`,
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

function generatedSummary(item: DocItem): string {
  return isFunctionFacts(item.facts) ? describeFunction(item.facts).summary : describeType(item.facts).summary;
}

/** Describes a file's exported API in a paragraph, and lists each export with its signature and doc. */
export async function summarizeFile(
  files: FileSet,
  filePath: string,
  options: ProjectOptions = {},
): Promise<FileSummary> {
  const model = await loadModel(files, filePath, options);
  const topLevel = model.items.filter((item) => !item.name.includes('.'));
  const exported = topLevel.filter((item) => item.exported);
  const exports: ExportSummary[] = exported.map((item) => ({
    name: item.name,
    kind: item.kind,
    signature: item.signature,
    doc: item.doc && item.doc !== '(documented)' ? item.doc : generatedSummary(item),
  }));
  const listed = exported.length > 0 ? exported : topLevel;
  const byKind = new Map<SymbolKind, string[]>();
  for (const item of listed) byKind.set(item.kind, [...(byKind.get(item.kind) ?? []), item.name]);
  const groups = [...byKind].map(([kind, names]) => {
    const noun = names.length === 1 ? kind : kind === 'class' ? 'classes' : `${kind}s`;
    const shown = names.slice(0, 4).map((name) => `\`${name}\``);
    return `${names.length} ${noun} (${shown.join(', ')}${names.length > 4 ? ', …' : ''})`;
  });
  const sentences: string[] = [];
  if (listed.length === 0) sentences.push(`\`${filePath}\` declares no functions or types.`);
  else if (exported.length === 0) sentences.push(`\`${filePath}\` exports nothing; it declares ${listing(groups)}.`);
  else sentences.push(`\`${filePath}\` exports ${listing(groups)}.`);
  for (const item of listed.slice(0, 8)) {
    const doc = item.doc && item.doc !== '(documented)' ? item.doc : generatedSummary(item);
    sentences.push(asClause(item.name, doc));
  }
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
