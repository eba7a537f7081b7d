import { documentFile, documentFunction, nothingToDocument, summarizeFile } from './document.js';
import { type ProjectOptions } from './lang/ts-project.js';
import { renameSymbol } from './rename.js';
import { type DocTarget, type Edit, type FileSet, type FileSummary } from './types.js';

/**
 * What the server asks of an AI provider. Every method reads only the files handed to it and returns edits for a
 * person to review; none writes anything. Refusals reject with an `AiError`.
 */
export interface AiProvider {
  /** The provider's name as jobs record it (`local`, …). */
  readonly name: string;
  /**
   * Why a documentation request has nothing to do (the function, or with no target every declaration of the file,
   * already has docs), judged from that one file: a sentence, or undefined when there is work. Cheap: ask it before
   * reading the whole project.
   */
  nothingToDocument(files: FileSet, path: string, target?: DocTarget): Promise<string | undefined>;
  /** A doc comment for one declaration; when it already has one, `after` equals `before` and `description` says so. */
  documentFunction(files: FileSet, path: string, target: DocTarget, options?: ProjectOptions): Promise<Edit>;
  documentFile(files: FileSet, path: string, options?: ProjectOptions): Promise<Edit>;
  summarizeFile(files: FileSet, path: string, options?: ProjectOptions): Promise<FileSummary>;
  renameSymbol(
    files: FileSet,
    path: string,
    line: number,
    symbolName: string,
    newName: string,
    options?: Pick<ProjectOptions, 'tsconfig'>,
  ): Promise<Edit[]>;
}

/** The offline provider: the TypeScript compiler API and tree-sitter, no model and no network. */
export class LocalProvider implements AiProvider {
  readonly name = 'local';

  nothingToDocument(files: FileSet, path: string, target?: DocTarget): Promise<string | undefined> {
    return nothingToDocument(files, path, target);
  }

  documentFunction(files: FileSet, path: string, target: DocTarget, options?: ProjectOptions): Promise<Edit> {
    return documentFunction(files, path, target, options);
  }

  documentFile(files: FileSet, path: string, options?: ProjectOptions): Promise<Edit> {
    return documentFile(files, path, options);
  }

  summarizeFile(files: FileSet, path: string, options?: ProjectOptions): Promise<FileSummary> {
    return summarizeFile(files, path, options);
  }

  async renameSymbol(
    files: FileSet,
    path: string,
    line: number,
    symbolName: string,
    newName: string,
    options?: Pick<ProjectOptions, 'tsconfig'>,
  ): Promise<Edit[]> {
    return renameSymbol(files, path, line, symbolName, newName, options);
  }
}
