#!/usr/bin/env node
/**
 * Compiles the server and the hc command (src/) to dist/ with tsc (tsconfig.build.json), from a
 * clean dist/ so no module deleted from src/ survives in the build, and stamps dist/.built so
 * bin/hc.js can tell a build older than the sources.
 *
 * 编译服务端。 Usage: node scripts/build-server.mjs   (npm run build:server; npm run build does web too)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    '编译服务端 Compiles src/ to dist/ (tsc -p tsconfig.build.json).\nUsage: node scripts/build-server.mjs\n',
  );
  process.exit(0);
}
const dist = path.join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
process.stdout.write('编译服务端 Compiling src/ → dist/ (tsc)…\n');
const t0 = Date.now();
rmSync(dist, { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], {
  cwd: root,
  stdio: 'inherit',
});
if (r.status !== 0) {
  rmSync(dist, { recursive: true, force: true });
  console.error(`编译失败 tsc failed (exit ${r.status})`);
  process.exit(1);
}
mkdirSync(dist, { recursive: true });
writeFileSync(path.join(dist, '.built'), new Date().toISOString() + '\n');
process.stdout.write(`完成 dist/ built in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
