import { type Node } from 'web-tree-sitter';
import { describeFunction, describeType } from '../describe.js';
import {
  type EffectFact,
  type FailureFact,
  type FunctionFacts,
  type ParamFact,
  type TypeFacts,
  type TypeShape,
} from '../model.js';
import { renderGoDoc } from '../render.js';
import { aboveDirectives, detectEol, indentAt, isDirective, oneLine } from '../text.js';
import {
  codeSpan,
  firstSentence,
  isFunctionFacts,
  type DocItem,
  type SourceModel,
  type TextChange,
} from './source-model.js';
import { children, namedChildren, withTree, sameNode, walk } from './tree-sitter.js';

interface GoItem extends DocItem {
  /**
   * Offset of the node the comment goes above (the declaration, or the spec inside a `type ( … )` group), read while
   * the tree is alive (render runs after it is freed).
   */
  anchorStart: number;
  identifier: string;
}

/** Reads a Go file's functions, methods and types with tree-sitter. */
export function goModel(text: string, filePath: string): Promise<SourceModel> {
  return withTree('go', text, filePath, (tree) => modelOf(tree.rootNode, text));
}

function modelOf(root: Node, text: string): SourceModel {
  const eol = detectEol(text);
  const items: GoItem[] = [];
  const methodsByType = new Map<string, string[]>();

  for (const node of namedChildren(root)) {
    if (node.type !== 'method_declaration') continue;
    const owner = receiverType(node);
    const name = node.childForFieldName('name')?.text ?? '';
    if (owner && isExported(name)) methodsByType.set(owner, [...(methodsByType.get(owner) ?? []), name]);
  }

  for (const node of namedChildren(root)) {
    if (node.type === 'function_declaration' || node.type === 'method_declaration') {
      const name = node.childForFieldName('name')?.text ?? '';
      const owner = node.type === 'method_declaration' ? receiverType(node) : undefined;
      const facts = functionFacts(node, name, owner);
      const item: GoItem = {
        name: owner ? `${owner}.${name}` : name,
        kind: facts.kind,
        exported: isExported(name) && (!owner || isExported(owner)),
        topLevel: true,
        startLine: node.startPosition.row + 1,
        endLine: node.endPosition.row + 1,
        line: node.startPosition.row + 1,
        signature: goSignature(node),
        facts,
        anchorStart: node.startIndex,
        identifier: name,
      };
      const doc = precedingComment(node);
      if (doc !== undefined) item.doc = firstSentence(doc);
      items.push(item);
    } else if (node.type === 'type_declaration') {
      const specs = namedChildren(node).filter((child) => child.type === 'type_spec' || child.type === 'type_alias');
      const grouped = children(node).some((child) => child.type === '(');
      for (const spec of specs) {
        const name = spec.childForFieldName('name')?.text ?? '';
        const facts = typeFacts(spec, name, methodsByType.get(name) ?? []);
        const anchor = grouped ? spec : node;
        const item: GoItem = {
          name,
          kind: facts.kind,
          exported: isExported(name),
          topLevel: true,
          startLine: anchor.startPosition.row + 1,
          endLine: anchor.endPosition.row + 1,
          line: spec.startPosition.row + 1,
          signature: oneLine(`type ${spec.text}`).slice(0, 200),
          facts,
          anchorStart: anchor.startIndex,
          identifier: name,
        };
        const doc = precedingComment(anchor);
        if (doc !== undefined) item.doc = firstSentence(doc);
        items.push(item);
      }
    }
  }

  return {
    language: 'go',
    items,
    render(item): TextChange | undefined {
      const { anchorStart, identifier } = item as GoItem;
      const declarationLine = text.lastIndexOf('\n', anchorStart - 1) + 1;
      if (text.slice(declarationLine, anchorStart).trim() !== '') return undefined;
      const lineStart = aboveDirectives(text, declarationLine);
      const doc = isFunctionFacts(item.facts) ? describeFunction(item.facts) : describeType(item.facts);
      const lines = renderGoDoc(identifier, doc, indentAt(text, anchorStart));
      return { start: lineStart, end: lineStart, text: lines.map((line) => line + eol).join(''), splitsLine: false };
    },
  };
}

function isExported(name: string): boolean {
  return /^\p{Lu}/u.test(name);
}

function receiverType(method: Node): string | undefined {
  const receiver = method.childForFieldName('receiver');
  const type = receiver?.namedChildren[0]?.childForFieldName('type');
  return type?.text.replace(/^\*/, '').replace(/\[.*$/, '');
}

/** The line or block comments right above a node (no blank line between), as text. */
function precedingComment(node: Node): string | undefined {
  const lines: string[] = [];
  let expectedRow = node.startPosition.row - 1;
  let sibling = node.previousSibling;
  while (sibling?.type === 'comment' && sibling.endPosition.row === expectedRow) {
    if (!isDirective(sibling.text)) lines.unshift(sibling.text.replace(/^\/\/\s?|^\/\*|\*\/$/g, ''));
    expectedRow = sibling.startPosition.row - 1;
    sibling = sibling.previousSibling;
  }
  return lines.length > 0 ? lines.join(' ') : undefined;
}

function goSignature(node: Node): string {
  const body = node.childForFieldName('body');
  const end = body ? body.startIndex : node.endIndex;
  return oneLine(node.text.slice(0, end - node.startIndex));
}

/** A Go type reduced to a TypeShape. */
export function goShape(node: Node | null): TypeShape {
  if (!node) return { kind: 'unknown' };
  switch (node.type) {
    case 'pointer_type':
      return goShape(node.namedChildren[0] ?? null);
    case 'slice_type':
    case 'array_type': {
      const element = node.childForFieldName('element');
      if (element?.text === 'byte') return { kind: 'string' };
      return { kind: 'array', element: goShape(element) };
    }
    case 'map_type':
      return {
        kind: 'map',
        key: goShape(node.childForFieldName('key')),
        value: goShape(node.childForFieldName('value')),
      };
    case 'channel_type':
      return { kind: 'iterator', element: goShape(node.childForFieldName('value')) };
    case 'function_type':
      return { kind: 'function', params: paramNames(node.childForFieldName('parameters')) };
    case 'qualified_type':
      return { kind: 'named', name: node.childForFieldName('name')?.text ?? node.text };
    case 'generic_type':
      return goShape(node.childForFieldName('type'));
    case 'struct_type':
      return { kind: 'object', properties: structFields(node) };
    case 'type_identifier': {
      const name = node.text;
      if (name === 'bool') return { kind: 'boolean' };
      if (name === 'string' || name === 'rune') return { kind: 'string' };
      if (name === 'error') return { kind: 'error' };
      if (/^(u?int(8|16|32|64)?|float(32|64)|complex(64|128)|byte|uintptr)$/.test(name)) return { kind: 'number' };
      if (name === 'any') return { kind: 'unknown' };
      return { kind: 'named', name };
    }
    default:
      return { kind: 'unknown' };
  }
}

function paramNames(list: Node | null): string[] {
  if (!list) return [];
  return namedChildren(list).flatMap((decl) =>
    decl.childrenForFieldName('name').flatMap((name) => (name ? [name.text] : [])),
  );
}

function structFields(struct: Node): string[] {
  const list = namedChildren(struct).find((child) => child.type === 'field_declaration_list');
  if (!list) return [];
  return namedChildren(list)
    .filter((field) => field.type === 'field_declaration')
    .flatMap((field) => field.childrenForFieldName('name').flatMap((name) => (name ? [name.text] : [])));
}

function goParams(list: Node | null): ParamFact[] {
  const out: ParamFact[] = [];
  for (const decl of list ? namedChildren(list) : []) {
    if (decl.type !== 'parameter_declaration' && decl.type !== 'variadic_parameter_declaration') continue;
    const type = decl.childForFieldName('type');
    const rest = decl.type === 'variadic_parameter_declaration';
    for (const name of decl.childrenForFieldName('name')) {
      if (!name || name.text === '_') continue;
      const fact: ParamFact = { name: name.text, type: goShape(type), optional: false, rest };
      if (type) fact.typeText = (rest ? '...' : '') + type.text;
      out.push(fact);
    }
  }
  return out;
}

function functionFacts(node: Node, name: string, owner: string | undefined): FunctionFacts {
  const result = node.childForFieldName('result');
  const results: Node[] = !result
    ? []
    : result.type === 'parameter_list'
      ? namedChildren(result).flatMap((decl) => {
          const type = decl.childForFieldName('type');
          const count = Math.max(1, decl.childrenForFieldName('name').length);
          return type ? Array<Node>(count).fill(type) : [];
        })
      : [result];
  const returnsError = results.length > 0 && results[results.length - 1]?.text === 'error';
  const values = returnsError ? results.slice(0, -1) : results;
  const returnType: TypeShape =
    values.length === 0
      ? { kind: 'void' }
      : values.length === 1
        ? goShape(values[0] ?? null)
        : { kind: 'tuple', items: values.map(goShape) };
  const receiverName =
    node.type === 'method_declaration'
      ? node.childForFieldName('receiver')?.namedChildren[0]?.childForFieldName('name')?.text
      : undefined;
  const failures: FailureFact[] = [];
  const effects: EffectFact[] = [];
  const body = node.childForFieldName('body');
  if (body) {
    walk(body, (child) => {
      if (child.type === 'func_literal') return false;
      if (child.type === 'call_expression') {
        const callee = child.childForFieldName('function')?.text ?? '';
        if (callee === 'panic') {
          const failure: FailureFact = { type: '', via: 'panic' };
          const condition = enclosingCondition(child);
          if (condition) failure.condition = condition;
          failures.push(failure);
        }
        const effect = callEffect(child, callee);
        if (effect) effects.push(effect);
      }
      if (child.type === 'return_statement' && returnsError) {
        const failure = returnedError(child);
        if (failure) failures.push(failure);
      }
      if (
        (child.type === 'assignment_statement' || child.type === 'inc_statement' || child.type === 'dec_statement') &&
        receiverName
      ) {
        const left = child.type === 'assignment_statement' ? child.childForFieldName('left') : child;
        for (const target of left ? namedChildren(left) : []) {
          if (target.type === 'selector_expression' && target.childForFieldName('operand')?.text === receiverName) {
            effects.push({ kind: 'state', detail: target.text });
          }
        }
      }
      return true;
    });
  }
  if (returnsError && !failures.some((f) => f.via === 'return')) failures.push({ type: '', via: 'return' });
  const facts: FunctionFacts = {
    language: 'go',
    name,
    kind: owner ? 'method' : 'function',
    params: goParams(node.childForFieldName('parameters')),
    returnType,
    returnsValue: values.length > 0,
    isAsync: false,
    isGenerator: false,
    failures,
    effects,
  };
  if (owner) facts.owner = owner;
  if (result) facts.returnTypeText = result.text;
  return facts;
}

/** The error a `return …, err` hands back, and why. */
function returnedError(statement: Node): FailureFact | undefined {
  const list = statement.namedChildren[0];
  const values = list?.type === 'expression_list' ? namedChildren(list) : list ? [list] : [];
  const last = values[values.length - 1];
  if (!last || last.type === 'nil') return undefined;
  const failure: FailureFact = { type: '', via: 'return' };
  let errorName: string | undefined;
  if (last.type === 'identifier') {
    if (/^Err[A-Z]/.test(last.text)) failure.type = last.text;
    else errorName = last.text;
  } else if (last.type === 'selector_expression' && /^Err[A-Z]/.test(last.childForFieldName('field')?.text ?? '')) {
    failure.type = last.text;
  } else if (last.type === 'call_expression') {
    const callee = last.childForFieldName('function')?.text ?? '';
    const args = namedChildren(last.childForFieldName('arguments') ?? last);
    const first = args[0];
    if ((callee === 'errors.New' || callee === 'fmt.Errorf') && first?.type === 'interpreted_string_literal') {
      failure.message = first.text.slice(1, -1).replace(/:?\s*%w$/, '');
    }
    const wrapped = args.find((arg) => arg.type === 'identifier' && /err/i.test(arg.text));
    if (wrapped) errorName = wrapped.text;
  }
  const conditionNode = enclosingIf(statement);
  const conditionText = conditionNode?.childForFieldName('condition')?.text ?? '';
  if (errorName && new RegExp(`\\b${errorName}\\s*!=\\s*nil\\b`).test(conditionText)) {
    const source = errorSource(conditionNode, errorName);
    if (source) failure.from = source;
    return failure;
  }
  const condition = enclosingCondition(statement);
  if (condition) failure.condition = condition;
  return failure.condition || failure.message || failure.type || failure.from ? failure : undefined;
}

function enclosingIf(node: Node): Node | undefined {
  let current: Node | null = node.parent;
  while (
    current &&
    current.type !== 'function_declaration' &&
    current.type !== 'method_declaration' &&
    current.type !== 'func_literal'
  ) {
    if (current.type === 'if_statement') return current;
    current = current.parent;
  }
  return undefined;
}

/** The call whose error `if err != nil` checks: in the `if`'s initializer, or the statement before it. */
function errorSource(ifStatement: Node | undefined, errorName: string): string | undefined {
  if (!ifStatement) return undefined;
  const candidates = [ifStatement.childForFieldName('initializer'), ifStatement.previousNamedSibling];
  for (const candidate of candidates) {
    if (!candidate || (candidate.type !== 'short_var_declaration' && candidate.type !== 'assignment_statement'))
      continue;
    const left = candidate.childForFieldName('left');
    if (!left || !namedChildren(left).some((target) => target.text === errorName)) continue;
    const call = candidate.childForFieldName('right')?.namedChildren[0];
    if (call?.type === 'call_expression') return call.childForFieldName('function')?.text;
  }
  return undefined;
}

function enclosingCondition(node: Node): string | undefined {
  let current: Node | null = node;
  while (current?.parent) {
    const parent: Node = current.parent;
    if (
      parent.type === 'function_declaration' ||
      parent.type === 'method_declaration' ||
      parent.type === 'func_literal'
    )
      return undefined;
    if (parent.type === 'if_statement') {
      const condition = parent.childForFieldName('condition');
      if (!condition) return undefined;
      if (sameNode(current, parent.childForFieldName('consequence'))) return goCondition(condition);
      if (sameNode(current, parent.childForFieldName('alternative'))) return `not ${goCondition(condition)}`;
    }
    current = parent;
  }
  return undefined;
}

/** An `if` condition in English: `len(x) == 0` → "`x` is empty", `u == nil` → "`u` is nil". */
export function goCondition(node: Node): string {
  switch (node.type) {
    case 'parenthesized_expression':
      return node.namedChildren[0] ? goCondition(node.namedChildren[0]) : codeSpan(node.text);
    case 'binary_expression': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const op = node.childForFieldName('operator')?.text ?? children(node)[1]?.text ?? '';
      if (!left || !right) return codeSpan(node.text);
      if (op === '&&' || op === '||') return `${goCondition(left)} ${op === '&&' ? 'and' : 'or'} ${goCondition(right)}`;
      if (right.type === 'nil') return `${codeSpan(left.text)} is ${op === '==' ? 'nil' : 'not nil'}`;
      if (left.type === 'call_expression' && left.childForFieldName('function')?.text === 'len' && right.text === '0') {
        const target = left.childForFieldName('arguments')?.namedChildren[0];
        if (target && (op === '==' || op === '<=')) return `${codeSpan(target.text)} is empty`;
      }
      const words: Record<string, string> = {
        '==': 'is',
        '!=': 'is not',
        '<': 'is less than',
        '>': 'is greater than',
        '<=': 'is at most',
        '>=': 'is at least',
      };
      const rightText = /literal$/.test(right.type) ? right.text : codeSpan(right.text);
      return words[op] ? `${codeSpan(left.text)} ${words[op]} ${rightText}` : codeSpan(node.text);
    }
    case 'unary_expression': {
      const operand = node.childForFieldName('operand');
      if (children(node)[0]?.text === '!' && operand) return `${codeSpan(operand.text)} is false`;
      return codeSpan(node.text);
    }
    case 'call_expression': {
      const args = namedChildren(node.childForFieldName('arguments') ?? node);
      if (node.childForFieldName('function')?.text === 'errors.Is' && args.length === 2 && args[0] && args[1]) {
        return `${codeSpan(args[0].text)} is ${codeSpan(args[1].text)}`;
      }
      return `${codeSpan(node.text)} is true`;
    }
    case 'identifier':
    case 'selector_expression':
      return `${codeSpan(node.text)} is true`;
    default:
      return codeSpan(node.text);
  }
}

function callEffect(call: Node, callee: string): EffectFact | undefined {
  if (
    /^http\.(Get|Post|PostForm|Head|NewRequest|NewRequestWithContext)$|(^|\.)(client|Client|httpClient)\.Do$/.test(
      callee,
    )
  ) {
    return { kind: 'network', detail: callee };
  }
  if (
    /^os\.(ReadFile|Open|Stat|Lstat|ReadDir)$|^(ioutil|io\/ioutil)\.(ReadFile|ReadDir)$|^filepath\.(Walk|WalkDir|Glob)$/.test(
      callee,
    )
  ) {
    return { kind: 'fs-read', detail: callee };
  }
  if (
    /^os\.(WriteFile|Create|OpenFile|Remove|RemoveAll|Mkdir|MkdirAll|Rename|Chmod|Symlink|Truncate)$|^ioutil\.WriteFile$/.test(
      callee,
    )
  ) {
    return { kind: 'fs-write', detail: callee };
  }
  if (/^fmt\.(Print|Println|Printf)$/.test(callee)) return { kind: 'console', detail: callee };
  if (
    /^(log|slog|logger|\w+\.logger|\w+\.log)\.(Print|Printf|Println|Fatal|Fatalf|Info|Warn|Error|Debug|Infof|Errorf|Warnf|Debugf)$/.test(
      callee,
    )
  ) {
    return { kind: 'log', detail: callee };
  }
  if (
    /(^|\.)(db|tx|conn|pool|DB)\.(Query|QueryRow|Exec|QueryContext|QueryRowContext|ExecContext|Begin|BeginTx|Prepare|Get|Select)$/.test(
      callee,
    )
  ) {
    return { kind: 'db', detail: callee };
  }
  if (callee === 'os.Exit') return { kind: 'process', detail: callee };
  if (/^exec\.Command(Context)?$/.test(callee)) return { kind: 'spawn', detail: callee };
  if (/^time\.(AfterFunc|NewTimer|NewTicker|After|Tick)$/.test(callee)) return { kind: 'timer', detail: callee };
  if (/\.Emit$/.test(callee)) {
    const event = call.childForFieldName('arguments')?.namedChildren[0];
    if (event?.type === 'interpreted_string_literal') return { kind: 'emit', detail: event.text.slice(1, -1) };
  }
  return undefined;
}

function typeFacts(spec: Node, name: string, methods: string[]): TypeFacts {
  const type = spec.childForFieldName('type');
  const facts: TypeFacts = { language: 'go', name, kind: 'type', properties: [], methods, extends: [], implements: [] };
  if (type?.type === 'struct_type') {
    facts.kind = 'struct';
    facts.properties = structFields(type).filter(isExported);
  } else if (type?.type === 'interface_type') {
    facts.kind = 'interface';
    facts.methods = namedChildren(type)
      .filter((member) => member.type === 'method_elem')
      .map((member) => member.childForFieldName('name')?.text ?? '')
      .filter(Boolean);
  } else if (type) {
    facts.aliasOf = goShape(type);
    facts.aliasText = type.text;
  }
  return facts;
}
