export { AiError, isAiError, type AiErrorCode } from './errors.js';
export {
  type DocTarget,
  type Edit,
  type ExportSummary,
  type FileSet,
  type FileSummary,
  type SymbolKind,
} from './types.js';
export { documentFile, documentFunction, languageOf, nothingToDocument, summarizeFile } from './document.js';
export { renameSymbol } from './rename.js';
export { reverseEdits, unifiedDiff } from './diff.js';
export {
  buildContext,
  buildContextDetailed,
  type ContextResult,
  type ManifestEntry,
  type TrimmedFile,
} from './context.js';
export { LocalProvider, type AiProvider } from './provider.js';
export { explainLines, type Explanation } from './explain.js';
export { type ProjectOptions } from './lang/ts-project.js';
