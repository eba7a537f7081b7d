import { type Node } from 'web-tree-sitter';
import {
  type EffectFact,
  type FailureFact,
  type FunctionFacts,
  type ParamFact,
  type TypeFacts,
  type TypeShape,
} from '../model.js';
import { describeFunction, describeType } from '../describe.js';
import { detectDocstringStyle, renderDocstring } from '../render.js';
import { detectEol, detectIndentUnit, indentAt, lineStarts, oneLine } from '../text.js';
import {
  codeSpan,
  comparisonWords,
  firstSentence,
  isFunctionFacts,
  type DocItem,
  type SourceModel,
  type TextChange,
} from './source-model.js';
import { children, namedChildren, withTree, sameNode, walk } from './tree-sitter.js';

interface PyItem extends DocItem {
  /** Where a docstring goes, read while the tree is alive (render runs after it is freed). */
  place: DocstringPlace | undefined;
}

/** Offsets and rows around a definition's `:` and body, as plain numbers. */
interface DocstringPlace {
  definitionStart: number;
  colonEnd: number;
  colonRow: number;
  bodyStart: number;
  bodyRow: number;
}

/** Reads a Python file's functions, classes and methods with tree-sitter. */
export function pythonModel(text: string, filePath: string): Promise<SourceModel> {
  return withTree('python', text, filePath, (tree) => modelOf(tree.rootNode, text));
}

function modelOf(root: Node, text: string): SourceModel {
  const eol = detectEol(text);
  const unit = detectIndentUnit(text);
  const style = detectDocstringStyle(text);
  const starts = lineStarts(text);
  const publicNames = dunderAll(root);
  const items: PyItem[] = [];

  for (const statement of namedChildren(root)) {
    const definition = unwrapDecorated(statement);
    if (!definition) continue;
    const name = definition.childForFieldName('name')?.text ?? '';
    const exported = publicNames ? publicNames.has(name) : !name.startsWith('_');
    if (definition.type === 'function_definition') {
      items.push(functionItem(statement, definition, name, exported, undefined));
    } else {
      items.push(classItem(statement, definition, name, exported));
      const body = definition.childForFieldName('body');
      for (const member of body ? namedChildren(body) : []) {
        const method = unwrapDecorated(member);
        if (method?.type !== 'function_definition') continue;
        const methodName = method.childForFieldName('name')?.text ?? '';
        const decorators = member.type === 'decorated_definition' ? decoratorNames(member) : [];
        items.push(functionItem(member, method, methodName, exported && !isPrivate(methodName), name, decorators));
      }
    }
  }

  return {
    language: 'python',
    items,
    render(item): TextChange | undefined {
      const { place } = item as PyItem;
      if (!place) return undefined;
      const doc = isFunctionFacts(item.facts) ? describeFunction(item.facts) : describeType(item.facts);
      const headerIndent = indentAt(text, place.definitionStart);
      if (place.bodyRow > place.colonRow) {
        const indent = indentAt(text, place.bodyStart);
        const lines = renderDocstring(doc, indent, style, unit);
        const offset = starts[place.colonRow + 1] ?? text.length;
        return { start: offset, end: offset, text: lines.map((line) => line + eol).join(''), splitsLine: false };
      }
      // `def f(x): return x`: the body has to move to its own line for a docstring to come first.
      const indent = headerIndent + unit;
      const lines = renderDocstring(doc, indent, style, unit);
      const block = eol + lines.join(eol) + eol + indent;
      return { start: place.colonEnd, end: place.bodyStart, text: block, splitsLine: true };
    },
  };

  function functionItem(
    outer: Node,
    definition: Node,
    name: string,
    exported: boolean,
    owner: string | undefined,
    decorators: string[] = [],
  ): PyItem {
    const facts = functionFacts(definition, name, owner, decorators);
    const item: PyItem = {
      name: owner ? `${owner}.${name}` : name,
      kind: facts.kind,
      exported,
      topLevel: true,
      startLine: outer.startPosition.row + 1,
      endLine: outer.endPosition.row + 1,
      line: definition.startPosition.row + 1,
      signature: pythonSignature(definition),
      facts,
      place: docstringPlace(definition),
    };
    const doc = docstring(definition);
    if (doc !== undefined) item.doc = firstSentence(doc);
    return item;
  }

  function classItem(outer: Node, definition: Node, name: string, exported: boolean): PyItem {
    const body = definition.childForFieldName('body');
    const properties: string[] = [];
    const methods: string[] = [];
    for (const member of body ? namedChildren(body) : []) {
      const inner = unwrapDecorated(member);
      if (inner?.type === 'function_definition') {
        const methodName = inner.childForFieldName('name')?.text ?? '';
        if (methodName === '__init__') collectSelfFields(inner, properties);
        else if (!isPrivate(methodName)) methods.push(methodName);
      } else if (member.type === 'expression_statement') {
        const assignment = member.namedChildren[0];
        const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : undefined;
        if (left?.type === 'identifier' && !isPrivate(left.text)) properties.push(left.text);
      }
    }
    const superclasses = definition.childForFieldName('superclasses');
    const bases = superclasses
      ? namedChildren(superclasses)
          .filter((arg) => arg.type !== 'keyword_argument')
          .map((arg) => arg.text)
      : [];
    const facts: TypeFacts = {
      language: 'python',
      name,
      kind: 'class',
      properties: [...new Set(properties)],
      methods,
      extends: bases.filter((base) => base !== 'object'),
      implements: [],
    };
    const item: PyItem = {
      name,
      kind: 'class',
      exported,
      topLevel: true,
      startLine: outer.startPosition.row + 1,
      endLine: outer.endPosition.row + 1,
      line: definition.startPosition.row + 1,
      signature: oneLine(`class ${name}${superclasses ? superclasses.text : ''}`),
      facts,
      place: docstringPlace(definition),
    };
    const doc = docstring(definition);
    if (doc !== undefined) item.doc = firstSentence(doc);
    return item;
  }
}

function isPrivate(name: string): boolean {
  return name.startsWith('_') && !/^__\w+__$/.test(name);
}

function unwrapDecorated(node: Node): Node | undefined {
  const inner = node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
  return inner && (inner.type === 'function_definition' || inner.type === 'class_definition') ? inner : undefined;
}

function decoratorNames(node: Node): string[] {
  return namedChildren(node)
    .filter((child) => child.type === 'decorator')
    .map((decorator) => decorator.text.replace(/^@/, '').replace(/\(.*$/s, ''));
}

/** `__all__ = ['a', 'b']` when the module declares it. */
function dunderAll(root: Node): Set<string> | undefined {
  for (const statement of namedChildren(root)) {
    const assignment = statement.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
    if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.text !== '__all__') continue;
    const value = assignment.childForFieldName('right');
    if (!value) continue;
    return new Set(
      namedChildren(value)
        .filter((item) => item.type === 'string')
        .map((item) => item.text.replace(/^[rbuf]*['"]+|['"]+$/gi, '')),
    );
  }
  return undefined;
}

/** The text of the docstring opening a function's or class's body, if it has one. */
function docstringPlace(definition: Node): DocstringPlace | undefined {
  const body = definition.childForFieldName('body');
  const colon = children(definition).find((child) => child.type === ':' && child.endIndex <= (body?.startIndex ?? 0));
  if (!body || !colon) return undefined;
  return {
    definitionStart: definition.startIndex,
    colonEnd: colon.endIndex,
    colonRow: colon.endPosition.row,
    bodyStart: body.startIndex,
    bodyRow: body.startPosition.row,
  };
}

function docstring(definition: Node): string | undefined {
  const body = definition.childForFieldName('body');
  const first = body?.namedChildren[0];
  if (first?.type !== 'expression_statement') return undefined;
  const value = first.namedChildren[0];
  if (value?.type !== 'string' && value?.type !== 'concatenated_string') return undefined;
  return value.text.replace(/^[rRuU]?("""|'''|"|')/, '').replace(/("""|'''|"|')$/, '');
}

function pythonSignature(definition: Node): string {
  const isAsync = definition.children[0]?.type === 'async';
  const name = definition.childForFieldName('name')?.text ?? '';
  const params = definition.childForFieldName('parameters')?.text ?? '()';
  const returns = definition.childForFieldName('return_type')?.text;
  return oneLine(`${isAsync ? 'async ' : ''}def ${name}${params}${returns ? ` -> ${returns}` : ''}`);
}

function functionFacts(definition: Node, name: string, owner: string | undefined, decorators: string[]): FunctionFacts {
  const params = pythonParams(
    definition.childForFieldName('parameters'),
    owner !== undefined && !decorators.includes('staticmethod'),
  );
  const returnAnnotation = definition.childForFieldName('return_type')?.text;
  const body = definition.childForFieldName('body');
  let returnsValue = false;
  let isGenerator = false;
  let yieldName: string | undefined;
  const failures: FailureFact[] = [];
  const effects: EffectFact[] = [];
  if (body) {
    walk(body, (node) => {
      if (node.type === 'function_definition' || node.type === 'class_definition' || node.type === 'lambda')
        return false;
      if (node.type === 'return_statement' && node.namedChildren.length > 0) returnsValue = true;
      if (node.type === 'yield') {
        isGenerator = true;
        const yielded = node.namedChildren[0];
        if (yielded?.type === 'identifier') yieldName ??= yielded.text;
      }
      if (node.type === 'raise_statement') {
        const failure = raiseFact(node);
        if (failure) failures.push(failure);
      }
      if (node.type === 'call') {
        const effect = callEffect(node);
        if (effect) effects.push(effect);
      }
      if (node.type === 'assignment' || node.type === 'augmented_assignment') {
        const left = node.childForFieldName('left');
        for (const target of left?.type === 'pattern_list' ? namedChildren(left) : left ? [left] : []) {
          if (target.type === 'attribute' && target.childForFieldName('object')?.text === 'self') {
            effects.push({ kind: 'state', detail: target.text });
          }
        }
      }
      return true;
    });
  }
  let returnType = returnAnnotation ? pythonShape(returnAnnotation) : { kind: 'unknown' as const };
  if (returnAnnotation) returnsValue = returnType.kind !== 'void' || returnsValue;
  if (isGenerator && returnType.kind === 'iterator') returnsValue = false;
  const isAsync = definition.children[0]?.type === 'async';
  if (isAsync && returnType.kind === 'promise') returnType = returnType.inner;
  let kind: FunctionFacts['kind'] = owner ? 'method' : 'function';
  if (owner && name === '__init__') kind = 'constructor';
  if (decorators.includes('property')) kind = 'getter';
  if (decorators.some((d) => d.endsWith('.setter'))) kind = 'setter';
  const facts: FunctionFacts = {
    language: 'python',
    name,
    kind,
    params,
    returnType,
    returnsValue: returnsValue && !(kind === 'constructor'),
    isAsync,
    isGenerator,
    failures,
    effects,
  };
  if (owner) facts.owner = owner;
  if (returnAnnotation) facts.returnTypeText = returnAnnotation;
  // A body that is one `return <expression>` (a docstring aside) says what the function does.
  const statements = body ? namedChildren(body).filter((node) => node.type !== 'comment') : [];
  const only = statements.length === 1 ? statements[0] : undefined;
  const returned = only?.type === 'return_statement' ? only.namedChildren[0] : undefined;
  if (returned) facts.returnsExpression = returned.text;
  if (yieldName) facts.yieldName = yieldName;
  return facts;
}

function pythonParams(parameters: Node | null, skipFirst: boolean): ParamFact[] {
  const out: ParamFact[] = [];
  for (const param of parameters ? namedChildren(parameters) : []) {
    let name: string | undefined;
    let typeText: string | undefined;
    let defaultValue: string | undefined;
    let rest = false;
    let keywords = false;
    switch (param.type) {
      case 'identifier':
        name = param.text;
        break;
      case 'typed_parameter': {
        const inner = param.namedChildren[0];
        typeText = param.childForFieldName('type')?.text;
        if (inner?.type === 'list_splat_pattern') rest = true;
        if (inner?.type === 'dictionary_splat_pattern') keywords = true;
        name = (inner?.type === 'identifier' ? inner : inner?.namedChildren[0])?.text;
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter':
        name = param.childForFieldName('name')?.text;
        typeText = param.childForFieldName('type')?.text;
        defaultValue = param.childForFieldName('value')?.text;
        break;
      case 'list_splat_pattern':
        rest = true;
        name = param.namedChildren[0]?.text;
        break;
      case 'dictionary_splat_pattern':
        keywords = true;
        name = param.namedChildren[0]?.text;
        break;
      default:
        continue;
    }
    if (!name) continue;
    const fact: ParamFact = {
      name,
      type: typeText ? pythonShape(typeText) : { kind: 'unknown' },
      optional: defaultValue !== undefined,
      rest,
      keywords,
    };
    if (typeText) fact.typeText = typeText;
    if (defaultValue !== undefined) fact.defaultValue = defaultValue;
    out.push(fact);
  }
  if (skipFirst && (out[0]?.name === 'self' || out[0]?.name === 'cls')) out.shift();
  return out;
}

/** Splits `A[B, C[D]]` into head `A` and top-level arguments `B`, `C[D]`. */
function genericParts(text: string, open = '[', close = ']'): { head: string; args: string[] } {
  const index = text.indexOf(open);
  if (index === -1 || !text.endsWith(close)) return { head: text.trim(), args: [] };
  return { head: text.slice(0, index).trim(), args: splitTopLevel(text.slice(index + 1, -1), ',') };
}

/** Splits on a separator outside brackets and quotes. */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (quote) {
      if (ch === quote && text[i - 1] !== '\\') quote = '';
    } else if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if ('([{<'.includes(ch)) depth++;
    else if (')]}>'.includes(ch) && !(ch === '>' && text[i - 1] === '=')) depth--;
    else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(current.trim());
      current = '';
      i += separator.length - 1;
      continue;
    }
    current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** A Python annotation reduced to a TypeShape. */
export function pythonShape(text: string): TypeShape {
  const clean = text.replace(/^['"]|['"]$/g, '').trim();
  const union = splitTopLevel(clean, '|');
  if (union.length > 1) {
    const rest = union.filter((part) => part !== 'None');
    if (rest.length < union.length) {
      const inner = rest.length === 1 ? pythonShape(rest[0] ?? '') : { kind: 'unknown' as const };
      return { kind: 'nullable', inner, none: 'None' };
    }
    return { kind: 'unknown' };
  }
  const { head, args } = genericParts(clean);
  const bare = head.replace(/^(typing|collections\.abc|t)\./, '');
  const arg = (i: number) => pythonShape(args[i] ?? '');
  switch (bare) {
    case 'None':
      return { kind: 'void' };
    case 'bool':
      return { kind: 'boolean' };
    case 'str':
    case 'bytes':
      return { kind: 'string' };
    case 'int':
    case 'float':
    case 'complex':
    case 'Decimal':
      return { kind: 'number' };
    case 'Optional':
      return { kind: 'nullable', inner: arg(0), none: 'None' };
    case 'list':
    case 'List':
    case 'Sequence':
    case 'set':
    case 'Set':
    case 'frozenset':
    case 'FrozenSet':
    case 'tuple':
    case 'Tuple':
    case 'Collection':
    case 'Iterable':
      return { kind: 'array', element: arg(0) };
    case 'dict':
    case 'Dict':
    case 'Mapping':
    case 'MutableMapping':
      return { kind: 'map', key: arg(0), value: arg(1) };
    case 'Iterator':
    case 'Generator':
    case 'AsyncIterator':
    case 'AsyncGenerator':
      return { kind: 'iterator', element: arg(0) };
    case 'Awaitable':
      return { kind: 'promise', inner: arg(0) };
    case 'Coroutine':
      return { kind: 'promise', inner: arg(2) };
    case 'Callable':
      return { kind: 'function', params: [] };
    case 'Literal':
      return { kind: 'literals', values: args };
    case 'Any':
    case 'object':
    case '':
      return { kind: 'unknown' };
    default:
      return { kind: 'named', name: bare.split('.').pop() ?? bare };
  }
}

function raiseFact(node: Node): FailureFact | undefined {
  const raised = node.namedChildren[0];
  if (!raised || sameNode(raised, node.childForFieldName('cause'))) return undefined;
  let type = raised.text;
  let message: string | undefined;
  if (raised.type === 'call') {
    type = raised.childForFieldName('function')?.text ?? type;
    const first = raised.childForFieldName('arguments')?.namedChildren[0];
    if (first?.type === 'string') message = first.text.replace(/^[rbuf]*['"]+|['"]+$/gi, '');
  } else if (raised.type === 'identifier' && /^[a-z_]/.test(raised.text)) return undefined;
  const failure: FailureFact = { type: type.split('.').pop() ?? type, via: 'throw' };
  const condition = enclosingCondition(node);
  if (condition) failure.condition = condition;
  if (message) failure.message = message;
  return failure;
}

/** The condition of the nearest `if`/`elif` whose branch holds `node`, in English (negated for `else`). */
function enclosingCondition(node: Node): string | undefined {
  let current: Node | null = node;
  while (current?.parent) {
    const parent: Node = current.parent;
    if (parent.type === 'function_definition' || parent.type === 'class_definition') return undefined;
    if (
      (parent.type === 'if_statement' || parent.type === 'elif_clause') &&
      sameNode(current, parent.childForFieldName('consequence'))
    ) {
      const condition = parent.childForFieldName('condition');
      return condition ? pythonCondition(condition) : undefined;
    }
    if (parent.type === 'else_clause' && parent.parent?.type === 'if_statement') {
      const condition = parent.parent.childForFieldName('condition');
      return condition
        ? `${pythonCondition(condition)} does not hold`.replace(/^`(.*)` does not hold$/, 'not `$1`')
        : undefined;
    }
    if (parent.type === 'except_clause') return 'an error occurs';
    current = parent;
  }
  return undefined;
}

function operand(node: Node): string {
  if (node.type === 'none') return '`None`';
  if (node.type === 'integer' || node.type === 'float') return node.text;
  if (node.type === 'true' || node.type === 'false') return `\`${node.text}\``;
  return codeSpan(node.text);
}

/** An `if` condition in English: `not user` → "`user` is missing", `x is None` → "`x` is `None`". */
export function pythonCondition(node: Node): string {
  switch (node.type) {
    case 'parenthesized_expression':
      return node.namedChildren[0] ? pythonCondition(node.namedChildren[0]) : codeSpan(node.text);
    case 'boolean_operator': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const op = node.childForFieldName('operator')?.text ?? children(node)[1]?.text ?? 'and';
      if (!left || !right) return codeSpan(node.text);
      return `${pythonCondition(left)} ${op} ${pythonCondition(right)}`;
    }
    case 'not_operator': {
      const argument = node.childForFieldName('argument');
      if (!argument) return codeSpan(node.text);
      if (argument.type === 'call' && argument.childForFieldName('function')?.text === 'isinstance') {
        const [value, type] = namedChildren(argument.childForFieldName('arguments') ?? argument);
        if (value && type) return `${codeSpan(value.text)} is not ${withTypeArticle(type.text)}`;
      }
      if (argument.type === 'call') return `${codeSpan(argument.text)} is false`;
      if (argument.type === 'identifier' || argument.type === 'attribute') {
        const last = argument.text.split('.').pop() ?? '';
        return `${codeSpan(argument.text)} is ${/[^s]s$/.test(last) ? 'empty' : 'missing'}`;
      }
      return `not ${pythonCondition(argument)}`;
    }
    case 'comparison_operator': {
      const operands = namedChildren(node);
      const operators = node.childrenForFieldName('operators').filter((op): op is Node => op !== null);
      const opText = operators.map((op) => op.text).join(' ') || children(node)[1]?.text || '';
      const [left, right] = operands;
      if (operands.length !== 2 || !left || !right) return codeSpan(node.text);
      const words = comparisonWords(opText.replace(/\s+/g, ' '));
      if (left.type === 'call' && left.childForFieldName('function')?.text === 'len') {
        const target = left.childForFieldName('arguments')?.namedChildren[0];
        if (target && right.text === '0' && (opText === '==' || opText === '<='))
          return `${codeSpan(target.text)} is empty`;
        if (target && opText === '>') return `${codeSpan(target.text)} has more than ${right.text} items`;
      }
      return words ? `${operand(left)} ${words} ${operand(right)}` : codeSpan(node.text);
    }
    case 'call': {
      if (node.childForFieldName('function')?.text === 'isinstance') {
        const [value, type] = namedChildren(node.childForFieldName('arguments') ?? node);
        if (value && type) return `${codeSpan(value.text)} is ${withTypeArticle(type.text)}`;
      }
      return `${codeSpan(node.text)} is true`;
    }
    case 'identifier':
    case 'attribute':
      return `${codeSpan(node.text)} is set`;
    default:
      return codeSpan(node.text);
  }
}

function withTypeArticle(type: string): string {
  return `${/^[AEIOU]/.test(type) ? 'an' : 'a'} \`${type}\``;
}

/** What a call does to the world, judged by the callee's name. */
function callEffect(call: Node): EffectFact | undefined {
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  const text = callee.text.replace(/\s+/g, '');
  const last = text.split('.').pop() ?? text;
  const args = call.childForFieldName('arguments');
  if (text === 'print') return { kind: 'console', detail: 'print' };
  if (text === 'open') {
    const mode = args ? (namedChildren(args)[1]?.text ?? '') : '';
    return { kind: /[wax+]/.test(mode) ? 'fs-write' : 'fs-read', detail: 'open' };
  }
  if (
    /^(requests|httpx|aiohttp|urllib\.request|session|client)\.(get|post|put|patch|delete|request|urlopen|head)$/.test(
      text,
    )
  ) {
    return { kind: 'network', detail: text };
  }
  if (
    /^(os|shutil)\.(remove|unlink|rmdir|removedirs|makedirs|mkdir|rename|replace|rmtree|copy|copyfile|copytree|move|chmod|symlink)$/.test(
      text,
    ) ||
    /\.(write_text|write_bytes|mkdir|unlink|touch|rmdir)$/.test(text)
  ) {
    return { kind: 'fs-write', detail: text };
  }
  if (
    /^os\.(listdir|scandir|stat|walk)$|^os\.path\.(exists|isfile|isdir|getsize)$|\.(read_text|read_bytes|iterdir|glob)$/.test(
      text,
    )
  ) {
    return { kind: 'fs-read', detail: text };
  }
  if (
    /^(logging|logger|log|self\.logger|self\.log|self\._logger)\.(debug|info|warning|warn|error|exception|critical)$/.test(
      text,
    )
  ) {
    return { kind: 'log', detail: text };
  }
  if (
    /(^|\.)(cursor|db|conn|connection|session|self\.db|self\.session)\.(execute|executemany|query|add|commit|delete|fetchone|fetchall|scalar|scalars|merge|flush)$/.test(
      text,
    )
  ) {
    return { kind: 'db', detail: text };
  }
  if (text === 'sys.exit' || text === 'exit' || text === 'os._exit') return { kind: 'process', detail: text };
  if (/^subprocess\.|^os\.system$/.test(text)) return { kind: 'spawn', detail: text };
  if (last === 'emit') {
    const event = args?.namedChildren[0];
    if (event?.type === 'string') return { kind: 'emit', detail: event.text.replace(/^['"]|['"]$/g, '') };
  }
  return undefined;
}

function collectSelfFields(init: Node, out: string[]): void {
  const body = init.childForFieldName('body');
  if (!body) return;
  walk(body, (node) => {
    if (node.type === 'function_definition' || node.type === 'class_definition') return false;
    if (node.type === 'assignment') {
      const left = node.childForFieldName('left');
      const field =
        left?.type === 'attribute' && left.childForFieldName('object')?.text === 'self'
          ? left.childForFieldName('attribute')?.text
          : undefined;
      if (field && !isPrivate(field)) out.push(field);
    }
    return true;
  });
}
