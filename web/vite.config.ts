/**
 * Builds the three front-ends (resident /app, scanner /scan, officer console /console) into
 * web/dist, served by the platform itself (src/http/routes/web.routes.ts). Every asset, the
 * barcode decoder's WebAssembly included, ends up in web/dist: nothing is fetched from a CDN.
 * Files are also written pre-compressed (.gz, .br) so the server sends them without CPU work.
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, process.env.HC_WEB_OUT ?? 'dist');

function precompress(): Plugin {
  return {
    name: 'hc-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((f) => {
          const p = path.join(dir, f);
          return statSync(p).isDirectory() ? walk(p) : [p];
        });
      for (const file of walk(outDir)) {
        if (!/\.(js|css|html|wasm|svg|json|webmanifest)$/.test(file) || statSync(file).size < 1024) continue;
        const buf = readFileSync(file);
        writeFileSync(file + '.gz', gzipSync(buf, { level: 9 }));
        writeFileSync(
          file + '.br',
          brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir,
    emptyOutDir: true,
    manifest: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      input: {
        app: path.resolve(here, 'app/index.html'),
        scan: path.resolve(here, 'scan/index.html'),
        console: path.resolve(here, 'console/index.html'),
        sw: path.resolve(here, 'shared/sw.ts'),
      },
      output: {
        // The service worker needs a stable URL; everything else is content-hashed.
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
        manualChunks: (id) => (/node_modules\/preact\//.test(id) ? 'preact' : undefined),
      },
    },
  },
  plugins: [precompress()],
});
