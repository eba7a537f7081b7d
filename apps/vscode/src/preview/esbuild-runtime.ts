import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Esbuild from 'esbuild';

/**
 * esbuild for local preview builds. esbuild is a native binary, so it cannot be bundled into the extension: the
 * bundler's `import 'esbuild'` is pointed here at build time (build.mjs), and this finds an installed copy at run
 * time: next to the extension (a development checkout), else in the app being previewed (its node_modules).
 */
let searchDirs: string[] = [];
let found: typeof Esbuild | undefined;

/** Where to look for esbuild next (the app's folder first). */
export function setEsbuildSearchDirs(dirs: string[]): void {
  searchDirs = dirs;
}

function load(): typeof Esbuild {
  if (found) return found;
  const tried: string[] = [];
  for (const dir of [...searchDirs, __dirname]) {
    try {
      found = createRequire(path.join(dir, 'package.json'))('esbuild') as typeof Esbuild;
      return found;
    } catch {
      tried.push(dir);
    }
  }
  throw Object.assign(
    new Error(
      `Building a preview in VS Code needs esbuild, which is not installed in ${tried[0] ?? 'the app'}: run "npm install --save-dev esbuild" there, or start "hivesync agent" (the agent builds previews), or run "hivesync preview" in a terminal.`,
    ),
    { code: 'esbuild_missing' },
  );
}

/** esbuild's build(), from the copy found at run time. */
export function build(options: Esbuild.BuildOptions): Promise<Esbuild.BuildResult> {
  return load().build(options);
}
