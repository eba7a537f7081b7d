import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the workspaces' sources, not their last build.
    alias: {
      '@hivesync/core': src('./packages/core/src/index.ts'),
      '@hivesync/sdk': src('./packages/sdk/src/index.ts'),
      '@hivesync/ai': src('./packages/ai/src/index.ts'),
      '@hivesync/bundler': src('./packages/bundler/src/index.ts'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
