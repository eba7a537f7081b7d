import { type FunctionDoc, type TypeDoc } from './model.js';
import { indentWidth, wrap } from './text.js';
import { decapitalize } from './words.js';

/** Comments are wrapped to this many columns, counting the indentation. */
export const COMMENT_WIDTH = 100;

/** How the existing JSDoc of a file is written, so new comments look like their neighbours. */
export interface JsDocStyle {
  /** `@param name - text` (TSDoc) rather than `@param name text`. */
  hyphen: boolean;
  /** `@return` rather than `@returns`. */
  returnTag: '@returns' | '@return';
  /** `@param {type} name`: always in JavaScript, in TypeScript only when the file already does it. */
  types: boolean;
}

/** Reads the JSDoc conventions a file already follows. */
export function detectJsDocStyle(text: string, javascript: boolean): JsDocStyle {
  const hyphen = (text.match(/@param\s+(\{[^}]*\}\s*)?[\w$.[\]]+\s+-\s/g) ?? []).length;
  const plain = (text.match(/@param\s+(\{[^}]*\}\s*)?[\w$.[\]]+\s+[^\s-]/g) ?? []).length;
  const returnTags = (text.match(/@return\b/g) ?? []).length;
  const returnsTags = (text.match(/@returns\b/g) ?? []).length;
  const typed = /@(param|returns?)\s+\{/.test(text);
  return {
    hyphen: hyphen > plain,
    returnTag: returnTags > returnsTags ? '@return' : '@returns',
    types: javascript || typed,
  };
}

function tagLines(tag: string, text: string, prefix: string, width: number): string[] {
  const lines = wrap(`${tag} ${text}`, width - indentWidth(prefix));
  return lines.map((line, i) => (i === 0 ? `${prefix}${line}` : `${prefix}  ${line}`));
}

/** A JSDoc block for a function or a type, as lines without terminators, indented like the declaration. */
export function renderJsDoc(doc: FunctionDoc | TypeDoc, indent: string, style: JsDocStyle): string[] {
  const prose = [doc.summary, ...doc.details].join(' ');
  const tags: string[] = [];
  const prefix = `${indent} * `;
  if ('params' in doc) {
    for (const param of doc.params) {
      const type = style.types && param.typeText ? `{${param.rest ? '...' : ''}${param.typeText}} ` : '';
      tags.push(
        ...tagLines(`@param ${type}${param.name}${style.hyphen ? ' -' : ''}`, param.text, prefix, COMMENT_WIDTH),
      );
    }
    if (doc.returns) tags.push(...tagLines(style.returnTag, doc.returns, prefix, COMMENT_WIDTH));
    if (doc.yields) tags.push(...tagLines('@yields', doc.yields, prefix, COMMENT_WIDTH));
    for (const failure of doc.failures) {
      tags.push(...tagLines(`@throws {${failure.type || 'Error'}}`, `when ${failure.text}.`, prefix, COMMENT_WIDTH));
    }
  }
  const single = `${indent}/** ${prose} */`;
  if (tags.length === 0 && indentWidth(single) <= COMMENT_WIDTH) return [single];
  const body = wrap(prose, COMMENT_WIDTH - indentWidth(prefix)).map((line) => `${prefix}${line}`);
  return [`${indent}/**`, ...body, ...(tags.length > 0 ? [`${indent} *`, ...tags] : []), `${indent} */`];
}

/** Docstring layouts: Google (`Args:`), Sphinx (`:param x:`) and NumPy (`Parameters` underlined). */
export type DocstringStyle = 'google' | 'sphinx' | 'numpy';

/** Reads which docstring layout a Python file already uses; Google when it uses none. */
export function detectDocstringStyle(text: string): DocstringStyle {
  if (/^\s*:param\s/m.test(text) || /^\s*:returns?:/m.test(text)) return 'sphinx';
  if (/^\s*(Parameters|Returns|Raises)\s*\n\s*-{3,}/m.test(text)) return 'numpy';
  return 'google';
}

/** A Python docstring as lines, indented for the body it opens; `unit` nests section entries. */
export function renderDocstring(
  doc: FunctionDoc | TypeDoc,
  indent: string,
  style: DocstringStyle,
  unit = '    ',
): string[] {
  const prose = [doc.summary, ...doc.details].join(' ').replace(/"""/g, '\\"\\"\\"');
  const width = COMMENT_WIDTH - indentWidth(indent);
  const hanging = (text: string, depth: number) =>
    wrap(text, width - indentWidth(unit.repeat(depth + 1))).map(
      (line, i) => `${unit.repeat(i === 0 ? depth : depth + 1)}${line}`,
    );
  const sections: string[][] = [];
  if ('params' in doc) {
    const params = doc.params.map((p) => ({
      ...p,
      label: p.keywords ? `**${p.name}` : p.rest ? `*${p.name}` : p.name,
    }));
    const failures: [string, string][] = doc.failures.map((f) => [f.type || 'Exception', `If ${f.text}.`]);
    if (style === 'google') {
      const block = (title: string, entries: [string, string][]) =>
        entries.length === 0
          ? []
          : [`${title}:`, ...entries.flatMap(([label, text]) => hanging(label ? `${label}: ${text}` : text, 1))];
      sections.push(
        block(
          'Args',
          params.map((p) => [p.label, p.text]),
        ),
      );
      if (doc.returns) sections.push(block('Returns', [['', doc.returns]]));
      if (doc.yields) sections.push(block('Yields', [['', doc.yields]]));
      sections.push(block('Raises', failures));
    } else if (style === 'sphinx') {
      const lines: string[] = [];
      for (const p of params) lines.push(...hanging(`:param ${p.name}: ${p.text}`, 0));
      if (doc.returns) lines.push(...hanging(`:returns: ${doc.returns}`, 0));
      if (doc.yields) lines.push(...hanging(`:yields: ${doc.yields}`, 0));
      for (const [type, text] of failures) lines.push(...hanging(`:raises ${type}: ${text}`, 0));
      sections.push(lines);
    } else {
      const block = (title: string, entries: [string, string][]) =>
        entries.length === 0
          ? []
          : [
              title,
              '-'.repeat(title.length),
              ...entries.flatMap(([head, text]) => [
                head,
                ...wrap(text, width - indentWidth(unit)).map((l) => unit + l),
              ]),
            ];
      sections.push(
        block(
          'Parameters',
          params.map((p) => [p.typeText ? `${p.label} : ${p.typeText}` : p.label, p.text]),
        ),
      );
      if (doc.returns) sections.push(block('Returns', [['result', doc.returns]]));
      if (doc.yields) sections.push(block('Yields', [['item', doc.yields]]));
      sections.push(block('Raises', failures));
    }
  }
  const filled = sections.filter((section) => section.length > 0);
  const single = `${indent}"""${prose}"""`;
  if (filled.length === 0 && indentWidth(single) <= COMMENT_WIDTH) return [single];
  const summaryLines = wrap(prose, width - 3);
  const lines = [`${indent}"""${summaryLines[0] ?? ''}`, ...summaryLines.slice(1).map((line) => `${indent}${line}`)];
  for (const section of filled) lines.push('', ...section.map((line) => `${indent}${line}`));
  lines.push(`${indent}"""`);
  return lines;
}

/** Go doc comment lines for a declaration named `name`, starting with the name as Go convention asks. */
export function renderGoDoc(name: string, doc: FunctionDoc | TypeDoc, indent: string): string[] {
  const text = goProse(name, doc).replace(/`/g, '');
  return wrap(text, COMMENT_WIDTH - indentWidth(indent) - 3).map((line) => `${indent}// ${line}`);
}

function goProse(name: string, doc: FunctionDoc | TypeDoc): string {
  const summary = doc.summary.replace(/^Asynchronously /, '');
  let first: string;
  if (/^(Thrown|Returned|Raised) when /.test(summary))
    first = `${name} is returned when ${summary.replace(/^\w+ when /, '')}`;
  else if (/^[A-Z][a-z]+s\b/.test(summary) && !/^(Options|Settings|Props|Parameters|Arguments)\b/.test(summary)) {
    first = `${name} ${decapitalize(summary)}`;
  } else if (/^(Options|Configuration|Settings|Parameters|Arguments|Input)\b/.test(summary)) {
    first = `${name} holds the ${decapitalize(summary)}`;
  } else first = `${name} is ${decapitalize(summary).replace(/^the possible/, 'one of the possible')}`;
  const sentences = [first, ...doc.details];
  if ('params' in doc) {
    const returnedNoun = (doc.returns ?? '')
      .replace(/^(the|a|an) (newly created |new )?/i, '')
      .replace(/\.$/, '')
      .toLowerCase();
    const obvious =
      returnedNoun !== '' && summary.toLowerCase().includes(returnedNoun) && !/^(`?true|false)/.test(returnedNoun);
    const returned =
      doc.returns && !(obvious && doc.failures.length === 0)
        ? `It returns ${decapitalize(doc.returns).replace(/\.$/, '')}`
        : '';
    const errors = doc.failures.filter((f) => f.via === 'return');
    const errorText = errors.map((f) => (f.type ? `${f.type} if ${f.text}` : `an error if ${f.text}`)).join(', or ');
    if (returned && errorText) sentences.push(`${returned}, or ${errorText}.`);
    else if (returned) sentences.push(`${returned}.`);
    else if (errorText) sentences.push(`It returns ${errorText}.`);
    for (const panic of doc.failures.filter((f) => f.via === 'panic')) sentences.push(`It panics if ${panic.text}.`);
  }
  return sentences.join(' ');
}
