import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The server (apps/server/src/http/web-app.routes.ts) serves dist/: index.html without caching, and dist/assets/*
// (content-hashed names) as immutable.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    // Overwrite in place, never empty first: a build (every `npm start` runs one) must not pull the files from under a
    // server already serving them. Names are content hashes, so an unchanged build rewrites the same files.
    emptyOutDir: false,
    assetsDir: 'assets',
    // The strict CSP allows no inline script: never inline a module preload polyfill or a tiny asset as data:.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    // ECharts (about 570 KB, 190 KB gzipped) is one chunk that only the admin section loads, on demand.
    chunkSizeWarningLimit: 600,
    // dist/.vite/manifest.json: which chunks each page loads first (bench/suites/web.ts sums them against the budget).
    manifest: true,
    // A slow machine makes rolldown warn about plugin timings at every `npm start`; nothing to act on.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  server: {
    // `npm run dev -w @hivesync/web` next to a server on the default port.
    proxy: { '/api': 'http://127.0.0.1:8080', '/health': 'http://127.0.0.1:8080' },
  },
});
