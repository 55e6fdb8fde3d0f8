#!/usr/bin/env node
/**
 * Builds the web apps (web/ → web/dist) when the bundle is missing or older than its sources.
 * Runs before `npm start` (prestart) and from the browser tests; `--force` always builds.
 * Builds into a temporary folder and renames it into place under a lock, so parallel callers
 * (test workers) never see a half-written web/dist. Without Vite installed (a production install
 * without dev dependencies) an existing bundle is kept and a missing one is reported, not fatal.
 *
 * 构建前端：web/dist 缺失或过期时重新构建。 Usage: node scripts/build-web-if-needed.mjs [--force]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const dist = path.join(web, 'dist');
const stamp = path.join(dist, '.built');
const lock = path.join(web, '.build-lock');
const force = process.argv.includes('--force');
// What the bundle is made of: the apps and the browser-safe core they import.
const SOURCES = [
  web,
  path.join(root, 'src/verifier'),
  path.join(root, 'src/domain/token'),
  path.join(root, 'package-lock.json'),
];

function newest(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const f of readdirSync(p)) {
    if (f === 'dist' || f.startsWith('.dist-tmp') || f === '.build-lock' || f === 'node_modules') continue;
    m = Math.max(m, newest(path.join(p, f)));
  }
  return m;
}

const stale = () => !existsSync(stamp) || Math.max(...SOURCES.map(newest)) > statSync(stamp).mtimeMs;

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function acquire() {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch {
      // A lock left by a killed build is taken over after 5 minutes.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* removed meanwhile */
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for another web build (web/.build-lock)');
      sleep(250);
    }
  }
}

function main() {
  if (!force && !stale()) return;
  let viteBin;
  try {
    viteBin = path.join(
      path.dirname(createRequire(import.meta.url).resolve('vite/package.json')),
      'bin/vite.js',
    );
  } catch {
    console.warn(
      existsSync(stamp)
        ? '未安装 Vite，沿用现有前端 Vite not installed: keeping the existing web/dist'
        : '未安装 Vite，前端未构建 Vite not installed: the web apps are not built',
    );
    return;
  }
  acquire();
  try {
    if (!force && !stale()) return; // another process built it while we waited
    // Holding the lock, no other build runs: leftovers of killed builds can go.
    for (const f of readdirSync(web))
      if (f.startsWith('.dist-tmp-')) rmSync(path.join(web, f), { recursive: true, force: true });
    const tmpName = `.dist-tmp-${process.pid}`;
    const tmp = path.join(web, tmpName);
    process.stdout.write('构建前端 Building web apps (web/dist)…\n');
    const r = spawnSync(process.execPath, [viteBin, 'build', '--config', path.join(web, 'vite.config.ts')], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, HC_WEB_OUT: tmpName },
    });
    if (r.status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`vite build failed (exit ${r.status})`);
    }
    writeFileSync(path.join(tmp, '.built'), new Date().toISOString() + '\n');
    rmSync(dist, { recursive: true, force: true });
    renameSync(tmp, dist);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
