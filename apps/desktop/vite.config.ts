import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is served by the local agent at /hivesync-desktop-api/app/ (its `uiDir`): every URL in the build is
// relative, and screens are hash routes, so the agent serves plain files and nothing else.
export default defineConfig({
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // No inline script or data: asset, so a strict Content Security Policy holds.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    // The renderer is read from the local disk, not the network: one 540 KB entry chunk (React, the router, TanStack
    // Query, the shared components) costs nothing worth splitting for.
    chunkSizeWarningLimit: 600,
    rolldownOptions: { checks: { pluginTimings: false } },
  },
});
