// Bundles the extension into dist/extension.js (CommonJS, `vscode` external) with esbuild, and the SDK's
// agent-discovery module beside it (auto mode loads it with a dynamic import, which a bundle cannot inline).
// `npm run build -w hivesync-vscode` then packages dist/hivesync-vscode.vsix with vsce.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const production = !process.argv.includes('--dev');

/**
 * The bundler's `import 'esbuild'` is served by src/preview/esbuild-runtime.ts (esbuild is native: not bundleable),
 * and its `@hivesync/core` by src/preview/core-constants.ts.
 */
const esbuildAtRuntime = {
  name: 'esbuild-at-runtime',
  setup(build) {
    build.onResolve({ filter: /^esbuild$/ }, (args) =>
      args.importer.includes(`${path.sep}packages${path.sep}bundler${path.sep}`) ||
      args.importer.includes(`${path.sep}@hivesync${path.sep}bundler${path.sep}`)
        ? { path: path.join(here, 'src/preview/esbuild-runtime.ts') }
        : undefined,
    );
    // The bundler needs one constant of core: not core's zod schemas.
    build.onResolve({ filter: /^@hivesync\/core$/ }, (args) =>
      /[\\/](packages|@hivesync)[\\/]bundler[\\/]/.test(args.importer)
        ? { path: path.join(here, 'src/preview/core-constants.ts') }
        : undefined,
    );
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: production,
  sourcemap: production ? false : 'inline',
  legalComments: 'none',
  logLevel: 'warning',
  // import.meta.url in bundled ESM packages (the bundler's own require) means this file.
  define: { 'import.meta.url': '__hivesync_import_meta_url' },
  banner: { js: "const __hivesync_import_meta_url = require('url').pathToFileURL(__filename).href;" },
};

const result = await esbuild.build({
  ...common,
  entryPoints: { extension: path.join(here, 'src/extension.ts') },
  outdir: path.join(here, 'dist'),
  external: ['vscode'],
  plugins: [esbuildAtRuntime],
  metafile: true,
});
await esbuild.build({
  ...common,
  entryPoints: { 'agent-discovery': require.resolve('@hivesync/sdk').replace(/index\.js$/, 'agent-discovery.js') },
  outdir: path.join(here, 'dist'),
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`dist/extension.js: ${(bytes / 1024).toFixed(0)} KB`);
