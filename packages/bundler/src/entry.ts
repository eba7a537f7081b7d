import fs from 'node:fs/promises';
import path from 'node:path';
import type { PreviewPlatform } from '@hivesync/core';
import { BundleError } from './errors.js';

/** The source extensions an entry may have, in the order they are tried. */
export const SOURCE_EXTENSIONS = ['.tsx', '.ts', '.jsx', '.js'] as const;

/**
 * The extensions imports resolve to on a platform, most specific first, as Metro and Expo do: `Button.ios.tsx` before
 * `Button.native.tsx` before `Button.tsx` on iOS; `Button.web.tsx` before `Button.tsx` on the web.
 */
export function resolveExtensions(platform: PreviewPlatform): string[] {
  const plain = [...SOURCE_EXTENSIONS, '.mjs', '.cjs', '.json'];
  const variants = platform === 'web' ? ['.web'] : [`.${platform}`, '.native'];
  return [...variants.flatMap((v) => SOURCE_EXTENSIONS.map((ext) => `${v}${ext}`)), ...plain];
}

/** The entry point of a build: the file, relative to the project directory, and how it was found. */
export interface FoundEntry {
  /** Relative to the project directory, with `/` separators. */
  path: string;
  /** Absolute. */
  file: string;
  /** What chose it: `option`, `package.json "main"`, `index`, `src/index`, `App`. */
  source: string;
}

const PACKAGE_FIELDS = ['main', 'browser', 'module'] as const;

/**
 * Finds the entry point of the project in `dir` (an absolute, real path): `entry` when given, else package.json's
 * "main", "browser" or "module" (when it names a file of the project), else `index.*`, else `src/index.*`, else
 * `App.*` (the Expo/Snack convention: a component that is rendered for you). Platform variants come first
 * (`index.ios.tsx` before `index.tsx`). Throws `entry_not_found` naming everything it looked for.
 */
export async function findEntry(dir: string, platform: PreviewPlatform, entry?: string): Promise<FoundEntry> {
  const exts = resolveExtensions(platform).filter((e) => !e.endsWith('.json'));
  if (entry !== undefined) {
    const file = path.resolve(dir, entry);
    if (!isInside(dir, file)) {
      throw new BundleError('entry_not_found', `The entry ${entry} is outside the project directory ${dir}.`);
    }
    const found = (await isFile(file)) ? file : await withExtension(file, exts);
    if (found === undefined) throw new BundleError('entry_not_found', `The entry ${entry} does not exist in ${dir}.`);
    return { path: relative(dir, found), file: found, source: 'option' };
  }

  const skipped: string[] = [];
  const pkg = await readPackageJson(dir);
  for (const field of PACKAGE_FIELDS) {
    const value = pkg?.[field];
    if (typeof value !== 'string' || value === '') continue;
    const file = path.resolve(dir, value);
    // "main": "expo-router/entry" or "node_modules/expo/AppEntry.js" name a package, not the app: look further.
    const found =
      isInside(dir, file) && !isInNodeModules(dir, file)
        ? (((await isFile(file)) ? file : undefined) ??
          (await withExtension(file, exts)) ??
          (await withExtension(path.join(file, 'index'), exts)))
        : undefined;
    if (found !== undefined) return { path: relative(dir, found), file: found, source: `package.json "${field}"` };
    skipped.push(`package.json "${field}" (${value}: not a file of the project)`);
  }

  for (const [base, source] of [
    ['index', 'index'],
    ['src/index', 'src/index'],
    ['App', 'App'],
    ['src/App', 'src/App'],
  ] as const) {
    const found = await withExtension(path.join(dir, base), exts);
    if (found !== undefined) return { path: relative(dir, found), file: found, source };
  }

  const list = `(${SOURCE_EXTENSIONS.map((e) => e.slice(1)).join('|')})`;
  const looked = [
    skipped.length > 0 ? skipped.join(', ') : 'package.json "main"/"browser"/"module"',
    `index.${list}`,
    `src/index.${list}`,
    `App.${list}`,
    `src/App.${list}`,
  ];
  throw new BundleError(
    'entry_not_found',
    `No entry point in ${dir}: looked for ${looked.join(', ')}. Name the entry file explicitly.`,
  );
}

/**
 * Whether an entry is a component to render rather than a program that renders itself: it has a default export and
 * no call that mounts a React tree (createRoot, hydrateRoot, ReactDOM.render, AppRegistry, registerRootComponent).
 * A textual check, like Snack's: it runs before the build and needs no parser.
 */
export function isComponentEntry(source: string): boolean {
  const code = stripComments(source);
  const hasDefault = /\bexport\s+default\b/.test(code) || /\bexport\s*\{[^}]*\bdefault\b[^}]*\}/.test(code);
  const mounts =
    /\b(createRoot|hydrateRoot|registerRootComponent)\s*\(/.test(code) ||
    /\bReactDOM\s*\.\s*(render|hydrate)\s*\(/.test(code) ||
    /\bAppRegistry\s*\.\s*(registerComponent|runApplication)\s*\(/.test(code);
  return hasDefault && !mounts;
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:\\])\/\/.*$/gm, '$1');
}

/** Whether `file` is `dir` or below it. */
export function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Whether a path below `dir` lies in a node_modules folder. */
export function isInNodeModules(dir: string, file: string): boolean {
  return path.relative(dir, file).split(path.sep).includes('node_modules');
}

/** `file` relative to `dir`, with `/` separators whatever the OS. */
export function relative(dir: string, file: string): string {
  return path.relative(dir, file).split(path.sep).join('/');
}

async function withExtension(base: string, exts: readonly string[]): Promise<string | undefined> {
  for (const ext of exts) {
    if (await isFile(`${base}${ext}`)) return `${base}${ext}`;
  }
  return undefined;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function readPackageJson(dir: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, 'package.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    throw new BundleError('entry_not_found', `${path.join(dir, 'package.json')} is not valid JSON.`);
  }
}
