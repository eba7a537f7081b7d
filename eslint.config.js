import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.hivesync/**', '**/.expo/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration in apps/server/src/config.ts only.' },
      ],
    },
  },
  {
    // Clients, tests, benchmarks and tooling (build scripts included) read their own environment.
    files: [
      'apps/cli/**',
      'apps/lsp/**',
      'packages/sdk/**',
      'bench/**',
      'tests/**',
      '**/*.test.ts',
      '**/test/**',
      '*.config.*',
      '**/scripts/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Scripts that run in the browser.
    files: ['apps/server/viewer/**/*.js'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'script' },
  },
  {
    // The web app, the components it shares with the desktop app, and the desktop renderer (React, bundled by Vite) run
    // in the browser; the mobile app (React Native) has the same globals (fetch, XMLHttpRequest, TextDecoder).
    files: [
      'apps/web/src/**/*.{ts,tsx}',
      'packages/ui/src/**/*.{ts,tsx}',
      'apps/desktop/src/renderer/**/*.{ts,tsx}',
      'apps/mobile/src/**/*.{ts,tsx}',
    ],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { ecmaFeatures: { jsx: true } } },
  },
  {
    files: ['apps/server/src/config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
