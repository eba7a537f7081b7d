/** A project's files in memory: relative paths with `/` separators mapped to their UTF-8 text. */
export type FileSet = ReadonlyMap<string, string>;

/** One file's change: its whole text before and after. `unifiedDiff()` turns a list of these into a patch. */
export interface Edit {
  path: string;
  before: string;
  after: string;
  /** One line a reviewer reads in the suggestion list. */
  description: string;
}

/** Which declaration to document: the one spanning these 1-based lines, or the one with this name (`Class.method`). */
export type DocTarget = { startLine: number; endLine: number } | { symbol: string };

/** What kind of declaration an export is. */
export type SymbolKind =
  | 'function'
  | 'method'
  | 'constructor'
  | 'getter'
  | 'setter'
  | 'class'
  | 'interface'
  | 'type'
  | 'enum'
  | 'struct'
  | 'variable';

/** One exported declaration of a file, as `summarizeFile()` lists it. */
export interface ExportSummary {
  name: string;
  kind: SymbolKind;
  /** The declaration's head as written (no body), on one line. */
  signature: string;
  /**
   * The existing doc comment's first sentence; without one, a sentence derived from the code (`Returns \`a + b\`.`),
   * or empty when nothing could be derived.
   */
  doc: string;
}

/** A paragraph on a file's exported API, and the exports it was drawn from. */
export interface FileSummary {
  summary: string;
  exports: ExportSummary[];
}
