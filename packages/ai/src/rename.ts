import { ts, type Project } from 'ts-morph';
import { languageOf } from './document.js';
import { AiError } from './errors.js';
import {
  TS_EXTENSIONS,
  fromProjectPath,
  isProjectSource,
  sourceFileOf,
  toProjectPath,
  tsProject,
  type ProjectOptions,
} from './lang/ts-project.js';
import { lineStarts } from './text.js';
import { type Edit, type FileSet } from './types.js';

/** How far from the given line to look for the symbol when it is not on that line. */
const NEAR_LINES = 3;

/** Built-in type names a class, interface, alias or enum cannot take. */
const TYPE_KEYWORDS = new Set([
  'any',
  'unknown',
  'never',
  'number',
  'bigint',
  'boolean',
  'string',
  'symbol',
  'void',
  'object',
  'undefined',
]);

interface Location {
  fileName: string;
  start: number;
  length: number;
  prefix: string;
  suffix: string;
}

/**
 * Renames a symbol of a TypeScript or JavaScript project semantically, through the language service: its declaration,
 * every reference, imports and re-exports in every file, class members through `this.x` and `obj.x`, and shorthand
 * properties (`{ x }` becomes `{ x: y }` where the property keeps its name). Look-alike identifiers in other scopes,
 * strings and comments are untouched. Returns one edit per changed file, the declaring file first.
 *
 * Refuses with an AiError: `symbol_not_found` (nothing called `symbolName` at or near `line`), `invalid_name` (not
 * an identifier, a reserved word, or the same name), `name_collision` (the new name already means something where
 * the symbol is declared or used, or would capture an existing use), `not_renameable` (declared outside the
 * project, e.g. in a library), `unsupported_language` (not TypeScript or JavaScript), `project_too_large` (a
 * JS/TS file that mentions the name is too large for the analysis: without it the rename could be incomplete).
 * Every file of the set is in the program, so a rename that returns is complete.
 */
export function renameSymbol(
  files: FileSet,
  filePath: string,
  line: number,
  symbolName: string,
  newName: string,
  options: Pick<ProjectOptions, 'tsconfig'> = {},
): Edit[] {
  const language = languageOf(filePath);
  if (language !== 'typescript' && language !== 'javascript') {
    throw new AiError('unsupported_language', `Renames work on TypeScript and JavaScript; ${filePath} is neither.`);
  }
  const text = files.get(filePath);
  if (text === undefined) throw new AiError('file_not_found', `${filePath} is not in the project.`);
  const project = tsProject(files, { near: filePath, ...options });
  if (!sourceFileOf(project, filePath)) {
    throw new AiError('unsupported_language', `${filePath} is too large or generated; it is not read.`);
  }
  refuseUnreadMentions(files, symbolName);
  const service = project.getLanguageService().compilerObject;
  const program = service.getProgram();
  if (!program) throw new Error('The language service has no program.');
  const checker = program.getTypeChecker();
  const sourceFile = program.getSourceFile(toProjectPath(filePath));
  if (!sourceFile) throw new AiError('file_not_found', `${filePath} is not in the project.`);

  const target = findTarget(sourceFile, line, symbolName, checker);
  validateName(newName, symbolName, target.symbol, checker);

  const info = service.getRenameInfo(sourceFile.fileName, target.start, { allowRenameOfImportPath: false });
  if (!info.canRename)
    throw new AiError('not_renameable', `${symbolName} cannot be renamed: ${info.localizedErrorMessage}`);
  const start = startOfRename(target, symbolName, checker);
  const locations = collectLocations(service, start.fileName, start.position, program);

  const outside = locations.find((location) => !files.has(fromProjectPath(location.fileName)));
  if (outside) {
    throw new AiError(
      'not_renameable',
      `${symbolName} is also declared or used in ${outside.fileName}, outside the project files.`,
    );
  }
  checkCollisions(program, checker, files, locations, symbolName, newName);
  return buildEdits(project, files, locations, symbolName, newName, start.fileName);
}

/** Refuses when a JS/TS file left out of the program for its size mentions the name: it may hold references. */
function refuseUnreadMentions(files: FileSet, symbolName: string): void {
  const name = symbolName.replace(/[$.*+?^(){}[\]\\|]/g, '\\$&');
  const word = new RegExp(`(?<![\\w$#])${name}(?![\\w$])`);
  const unread = [...files.keys()].filter((filePath) => {
    const text = files.get(filePath) ?? '';
    return (
      TS_EXTENSIONS.test(filePath) &&
      !/(^|\/)node_modules\//.test(filePath) &&
      !isProjectSource(filePath, text) &&
      word.test(text)
    );
  });
  if (unread.length > 0) {
    const who =
      unread.length === 1
        ? `${unread[0]} mentions ${symbolName} but is`
        : `${unread[0]} and ${unread.length - 1} more files mention ${symbolName} but are`;
    throw new AiError(
      'project_too_large',
      `${who} too large for the analysis (over 1 MB); a rename without them could be incomplete, so nothing is proposed.`,
      unread,
    );
  }
}

interface Target {
  node: ts.Identifier | ts.PrivateIdentifier;
  start: number;
  symbol: ts.Symbol;
}

/** The identifier called `symbolName` on the line, or on the nearest line around it that has one. */
function findTarget(sourceFile: ts.SourceFile, line: number, symbolName: string, checker: ts.TypeChecker): Target {
  const text = sourceFile.text;
  const starts = lineStarts(text);
  const escaped = symbolName.replace(/[$.*+?^(){}[\]\\|]/g, '\\$&');
  const pattern = new RegExp(`(?<![\\w$#])${escaped}(?![\\w$])`, 'g');
  const order = [0];
  for (let distance = 1; distance <= NEAR_LINES; distance++) order.push(-distance, distance);
  for (const offset of order) {
    const index = line - 1 + offset;
    const lineStart = starts[index];
    if (lineStart === undefined || index < 0) continue;
    const lineText = text.slice(lineStart, starts[index + 1] ?? text.length);
    for (const match of lineText.matchAll(pattern)) {
      const position = lineStart + (match.index ?? 0);
      const node = identifierAt(sourceFile, position);
      if (!node || node.text !== symbolName) continue;
      const symbol = checker.getSymbolAtLocation(node);
      if (symbol) return { node, start: node.getStart(sourceFile), symbol };
    }
  }
  throw new AiError(
    'symbol_not_found',
    `There is no symbol named ${symbolName} at or near line ${line} of ${fromProjectPath(sourceFile.fileName)}.`,
  );
}

/** The identifier covering a position, when the position is in code (not in a string or comment). */
function identifierAt(sourceFile: ts.SourceFile, position: number): ts.Identifier | ts.PrivateIdentifier | undefined {
  const visit = (node: ts.Node): ts.Identifier | ts.PrivateIdentifier | undefined => {
    if (position < node.getStart(sourceFile) || position >= node.getEnd()) return undefined;
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) return node;
    return ts.forEachChild(node, visit);
  };
  return ts.forEachChild(sourceFile, visit);
}

function validateName(newName: string, oldName: string, symbol: ts.Symbol, checker: ts.TypeChecker): void {
  if (newName === oldName) throw new AiError('invalid_name', `${oldName} is already called ${newName}.`);
  const isPrivate = oldName.startsWith('#');
  const bare = isPrivate ? newName.slice(1) : newName;
  const scanner = ts.createScanner(ts.ScriptTarget.ESNext, false, ts.LanguageVariant.Standard, bare);
  const token = scanner.scan();
  const whole = scanner.getTokenEnd() === bare.length && scanner.scan() === ts.SyntaxKind.EndOfFileToken;
  const wordLike =
    token === ts.SyntaxKind.Identifier || (token >= ts.SyntaxKind.FirstKeyword && token <= ts.SyntaxKind.LastKeyword);
  if (isPrivate !== newName.startsWith('#') || !whole || !wordLike) {
    throw new AiError(
      'invalid_name',
      `${JSON.stringify(newName)} is not a valid ${isPrivate ? 'private name' : 'identifier'}.`,
    );
  }
  const reserved =
    (token >= ts.SyntaxKind.FirstReservedWord && token <= ts.SyntaxKind.LastReservedWord) ||
    (token >= ts.SyntaxKind.FirstFutureReservedWord && token <= ts.SyntaxKind.LastFutureReservedWord) ||
    bare === 'await' ||
    bare === 'arguments' ||
    bare === 'eval';
  if (reserved) throw new AiError('invalid_name', `${newName} is a reserved word.`);
  const resolved = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  if (
    resolved.flags &
      (ts.SymbolFlags.Class | ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Enum) &&
    TYPE_KEYWORDS.has(newName)
  ) {
    throw new AiError('invalid_name', `A type cannot be called ${newName}.`);
  }
}

/**
 * Where the rename starts. An import that keeps the exported name (`import { foo }`) stands for the declaration, so
 * the rename starts there and reaches every file; a local alias (`import { foo as bar }`) is renamed on its own.
 */
function startOfRename(
  target: Target,
  symbolName: string,
  checker: ts.TypeChecker,
): { fileName: string; position: number } {
  const here = { fileName: target.node.getSourceFile().fileName, position: target.start };
  if (!(target.symbol.flags & ts.SymbolFlags.Alias)) return here;
  const original = checker.getAliasedSymbol(target.symbol);
  if (original.getName() !== symbolName) return here;
  const declaration = original.declarations?.[0];
  const name = declaration && ts.getNameOfDeclaration(declaration);
  if (!declaration || !name || !(ts.isIdentifier(name) || ts.isPrivateIdentifier(name))) return here;
  return { fileName: declaration.getSourceFile().fileName, position: name.getStart(declaration.getSourceFile()) };
}

/**
 * The rename's locations. The language service keeps shorthand properties and destructuring correct when asked for
 * prefix and suffix text, but then also keeps a re-exported name (`export { foo }` → `export { bar as foo }`) and
 * stops there; such re-exports are renamed too and their importers followed, so the new name reaches everyone.
 */
function collectLocations(
  service: ts.LanguageService,
  fileName: string,
  position: number,
  program: ts.Program,
): Location[] {
  const found = new Map<string, Location>();
  const queue: { fileName: string; position: number }[] = [{ fileName, position }];
  const expanded = new Set<string>();
  while (queue.length > 0) {
    const next = queue.shift();
    if (!next) break;
    const key = `${next.fileName}:${next.position}`;
    if (expanded.has(key)) continue;
    expanded.add(key);
    const locations = service.findRenameLocations(next.fileName, next.position, false, false, {
      providePrefixAndSuffixTextForRename: true,
    });
    for (const location of locations ?? []) {
      const id = `${location.fileName}:${location.textSpan.start}`;
      const sourceFile = program.getSourceFile(location.fileName);
      const node = sourceFile && identifierAt(sourceFile, location.textSpan.start);
      let prefix = location.prefixText ?? '';
      let suffix = location.suffixText ?? '';
      const parent = node?.parent;
      if (parent && (ts.isExportSpecifier(parent) || ts.isImportSpecifier(parent)) && (prefix || suffix)) {
        // `export { foo }` kept as `export { bar as foo }`: rename the exported name as well, then follow it.
        prefix = '';
        suffix = '';
        queue.push({ fileName: location.fileName, position: location.textSpan.start });
        found.set(id, {
          fileName: location.fileName,
          start: location.textSpan.start,
          length: location.textSpan.length,
          prefix,
          suffix,
        });
        continue;
      }
      if (found.has(id)) continue;
      found.set(id, {
        fileName: location.fileName,
        start: location.textSpan.start,
        length: location.textSpan.length,
        prefix,
        suffix,
      });
    }
  }
  return [...found.values()];
}

/** Whether an identifier names a property or member rather than a binding in scope. */
function isPropertyName(node: ts.Node): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return true;
  if (ts.isQualifiedName(parent) && parent.right === node) return true;
  if (ts.isJsxAttribute(parent) && parent.name === node) return true;
  if (ts.isBindingElement(parent) && parent.propertyName === node) return true;
  if ((ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) && parent.propertyName === node) return true;
  if (ts.isExportSpecifier(parent) && parent.name === node) return true;
  if (ts.isPropertyAssignment(parent) && parent.name === node) return true;
  if (
    (ts.isMethodDeclaration(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isMethodSignature(parent) ||
      ts.isGetAccessorDeclaration(parent) ||
      ts.isSetAccessorDeclaration(parent) ||
      ts.isEnumMember(parent)) &&
    parent.name === node
  ) {
    return true;
  }
  return false;
}

function meaningOf(symbol: ts.Symbol, checker: ts.TypeChecker): number {
  const resolved = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  let meaning = 0;
  if (resolved.flags & ts.SymbolFlags.Value) meaning |= ts.SymbolFlags.Value;
  if (resolved.flags & ts.SymbolFlags.Type) meaning |= ts.SymbolFlags.Type;
  if (resolved.flags & ts.SymbolFlags.Namespace) meaning |= ts.SymbolFlags.Namespace;
  return meaning;
}

/** The nearest node that bounds where a declaration's name is visible. */
function scopeOf(declaration: ts.Node): ts.Node {
  if (ts.isParameter(declaration) || ts.isTypeParameterDeclaration(declaration)) return declaration.parent;
  if (ts.isImportSpecifier(declaration) || ts.isImportClause(declaration) || ts.isNamespaceImport(declaration)) {
    return declaration.getSourceFile();
  }
  if ((ts.isFunctionExpression(declaration) || ts.isClassExpression(declaration)) && declaration.name)
    return declaration;
  const functionScoped =
    (ts.isVariableDeclaration(declaration) || ts.isBindingElement(declaration)) &&
    !(ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.BlockScoped);
  let current: ts.Node = declaration.parent;
  while (current.parent) {
    if (ts.isSourceFile(current) || ts.isFunctionLike(current)) return current;
    if (
      !functionScoped &&
      (ts.isBlock(current) ||
        ts.isModuleBlock(current) ||
        ts.isCaseBlock(current) ||
        ts.isForStatement(current) ||
        ts.isForInStatement(current) ||
        ts.isForOfStatement(current) ||
        ts.isCatchClause(current))
    ) {
      return current;
    }
    current = current.parent;
  }
  return current;
}

function isInside(node: ts.Node, scope: ts.Node): boolean {
  return node.getSourceFile() === scope.getSourceFile() && node.pos >= scope.pos && node.end <= scope.end;
}

/**
 * Refuses the rename when the new name clashes anywhere it would appear: a binding already visible at a use or
 * declaration, a use of an outer `newName` that the renamed declaration would capture, a member of the same type
 * (or of a subtype), or an export of a module that exports the symbol.
 */
function checkCollisions(
  program: ts.Program,
  checker: ts.TypeChecker,
  files: FileSet,
  locations: readonly Location[],
  oldName: string,
  newName: string,
): void {
  const problems: string[] = [];
  const seenProblems = new Set<string>();
  const inProject = (symbol: ts.Symbol) =>
    (symbol.declarations ?? []).some(
      (d) =>
        files.has(fromProjectPath(d.getSourceFile().fileName)) &&
        !program.isSourceFileDefaultLibrary(d.getSourceFile()),
    );
  const where = (node: ts.Node) => {
    const sourceFile = node.getSourceFile();
    const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
    const lineText = sourceFile.text.split(/\r?\n/)[line]?.trim() ?? '';
    return `${fromProjectPath(sourceFile.fileName)}:${line + 1}: ${lineText}`;
  };
  const report = (node: ts.Node, why: string) => {
    const entry = `${where(node)} (${why})`;
    if (!seenProblems.has(entry)) {
      seenProblems.add(entry);
      problems.push(entry);
    }
  };

  const nodes: { node: ts.Identifier | ts.PrivateIdentifier; location: Location }[] = [];
  for (const location of locations) {
    const sourceFile = program.getSourceFile(location.fileName);
    const node = sourceFile && identifierAt(sourceFile, location.start);
    if (node && node.getStart(sourceFile) === location.start) nodes.push({ node, location });
  }

  // Every symbol the rename touches, through import aliases.
  const renamed = new Set<ts.Symbol>();
  const symbolOf = (node: ts.Node, location: Location): ts.Symbol | undefined => {
    const parent = node.parent;
    if (parent && ts.isShorthandPropertyAssignment(parent) && location.prefix) {
      return checker.getShorthandAssignmentValueSymbol(parent);
    }
    return checker.getSymbolAtLocation(node);
  };
  for (const { node, location } of nodes) {
    const symbol = symbolOf(node, location);
    if (!symbol) continue;
    renamed.add(symbol);
    if (symbol.flags & ts.SymbolFlags.Alias) renamed.add(checker.getAliasedSymbol(symbol));
  }
  const isRenamed = (symbol: ts.Symbol | undefined) =>
    !!symbol &&
    (renamed.has(symbol) || (!!(symbol.flags & ts.SymbolFlags.Alias) && renamed.has(checker.getAliasedSymbol(symbol))));

  let memberRename = false;
  for (const { node, location } of nodes) {
    const parent = node.parent;
    const shorthandProperty = parent && ts.isShorthandPropertyAssignment(parent) && location.suffix !== '';
    const bindingProperty = parent && ts.isBindingElement(parent) && parent.name === node && location.suffix !== '';
    if (bindingProperty) continue;
    if (isPropertyName(node) || shorthandProperty) {
      if (parent && (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent))) continue;
      memberRename = true;
      const container = memberContainerType(node, checker);
      const existing = container?.getProperty(newName);
      if (existing && !isRenamed(existing))
        report(node, `${newName} is already a member of ${checker.typeToString(container!)}`);
      continue;
    }
    // A binding: nothing else called newName may be visible here.
    const symbol = symbolOf(node, location);
    if (!symbol) continue;
    const meaning = meaningOf(symbol, checker);
    for (const candidate of checker.getSymbolsInScope(node, meaning | ts.SymbolFlags.Alias)) {
      if (candidate.getName() !== newName || isRenamed(candidate)) continue;
      // Exported declarations appear in scope as their local export-value symbol; look through it and through imports.
      const local = checker.getExportSymbolOfSymbol(candidate);
      const resolved = local.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(local) : local;
      if (isRenamed(resolved)) continue;
      if (!(resolved.flags & meaning) && !(candidate.flags & meaning)) continue;
      if (!inProject(candidate) && !inProject(resolved)) continue;
      report(node, `${newName} already names something visible here`);
    }
    // A declaration: existing uses of an outer newName inside its scope would now refer to it.
    const declaration = parent && ts.getNameOfDeclaration(parent as ts.Declaration) === node ? parent : undefined;
    if (declaration && !ts.isShorthandPropertyAssignment(declaration)) {
      const scope = scopeOf(declaration);
      const visit = (child: ts.Node): void => {
        if (ts.isIdentifier(child) && child.text === newName && !isPropertyName(child)) {
          const childParent = child.parent;
          const used =
            childParent && ts.isShorthandPropertyAssignment(childParent)
              ? checker.getShorthandAssignmentValueSymbol(childParent)
              : checker.getSymbolAtLocation(child);
          const declaredInside = used?.declarations?.some((d) => isInside(d, scope)) ?? false;
          if (!isRenamed(used) && !declaredInside)
            report(child, `this ${newName} would refer to the renamed ${oldName}`);
        }
        ts.forEachChild(child, visit);
      };
      ts.forEachChild(scope, visit);
    }
  }

  if (memberRename) checkSubtypes(program, checker, files, renamed, oldName, newName, report);
  checkModuleExports(program, checker, files, renamed, oldName, newName, report);

  if (problems.length > 0) {
    throw new AiError(
      'name_collision',
      `Renaming ${oldName} to ${newName} would clash with ${problems.length === 1 ? 'an existing name' : `${problems.length} existing names`}.`,
      problems,
    );
  }
}

/** The type a member name belongs to: the object of `a.x`, the class or interface declaring `x`, the literal. */
function memberContainerType(node: ts.Node, checker: ts.TypeChecker): ts.Type | undefined {
  const parent = node.parent;
  if (!parent) return undefined;
  if (ts.isPropertyAccessExpression(parent)) return checker.getTypeAtLocation(parent.expression);
  if (
    ts.isPropertyAssignment(parent) ||
    ts.isShorthandPropertyAssignment(parent) ||
    (ts.isMethodDeclaration(parent) && ts.isObjectLiteralExpression(parent.parent))
  ) {
    return checker.getTypeAtLocation(parent.parent);
  }
  const owner = parent.parent;
  if (owner && (ts.isClassLike(owner) || ts.isInterfaceDeclaration(owner) || ts.isEnumDeclaration(owner))) {
    const isStatic =
      ts.canHaveModifiers(parent) && ts.getModifiers(parent)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
    const symbol = owner.name ? checker.getSymbolAtLocation(owner.name) : undefined;
    if (ts.isEnumDeclaration(owner)) return symbol ? checker.getTypeOfSymbolAtLocation(symbol, owner) : undefined;
    if (isStatic) return symbol ? checker.getTypeOfSymbolAtLocation(symbol, owner) : checker.getTypeAtLocation(owner);
    return symbol ? checker.getDeclaredTypeOfSymbol(symbol) : checker.getTypeAtLocation(owner);
  }
  if (owner && ts.isTypeLiteralNode(owner)) return checker.getTypeAtLocation(owner);
  return undefined;
}

/** A subclass or extending interface that inherits the renamed member and already has one called newName. */
function checkSubtypes(
  program: ts.Program,
  checker: ts.TypeChecker,
  files: FileSet,
  renamed: ReadonlySet<ts.Symbol>,
  oldName: string,
  newName: string,
  report: (node: ts.Node, why: string) => void,
): void {
  for (const sourceFile of program.getSourceFiles()) {
    if (!files.has(fromProjectPath(sourceFile.fileName))) continue;
    const visit = (node: ts.Node): void => {
      if ((ts.isClassLike(node) || ts.isInterfaceDeclaration(node)) && node.name) {
        const symbol = checker.getSymbolAtLocation(node.name);
        const type = symbol && checker.getDeclaredTypeOfSymbol(symbol);
        const inherited = type?.getProperty(oldName);
        const existing = type?.getProperty(newName);
        if (inherited && renamed.has(inherited) && existing && !renamed.has(existing)) {
          report(node.name, `${node.name.text} already has a member called ${newName}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
}

/** A module that exports the symbol must not already export something else called newName. */
function checkModuleExports(
  program: ts.Program,
  checker: ts.TypeChecker,
  files: FileSet,
  renamed: ReadonlySet<ts.Symbol>,
  oldName: string,
  newName: string,
  report: (node: ts.Node, why: string) => void,
): void {
  for (const sourceFile of program.getSourceFiles()) {
    if (!files.has(fromProjectPath(sourceFile.fileName))) continue;
    const moduleSymbol = checker.getSymbolAtLocation(sourceFile);
    if (!moduleSymbol) continue;
    const exports = checker.getExportsOfModule(moduleSymbol);
    const resolve = (symbol: ts.Symbol) =>
      symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const exportsRenamed = exports.some((e) => e.getName() === oldName && (renamed.has(e) || renamed.has(resolve(e))));
    if (!exportsRenamed) continue;
    const clash = exports.find((e) => e.getName() === newName && !renamed.has(e) && !renamed.has(resolve(e)));
    if (clash) {
      const declaration = clash.declarations?.[0];
      report(declaration ?? sourceFile, `${fromProjectPath(sourceFile.fileName)} already exports ${newName}`);
    }
  }
}

function buildEdits(
  project: Project,
  files: FileSet,
  locations: readonly Location[],
  oldName: string,
  newName: string,
  declaringFile: string,
): Edit[] {
  const byFile = new Map<string, Location[]>();
  for (const location of locations) byFile.set(location.fileName, [...(byFile.get(location.fileName) ?? []), location]);
  const edits: Edit[] = [];
  for (const [fileName, fileLocations] of byFile) {
    const filePath = fromProjectPath(fileName);
    const before = files.get(filePath) ?? '';
    // Offsets count from the text the compiler parsed; keep them aligned if it dropped a byte-order mark.
    const parsed = project.getSourceFile(fileName)?.getFullText() ?? before;
    const shift = before.length - parsed.length;
    let after = before;
    for (const location of [...fileLocations].sort((a, b) => b.start - a.start)) {
      const start = location.start + shift;
      after =
        after.slice(0, start) + location.prefix + newName + location.suffix + after.slice(start + location.length);
    }
    if (after === before) continue;
    const count = fileLocations.length;
    edits.push({
      path: filePath,
      before,
      after,
      description:
        fileName === declaringFile
          ? `Rename ${oldName} to ${newName} (${count} place${count === 1 ? '' : 's'} in ${filePath})`
          : `Update ${count} reference${count === 1 ? '' : 's'} to ${oldName} in ${filePath}`,
    });
  }
  return edits.sort((a, b) =>
    a.path === fromProjectPath(declaringFile)
      ? -1
      : b.path === fromProjectPath(declaringFile)
        ? 1
        : a.path.localeCompare(b.path),
  );
}
