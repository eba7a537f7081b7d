// Compiles the package's WebAssembly text (wasm/<name>.wat) into src/<name>.wasm.ts, the module as base64 that the
// package loads (no file to find next to the built code). `npm run build:wasm -w @hivesync/search` writes them;
// src/count-lines.test.ts checks that what is in src is what the .wat files compile to.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The names of the package's modules: wasm/<name>.wat. */
export function wasmModules() {
  return fs
    .readdirSync(path.join(root, 'wasm'))
    .filter((f) => f.endsWith('.wat'))
    .map((f) => f.slice(0, -'.wat'.length));
}

/** What src/<name>.wasm.ts must hold for wasm/<name>.wat. */
export async function wasmSource(name) {
  const wabt = await wabtInit();
  const file = path.join(root, 'wasm', `${name}.wat`);
  const parsed = wabt.parseWat(file, fs.readFileSync(file, 'utf8'), { simd: true });
  try {
    parsed.validate();
    const { buffer } = parsed.toBinary({});
    return [
      `// Generated from wasm/${name}.wat by scripts/wasm.mjs (npm run build:wasm -w @hivesync/search). Do not edit.`,
      `export const WASM = '${Buffer.from(buffer).toString('base64')}';`,
      '',
    ].join('\n');
  } finally {
    parsed.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const name of wasmModules()) {
    fs.writeFileSync(path.join(root, 'src', `${name}.wasm.ts`), await wasmSource(name));
    console.log(`src/${name}.wasm.ts`);
  }
}
