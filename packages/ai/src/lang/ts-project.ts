import { createHash } from 'node:crypto';
import path from 'node:path/posix';
import { Project, ts, type SourceFile } from 'ts-morph';
import { type FileSet } from '../types.js';

/** Files the TypeScript project holds: sources, declarations and JavaScript (read with `allowJs`). */
export const TS_EXTENSIONS = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

/** JavaScript flavours, documented with JSDoc types. */
export const JS_EXTENSIONS = /\.(js|jsx|mjs|cjs)$/;

/** Larger files are left out: they are bundles or generated code, and would only slow the language service. */
const MAX_SOURCE_BYTES = 1_000_000;

const CACHE_SIZE = 2;
const cache: { key: string; project: Project }[] = [];

/** The in-memory path of a project-relative path. */
export function toProjectPath(filePath: string): string {
  return `/${filePath.replace(/^\/+/, '')}`;
}

/** The project-relative path of an in-memory path. */
export function fromProjectPath(filePath: string): string {
  return filePath.replace(/^\/+/, '');
}

/** Whether the project reads this path as a source file. */
export function isProjectSource(filePath: string, text: string): boolean {
  return TS_EXTENSIONS.test(filePath) && !/(^|\/)node_modules\//.test(filePath) && text.length <= MAX_SOURCE_BYTES;
}

/** Options for the project behind the TypeScript features. */
export interface ProjectOptions {
  /** A `tsconfig.json` in the file set; by default the one nearest to `near`, else sensible defaults. */
  tsconfig?: string;
  /** The file the request is about, to find the nearest tsconfig. */
  near?: string;
}

/**
 * A ts-morph project over the file set, on an in-memory file system (nothing is read from disk but TypeScript's
 * own lib files). The last two projects are kept, keyed by the files' content, so repeated requests on the same
 * commit reuse the parsed program.
 */
export function tsProject(files: FileSet, options: ProjectOptions = {}): Project {
  const tsconfig = options.tsconfig ?? nearestTsconfig(files, options.near);
  const hash = createHash('sha1');
  hash.update(tsconfig ?? '');
  for (const [filePath, text] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!isProjectSource(filePath, text) && !filePath.endsWith('.json')) continue;
    hash.update(`\0${filePath}\0${text.length}\0`);
    hash.update(text);
  }
  const key = hash.digest('hex');
  const hit = cache.findIndex((entry) => entry.key === key);
  if (hit !== -1) {
    const [entry] = cache.splice(hit, 1);
    if (entry) {
      cache.unshift(entry);
      return entry.project;
    }
  }
  const project = createProject(files, tsconfig);
  cache.unshift({ key, project });
  cache.length = Math.min(cache.length, CACHE_SIZE);
  return project;
}

/**
 * A project holding one file and nothing else, for what the syntax alone tells (names, lines, doc comments): a few
 * milliseconds where the whole project takes seconds. Not cached, so it never pushes a whole project out.
 */
export function singleFileProject(filePath: string, text: string): Project {
  return createProject(new Map([[filePath, text]]), undefined);
}

/** The source file for a project-relative path. */
export function sourceFileOf(project: Project, filePath: string): SourceFile | undefined {
  return project.getSourceFile(toProjectPath(filePath));
}

function nearestTsconfig(files: FileSet, near: string | undefined): string | undefined {
  let dir = near ? path.dirname(near) : '.';
  for (;;) {
    const candidate = dir === '.' ? 'tsconfig.json' : `${dir}/tsconfig.json`;
    if (files.has(candidate)) return candidate;
    if (dir === '.' || dir === '' || dir === '/') return undefined;
    dir = path.dirname(dir);
  }
}

const DEFAULT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  jsx: ts.JsxEmit.Preserve,
  strict: true,
  esModuleInterop: true,
};

function compilerOptions(files: FileSet, tsconfig: string | undefined): ts.CompilerOptions {
  let options: ts.CompilerOptions = { ...DEFAULT_OPTIONS };
  if (tsconfig && files.has(tsconfig)) {
    const readFile = (p: string) => files.get(fromProjectPath(p));
    const host: ts.ParseConfigHost = {
      useCaseSensitiveFileNames: true,
      readDirectory: () => [],
      fileExists: (p) => files.has(fromProjectPath(p)),
      readFile,
    };
    const configPath = toProjectPath(tsconfig);
    const { config } = ts.readConfigFile(configPath, readFile);
    if (config)
      options = ts.parseJsonConfigFileContent(config, host, path.dirname(configPath), undefined, configPath).options;
  }
  const paths: ts.MapLike<string[]> = { ...workspacePaths(files), ...(options.paths ?? {}) };
  return {
    ...options,
    paths,
    allowJs: true,
    checkJs: false,
    noEmit: true,
    composite: false,
    incremental: false,
    declaration: false,
    skipLibCheck: true,
    // No @types packages live in the file set; asking for them only produces errors.
    types: [],
  };
}

/**
 * Workspace packages resolve to their sources, so a rename reaches the packages that import one by name:
 * `@acme/core` → `packages/core/src/index.ts` when that package ships its build from there.
 */
function workspacePaths(files: FileSet): ts.MapLike<string[]> {
  const paths: ts.MapLike<string[]> = {};
  for (const [filePath, text] of files) {
    if (!filePath.endsWith('package.json') || filePath.includes('node_modules/')) continue;
    let name: unknown;
    try {
      name = (JSON.parse(text) as { name?: unknown }).name;
    } catch {
      continue;
    }
    if (typeof name !== 'string') continue;
    const dir = path.dirname(filePath);
    const prefix = dir === '.' ? '' : `${dir}/`;
    const entry = ['src/index.ts', 'src/index.tsx', 'index.ts', 'src/index.js', 'index.js'].find((candidate) =>
      files.has(prefix + candidate),
    );
    if (entry) paths[name] = [toProjectPath(prefix + entry)];
  }
  return paths;
}

function createProject(files: FileSet, tsconfig: string | undefined): Project {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: compilerOptions(files, tsconfig),
    skipAddingFilesFromTsConfig: true,
  });
  const fileSystem = project.getFileSystem();
  for (const [filePath, text] of files) {
    if (filePath.endsWith('package.json') && !filePath.includes('node_modules/')) {
      fileSystem.writeFileSync(toProjectPath(filePath), text);
    }
  }
  for (const [filePath, text] of files) {
    if (isProjectSource(filePath, text)) project.createSourceFile(toProjectPath(filePath), text, { overwrite: true });
  }
  return project;
}
