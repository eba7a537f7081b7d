import { ts } from 'ts-morph';
import { type Node } from 'web-tree-sitter';
import { languageOf } from './document.js';
import { namedChildren, withTree } from './lang/tree-sitter.js';
import { type Language } from './model.js';
import { type FileSet } from './types.js';

/** One file of the project, as the manifest lists it. */
export interface ManifestEntry {
  path: string;
  size: number;
}

/** What `buildContext` left out of one focus file. */
export interface TrimmedFile {
  path: string;
  /** Lines of the original file that are not in the context. */
  omittedLines: number;
  /** Functions and classes whose bodies were dropped (signatures kept). */
  bodies: string[];
  /** Declarations dropped whole, signatures included, when bodies alone were not enough. */
  declarations: string[];
}

/** The context text and an account of what was trimmed to fit the budget. */
export interface ContextResult {
  text: string;
  trimmed: TrimmedFile[];
  /** Focus files that did not fit at all, or are not in the file set. */
  omittedFiles: string[];
  /** Manifest entries left out (the text says how many). */
  omittedManifestEntries: number;
}

/** A run of lines that can be replaced by one marker line. */
interface Region {
  /** 0-based first and last line to drop (inclusive). */
  first: number;
  last: number;
  indent: string;
  names: string[];
  level: 'body' | 'declaration';
}

/** Part of the budget the manifest may take when focus files need the rest. */
const MANIFEST_SHARE = 0.25;

/**
 * Context for a language model: the manifest (paths and sizes), then the focus files. When everything does not fit
 * in `budgetChars`, files are trimmed on purpose at declaration boundaries: function and method bodies are dropped
 * from the end of the file first (signatures stay), then whole declarations, each replaced by a marker such as
 * `// … 12 lines omitted (body of fetchUser)`. Nothing is cut inside a line. The result never exceeds the budget.
 */
export async function buildContext(
  files: FileSet,
  manifest: readonly ManifestEntry[],
  focusPaths: readonly string[],
  budgetChars: number,
): Promise<string> {
  return (await buildContextDetailed(files, manifest, focusPaths, budgetChars)).text;
}

/** `buildContext`, with the list of what was trimmed. */
export async function buildContextDetailed(
  files: FileSet,
  manifest: readonly ManifestEntry[],
  focusPaths: readonly string[],
  budgetChars: number,
): Promise<ContextResult> {
  const budget = Math.max(0, Math.floor(budgetChars));
  const omittedFiles: string[] = [];
  const focus = [...new Set(focusPaths)].flatMap((filePath) => {
    const text = files.get(filePath);
    if (text === undefined) {
      omittedFiles.push(filePath);
      return [];
    }
    return [{ path: filePath, text: text.replace(/\r\n/g, '\n') }];
  });
  const header = (filePath: string, text: string) => `\n=== ${filePath} (${countLines(text)} lines) ===\n`;
  const fullFocus = focus.reduce(
    (sum, file) => sum + header(file.path, file.text).length + withNewline(file.text).length,
    0,
  );

  const manifestBudget =
    focus.length === 0 ? budget : Math.max(Math.floor(budget * MANIFEST_SHARE), budget - fullFocus);
  const { text: manifestText, omitted: omittedManifestEntries } = renderManifest(manifest, manifestBudget);
  let remaining = budget - manifestText.length;

  // Share what is left between the focus files: small files whole, the rest split evenly among the large ones.
  const allotments = shareBudget(
    focus.map((file) => header(file.path, file.text).length + withNewline(file.text).length),
    remaining,
  );
  const parts: string[] = [manifestText];
  const trimmed: TrimmedFile[] = [];
  for (const [index, file] of focus.entries()) {
    const head = header(file.path, file.text);
    const allotment = Math.min(allotments[index] ?? 0, remaining);
    if (allotment < head.length + 1) {
      omittedFiles.push(file.path);
      continue;
    }
    const fitted = await fitFile(file.path, file.text, allotment - head.length);
    if (!fitted) {
      omittedFiles.push(file.path);
      continue;
    }
    parts.push(head + fitted.text);
    remaining -= head.length + fitted.text.length;
    if (fitted.trim) trimmed.push(fitted.trim);
  }
  return { text: parts.join(''), trimmed, omittedFiles, omittedManifestEntries };
}

function countLines(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

function renderManifest(manifest: readonly ManifestEntry[], budget: number): { text: string; omitted: number } {
  const title = `# Project files (${manifest.length})\n`;
  if (title.length > budget) return { text: '', omitted: manifest.length };
  let text = title;
  for (const [index, entry] of manifest.entries()) {
    const line = `${entry.path}  ${entry.size}\n`;
    const left = manifest.length - index;
    const moreBytes = manifest.slice(index).reduce((sum, e) => sum + e.size, 0);
    const more = `… ${left} more files (${moreBytes} bytes)\n`;
    const needsMore = index < manifest.length - 1;
    if (text.length + line.length + (needsMore ? more.length : 0) > budget) {
      if (text.length + more.length <= budget) text += more;
      return { text, omitted: left };
    }
    text += line;
  }
  return { text, omitted: 0 };
}

/** Water-filling: files that fit in an even share get what they need; the rest share what remains. */
function shareBudget(needs: readonly number[], budget: number): number[] {
  const out = needs.map(() => 0);
  let left = Math.max(0, budget);
  let open = needs.map((need, index) => ({ need, index }));
  while (open.length > 0) {
    const share = Math.floor(left / open.length);
    const small = open.filter((file) => file.need <= share);
    if (small.length === 0) {
      for (const file of open) out[file.index] = share;
      break;
    }
    for (const file of small) {
      out[file.index] = file.need;
      left -= file.need;
    }
    open = open.filter((file) => file.need > share);
  }
  return out;
}

function commentPrefix(language: Language | undefined): string {
  return language === 'python' ? '#' : '//';
}

/** The file's text within `limit` characters, trimmed at declaration boundaries, or undefined when nothing fits. */
async function fitFile(
  filePath: string,
  text: string,
  limit: number,
): Promise<{ text: string; trim?: TrimmedFile } | undefined> {
  const full = withNewline(text);
  if (full.length <= limit) return { text: full };
  const language = languageOf(filePath);
  const lines = full.slice(0, -1).split('\n');
  const regions = await regionsOf(filePath, full, language);
  const prefix = commentPrefix(language);
  const dropped: Region[] = [];
  const render = () => renderWithout(lines, dropped, prefix);

  // 1. Function bodies, last first. 2. Whole declarations, last first (their bodies' markers merge into theirs).
  for (const level of ['body', 'declaration'] as const) {
    const candidates = regions.filter((region) => region.level === level).sort((a, b) => b.first - a.first);
    for (const region of candidates) {
      if (render().length <= limit) break;
      const size = lines.slice(region.first, region.last + 1).reduce((sum, line) => sum + line.length + 1, 0);
      if (size <= region.indent.length + 40) continue;
      if (dropped.some((d) => d.level === 'declaration' && d.first <= region.first && d.last >= region.last)) continue;
      for (let i = dropped.length - 1; i >= 0; i--) {
        const inner = dropped[i];
        if (inner && inner.first >= region.first && inner.last <= region.last) dropped.splice(i, 1);
      }
      dropped.push(region);
    }
  }
  let out = render();
  let cutLines = 0;
  if (out.length > limit) {
    // 3. Still too long: keep whole lines from the top and say how many were left out.
    const kept = out.slice(0, -1).split('\n');
    while (kept.length > 0) {
      const marker = `${prefix} … ${cutLines} more lines omitted (end of file)\n`;
      const candidate = kept.join('\n') + '\n' + marker;
      if (candidate.length <= limit) {
        out = candidate;
        break;
      }
      kept.pop();
      cutLines++;
    }
    if (kept.length === 0) {
      const marker = `${prefix} … ${lines.length} lines omitted (whole file)\n`;
      if (marker.length > limit) return undefined;
      out = marker;
      cutLines = lines.length;
    }
  }
  const droppedLines = dropped.reduce((sum, region) => sum + region.last - region.first + 1, 0);
  const trim: TrimmedFile = {
    path: filePath,
    omittedLines: droppedLines + cutLines,
    bodies: dropped.filter((r) => r.level === 'body').flatMap((r) => r.names),
    declarations: dropped.filter((r) => r.level === 'declaration').flatMap((r) => r.names),
  };
  return { text: out, trim };
}

function renderWithout(lines: readonly string[], dropped: readonly Region[], prefix: string): string {
  // Neighbouring regions with only blank lines between them share one marker ("bodies of a, b").
  const merged: Region[] = [];
  for (const region of [...dropped].sort((a, b) => a.first - b.first)) {
    const previous = merged[merged.length - 1];
    const gap = previous ? lines.slice(previous.last + 1, region.first) : [];
    if (previous && previous.level === region.level && gap.every((line) => line.trim() === '')) {
      merged[merged.length - 1] = { ...previous, last: region.last, names: [...previous.names, ...region.names] };
    } else merged.push(region);
  }
  const out: string[] = [];
  let next = 0;
  for (const region of merged) {
    out.push(...lines.slice(next, region.first));
    const count = region.last - region.first + 1;
    const what =
      region.level === 'body'
        ? `${region.names.length === 1 ? 'body' : 'bodies'} of ${region.names.join(', ')}`
        : region.names.join(', ');
    out.push(`${region.indent}${prefix} … ${count} line${count === 1 ? '' : 's'} omitted (${what})`);
    next = region.last + 1;
  }
  out.push(...lines.slice(next));
  return out.join('\n') + '\n';
}

async function regionsOf(filePath: string, text: string, language: Language | undefined): Promise<Region[]> {
  if (language === 'typescript' || language === 'javascript') return tsRegions(filePath, text);
  if (language === 'python') return treeRegions('python', filePath, text);
  if (language === 'go') return treeRegions('go', filePath, text);
  return [];
}

function indentOf(line: string | undefined): string {
  return /^[ \t]*/.exec(line ?? '')?.[0] ?? '';
}

/** Bodies of functions, methods and class members (lines strictly between the braces) and top-level statements. */
function tsRegions(filePath: string, text: string): Region[] {
  const sourceFile = ts.createSourceFile(filePath, text, ts.ScriptTarget.Latest, true);
  const lines = text.split('\n');
  const lineOf = (position: number) => sourceFile.getLineAndCharacterOfPosition(position).line;
  const regions: Region[] = [];
  const nameOf = (node: ts.Node): string => {
    const name = ts.getNameOfDeclaration(node as ts.Declaration);
    if (name) return name.getText(sourceFile);
    if (ts.isConstructorDeclaration(node)) return 'constructor';
    const parent = node.parent;
    if (
      parent &&
      (ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent))
    ) {
      return parent.name.getText(sourceFile);
    }
    return 'anonymous function';
  };
  const addBody = (owner: ts.Node, body: ts.Node | undefined) => {
    if (!body || !ts.isBlock(body)) return;
    const open = lineOf(body.getStart(sourceFile));
    const close = lineOf(body.getEnd());
    if (close - open < 2) return;
    regions.push({
      first: open + 1,
      last: close - 1,
      indent: indentOf(lines[open + 1]),
      names: [nameOf(owner)],
      level: 'body',
    });
  };
  const visit = (node: ts.Node) => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node)
    ) {
      addBody(node, node.body);
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sourceFile, visit);
  for (const statement of sourceFile.statements) {
    const first = lineOf(statement.getStart(sourceFile, true));
    const last = lineOf(statement.getEnd());
    const name = ts.isVariableStatement(statement)
      ? statement.declarationList.declarations.map((d) => d.name.getText(sourceFile)).join(', ')
      : (ts.getNameOfDeclaration(statement as unknown as ts.Declaration)?.getText(sourceFile) ??
        ts.SyntaxKind[statement.kind]);
    if (ts.isImportDeclaration(statement)) continue;
    regions.push({ first, last, indent: indentOf(lines[first]), names: [name], level: 'declaration' });
  }
  return regions;
}

function treeRegions(grammar: 'python' | 'go', filePath: string, text: string): Promise<Region[]> {
  return withTree(grammar, text, filePath, (tree) => treeRegionsOf(grammar, tree.rootNode, text));
}

function treeRegionsOf(grammar: 'python' | 'go', root: Node, text: string): Region[] {
  const lines = text.split('\n');
  const regions: Region[] = [];
  const bodyOf = (node: Node, name: string) => {
    const body = node.childForFieldName('body');
    if (!body) return;
    if (grammar === 'python') {
      const first = node.childForFieldName('parameters')?.endPosition.row ?? node.startPosition.row;
      const headerEnd = Math.max(first, node.childForFieldName('return_type')?.endPosition.row ?? first);
      if (body.startPosition.row <= headerEnd || body.endPosition.row - headerEnd < 2) return;
      regions.push({
        first: headerEnd + 1,
        last: body.endPosition.row,
        indent: indentOf(lines[body.startPosition.row]),
        names: [name],
        level: 'body',
      });
    } else {
      const open = body.startPosition.row;
      const close = body.endPosition.row;
      if (close - open < 2) return;
      regions.push({
        first: open + 1,
        last: close - 1,
        indent: indentOf(lines[open + 1]),
        names: [name],
        level: 'body',
      });
    }
  };
  for (const statement of namedChildren(root)) {
    const node = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (!node) continue;
    const name = node.childForFieldName('name')?.text ?? node.type;
    if (
      node.type === 'function_definition' ||
      node.type === 'function_declaration' ||
      node.type === 'method_declaration'
    ) {
      bodyOf(node, name);
    } else if (node.type === 'class_definition') {
      for (const member of namedChildren(node.childForFieldName('body') ?? node)) {
        const method = member.type === 'decorated_definition' ? member.childForFieldName('definition') : member;
        if (method?.type === 'function_definition')
          bodyOf(method, `${name}.${method.childForFieldName('name')?.text ?? ''}`);
      }
    }
    if (
      statement.type === 'import_statement' ||
      statement.type === 'import_from_statement' ||
      statement.type === 'import_declaration' ||
      statement.type === 'package_clause' ||
      statement.type === 'comment'
    ) {
      continue;
    }
    regions.push({
      first: statement.startPosition.row,
      last: statement.endPosition.row,
      indent: indentOf(lines[statement.startPosition.row]),
      names: [name],
      level: 'declaration',
    });
  }
  return regions;
}
