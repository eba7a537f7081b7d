import { PLACEHOLDER, isPlaceholder } from './describe.js';
import { type FunctionDoc, type TypeDoc } from './model.js';
import { indentWidth, wrap } from './text.js';

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
  const lines = wrap(text ? `${tag} ${text}` : tag, width - indentWidth(prefix));
  return lines.map((line, i) => (i === 0 ? `${prefix}${line}` : `${prefix}  ${line}`));
}

/** A type in prose, for comments that do not carry `{type}`: "`string`.". */
function typeSentence(typeText: string | undefined): string {
  if (!typeText) return '';
  // A type holding a backtick (a template literal type) is fenced with two, as Markdown allows.
  return typeText.includes('`') ? `\`\` ${typeText} \`\`.` : `\`${typeText}\`.`;
}

function joined(...parts: (string | undefined)[]): string {
  return parts.filter(Boolean).join(' ');
}

/** A JSDoc block for a function or a type, as lines without terminators, indented like the declaration. */
export function renderJsDoc(doc: FunctionDoc | TypeDoc, indent: string, style: JsDocStyle): string[] {
  const prose = [doc.summary, ...doc.details].join(' ');
  const tags: string[] = [];
  const prefix = `${indent} * `;
  if ('params' in doc) {
    for (const param of doc.params) {
      const typed = style.types && param.typeText;
      const type = typed ? `{${param.rest ? '...' : ''}${param.typeText}} ` : '';
      const text = typed ? param.text : joined(typeSentence(param.typeText), param.text);
      tags.push(
        ...tagLines(`@param ${type}${param.name}${style.hyphen && text ? ' -' : ''}`, text, prefix, COMMENT_WIDTH),
      );
    }
    if (doc.returns !== undefined) {
      const typed = style.types && doc.returnsType;
      const tag = typed ? `${style.returnTag} {${doc.returnsType}}` : style.returnTag;
      const text = typed ? doc.returns : joined(typeSentence(doc.returnsType), doc.returns);
      tags.push(...tagLines(tag, text, prefix, COMMENT_WIDTH));
    }
    if (doc.yields) tags.push(...tagLines('@yields', doc.yields, prefix, COMMENT_WIDTH));
    for (const failure of doc.failures) {
      const text = failure.text ? `when ${failure.text}.` : '';
      tags.push(...tagLines(failure.type ? `@throws {${failure.type}}` : '@throws', text, prefix, COMMENT_WIDTH));
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
    const failures: [string, string][] = doc.failures.map((f) => [
      f.type || 'Exception',
      f.text ? `If ${f.text}.` : PLACEHOLDER,
    ]);
    const returned = doc.returns !== undefined ? joined(typeSentence(doc.returnsType), doc.returns) : undefined;
    if (style === 'google') {
      const block = (title: string, entries: [string, string][]) =>
        entries.length === 0
          ? []
          : [`${title}:`, ...entries.flatMap(([label, text]) => hanging(label ? `${label}: ${text}` : text, 1))];
      sections.push(
        block(
          'Args',
          params.map((p) => [p.typeText ? `${p.label} (${p.typeText})` : p.label, p.text || PLACEHOLDER]),
        ),
      );
      if (returned) sections.push(block('Returns', [['', returned]]));
      if (doc.yields) sections.push(block('Yields', [['', doc.yields]]));
      sections.push(block('Raises', failures));
    } else if (style === 'sphinx') {
      const lines: string[] = [];
      for (const p of params) {
        const type = p.typeText && !/\s/.test(p.typeText) ? `${p.typeText} ` : '';
        lines.push(...hanging(`:param ${type}${p.name}: ${p.text || PLACEHOLDER}`, 0));
      }
      if (returned) lines.push(...hanging(`:returns: ${returned}`, 0));
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
          params.map((p) => [p.typeText ? `${p.label} : ${p.typeText}` : p.label, p.text || PLACEHOLDER]),
        ),
      );
      if (doc.returns !== undefined && doc.returnsType)
        sections.push(block('Returns', [[doc.returnsType, doc.returns || PLACEHOLDER]]));
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
  // Go doc comments start with the name; a derived summary reads "Add returns a + b.", the placeholder "Add TODO: …".
  const first = isPlaceholder(doc.summary)
    ? `${name} ${doc.summary}`
    : `${name} ${doc.summary.charAt(0).toLowerCase()}${doc.summary.slice(1)}`;
  const sentences = [first, ...doc.details];
  if ('params' in doc) {
    const errors = doc.failures.filter((f) => f.via === 'return');
    const errorText = errors
      .map((f) => {
        const what = f.type || 'an error';
        return f.text ? `${what} if ${f.text}` : what;
      })
      .join(', or ');
    if (errorText) sentences.push(`It returns ${errorText}.`);
    for (const panic of doc.failures.filter((f) => f.via === 'panic'))
      sentences.push(panic.text ? `It panics if ${panic.text}.` : 'It may panic.');
  }
  return sentences.join(' ');
}
