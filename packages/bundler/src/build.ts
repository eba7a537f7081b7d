import crypto from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BUNDLE_CONTENT_TYPES, type PreviewPlatform } from '@hivesync/core';
import * as esbuild from 'esbuild';
import { findEntry, isComponentEntry, isInNodeModules, isInside, relative, resolveExtensions } from './entry.js';
import { BundleError } from './errors.js';
import { htmlDocument } from './html.js';

/** What to build. */
export interface BuildOptions {
  /** The project directory; nothing outside it is read except installed packages (node_modules). */
  dir: string;
  platform: PreviewPlatform;
  /** The entry file, relative to `dir`; found by convention when omitted (see findEntry). */
  entry?: string;
  /** Minify, and build React in production mode. Default false: development mode, readable errors. */
  minify?: boolean;
}

/** One source file of the project that went into the bundle. */
export interface BundleInput {
  /** Relative to the project directory, with `/` separators. */
  path: string;
  size: number;
  sha256: string;
}

/** What went into a bundle. */
export interface BundleManifest {
  /** The entry file, relative to the project directory. */
  entry: string;
  platform: PreviewPlatform;
  /** The project's own files (not node_modules), sorted by path. */
  files: BundleInput[];
  /** When the build ran (kept here, never inside the bundle, so that builds are reproducible). */
  builtAt: string;
}

/** A built bundle, in the format of @hivesync/core's BUNDLE_CONTENT_TYPES. */
export interface Bundle {
  bytes: Buffer;
  /** Lowercase hex SHA-256 of `bytes`. */
  sha256: string;
  size: number;
  contentType: string;
  manifest: BundleManifest;
  /** The compiler's warnings, one `file:line:column: text` each. */
  warnings: string[];
  timings: { resolveMs: number; buildMs: number };
}

const ENTRY_NAMESPACE = 'hivesync-entry';
const WEB_ASSETS = ['.png', '.jpg', '.jpeg', '.gif', '.webp', '.svg', '.ttf', '.otf', '.woff', '.woff2'];
// React and React DOM for projects without their own node_modules (a fixture, a quick test): ours.
const ownRequire = createRequire(import.meta.url);

/**
 * Builds the project in `dir` into one preview bundle. For `web`: one HTML document with the script inlined,
 * rendering the app into `#root` (an entry that only default-exports a component is rendered for you). For `ios`
 * and `android`: one CommonJS file in which `react`, `react/*` and `react-native` stay `require`d, for the host app
 * to evaluate with its own React Native; its `default` export is the entry's. Same inputs, same bytes.
 */
export async function buildBundle(options: BuildOptions): Promise<Bundle> {
  const started = performance.now();
  const dir = await projectDir(options.dir);
  const { platform } = options;
  const minify = options.minify === true;
  const entry = await findEntry(dir, platform, options.entry);
  const wrap = platform === 'web' && isComponentEntry(await fs.readFile(entry.file, 'utf8'));
  const resolved = performance.now();

  const common: esbuild.BuildOptions = {
    absWorkingDir: dir,
    bundle: true,
    write: false,
    // Never written: it only names the outputs (the script, and the CSS a web app imports).
    outfile: path.join(dir, 'hivesync-preview.js'),
    metafile: true,
    logLevel: 'silent',
    minify,
    target: 'es2020',
    jsx: 'automatic',
    resolveExtensions: resolveExtensions(platform),
    define: { 'process.env.NODE_ENV': JSON.stringify(minify ? 'production' : 'development') },
    // The project's own tsconfig.json, never one found above the project directory.
    ...(existsSync(path.join(dir, 'tsconfig.json'))
      ? { tsconfig: path.join(dir, 'tsconfig.json') }
      : { tsconfigRaw: { compilerOptions: { jsx: 'react-jsx' } } }),
  };
  const specific: esbuild.BuildOptions =
    platform === 'web'
      ? {
          platform: 'browser',
          format: 'iife',
          loader: Object.fromEntries(WEB_ASSETS.map((ext) => [ext, 'dataurl' as const])),
          entryPoints: [wrap ? `${ENTRY_NAMESPACE}:${entry.path}` : entry.file],
          plugins: [stayInside(dir), renderEntry(dir, entry.path), reactFrom(dir)],
        }
      : {
          platform: 'neutral',
          format: 'cjs',
          mainFields: ['react-native', 'browser', 'module', 'main'],
          conditions: ['react-native'],
          external: ['react', 'react/*', 'react-native', 'react-native/*'],
          entryPoints: [entry.file],
          plugins: [stayInside(dir)],
        };

  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    result = (await esbuild.build({ ...common, ...specific })) as esbuild.BuildResult<{
      write: false;
      metafile: true;
    }>;
  } catch (err) {
    throw buildFailure(err);
  }

  const script = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text ?? '';
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'))?.text ?? '';
  if (platform !== 'web' && css !== '') {
    throw new BundleError('build_failed', `An ${platform} bundle cannot contain CSS: the app imports a .css file.`);
  }
  const bytes = Buffer.from(platform === 'web' ? htmlDocument(script, css) : script, 'utf8');
  const files = await inputs(dir, result.metafile);
  const finished = performance.now();
  return {
    bytes,
    sha256: sha256(bytes),
    size: bytes.length,
    contentType: BUNDLE_CONTENT_TYPES[platform],
    manifest: { entry: entry.path, platform, files, builtAt: new Date().toISOString() },
    warnings: result.warnings.map(formatMessage),
    timings: { resolveMs: round(resolved - started), buildMs: round(finished - resolved) },
  };
}

async function projectDir(dir: string): Promise<string> {
  let real: string;
  try {
    real = await fs.realpath(path.resolve(dir));
  } catch {
    throw new BundleError('entry_not_found', `The project directory ${dir} does not exist.`);
  }
  if (!(await fs.stat(real)).isDirectory()) {
    throw new BundleError('entry_not_found', `${dir} is not a directory.`);
  }
  return real;
}

/** Refuses to load any file outside the project directory, except installed packages (a node_modules folder). */
function stayInside(dir: string): esbuild.Plugin {
  return {
    name: 'hivesync-stay-inside',
    setup(build) {
      build.onLoad({ filter: /.*/, namespace: 'file' }, (args) => {
        if (isInside(dir, args.path) || args.path.split(path.sep).includes('node_modules')) return undefined;
        return {
          errors: [
            {
              text: `${args.path} is outside the project directory ${dir}: a preview bundles only the project's own files and installed packages`,
            },
          ],
        };
      });
    },
  };
}

/** The generated entry of a web app whose entry is a component: renders its default export into #root. */
function renderEntry(dir: string, entryPath: string): esbuild.Plugin {
  return {
    name: 'hivesync-render-entry',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${ENTRY_NAMESPACE}:`) }, (args) => ({
        path: args.path.slice(ENTRY_NAMESPACE.length + 1),
        namespace: ENTRY_NAMESPACE,
      }));
      build.onLoad({ filter: /.*/, namespace: ENTRY_NAMESPACE }, () => ({
        loader: 'js',
        resolveDir: dir,
        contents: [
          `import { createElement } from 'react';`,
          `import { createRoot } from 'react-dom/client';`,
          `import App from ${JSON.stringify(`./${entryPath}`)};`,
          `createRoot(document.getElementById('root')).render(createElement(App));`,
          '',
        ].join('\n'),
      }));
    },
  };
}

/**
 * Resolves `react` and `react-dom` (and their subpaths) to one copy: the project's node_modules when it has them,
 * else this package's own, so that a project without node_modules (a fixture, a snippet) still builds offline.
 */
function reactFrom(dir: string): esbuild.Plugin {
  const projectRequire = createRequire(path.join(dir, 'package.json'));
  const has = (pkg: string) => existsSync(path.join(dir, 'node_modules', pkg, 'package.json'));
  const requireFor = {
    react: has('react') ? projectRequire : ownRequire,
    'react-dom': has('react-dom') ? projectRequire : ownRequire,
  };
  return {
    name: 'hivesync-react',
    setup(build) {
      build.onResolve({ filter: /^(react|react-dom)(\/.*)?$/ }, (args) => {
        const pkg = args.path.startsWith('react-dom') ? 'react-dom' : 'react';
        try {
          return { path: requireFor[pkg].resolve(args.path) };
        } catch {
          return undefined; // esbuild reports it as unresolved, with the importer's location
        }
      });
    },
  };
}

async function inputs(dir: string, metafile: esbuild.Metafile): Promise<BundleInput[]> {
  const files: BundleInput[] = [];
  for (const key of Object.keys(metafile.inputs)) {
    // Keys are relative to absWorkingDir; virtual modules carry a `namespace:` prefix.
    if (/^[a-z-]+:/.test(key)) continue;
    const file = path.resolve(dir, key);
    if (!isInside(dir, file) || isInNodeModules(dir, file)) continue;
    const bytes = await fs.readFile(file);
    files.push({ path: relative(dir, file), size: bytes.length, sha256: sha256(bytes) });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function buildFailure(err: unknown): BundleError {
  const messages = (err as Partial<esbuild.BuildFailure>).errors;
  if (!Array.isArray(messages)) {
    return new BundleError('build_failed', `The build failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const lines = messages.map(formatMessage);
  const outside = messages.some((m) => m.pluginName === 'hivesync-stay-inside');
  const shown = lines.slice(0, 5).join('\n');
  const more = lines.length > 5 ? `\n(and ${lines.length - 5} more)` : '';
  return new BundleError(
    outside ? 'outside_project' : 'build_failed',
    `The build failed with ${lines.length} error${lines.length === 1 ? '' : 's'}:\n${shown}${more}`,
    lines,
  );
}

function formatMessage(m: esbuild.Message): string {
  const at = m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ` : '';
  return `${at}${m.text}`;
}

function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
