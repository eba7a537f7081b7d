import { codeSpan } from './lang/source-model.js';
import {
  type EffectFact,
  type FailureFact,
  type FunctionDoc,
  type FunctionFacts,
  type ParamFact,
  type TypeDoc,
  type TypeFacts,
} from './model.js';
import { listing, sentence } from './words.js';

/**
 * The summary line when the code does not say what a declaration is for: a placeholder for a person to fill. A
 * sentence guessed from the name ("Gets the get.", "Removes the arr from the given el.") is worse than none: it reads
 * as documentation and is often false.
 */
export const PLACEHOLDER = 'TODO: describe.';

/** Whether a generated summary is the placeholder (nothing about the declaration's purpose could be derived). */
export function isPlaceholder(summary: string): boolean {
  return summary === PLACEHOLDER;
}

/** Types longer than this are left to the signature rather than repeated in prose. */
const MAX_TYPE_TEXT = 80;

/** A type as written or inferred, when it says something (`any` says nothing) and fits on a line. */
function usableType(text: string | undefined): string | undefined {
  const flat = text?.replace(/\s+/g, ' ').trim();
  if (!flat || flat === 'any' || flat.length > MAX_TYPE_TEXT) return undefined;
  return flat;
}

/**
 * The prose for a function or method, from what the code states: its parameters and their types, its return type,
 * what it throws, awaits, and changes. The summary line is derived only from a body that is one short `return`
 * (`Returns \`a + b\`.`); otherwise it is the placeholder.
 */
export function describeFunction(f: FunctionFacts): FunctionDoc {
  const details: string[] = [];
  if (f.awaits && f.awaits.length > 0) details.push(describeAwaits(f.awaits));
  const effects = describeEffects(f.kind === 'constructor' ? f.effects.filter((e) => e.kind !== 'state') : f.effects);
  if (effects) details.push(effects);
  const params = f.params
    .filter((p) => p.name !== 'self' && p.name !== 'cls' && p.name !== '_')
    .map((p) => {
      const typeText = usableType(p.typeText);
      return {
        name: p.name,
        text: describeParam(f, p),
        ...(typeText !== undefined && { typeText }),
        rest: p.rest,
        keywords: p.keywords ?? false,
      };
    });
  const doc: FunctionDoc = {
    summary: derivedSummary(f) ?? PLACEHOLDER,
    details,
    params,
    failures: describeFailures(f),
  };
  const returnsType = returnedType(f);
  if (returnsType) {
    doc.returns = '';
    doc.returnsType = returnsType;
  }
  return doc;
}

/** `Returns \`expr\`.` for a body that is one short return statement (or an arrow's expression body). */
function derivedSummary(f: FunctionFacts): string | undefined {
  const expression = f.returnsExpression?.replace(/\s+/g, ' ').trim();
  if (!expression || expression.length > 60) return undefined;
  return `Returns ${codeSpan(expression)}.`;
}

/** The declared (or inferred) type of the value returned, when the function returns one and the type is known. */
function returnedType(f: FunctionFacts): string | undefined {
  if (!f.returnsValue || f.isGenerator || f.kind === 'constructor' || f.kind === 'setter') return undefined;
  if (f.returnType.kind === 'void') return undefined;
  if (f.returnType.kind === 'promise' && f.returnType.inner.kind === 'void') return undefined;
  return usableType(f.returnTypeText);
}

function describeAwaits(awaits: readonly string[]): string {
  const shown = awaits.slice(0, 3).map((text) => codeSpan(text));
  const more = awaits.length > 3 ? ` and ${awaits.length - 3} more` : '';
  return sentence(`Awaits ${more ? `${shown.join(', ')}${more}` : listing(shown)}`);
}

/** What the code says about one parameter beyond its type: its default, whether it may be left out, writes to it. */
function describeParam(f: FunctionFacts, param: ParamFact): string {
  const parts: string[] = [];
  if (param.keywords) parts.push('Keyword arguments.');
  if (param.defaultValue !== undefined && param.defaultValue.length <= 40 && !/\n/.test(param.defaultValue)) {
    parts.push(`Defaults to \`${param.defaultValue}\`.`);
  } else if (param.optional && !param.rest && f.language !== 'python') parts.push('Optional.');
  const writes = (f.writes ?? []).filter((w) => w.param === param.name).map((w) => w.detail);
  const unique = [...new Set(writes)];
  if (unique.length > 0) {
    const shown = unique.slice(0, 3).map((w) => `\`${w}\``);
    parts.push(`Modified in place (${listing(shown)}${unique.length > 3 ? ` and ${unique.length - 3} more` : ''}).`);
  }
  return parts.join(' ');
}

/** Side effects as one sentence ("It sends network requests with `fetch` and updates `this.cache`."). */
export function describeEffects(effects: readonly EffectFact[]): string | undefined {
  const byKind = new Map<EffectFact['kind'], string[]>();
  for (const effect of effects) {
    const list = byKind.get(effect.kind) ?? [];
    if (!list.includes(effect.detail)) list.push(effect.detail);
    byKind.set(effect.kind, list);
  }
  const code = (items: string[]) => listing(items.slice(0, 3).map((item) => `\`${item}\``));
  const clauses: string[] = [];
  for (const [kind, details] of byKind) {
    switch (kind) {
      case 'network':
        clauses.push(`sends network requests with ${code(details)}`);
        break;
      case 'fs-read':
        clauses.push(`reads from the file system (${code(details)})`);
        break;
      case 'fs-write':
        clauses.push(`writes to the file system (${code(details)})`);
        break;
      case 'console':
        clauses.push(
          details.some((d) => d.startsWith('console.')) ? 'logs to the console' : 'prints to standard output',
        );
        break;
      case 'log':
        clauses.push(`logs through ${code(details.map((d) => d.replace(/\.\w+$/, '')).filter(unique))}`);
        break;
      case 'db':
        clauses.push(`queries the database (${code(details)})`);
        break;
      case 'emit':
        clauses.push(`emits the ${code(details)} ${details.length > 1 ? 'events' : 'event'}`);
        break;
      case 'state':
        clauses.push(`updates ${code(details)}${details.length > 3 ? ` and ${details.length - 3} more fields` : ''}`);
        break;
      case 'process':
        clauses.push('exits the process');
        break;
      case 'spawn':
        clauses.push(`starts a child process (${code(details)})`);
        break;
      case 'timer':
        clauses.push(`schedules a timer (${code(details)})`);
        break;
    }
  }
  return clauses.length > 0 ? sentence(`It ${listing(clauses)}`) : undefined;
}

/** Side effects as a noun list for a file summary ("network requests (`fetch`) and console output"). */
export function listEffects(effects: readonly EffectFact[]): string | undefined {
  const byKind = new Map<EffectFact['kind'], string[]>();
  for (const effect of effects) {
    const list = byKind.get(effect.kind) ?? [];
    if (!list.includes(effect.detail)) list.push(effect.detail);
    byKind.set(effect.kind, list);
  }
  const code = (items: string[]) => listing(items.slice(0, 3).map((item) => `\`${item}\``));
  const nouns: Record<EffectFact['kind'], (details: string[]) => string> = {
    network: (d) => `network requests (${code(d)})`,
    'fs-read': (d) => `file reads (${code(d)})`,
    'fs-write': (d) => `file writes (${code(d)})`,
    console: () => 'console output',
    log: (d) => `logging (${code(d.map((x) => x.replace(/\.\w+$/, '')).filter(unique))})`,
    db: (d) => `database queries (${code(d)})`,
    emit: (d) => `${code(d)} events`,
    state: (d) => `state changes (${code(d)})`,
    process: () => 'process exits',
    spawn: (d) => `child processes (${code(d)})`,
    timer: (d) => `timers (${code(d)})`,
  };
  const items = [...byKind].map(([kind, details]) => nouns[kind](details));
  return items.length > 0 ? listing(items) : undefined;
}

function unique<T>(value: T, index: number, all: readonly T[]): boolean {
  return all.indexOf(value) === index;
}

/** How the function fails, one entry per type; the text is the condition read off the code, or empty. */
function describeFailures(f: FunctionFacts): FunctionDoc['failures'] {
  const merged = new Map<string, FailureFact[]>();
  for (const failure of f.failures) {
    const key = `${failure.via}:${failure.type}`;
    merged.set(key, [...(merged.get(key) ?? []), failure]);
  }
  const out: FunctionDoc['failures'] = [];
  for (const failures of merged.values()) {
    const first = failures[0];
    if (!first) continue;
    const conditions = failures.map(failureCondition).filter((c): c is string => c !== undefined);
    const known = conditions.length === failures.length ? conditions.filter(unique) : [];
    out.push({ type: first.type, text: listing(known, 'or'), via: first.via });
  }
  return out;
}

function failureCondition(failure: FailureFact): string | undefined {
  if (failure.condition) return failure.condition;
  if (failure.from) return `\`${failure.from}\` fails`;
  if (failure.message) return `it fails with "${failure.message}"`;
  return undefined;
}

/**
 * The prose for a class, interface, struct, type alias or enum: what the declaration states (what it extends and
 * implements, its members, an alias's literal values); the summary line is the placeholder.
 */
export function describeType(t: TypeFacts): TypeDoc {
  const details: string[] = [];
  const code = (items: readonly string[], max: number) => {
    const shown = items.slice(0, max).map((item) => `\`${item}\``);
    return items.length > max ? `${shown.join(', ')} and ${items.length - max} more` : listing(shown);
  };
  if (t.extends.length > 0) details.push(sentence(`Extends ${code(t.extends, 3)}`));
  if (t.implements.length > 0) details.push(sentence(`Implements ${code(t.implements, 3)}`));
  const alias = t.aliasOf;
  if (t.kind === 'enum' && t.properties.length > 0) details.push(sentence(`One of ${oneOf(t.properties)}`));
  else if (alias?.kind === 'literals') details.push(sentence(`One of ${oneOf(alias.values)}`));
  else if (t.kind !== 'enum' && t.properties.length > 0) {
    const noun = t.kind === 'class' || t.kind === 'struct' ? 'Fields' : 'Properties';
    details.push(sentence(`${noun}: ${code(t.properties, 6)}`));
  }
  if (t.methods.length > 0) details.push(sentence(`Methods: ${code(t.methods, 6)}`));
  return { summary: PLACEHOLDER, details };
}

function oneOf(values: readonly string[]): string {
  const shown = values.slice(0, 8).map((v) => `\`${v}\``);
  return `${listing(shown, 'or')}${values.length > 8 ? ` (${values.length} in all)` : ''}`;
}
