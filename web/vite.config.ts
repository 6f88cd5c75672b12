import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

/** Builds the UI into dist/web, which `vigil serve` serves; everything is bundled, nothing loads from a CDN. */
export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // The served CSP allows scripts and styles from this origin only: no inlined assets as data: URLs.
    assetsInlineLimit: 0,
  },
});
