import fs from 'node:fs';
import path from 'node:path';
import { documentFunction, renameSymbol } from '@hivesync/ai';
import { ROOT } from './lib/processes.js';

// Measures, in a fresh process, what an AI job's analysis costs on this repository's own TypeScript sources.
const files = new Map<string, string>();
const walk = (dir: string) => {
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory() && !['node_modules', 'dist'].includes(e.name)) walk(rel);
    else if (/\.ts$/.test(e.name) && !e.name.endsWith('.test.ts'))
      files.set(rel, fs.readFileSync(path.join(ROOT, rel), 'utf8'));
    else if (e.name === 'tsconfig.json' || e.name === 'package.json')
      files.set(rel, fs.readFileSync(path.join(ROOT, rel), 'utf8'));
  }
};
for (const d of ['apps/server', 'packages/core', 'packages/sdk']) walk(d);
files.set('tsconfig.base.json', fs.readFileSync(path.join(ROOT, 'tsconfig.base.json'), 'utf8'));
const time = async (fn: () => unknown) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
const docCold = await time(() =>
  documentFunction(files, 'apps/server/src/modules/repo/mirror.repository.ts', { symbol: 'exists' }),
);
const docWarm = await time(() => documentFunction(files, 'apps/server/src/infra/git.ts', { symbol: 'firstLine' }));
const lines = files.get('apps/server/src/modules/repo/repo-path.ts')!.split('\n');
const line = lines.findIndex((l) => l.includes('export function normalizeRepoPath')) + 1;
const renameFirst = await time(() =>
  renameSymbol(files, 'apps/server/src/modules/repo/repo-path.ts', line, 'normalizeRepoPath', 'normalizeMirrorPath'),
);
const renameWarm = await time(() =>
  renameSymbol(files, 'apps/server/src/modules/repo/repo-path.ts', line, 'normalizeRepoPath', 'toMirrorPath'),
);
console.log(JSON.stringify({ files: files.size, docCold, docWarm, renameFirst, renameWarm }));
