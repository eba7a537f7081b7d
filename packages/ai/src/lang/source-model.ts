import { type FunctionFacts, type Language, type TypeFacts } from '../model.js';
import { type SymbolKind } from '../types.js';

/** A documentable declaration of a file, as every language adapter reports it. */
export interface DocItem {
  /** `name`, or `Owner.name` for a member. */
  name: string;
  kind: SymbolKind;
  /** Part of the file's public API (exported, capitalised in Go, not underscored in Python). */
  exported: boolean;
  /** Whether it sits at the top level of the file (or is a member of a top-level type). */
  topLevel: boolean;
  /** 1-based lines the declaration spans, decorators and existing docs included. */
  startLine: number;
  endLine: number;
  /** 1-based line where the declaration itself starts (after its doc comment and decorators): where a reader points. */
  line: number;
  /** The first sentence of its doc comment, when it has one. */
  doc?: string;
  /** The declaration's head on one line. */
  signature: string;
  facts: FunctionFacts | TypeFacts;
}

/** A change of the file's text: an insertion when `start === end`. */
export interface TextChange {
  start: number;
  end: number;
  text: string;
  /** Whether an existing line had to change (a Python one-line `def f(): return x` is split). */
  splitsLine: boolean;
}

/** An exported value that is neither a function nor a type (CommonJS `exports.methods = […]`). */
export interface ValueExport {
  name: string;
  /** 1-based line of the statement that exports it. */
  line: number;
  /** The statement that exports it, on one line. */
  signature: string;
  /** The first sentence of its doc comment, when it has one. */
  doc?: string;
}

/** What a language adapter knows about one file. */
export interface SourceModel {
  language: Language;
  /**
   * The declarations that can carry a doc comment. `facts` may be computed on first read (through the type
   * checker), so code that only needs names, lines and existing docs stays cheap.
   */
  items: DocItem[];
  /** Exported values that are not declarations of `items`; summaries list them, documentation leaves them alone. */
  values?: ValueExport[];
  /** The comment that documents `item`, placed the way the language wants it. */
  render(item: DocItem): TextChange | undefined;
}

/** Whether an item describes a function-like declaration. */
export function isFunctionFacts(facts: FunctionFacts | TypeFacts): facts is FunctionFacts {
  return 'params' in facts;
}

/** Code quoted for prose: whitespace collapsed, in backticks; long expressions are not quoted whole. */
export function codeSpan(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const shown = flat.length <= 60 ? flat : `${flat.slice(0, 57).replace(/\s+\S*$/, '')} …`;
  // Code holding a backtick (a template literal) is fenced with two, as Markdown allows.
  return shown.includes('`') ? `\`\` ${shown} \`\`` : `\`${shown}\``;
}

/** English for a comparison operator shared by the C-like languages and Python. */
export function comparisonWords(operator: string): string | undefined {
  const words: Record<string, string> = {
    '===': 'is',
    '==': 'is',
    '!==': 'is not',
    '!=': 'is not',
    '<': 'is less than',
    '>': 'is greater than',
    '<=': 'is at most',
    '>=': 'is at least',
    is: 'is',
    'is not': 'is not',
    in: 'is in',
    'not in': 'is not in',
  };
  return words[operator];
}

/** The first sentence of an existing doc comment's text. */
export function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const match = /^(.+?[.!?])(\s|$)/.exec(flat);
  return (match?.[1] ?? flat).trim();
}
