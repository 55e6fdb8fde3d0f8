#!/usr/bin/env node
/**
 * What each web app costs to load, from web/dist/.vite/manifest.json: the JavaScript a first
 * visit downloads (entry + static imports), gzip-compressed as the server sends it, plus for the
 * scanner the barcode decoder it loads at start (lazy chunks and the .wasm). CSS is listed apart.
 * Budgets (issue 7): resident page JS < 150 KB gzip; scanner < 600 KB gzip including the decoder.
 *
 * 前端体积。 Usage: node scripts/web-sizes.mjs [--json]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist');
const manifest = JSON.parse(readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8'));
const gz = (file) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
const raw = (file) => readFileSync(path.join(dist, file)).length;

/** Files reachable from a manifest key: static imports always, dynamic imports when asked. */
function closure(key, withDynamic, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  const e = manifest[key];
  for (const k of e?.imports ?? []) closure(k, withDynamic, seen);
  if (withDynamic)
    for (const k of e?.dynamicImports ?? []) if (!/maplibre/.test(k)) closure(k, withDynamic, seen);
  return seen;
}

function measure(entry, withDynamic) {
  const keys = [...closure(entry, withDynamic)];
  const js = keys.map((k) => manifest[k].file).filter((f) => f.endsWith('.js'));
  const wasm = keys.flatMap((k) => manifest[k].assets ?? []).filter((f) => f.endsWith('.wasm'));
  const css = [...new Set(keys.flatMap((k) => manifest[k].css ?? []))];
  const sum = (files, f) => files.reduce((a, x) => a + f(x), 0);
  return {
    jsGzip: sum(js, gz),
    jsRaw: sum(js, raw),
    wasmGzip: sum(wasm, gz),
    wasmRaw: sum(wasm, raw),
    cssGzip: sum(css, gz),
    files: [...js, ...wasm],
  };
}

const KB = (n) => `${(n / 1024).toFixed(1)} KB`;
const report = {
  resident: {
    firstLoad: measure('app/index.html', false),
    withCheckinDecoder: measure('app/index.html', true),
    budgetKB: 150,
  },
  scanner: { withDecoder: measure('scan/index.html', true), budgetKB: 600 },
  console: { firstLoad: measure('console/index.html', false) },
};

if (process.argv.includes('--json')) {
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
} else {
  const r = report.resident.firstLoad;
  const s = report.scanner.withDecoder;
  const lines = [
    `resident /app first load: JS ${KB(r.jsGzip)} gzip (${KB(r.jsRaw)} raw), CSS ${KB(r.cssGzip)} gzip — budget 150 KB: ${r.jsGzip < 150 * 1024 ? 'OK' : 'OVER'}`,
    `  (+ check-in camera decoder, loaded only when opened: JS ${KB(report.resident.withCheckinDecoder.jsGzip)} + wasm ${KB(report.resident.withCheckinDecoder.wasmGzip)} gzip)`,
    `scanner /scan with decoder: JS ${KB(s.jsGzip)} + wasm ${KB(s.wasmGzip)} = ${KB(s.jsGzip + s.wasmGzip)} gzip (${KB(s.jsRaw + s.wasmRaw)} raw), CSS ${KB(s.cssGzip)} — budget 600 KB: ${s.jsGzip + s.wasmGzip < 600 * 1024 ? 'OK' : 'OVER'}`,
    `console /console first load: JS ${KB(report.console.firstLoad.jsGzip)} gzip (MapLibre loads with the map tab)`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
