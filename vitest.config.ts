import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import ProgressReporter from './tests/support/progress-reporter.js';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// `npm run test:quick`: the unit tests and the API tests on the embedded backends only, for the edit-test loop.
const quick = process.env.HIVESYNC_TEST_QUICK === '1';

const QUICK_INCLUDE = ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'bench/lib/**/*.test.ts'];
const QUICK_EXCLUDE = ['**/node_modules/**', '**/*.scale.test.ts', 'apps/mobile/**'];

/**
 * The quick suite's test files that replace a module or a global (vi.mock, fake timers, stubbed globals or env):
 * they need a module registry of their own. The others share one per worker (`isolate: false`), which saves most
 * of the time spent importing the server again for every file.
 */
function filesThatMock(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (
        entry.name.endsWith('.test.ts') &&
        /\bvi\.(mock|doMock|useFakeTimers|stubGlobal|stubEnv)\(/.test(fs.readFileSync(file, 'utf8'))
      )
        found.push(path.relative(src('.'), file));
    }
  };
  for (const top of ['packages', 'apps', 'bench/lib']) walk(src(`./${top}`));
  return found;
}

export default defineConfig({
  resolve: {
    // Tests run against the workspaces' sources, not their last build.
    alias: {
      '@hivesync/core': src('./packages/core/src/index.ts'),
      '@hivesync/sdk': src('./packages/sdk/src/index.ts'),
      '@hivesync/ai': src('./packages/ai/src/index.ts'),
      '@hivesync/bundler': src('./packages/bundler/src/index.ts'),
      '@hivesync/agent': src('./packages/agent/src/index.ts'),
      '@hivesync/search': src('./packages/search/src/index.ts'),
      '@hivesync/ui': src('./packages/ui/src/index.ts'),
    },
  },
  test: {
    // Scale tests (a 5,000-file project, a whole history) prove bounds, not behaviour: the full suite runs them.
    // The mobile app's tests run under jest (jest-expo: React Native's transform); tests/mobile runs them.
    ...(quick
      ? {
          // A project's include and exclude are added to the root's, so the quick ones are set here only.
          projects: [
            { extends: true, test: { name: 'isolated', include: filesThatMock() } },
            {
              extends: true,
              test: {
                name: 'shared',
                include: QUICK_INCLUDE,
                exclude: [...QUICK_EXCLUDE, ...filesThatMock()],
                isolate: false,
              },
            },
          ],
        }
      : { include: [...QUICK_INCLUDE, 'tests/**/*.test.ts'], exclude: ['**/node_modules/**', 'apps/mobile/**'] }),
    env: quick ? { HIVESYNC_TEST_BACKENDS: 'embedded' } : {},
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Test files wait on git, servers and timers as much as they compute: one file per core for the full suite,
    // whose process tests start whole servers (vitest's default is one less: a single worker on 2 cores), and twice
    // that for the quick one, which starts none.
    maxWorkers: (quick ? 2 : 1) * Math.max(2, os.availableParallelism()),
    // On a terminal the default reporter shows a live count; elsewhere a line per file says how far the run is.
    reporters: process.stdout.isTTY ? ['default'] : ['default', new ProgressReporter()],
  },
});
