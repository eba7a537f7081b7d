/**
 * The editor logic every HiveSync editor client shares, without any editor's API: patch parsing and applying,
 * finding functions, matching git remotes to projects, thread placement and text, notification texts and back-off,
 * the search box's syntax, sync stages. Used by the VS Code extension and the language server (apps/lsp).
 */
export * from './functions.js';
export * from './notification-text.js';
export * from './patch.js';
export * from './repo-url.js';
export * from './search-query.js';
export * from './sync-text.js';
export * from './threads.js';
