import {
  Node,
  SyntaxKind,
  ts,
  type ArrowFunction,
  type ClassDeclaration,
  type ConstructorDeclaration,
  type EnumDeclaration,
  type Expression,
  type ExpressionStatement,
  type FunctionDeclaration,
  type FunctionExpression,
  type GetAccessorDeclaration,
  type InterfaceDeclaration,
  type MethodDeclaration,
  type ObjectLiteralExpression,
  type ParameterDeclaration,
  type SetAccessorDeclaration,
  type SourceFile,
  type Type,
  type TypeAliasDeclaration,
  type VariableStatement,
} from 'ts-morph';
import { describeFunction, describeType } from '../describe.js';
import {
  type EffectFact,
  type FailureFact,
  type FunctionFacts,
  type ParamFact,
  type TypeFacts,
  type TypeShape,
} from '../model.js';
import { detectJsDocStyle, renderJsDoc } from '../render.js';
import { aboveDirectives, detectEol, indentAt, oneLine, startsLine } from '../text.js';
import {
  codeSpan,
  comparisonWords,
  firstSentence,
  isFunctionFacts,
  type DocItem,
  type SourceModel,
  type TextChange,
  type ValueExport,
} from './source-model.js';
import { type SymbolKind } from '../types.js';
import { JS_EXTENSIONS } from './ts-project.js';

type FunctionLike =
  | FunctionDeclaration
  | MethodDeclaration
  | ConstructorDeclaration
  | GetAccessorDeclaration
  | SetAccessorDeclaration
  | ArrowFunction
  | FunctionExpression;

interface TsItem extends DocItem {
  /** The node the comment goes above: the statement, the class member or the object literal's property. */
  anchor: Node;
}

/** Where a doc comment's description comes from: a ts-morph JSDoc, or one read off the compiler's node. */
interface DocSource {
  getDescription(): string;
}

/**
 * Reads a TypeScript or JavaScript file's declarations, CommonJS exports included (`exports.x = …`,
 * `module.exports = …`, methods assigned to the exported object). Names, lines and existing docs come from the
 * syntax alone; each item's `facts` go through the project's type checker on first read, so finding out that a
 * function is already documented costs no type checking.
 */
export function typescriptModel(sourceFile: SourceFile, text: string): SourceModel {
  const javascript = JS_EXTENSIONS.test(sourceFile.getFilePath());
  const language = javascript ? 'javascript' : 'typescript';
  const eol = detectEol(text);
  const style = detectJsDocStyle(text, javascript);
  // The checker's offsets count from the text it parsed; a byte-order mark may or may not be part of it.
  const shift = text.length - sourceFile.getFullText().length;
  // `isExported()` would ask the type checker (and so build the whole program); the syntax tells as much here.
  const commonJs = commonJsExports(sourceFile);
  const items: TsItem[] = [];
  const values: ValueExport[] = [];

  const add = (
    anchor: Node,
    name: string,
    kind: SymbolKind,
    facts: () => FunctionFacts | TypeFacts,
    signature: string,
    docs: readonly DocSource[],
    exported: boolean,
  ) => {
    let computed: FunctionFacts | TypeFacts | undefined;
    const item: TsItem = {
      name,
      kind,
      exported: exported || commonJs.exported.has(name),
      topLevel: true,
      startLine: anchor.getStartLineNumber(true),
      endLine: anchor.getEndLineNumber(),
      line: anchor.getStartLineNumber(false),
      signature,
      get facts() {
        computed ??= facts();
        return computed;
      },
      anchor,
    };
    const doc = docs[0]?.getDescription().trim();
    if (docs.length > 0) item.doc = doc ? firstSentence(doc) : '(documented)';
    items.push(item);
  };

  for (const statement of sourceFile.getStatements()) {
    if (Node.isFunctionDeclaration(statement)) {
      const overloads = statement.getOverloads();
      if (!statement.hasBody() && statement.getImplementation()?.getOverloads()[0] !== statement) continue;
      if (statement.hasBody() && overloads.length > 0) continue;
      const implementation = statement.getImplementation() ?? statement;
      const name = statement.getName() ?? 'default';
      const docs = [statement, ...implementation.getOverloads(), implementation].flatMap((node) => node.getJsDocs());
      add(
        statement,
        name,
        'function',
        () => overloadFacts(functionFacts(implementation, name, undefined, language), statement, implementation),
        headOf(statement),
        docs,
        statement.hasExportKeyword(),
      );
    } else if (Node.isClassDeclaration(statement)) {
      const name = statement.getName() ?? 'default';
      add(
        statement,
        name,
        'class',
        () => classFacts(statement, language),
        headOf(statement),
        statement.getJsDocs(),
        statement.hasExportKeyword(),
      );
      addMembers(statement, name, statement.hasExportKeyword() || commonJs.exported.has(name));
    } else if (Node.isInterfaceDeclaration(statement)) {
      add(
        statement,
        statement.getName(),
        'interface',
        () => interfaceFacts(statement, language),
        headOf(statement),
        statement.getJsDocs(),
        statement.hasExportKeyword(),
      );
    } else if (Node.isTypeAliasDeclaration(statement)) {
      add(
        statement,
        statement.getName(),
        'type',
        () => aliasFacts(statement, language),
        oneLine(statement.getText())
          .replace(/^export\s+/, '')
          .replace(/;$/, '')
          .slice(0, 160),
        statement.getJsDocs(),
        statement.hasExportKeyword(),
      );
    } else if (Node.isEnumDeclaration(statement)) {
      add(
        statement,
        statement.getName(),
        'enum',
        () => enumFacts(statement, language),
        `enum ${statement.getName()}`,
        statement.getJsDocs(),
        statement.hasExportKeyword(),
      );
    } else if (Node.isVariableStatement(statement)) {
      const fn = variableFunction(statement);
      if (fn) {
        add(
          statement,
          fn.name,
          'function',
          () => functionFacts(fn.node, fn.name, undefined, language),
          fn.head,
          statement.getJsDocs(),
          statement.hasExportKeyword(),
        );
      }
    } else if (Node.isExpressionStatement(statement)) {
      addAssignment(statement);
    }
  }

  /**
   * `exports.x = function …`, `module.exports = function …`, `app.use = function use(…)` (app being the exported
   * object), `View.prototype.lookup = function …`: functions, named as written; other values given to `exports.x`
   * are listed as exported values.
   */
  function addAssignment(statement: ExpressionStatement): void {
    const chain = assignmentChain(statement.getExpression());
    if (!chain) return;
    const target = chain.targets.map(commonJsTarget).find((t) => t !== undefined);
    if (!target) return;
    const { value } = chain;
    if (Node.isFunctionExpression(value) || Node.isArrowFunction(value)) {
      const head = oneLine(sourceFile.getFullText().slice(statement.getStart(), value.getBody().getStart())).replace(
        /\s*=>\s*$/,
        '',
      );
      if (target.kind === 'member') {
        const exported = commonJs.aliases.has(target.owner) || commonJs.exported.has(target.owner);
        add(
          statement,
          `${target.owner}.${target.name}`,
          'method',
          () => functionFacts(value, target.name, target.owner, language),
          head,
          statement.getJsDocs(),
          exported,
        );
      } else {
        const fnName =
          target.kind === 'export'
            ? target.name
            : ((Node.isFunctionExpression(value) ? value.getName() : undefined) ?? 'default');
        add(
          statement,
          fnName,
          'function',
          () => functionFacts(value, fnName, undefined, language),
          head,
          statement.getJsDocs(),
          true,
        );
      }
    } else if (target.kind === 'module' && Node.isObjectLiteralExpression(value)) {
      addObjectExports(value);
    } else if (target.kind === 'export' && !(Node.isIdentifier(value) && commonJs.declared.has(value.getText()))) {
      const doc = statement.getJsDocs()[0]?.getDescription().trim();
      values.push({
        name: target.name,
        line: statement.getStartLineNumber(false),
        signature: oneLine(statement.getText()).replace(/;$/, '').slice(0, 160),
        ...(doc && { doc: firstSentence(doc) }),
      });
    }
  }

  /** `module.exports = { parse, format: function (…) {…}, version: '1.0' }`. */
  function addObjectExports(object: ObjectLiteralExpression): void {
    for (const property of object.getProperties()) {
      if (Node.isShorthandPropertyAssignment(property) && !commonJs.declared.has(property.getName())) {
        values.push({
          name: property.getName(),
          line: property.getStartLineNumber(false),
          signature: property.getName(),
        });
      } else if (Node.isMethodDeclaration(property)) {
        const name = property.getName();
        add(
          property,
          name,
          'function',
          () => ({ ...functionFacts(property, name, undefined, language), kind: 'function' }),
          headOf(property),
          property.getJsDocs(),
          true,
        );
      } else if (Node.isPropertyAssignment(property)) {
        const name = property.getName();
        const initializer = property.getInitializer();
        if (initializer && (Node.isFunctionExpression(initializer) || Node.isArrowFunction(initializer))) {
          add(
            property,
            name,
            'function',
            () => functionFacts(initializer, name, undefined, language),
            oneLine(property.getText().slice(0, initializer.getBody().getStart() - property.getStart())).replace(
              /\s*=>\s*$/,
              '',
            ),
            jsDocsOf(property),
            true,
          );
        } else if (initializer && !(Node.isIdentifier(initializer) && commonJs.declared.has(initializer.getText()))) {
          const doc = jsDocsOf(property)[0]?.getDescription().trim();
          values.push({
            name,
            line: property.getStartLineNumber(false),
            signature: oneLine(property.getText()).slice(0, 160),
            ...(doc && { doc: firstSentence(doc) }),
          });
        }
      }
    }
  }

  function addMembers(cls: ClassDeclaration, owner: string, exported: boolean): void {
    for (const member of cls.getMembers()) {
      const isPublic = !Node.hasName(member) || !member.getName().startsWith('#');
      const visible =
        isPublic &&
        !(
          Node.isModifierable(member) &&
          (member.hasModifier(SyntaxKind.PrivateKeyword) || member.hasModifier(SyntaxKind.ProtectedKeyword))
        );
      if (Node.isConstructorDeclaration(member)) {
        if (!member.hasBody() && member.getImplementation()?.getOverloads()[0] !== member) continue;
        if (member.hasBody() && member.getOverloads().length > 0) continue;
        const impl = member.getImplementation() ?? member;
        const docs = [member, ...impl.getOverloads(), impl].flatMap((node) => node.getJsDocs());
        add(
          member,
          `${owner}.constructor`,
          'constructor',
          () => overloadFacts(functionFacts(impl, 'constructor', owner, language), member, impl),
          headOf(member),
          docs,
          exported,
        );
      } else if (Node.isMethodDeclaration(member)) {
        if (!member.hasBody() && member.getImplementation() && member.getImplementation()?.getOverloads()[0] !== member)
          continue;
        if (member.hasBody() && member.getOverloads().length > 0) continue;
        const impl = member.getImplementation() ?? member;
        const docs = [member, ...impl.getOverloads(), impl].flatMap((node) => node.getJsDocs());
        add(
          member,
          `${owner}.${member.getName()}`,
          'method',
          () => overloadFacts(functionFacts(impl, member.getName(), owner, language), member, impl),
          headOf(member),
          docs,
          exported && visible,
        );
      } else if (Node.isGetAccessorDeclaration(member) || Node.isSetAccessorDeclaration(member)) {
        add(
          member,
          `${owner}.${member.getName()}`,
          Node.isGetAccessorDeclaration(member) ? 'getter' : 'setter',
          () => functionFacts(member, member.getName(), owner, language),
          headOf(member),
          member.getJsDocs(),
          exported && visible,
        );
      } else if (Node.isPropertyDeclaration(member)) {
        const initializer = member.getInitializer();
        if (initializer && (Node.isArrowFunction(initializer) || Node.isFunctionExpression(initializer))) {
          add(
            member,
            `${owner}.${member.getName()}`,
            'method',
            () => ({ ...functionFacts(initializer, member.getName(), owner, language), kind: 'method' }),
            oneLine(member.getText().slice(0, initializer.getBody().getStart() - member.getStart())),
            member.getJsDocs(),
            exported && visible,
          );
        }
      }
    }
  }

  return {
    language,
    items,
    values,
    render(item): TextChange | undefined {
      const { anchor } = item as TsItem;
      const start = anchor.getStart() + shift;
      if (!startsLine(text, start)) return undefined;
      const lineStart = aboveDirectives(text, text.lastIndexOf('\n', start - 1) + 1);
      const doc = isFunctionFacts(item.facts) ? describeFunction(item.facts) : describeType(item.facts);
      const lines = renderJsDoc(doc, indentAt(text, start), style);
      return { start: lineStart, end: lineStart, text: lines.map((line) => line + eol).join(''), splitsLine: false };
    },
  };
}

/** The doc comments of a node; the compiler keeps them on nodes ts-morph does not expose them for (properties). */
function jsDocsOf(node: Node): DocSource[] {
  if (Node.isJSDocable(node)) return node.getJsDocs();
  const docs = (node.compilerNode as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  return docs.map((doc) => ({ getDescription: () => ts.getTextOfJSDocComment(doc.comment) ?? '' }));
}

/** What a file hands out besides `export function …`, learnt from its top-level statements alone. */
interface CommonJs {
  /**
   * Local declarations exported by name: `export { name }`, `export default name`, and CommonJS
   * `module.exports = name`, `module.exports = { name }`, `exports.x = name`.
   */
  exported: Set<string>;
  /** Local variables that are the exports object itself: `var app = module.exports = {}`, `module.exports = req`. */
  aliases: Set<string>;
  /** Top-level functions and classes (listed as items, so an export naming one is not listed again as a value). */
  declared: Set<string>;
}

function commonJsExports(sourceFile: SourceFile): CommonJs {
  const exported = new Set<string>();
  const aliases = new Set<string>();
  const declarations = new Set<string>();
  for (const statement of sourceFile.getStatements()) {
    if (Node.isFunctionDeclaration(statement) || Node.isClassDeclaration(statement)) {
      const name = statement.getName();
      if (name) declarations.add(name);
    } else if (Node.isVariableStatement(statement)) {
      const fn = variableFunction(statement);
      if (fn) declarations.add(fn.name);
    }
  }
  const exportValue = (value: Node) => {
    if (Node.isIdentifier(value)) {
      exported.add(value.getText());
      if (!declarations.has(value.getText())) aliases.add(value.getText());
    } else if (Node.isObjectLiteralExpression(value)) {
      for (const property of value.getProperties()) {
        if (Node.isShorthandPropertyAssignment(property)) exported.add(property.getName());
        else if (Node.isPropertyAssignment(property)) {
          const initializer = property.getInitializer();
          if (initializer && Node.isIdentifier(initializer)) exported.add(initializer.getText());
        }
      }
    }
  };
  for (const statement of sourceFile.getStatements()) {
    if (Node.isExportDeclaration(statement) && !statement.getModuleSpecifier()) {
      for (const specifier of statement.getNamedExports()) exported.add(specifier.getName());
    } else if (Node.isExportAssignment(statement) && Node.isIdentifier(statement.getExpression())) {
      exported.add(statement.getExpression().getText());
    } else if (Node.isExpressionStatement(statement)) {
      const chain = assignmentChain(statement.getExpression());
      if (!chain) continue;
      for (const target of chain.targets) {
        const where = commonJsTarget(target);
        if (where?.kind === 'module') exportValue(chain.value);
        else if (where?.kind === 'export' && Node.isIdentifier(chain.value)) exported.add(chain.value.getText());
      }
    } else if (Node.isVariableStatement(statement)) {
      for (const declaration of statement.getDeclarations()) {
        const initializer = declaration.getInitializer();
        const chain = initializer && assignmentChain(initializer);
        if (!chain || !chain.targets.some((target) => commonJsTarget(target)?.kind === 'module')) continue;
        aliases.add(declaration.getName());
        exportValue(chain.value);
      }
    }
  }
  return { exported, aliases, declared: declarations };
}

/** `a = b = value` as its targets, left to right, and the value. */
function assignmentChain(node: Node): { targets: Node[]; value: Node } | undefined {
  const targets: Node[] = [];
  let current = node;
  while (Node.isBinaryExpression(current) && current.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
    targets.push(current.getLeft());
    current = current.getRight();
  }
  return targets.length > 0 ? { targets, value: current } : undefined;
}

function isModuleObject(node: Node): boolean {
  if (Node.isIdentifier(node)) return node.getText() === 'exports';
  return (
    Node.isPropertyAccessExpression(node) &&
    node.getName() === 'exports' &&
    Node.isIdentifier(node.getExpression()) &&
    node.getExpression().getText() === 'module'
  );
}

/**
 * What an assignment target is to CommonJS: the exports object (`module.exports`, `exports`), one export
 * (`exports.x`, `module.exports.x`), or a member of a local object or function (`app.x`, `View.prototype.x`).
 */
function commonJsTarget(
  node: Node,
): { kind: 'module' } | { kind: 'export'; name: string } | { kind: 'member'; owner: string; name: string } | undefined {
  if (isModuleObject(node)) return { kind: 'module' };
  if (!Node.isPropertyAccessExpression(node)) return undefined;
  const object = node.getExpression();
  if (isModuleObject(object)) return { kind: 'export', name: node.getName() };
  if (Node.isIdentifier(object)) return { kind: 'member', owner: object.getText(), name: node.getName() };
  if (
    Node.isPropertyAccessExpression(object) &&
    object.getName() === 'prototype' &&
    Node.isIdentifier(object.getExpression())
  ) {
    return { kind: 'member', owner: object.getExpression().getText(), name: node.getName() };
  }
  return undefined;
}

/** The declaration's text up to its body, on one line, without `export`/`default`. */
function headOf(node: Node): string {
  const body =
    Node.isFunctionDeclaration(node) ||
    Node.isMethodDeclaration(node) ||
    Node.isConstructorDeclaration(node) ||
    Node.isGetAccessorDeclaration(node) ||
    Node.isSetAccessorDeclaration(node)
      ? node.getBody()
      : undefined;
  let end = node.getEnd();
  if (body) end = body.getStart();
  else if (Node.isClassDeclaration(node) || Node.isInterfaceDeclaration(node)) {
    end = node.getFirstChildByKind(SyntaxKind.OpenBraceToken)?.getStart() ?? end;
  }
  const text = node.getSourceFile().getFullText().slice(node.getStart(), end);
  return oneLine(
    text
      .replace(/^(\s*@[\w.]+(\([^)]*\))?\s*)+/, '')
      .replace(/^export\s+(default\s+)?/, '')
      .replace(/^declare\s+/, ''),
  ).replace(/;$/, '');
}

function variableFunction(
  statement: VariableStatement,
): { name: string; node: ArrowFunction | FunctionExpression; head: string } | undefined {
  const declarations = statement.getDeclarations();
  const declaration = declarations[0];
  if (declarations.length !== 1 || !declaration) return undefined;
  const initializer = declaration.getInitializer();
  if (!initializer || !(Node.isArrowFunction(initializer) || Node.isFunctionExpression(initializer))) return undefined;
  const bodyStart = initializer.getBody().getStart();
  const head = oneLine(
    statement
      .getSourceFile()
      .getFullText()
      .slice(statement.getStart(), bodyStart)
      .replace(/^export\s+/, ''),
  ).replace(/\s*=>\s*$/, '');
  return { name: declaration.getName(), node: initializer, head };
}

function paramFact(param: ParameterDeclaration): ParamFact {
  const nameNode = param.getNameNode();
  let name = param.getName();
  let properties: string[] | undefined;
  if (Node.isObjectBindingPattern(nameNode)) {
    properties = nameNode.getElements().map((element) => element.getName());
    name = 'options';
  } else if (Node.isArrayBindingPattern(nameNode)) name = 'items';
  const type = param.getType();
  let shape = bestShape(type, param, param.getTypeNode()?.getText());
  if (properties && shape.kind !== 'named') shape = { kind: 'object', properties };
  const typeNode = param.getTypeNode();
  const fact: ParamFact = {
    name,
    type: shape,
    optional: param.isOptional(),
    rest: param.isRestParameter(),
  };
  const typeText = typeNode?.getText() ?? typeText_(type, param);
  if (typeText) fact.typeText = oneLine(param.isRestParameter() ? typeText.replace(/\[\]$/, '') : typeText);
  const initializer = param.getInitializer();
  if (initializer) fact.defaultValue = oneLine(initializer.getText());
  return fact;
}

/**
 * The checker's text for an inferred type, when it says something and can be written back: in JavaScript a JSDoc
 * type is a declaration, and `{this}` outside a class would turn the inferred type into `any`.
 */
function typeText_(type: Type, at: Node): string | undefined {
  const text = type.getText(at);
  if (text === 'any' || text.length > 60) return undefined;
  if (JS_EXTENSIONS.test(at.getSourceFile().getFilePath()) && /\bthis\b|\bimport\(/.test(text)) return undefined;
  return text;
}

/**
 * A type as written, reduced to a TypeShape: used when the checker cannot resolve it (its package is not in the
 * file set, so it is an error type).
 */
export function shapeFromText(text: string): TypeShape {
  const clean = text.replace(/\s+/g, ' ').trim();
  const generic = /^(Promise|PromiseLike|Array|ReadonlyArray|Set|ReadonlySet)<(.+)>$/.exec(clean);
  if (generic) {
    const inner = shapeFromText(generic[2] ?? '');
    return generic[1]?.startsWith('Promise') ? { kind: 'promise', inner } : { kind: 'array', element: inner };
  }
  if (clean.endsWith('[]')) return { kind: 'array', element: shapeFromText(clean.slice(0, -2)) };
  const union = clean.split('|').map((part) => part.trim());
  if (union.length > 1) {
    const rest = union.filter((part) => part !== 'null' && part !== 'undefined');
    if (rest.length === 1 && rest.length < union.length) {
      return {
        kind: 'nullable',
        inner: shapeFromText(rest[0] ?? ''),
        none: union.includes('null') ? 'null' : 'undefined',
      };
    }
    return { kind: 'unknown' };
  }
  if (clean === 'void' || clean === 'undefined' || clean === 'never') return { kind: 'void' };
  if (clean === 'boolean') return { kind: 'boolean' };
  if (clean === 'string') return { kind: 'string' };
  if (clean === 'number' || clean === 'bigint') return { kind: 'number' };
  if (/^[A-Z][\w]*(\.[A-Z]\w*)*$/.test(clean)) return { kind: 'named', name: clean.split('.').pop() ?? clean };
  return { kind: 'unknown' };
}

/** Whether a shape says nothing (any, unknown, or an unresolved type), at any depth that matters. */
function vague(shape: TypeShape): boolean {
  if (shape.kind === 'unknown') return true;
  if (shape.kind === 'promise') return vague(shape.inner);
  if (shape.kind === 'array') return vague(shape.element);
  if (shape.kind === 'nullable') return vague(shape.inner);
  return false;
}

/** The checker's shape, or the written type's when the checker could not resolve it. */
function bestShape(type: Type, at: Node, written: string | undefined): TypeShape {
  const checked = typeShape(type, at);
  if (!written || !vague(checked)) return checked;
  const fromText = shapeFromText(written);
  return vague(fromText) && fromText.kind === 'unknown' ? checked : fromText;
}

/** A checker type reduced to a TypeShape. */
export function typeShape(type: Type, at: Node, depth = 0): TypeShape {
  if (depth > 4) return { kind: 'unknown' };
  if (type.isAny() || type.isUnknown()) return { kind: 'unknown' };
  if (type.isVoid() || type.isUndefined() || type.isNever()) return { kind: 'void' };
  if (type.isBoolean() || type.isBooleanLiteral()) return { kind: 'boolean' };
  if (type.isUnion()) {
    const members = type.getUnionTypes();
    const present = members.filter((member) => !member.isNull() && !member.isUndefined());
    if (present.length < members.length && present.length > 0) {
      const none = members.some((member) => member.isNull()) ? 'null' : 'undefined';
      const inner =
        present.length === 1 && present[0] ? typeShape(present[0], at, depth + 1) : unionShape(present, at, depth);
      if (inner.kind === 'void') return inner;
      return { kind: 'nullable', inner, none };
    }
    return unionShape(members, at, depth);
  }
  if (type.isString() || type.isStringLiteral() || type.isTemplateLiteral()) return { kind: 'string' };
  if (type.isNumber() || type.isNumberLiteral() || type.isBigInt() || type.isBigIntLiteral()) return { kind: 'number' };
  if (type.isArray() || type.isReadonlyArray?.()) {
    const element = type.getArrayElementType() ?? type.getTypeArguments()[0];
    return { kind: 'array', element: element ? typeShape(element, at, depth + 1) : { kind: 'unknown' } };
  }
  if (type.isTuple()) return { kind: 'array', element: { kind: 'unknown' } };
  const symbol = type.getAliasSymbol() ?? type.getSymbol();
  const name = symbol?.getName() ?? '';
  const args = type.getTypeArguments().length > 0 ? type.getTypeArguments() : type.getAliasTypeArguments();
  const arg = (i: number): TypeShape => {
    const t = args[i];
    return t ? typeShape(t, at, depth + 1) : { kind: 'unknown' };
  };
  if (/^(Partial|Readonly|Required|NonNullable|Pick|Omit|Awaited)$/.test(name) && args[0])
    return typeShape(args[0], at, depth + 1);
  if (name === 'Promise' || name === 'PromiseLike') return { kind: 'promise', inner: arg(0) };
  if (name === 'Map' || name === 'ReadonlyMap' || name === 'Record' || name === 'WeakMap') {
    return { kind: 'map', key: arg(0), value: arg(1) };
  }
  if (name === 'Set' || name === 'ReadonlySet') return { kind: 'array', element: arg(0) };
  if (/^(Async)?(Iterable)?(Iterator|Generator)$|^AsyncIterable$|^Iterable$/.test(name))
    return { kind: 'iterator', element: arg(0) };
  const calls = type.getCallSignatures();
  if (calls.length > 0 && type.getProperties().length === 0) {
    return { kind: 'function', params: calls[0]?.getParameters().map((p) => p.getName()) ?? [] };
  }
  if (type.isTypeParameter()) return { kind: 'named', name: type.getText(at) };
  const properties = type
    .getProperties()
    .map((property) => property.getName())
    .filter((property) => !property.startsWith('__'))
    .slice(0, 12);
  if (type.isAnonymous() || (type.isObject() && (name === '__type' || name === '__object' || name === ''))) {
    return { kind: 'object', properties };
  }
  if (name) return { kind: 'named', name, properties };
  return { kind: 'unknown' };
}

function unionShape(members: Type[], at: Node, depth: number): TypeShape {
  if (members.length > 0 && members.every((member) => member.isStringLiteral() || member.isNumberLiteral())) {
    return { kind: 'literals', values: members.map((member) => member.getText(at)) };
  }
  if (members.every((member) => member.isBooleanLiteral())) return { kind: 'boolean' };
  const shapes = members.map((member) => typeShape(member, at, depth + 1));
  const first = shapes[0];
  if (first && shapes.every((shape) => shape.kind === first.kind && shape.kind !== 'named')) return first;
  return { kind: 'unknown' };
}

function functionFacts(
  fn: FunctionLike,
  name: string,
  owner: string | undefined,
  language: 'typescript' | 'javascript',
): FunctionFacts {
  const params = fn
    .getParameters()
    .filter((param) => param.getName() !== 'this')
    .map((param) => paramFact(param));
  const signature = fn.getSignature();
  const declared =
    Node.isConstructorDeclaration(fn) || Node.isSetAccessorDeclaration(fn) ? undefined : signature.getReturnType();
  const writtenReturn = 'getReturnTypeNode' in fn ? fn.getReturnTypeNode()?.getText() : undefined;
  const returnType = declared ? bestShape(declared, fn, writtenReturn) : ({ kind: 'void' } as const);
  const body = fn.getBody();
  const facts: FunctionFacts = {
    language,
    name,
    kind: Node.isConstructorDeclaration(fn)
      ? 'constructor'
      : Node.isGetAccessorDeclaration(fn)
        ? 'getter'
        : Node.isSetAccessorDeclaration(fn)
          ? 'setter'
          : owner
            ? 'method'
            : 'function',
    params,
    returnType,
    returnsValue: false,
    isAsync: 'isAsync' in fn ? fn.isAsync() : false,
    isGenerator: 'isGenerator' in fn ? fn.isGenerator() : false,
    failures: [],
    effects: [],
  };
  if (owner) facts.owner = owner;
  const returnTypeNode = 'getReturnTypeNode' in fn ? fn.getReturnTypeNode() : undefined;
  if (returnTypeNode) facts.returnTypeText = oneLine(returnTypeNode.getText());
  else if (declared) {
    // Inferred by the checker: what the signature would say if it were written.
    const text = typeText_(declared, fn);
    if (text && text !== 'void') facts.returnTypeText = text;
  }
  const unwrapped = returnType.kind === 'promise' ? returnType.inner : returnType;
  facts.returnsValue = unwrapped.kind !== 'void';
  if (body) {
    const paramNames = new Set(
      fn
        .getParameters()
        .map((param) => param.getNameNode())
        .filter((nameNode) => Node.isIdentifier(nameNode))
        .map((nameNode) => nameNode.getText()),
    );
    inspectBody(body, facts, paramNames);
    if (!returnTypeNode && body.getKind() === SyntaxKind.Block) {
      facts.returnsValue = facts.returnsValue && hasValueReturn(body);
    }
    const returned = Node.isBlock(body) ? loneReturn(body) : body;
    if (returned && !Node.isBlock(returned)) facts.returnsExpression = returned.getText();
  }
  if (facts.isGenerator) facts.returnsValue = false;
  return facts;
}

/**
 * An overloaded function's comment goes above its first overload, and an editor shows it with that signature: the
 * parameters and the return type are that overload's. What the body does (throws, awaits, changes) is the
 * implementation's; a one-line body is not summarized, since it serves every overload.
 */
function overloadFacts(
  facts: FunctionFacts,
  overload: FunctionDeclaration | MethodDeclaration | ConstructorDeclaration,
  implementation: Node,
): FunctionFacts {
  if (overload === implementation) return facts;
  const out: FunctionFacts = {
    ...facts,
    params: overload
      .getParameters()
      .filter((param) => param.getName() !== 'this')
      .map((param) => paramFact(param)),
  };
  delete out.returnsExpression;
  if (Node.isConstructorDeclaration(overload)) return out;
  const declared = overload.getSignature().getReturnType();
  const written = overload.getReturnTypeNode()?.getText();
  out.returnType = bestShape(declared, overload, written);
  const text = written ? oneLine(written) : typeText_(declared, overload);
  if (text && text !== 'void') out.returnTypeText = text;
  else delete out.returnTypeText;
  const unwrapped = out.returnType.kind === 'promise' ? out.returnType.inner : out.returnType;
  out.returnsValue = unwrapped.kind !== 'void' && !facts.isGenerator;
  return out;
}

function isFunctionBoundary(node: Node): boolean {
  return (
    Node.isFunctionDeclaration(node) ||
    Node.isFunctionExpression(node) ||
    Node.isArrowFunction(node) ||
    Node.isMethodDeclaration(node) ||
    Node.isClassDeclaration(node) ||
    Node.isClassExpression(node) ||
    Node.isGetAccessorDeclaration(node) ||
    Node.isSetAccessorDeclaration(node) ||
    Node.isConstructorDeclaration(node)
  );
}

function hasValueReturn(body: Node): boolean {
  let found = false;
  body.forEachDescendant((node, traversal) => {
    if (isFunctionBoundary(node)) return traversal.skip();
    if (Node.isReturnStatement(node) && node.getExpression()) {
      found = true;
      traversal.stop();
    }
    return undefined;
  });
  return found;
}

const MUTATORS = new Set([
  'set',
  'delete',
  'clear',
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'add',
  'sort',
  'reverse',
]);

/** The expression of a block that is a single `return <expression>;`. */
function loneReturn(block: Node): Node | undefined {
  if (!Node.isBlock(block)) return undefined;
  const statements = block.getStatements();
  const only = statements[0];
  if (statements.length !== 1 || !only || !Node.isReturnStatement(only)) return undefined;
  return only.getExpression();
}

/**
 * A write to a parameter's properties or contents: `req.params = …`, `opts.x += 1`, `delete opts.x`, `arr.push(…)`.
 * Reassigning the parameter itself (`opts = opts || {}`) changes nothing the caller sees and is not one.
 */
function paramWrite(target: Node, params: ReadonlySet<string>): { param: string; detail: string } | undefined {
  if (!Node.isPropertyAccessExpression(target) && !Node.isElementAccessExpression(target)) return undefined;
  const root = rootIdentifier(target);
  if (!Node.isIdentifier(root) || !params.has(root.getText())) return undefined;
  const declaration = root.getSymbol()?.getDeclarations()[0];
  if (declaration && !Node.isParameterDeclaration(declaration)) return undefined;
  const detail = oneLine(target.getText());
  return { param: root.getText(), detail: detail.length <= 40 ? detail : `${detail.slice(0, 37)}…` };
}

function inspectBody(body: Node, facts: FunctionFacts, params: ReadonlySet<string> = new Set()): void {
  const writes: { param: string; detail: string }[] = [];
  const awaits: string[] = [];
  const write = (target: Node) => {
    const found = paramWrite(target, params);
    if (found) writes.push(found);
  };
  const visit = (node: Node, insideCallback: boolean) => {
    node.forEachChild((child) => {
      if (Node.isFunctionDeclaration(child) || Node.isClassDeclaration(child) || Node.isClassExpression(child)) return;
      const callback = insideCallback || Node.isArrowFunction(child) || Node.isFunctionExpression(child);
      if (Node.isThrowStatement(child) && !insideCallback) {
        const failure = throwFact(child.getExpression());
        if (failure) {
          const condition = enclosingCondition(child);
          if (condition) failure.condition = condition;
          facts.failures.push(failure);
        }
      } else if (Node.isCallExpression(child)) {
        const callee = child.getExpression();
        const effect = callEffect(callee, child.getArguments()[0]);
        if (effect) facts.effects.push(effect);
        if (!insideCallback && Node.isPropertyAccessExpression(callee) && MUTATORS.has(callee.getName())) {
          // `arr.push(x)` and `req.stack.push(x)` change what the caller passed; `map.get(k)` is no mutator.
          const found = paramWrite(callee, params);
          if (found) writes.push(found);
        }
      } else if (Node.isBinaryExpression(child) && isAssignment(child.getOperatorToken().getKind())) {
        const field = thisField(child.getLeft());
        if (field) facts.effects.push({ kind: 'state', detail: field });
        if (!insideCallback) write(child.getLeft());
      } else if (Node.isPrefixUnaryExpression(child) || Node.isPostfixUnaryExpression(child)) {
        const operator = child.getOperatorToken();
        if (operator === SyntaxKind.PlusPlusToken || operator === SyntaxKind.MinusMinusToken) {
          const field = thisField(child.getOperand());
          if (field) facts.effects.push({ kind: 'state', detail: field });
          if (!insideCallback) write(child.getOperand());
        }
      } else if (Node.isAwaitExpression(child) && !insideCallback) {
        awaits.push(oneLine(child.getExpression().getText()));
      } else if (Node.isYieldExpression(child) && !insideCallback) {
        const yielded = child.getExpression();
        if (yielded && Node.isIdentifier(yielded)) facts.yieldName ??= yielded.getText();
      } else if (Node.isDeleteExpression(child)) {
        const field = thisField(child.getExpression());
        if (field) facts.effects.push({ kind: 'state', detail: field });
        if (!insideCallback) write(child.getExpression());
      }
      visit(child, callback);
    });
  };
  visit(body, false);
  if (awaits.length > 0) facts.awaits = [...new Set(awaits)];
  if (writes.length > 0) facts.writes = writes;
}

function isAssignment(kind: SyntaxKind): boolean {
  return kind >= SyntaxKind.FirstAssignment && kind <= SyntaxKind.LastAssignment;
}

/** `this.cache` for `this.cache = …`, `this.cache.size += 1` or `this.#cache = …`. */
function thisField(node: Node): string | undefined {
  let current: Node = node;
  while (Node.isPropertyAccessExpression(current) || Node.isElementAccessExpression(current)) {
    const object: Node = current.getExpression();
    if (object.getKind() === SyntaxKind.ThisKeyword)
      return Node.isPropertyAccessExpression(current) ? `this.${current.getName()}` : undefined;
    current = object;
  }
  return undefined;
}

function stringValue(node: Node | undefined): string | undefined {
  if (node && (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node))) return node.getLiteralText();
  return undefined;
}

function throwFact(expression: Expression | undefined): FailureFact | undefined {
  if (!expression) return undefined;
  if (Node.isNewExpression(expression)) {
    const failure: FailureFact = { type: expression.getExpression().getText(), via: 'throw' };
    const message = stringValue(expression.getArguments()[0]);
    if (message) failure.message = message;
    return failure;
  }
  if (Node.isIdentifier(expression)) {
    const declaration = expression.getSymbol()?.getDeclarations()[0];
    if (declaration && Node.isVariableDeclaration(declaration) && Node.isCatchClause(declaration.getParent()))
      return undefined;
  }
  const thrown = expression.getType();
  const symbolName = thrown.getSymbol()?.getName();
  // A value of unknown type (`throw err` with `err` untyped) may be anything: no type is claimed for it.
  const unknown = thrown.isAny() || thrown.isUnknown();
  const type = unknown ? '' : symbolName && /^[A-Z]/.test(symbolName) && symbolName !== '__type' ? symbolName : 'Error';
  const failure: FailureFact = { type, via: 'throw' };
  if (Node.isCallExpression(expression)) {
    const message = stringValue(expression.getArguments()[0]);
    if (message) failure.message = message;
  }
  return failure;
}

/** The condition under which a statement runs, in English, from the nearest `if`, `case` or `catch`. */
function enclosingCondition(node: Node): string | undefined {
  let current: Node = node;
  for (let parent = current.getParent(); parent; current = parent, parent = parent.getParent()) {
    if (isFunctionBoundary(parent)) return undefined;
    if (Node.isIfStatement(parent)) {
      if (current === parent.getThenStatement()) return tsCondition(parent.getExpression());
      if (current === parent.getElseStatement()) return negate(tsCondition(parent.getExpression()));
    }
    if (Node.isCaseClause(parent)) {
      const switchStatement = parent.getParentIfKind(SyntaxKind.CaseBlock)?.getParentIfKind(SyntaxKind.SwitchStatement);
      if (switchStatement)
        return `${codeSpan(switchStatement.getExpression().getText())} is ${operand(parent.getExpression())}`;
    }
    if (Node.isDefaultClause(parent)) {
      const switchStatement = parent.getParentIfKind(SyntaxKind.CaseBlock)?.getParentIfKind(SyntaxKind.SwitchStatement);
      if (switchStatement) return `${codeSpan(switchStatement.getExpression().getText())} has an unexpected value`;
    }
    if (Node.isCatchClause(parent)) return 'an error occurs';
  }
  return undefined;
}

function negate(condition: string): string {
  const match = /^(`[^`]+`) is (not )?(.+)$/.exec(condition);
  if (match && !/ (and|or) /.test(condition)) return `${match[1]} is ${match[2] ? '' : 'not '}${match[3]}`;
  return `it is not the case that ${condition}`;
}

function operand(node: Node): string {
  if (Node.isNumericLiteral(node)) return node.getText();
  if (Node.isStringLiteral(node)) return `'${node.getLiteralText()}'`;
  if (
    node.getKind() === SyntaxKind.NullKeyword ||
    node.getKind() === SyntaxKind.TrueKeyword ||
    node.getKind() === SyntaxKind.FalseKeyword
  ) {
    return `\`${node.getText()}\``;
  }
  if (Node.isIdentifier(node) && node.getText() === 'undefined') return '`undefined`';
  return codeSpan(node.getText());
}

/** An `if` condition in English: `!user` → "`user` is missing", `res.status === 404` → "`res.status` is 404". */
export function tsCondition(node: Node): string {
  if (Node.isParenthesizedExpression(node)) return tsCondition(node.getExpression());
  if (Node.isPrefixUnaryExpression(node) && node.getOperatorToken() === SyntaxKind.ExclamationToken) {
    const inner = node.getOperand();
    if (Node.isParenthesizedExpression(inner)) return negate(tsCondition(inner.getExpression()));
    if (Node.isCallExpression(inner)) return `${codeSpan(inner.getText())} is false`;
    const type = inner.getType();
    if (type.isBoolean() || type.isBooleanLiteral()) return `${codeSpan(inner.getText())} is false`;
    if (type.isString() || type.isStringLiteral()) return `${codeSpan(inner.getText())} is empty`;
    if (type.isNumber()) return `${codeSpan(inner.getText())} is zero`;
    return `${codeSpan(inner.getText())} is missing`;
  }
  if (Node.isBinaryExpression(node)) {
    const op = node.getOperatorToken().getText();
    const left = node.getLeft();
    const right = node.getRight();
    if (op === '&&' || op === '||') return `${tsCondition(left)} ${op === '&&' ? 'and' : 'or'} ${tsCondition(right)}`;
    if (op === 'instanceof')
      return `${codeSpan(left.getText())} is ${/^[AEIOU]/.test(right.getText()) ? 'an' : 'a'} \`${right.getText()}\``;
    if (op === 'in') return `${codeSpan(left.getText())} is a key of ${codeSpan(right.getText())}`;
    if (Node.isTypeOfExpression(left) && Node.isStringLiteral(right)) {
      const kind = right.getLiteralText();
      const negated = op === '!==' || op === '!=';
      return `${codeSpan(left.getExpression().getText())} is ${negated ? 'not ' : ''}${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
    }
    if (
      Node.isPropertyAccessExpression(left) &&
      left.getName() === 'length' &&
      right.getText() === '0' &&
      (op === '===' || op === '==' || op === '<=')
    ) {
      return `${codeSpan(left.getExpression().getText())} is empty`;
    }
    const words = comparisonWords(op);
    if (words) return `${operand(left)} ${words} ${operand(right)}`;
  }
  if (Node.isCallExpression(node)) return `${codeSpan(node.getText())} is true`;
  const type = node.getType();
  if (type.isBoolean() || type.isBooleanLiteral()) return `${codeSpan(node.getText())} is true`;
  return `${codeSpan(node.getText())} is set`;
}

const FS_MODULES = /^(node:)?fs(\/promises)?$/;
const CHILD_PROCESS_MODULES = /^(node:)?child_process$|^execa$/;
const FS_READS = /^(read|stat|lstat|access|exists|open|readdir|readlink|realpath|createReadStream|watch|opendir)/;

/** What a call does to the world, judged by the callee's name and where it was imported from. */
function callEffect(callee: Expression, firstArgument: Node | undefined): EffectFact | undefined {
  const text = callee.getText().replace(/\s+/g, '').replace(/\?\./g, '.').replace(/!/g, '');
  if (text.includes('(')) return undefined;
  const parts = text.split('.');
  const root = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  const importedFrom = moduleOf(Node.isPropertyAccessExpression(callee) ? rootIdentifier(callee) : callee);

  if (
    text === 'fetch' ||
    text === 'globalThis.fetch' ||
    text === 'window.fetch' ||
    /^(axios|got|ky|superagent|undici)(\.|$)/.test(text) ||
    /^https?\.(get|request)$/.test(text)
  ) {
    return { kind: 'network', detail: text };
  }
  if (
    (importedFrom && FS_MODULES.test(importedFrom)) ||
    /^(fs|fsp|fsPromises)\./.test(text) ||
    /^fs\.promises\./.test(text)
  ) {
    return { kind: FS_READS.test(last) ? 'fs-read' : 'fs-write', detail: text };
  }
  if (root === 'console') return { kind: 'console', detail: text };
  if (
    /^(this\.)?(logger|log|\w+\.log)\.(trace|debug|info|warn|error|fatal|log)$/.test(text) ||
    /^(request|req|app|fastify|server)\.log\.\w+$/.test(text)
  ) {
    return { kind: 'log', detail: text };
  }
  if (
    /^(this\.)?(db|database|prisma|knex|pool|tx|trx|sql|pg|drizzle|connection|conn|repository|repo)\.\w+/.test(text)
  ) {
    return { kind: 'db', detail: parts.slice(0, root === 'this' ? 3 : 2).join('.') };
  }
  if (last === 'emit' && firstArgument) {
    const event = stringValue(firstArgument);
    if (event) return { kind: 'emit', detail: event };
  }
  if (text === 'process.exit') return { kind: 'process', detail: text };
  if ((importedFrom && CHILD_PROCESS_MODULES.test(importedFrom)) || /^child_process\./.test(text))
    return { kind: 'spawn', detail: text };
  if (/^(setTimeout|setInterval|setImmediate)$/.test(text)) return { kind: 'timer', detail: text };
  if (parts.length >= 3 && root === 'this' && MUTATORS.has(last))
    return { kind: 'state', detail: parts.slice(0, 2).join('.') };
  return undefined;
}

function rootIdentifier(node: Node): Node {
  let current = node;
  while (
    Node.isPropertyAccessExpression(current) ||
    Node.isCallExpression(current) ||
    Node.isElementAccessExpression(current)
  ) {
    current = current.getExpression();
  }
  return current;
}

/** The module an identifier was imported from, when it was. */
function moduleOf(node: Node): string | undefined {
  if (!Node.isIdentifier(node)) return undefined;
  const declaration = node.getSymbol()?.getDeclarations()[0];
  const importDeclaration = declaration?.getFirstAncestorByKind(SyntaxKind.ImportDeclaration);
  return importDeclaration?.getModuleSpecifierValue();
}

function classFacts(cls: ClassDeclaration, language: 'typescript' | 'javascript'): TypeFacts {
  const visible = (member: Node) =>
    !(
      Node.isModifierable(member) &&
      (member.hasModifier(SyntaxKind.PrivateKeyword) || member.hasModifier(SyntaxKind.ProtectedKeyword))
    ) && !(Node.hasName(member) && member.getName().startsWith('#'));
  const properties = cls
    .getProperties()
    .filter((p) => visible(p) && !isFunctionInitializer(p.getInitializer()))
    .map((p) => p.getName());
  for (const ctor of cls.getConstructors()) {
    for (const param of ctor.getParameters()) {
      if (param.isParameterProperty() && visible(param)) properties.push(param.getName());
    }
  }
  const methods = [
    ...cls.getMethods().filter((m) => visible(m) && !m.isStatic()),
    ...cls.getProperties().filter((p) => visible(p) && isFunctionInitializer(p.getInitializer())),
  ].map((m) => m.getName());
  const base = cls.getExtends()?.getExpression().getText();
  return {
    language,
    name: cls.getName() ?? 'default',
    kind: 'class',
    properties,
    methods: [...new Set(methods)],
    extends: base ? [base] : [],
    implements: cls.getImplements().map((i) => i.getText()),
  };
}

function isFunctionInitializer(node: Node | undefined): boolean {
  return !!node && (Node.isArrowFunction(node) || Node.isFunctionExpression(node));
}

function interfaceFacts(decl: InterfaceDeclaration, language: 'typescript' | 'javascript'): TypeFacts {
  return {
    language,
    name: decl.getName(),
    kind: 'interface',
    properties: decl.getProperties().map((p) => p.getName()),
    methods: decl.getMethods().map((m) => m.getName()),
    extends: decl.getExtends().map((e) => e.getText()),
    implements: [],
  };
}

function aliasFacts(decl: TypeAliasDeclaration, language: 'typescript' | 'javascript'): TypeFacts {
  const typeNode = decl.getTypeNode();
  const facts: TypeFacts = {
    language,
    name: decl.getName(),
    kind: 'type',
    properties: [],
    methods: [],
    extends: [],
    implements: [],
  };
  if (typeNode && Node.isTypeLiteral(typeNode)) {
    facts.properties = typeNode.getProperties().map((p) => p.getName());
    facts.methods = typeNode.getMethods().map((m) => m.getName());
    facts.aliasOf = { kind: 'object', properties: facts.properties };
  } else if (typeNode && Node.isFunctionTypeNode(typeNode)) {
    facts.aliasOf = { kind: 'function', params: typeNode.getParameters().map((p) => p.getName()) };
  } else if (
    typeNode &&
    Node.isUnionTypeNode(typeNode) &&
    typeNode.getTypeNodes().every((t) => Node.isLiteralTypeNode(t))
  ) {
    facts.aliasOf = { kind: 'literals', values: typeNode.getTypeNodes().map((t) => t.getText()) };
  } else if (typeNode && Node.isTypeReference(typeNode) && typeNode.getTypeArguments().length === 0) {
    facts.aliasOf = { kind: 'named', name: typeNode.getText() };
    facts.aliasText = typeNode.getText();
  } else {
    facts.aliasOf = typeShape(decl.getType(), decl);
    if (typeNode) facts.aliasText = oneLine(typeNode.getText());
  }
  return facts;
}

function enumFacts(decl: EnumDeclaration, language: 'typescript' | 'javascript'): TypeFacts {
  return {
    language,
    name: decl.getName(),
    kind: 'enum',
    properties: decl.getMembers().map((m) => m.getName()),
    methods: [],
    extends: [],
    implements: [],
  };
}
