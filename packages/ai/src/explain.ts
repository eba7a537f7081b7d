import { describeEffects, describeFunction, describeType } from './describe.js';
import { isAiError } from './errors.js';
import { loadModel } from './document.js';
import { codeSpan, isFunctionFacts, type DocItem } from './lang/source-model.js';
import { type FileSet } from './types.js';
import { listing } from './words.js';

/** What the offline analysis can say about some lines of a file: facts read off the code, never a guess at intent. */
export interface Explanation {
  /** Markdown: the declaration's name, parameters, what it returns, calls, awaits and throws, as written. */
  text: string;
  /** The declaration the lines belong to, when one spans them. */
  declaration: { name: string; kind: string; line: number } | null;
  /** The calls seen in the lines, as written (`fs.readFile`, `this.load`), first seen first. */
  calls: string[];
}

const NOT_CALLS = new Set([
  'if',
  'for',
  'while',
  'switch',
  'catch',
  'function',
  'return',
  'typeof',
  'await',
  'new',
  'super',
  'import',
  'require',
  'elif',
  'def',
  'func',
  'with',
  'print',
  'and',
  'or',
  'not',
  'in',
  'of',
  'async',
  'yield',
  'throw',
  'delete',
  'void',
  'sizeof',
]);
const MAX_CALLS = 12;

/**
 * Explains lines `startLine`-`endLine` of a file from its code alone: the innermost function or type declaration
 * spanning them (its name, signature, parameters and their types, what it returns, awaits, calls, changes and
 * throws), or, when none does or the language is not one the analysis reads, the calls seen in the lines. It writes
 * no prose it cannot point at in the code: what the code is *for* is left to a person (or a language model).
 */
export async function explainLines(
  files: FileSet,
  filePath: string,
  startLine: number,
  endLine: number,
): Promise<Explanation> {
  const text = files.get(filePath) ?? '';
  const lines = text.split('\n');
  const python = /\.pyi?$/.test(filePath);
  const range = `${filePath}:${startLine}${endLine > startLine ? `-${endLine}` : ''}`;
  let item: DocItem | undefined;
  let unsupported: string | undefined;
  try {
    const model = await loadModel(files, filePath);
    item = model.items
      .filter((i) => i.startLine <= startLine && i.endLine >= startLine)
      .sort((a, b) => a.endLine - a.startLine - (b.endLine - b.startLine))[0];
    item ??= model.items.find((i) => i.line >= startLine && i.line <= endLine);
  } catch (err) {
    if (!isAiError(err)) throw err;
    unsupported = err.message;
  }
  const out: string[] = [];
  if (!item) {
    const calls = callsIn(lines.slice(startLine - 1, endLine).join('\n'), undefined, python);
    out.push(
      unsupported
        ? `The offline analysis does not read this file (${unsupported}); it can only list what ${range} calls.`
        : `No function or type declaration of ${filePath} spans ${range}.`,
    );
    out.push(
      calls.length > 0
        ? `The lines call ${listing(calls.map((c) => `\`${c}\``))}.`
        : 'The lines make no calls the analysis can see.',
    );
    out.push(FOOTER);
    return { text: out.join('\n\n'), declaration: null, calls };
  }
  const body = lines.slice(item.startLine - 1, item.endLine).join('\n');
  const shortName = item.name.split('.').at(-1) ?? item.name;
  const calls = callsIn(body, shortName, python);
  out.push(`**\`${item.name}\`** — ${item.kind} at ${filePath}:${item.line}: ${codeSpan(item.signature)}`);
  if (item.doc && item.doc !== '(documented)') out.push(`Its doc comment says: “${item.doc}”`);
  const facts: string[] = [];
  if (isFunctionFacts(item.facts)) {
    const f = item.facts;
    const doc = describeFunction(f);
    if (doc.params.length === 0) facts.push('Takes no parameters.');
    else {
      facts.push(
        `Parameters:\n${doc.params
          .map(
            (p) =>
              `- \`${p.rest ? '...' : ''}${p.name}\`${p.typeText ? `: \`${p.typeText}\`` : ''}${p.text ? ` — ${p.text}` : ''}`,
          )
          .join('\n')}`,
      );
    }
    if (f.isAsync) facts.push('It is `async`.');
    if (f.returnsExpression) facts.push(`Its body is one return: ${codeSpan(f.returnsExpression)}.`);
    else if (doc.returnsType) facts.push(`Returns a value of type \`${doc.returnsType}\`.`);
    else if (!f.returnsValue && f.kind !== 'constructor') facts.push('Returns no value.');
    for (const detail of doc.details) facts.push(detail);
    if (!f.awaits?.length) {
      const effects = describeEffects(f.effects);
      if (effects && !doc.details.includes(effects)) facts.push(effects);
    }
    for (const failure of doc.failures) {
      const verb = failure.via === 'return' ? 'Returns an error' : failure.via === 'panic' ? 'Panics' : 'Throws';
      facts.push(`${verb}${failure.type ? ` \`${failure.type}\`` : ''}${failure.text ? ` when ${failure.text}` : ''}.`);
    }
  } else {
    facts.push(...describeType(item.facts).details);
  }
  if (calls.length > 0) facts.push(`Calls ${listing(calls.map((c) => `\`${c}\``))}.`);
  out.push(...facts);
  out.push(FOOTER);
  return {
    text: out.join('\n\n'),
    declaration: { name: item.name, kind: item.kind, line: item.line },
    calls,
  };
}

const FOOTER =
  '_Read off the code by the offline analysis: names, types and calls as written. What the code is for is not guessed; a language model (HIVESYNC_AI_PROVIDER=openai) can write that._';

/** The calls written in `code` (`name(` or `a.b.name(`), without keywords and the declaration's own name. */
function callsIn(code: string, own: string | undefined, hashComments: boolean): string[] {
  const seen: string[] = [];
  // Strings and comments hold words followed by parentheses that are not calls.
  const uncommented = code.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const stripped = (hashComments ? uncommented.replace(/#.*$/gm, ' ') : uncommented).replace(
    /(["'`])(?:\\.|(?!\1)[^\\\n])*\1/g,
    '""',
  );
  // The declaration's own head (`function load(`, `def load(`, a method `load(`) reads like a call: the first
  // `name(` of the declaration is skipped; later ones are recursive calls.
  let headSkipped = own === undefined;
  for (const m of stripped.matchAll(/(?<![\w$.])((?:this\.|self\.)?[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*\(/g)) {
    const name = m[1]!;
    if (!headSkipped && name === own) {
      headSkipped = true;
      continue;
    }
    // `new Error(…)` constructs; throws are stated apart.
    if (
      NOT_CALLS.has(name) ||
      seen.includes(name) ||
      /\bnew\s+$/.test(stripped.slice(Math.max(0, m.index - 8), m.index))
    )
      continue;
    seen.push(name);
    if (seen.length >= MAX_CALLS) break;
  }
  return seen;
}
