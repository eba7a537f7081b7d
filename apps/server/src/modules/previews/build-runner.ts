import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageDir, SANDBOX_MODULES_DIR } from '../../infra/sandbox.js';

/**
 * What the build sandbox runs (plain CommonJS for `node -e`): reads /work/request.json, bundles /work/src with
 * @hivesync/bundler (its built `dist`), writes the bundle to /work/out/bundle and prints one JSON line: `{ok: true,
 * sha256, size, warnings}` or `{ok: false, code, message, errors}` (the bundler's `file:line:column: text` lines).
 */
export const BUILD_RUNNER_SCRIPT = String.raw`
const fs = require('fs');
(async () => {
  const request = JSON.parse(fs.readFileSync('/work/request.json', 'utf8'));
  const { buildBundle, isBundleError } = await import('${SANDBOX_MODULES_DIR}/@hivesync/bundler/dist/index.js');
  try {
    const bundle = await buildBundle({ dir: '/work/src', platform: request.platform, entry: request.entry });
    fs.mkdirSync('/work/out', { recursive: true });
    fs.writeFileSync('/work/out/bundle', bundle.bytes);
    process.stdout.write(JSON.stringify({ ok: true, sha256: bundle.sha256, size: bundle.size, warnings: bundle.warnings.slice(0, 20) }));
  } catch (err) {
    if (isBundleError(err)) {
      process.stdout.write(JSON.stringify({ ok: false, code: err.code, message: err.message, errors: err.errors.slice(0, 20) }));
    } else {
      process.stdout.write(JSON.stringify({ ok: false, code: 'build_failed', message: 'The build failed: ' + (err && err.message), errors: [] }));
    }
  }
})().catch((err) => { console.error(err && err.stack || String(err)); process.exit(70); });
`;

/** What the runner prints. */
export type RunnerOutput =
  | { ok: true; sha256: string; size: number; warnings: string[] }
  | { ok: false; code: string; message: string; errors: string[] };

/**
 * The packages the runner may import, by name, with their directories on this machine: the bundler (its `dist`),
 * @hivesync/core, zod, esbuild and its native binary for this platform, and React (bundled into web previews).
 */
export function bundlerModules(): Record<string, string> {
  const bundler = packageDir('@hivesync/bundler', path.dirname(fileURLToPath(import.meta.url)));
  const names = [
    '@hivesync/core',
    'zod',
    'esbuild',
    `@esbuild/${process.platform}-${process.arch}`,
    'react',
    'react-dom',
    'scheduler',
    'loose-envify',
    'js-tokens',
  ];
  const modules: Record<string, string> = { '@hivesync/bundler': bundler };
  for (const name of names) modules[name] = packageDir(name, bundler);
  return modules;
}

/** The esbuild binary's path inside the sandbox. */
export function esbuildBinaryInside(): string {
  return `${SANDBOX_MODULES_DIR}/@esbuild/${process.platform}-${process.arch}/bin/esbuild`;
}

/** `file:line:column: text` of the bundler's first error, split; nulls when it names no file. */
export function errorLocation(errors: string[]): { file: string | null; line: number | null; column: number | null } {
  const m = /^(.+?):(\d+):(\d+): /.exec(errors[0] ?? '');
  return m ? { file: m[1]!, line: Number(m[2]), column: Number(m[3]) } : { file: null, line: null, column: null };
}
