#!/usr/bin/env node
// The `hc` command. Runs the compiled CLI (dist/, `npm run build`) — what a production install
// runs, without tsx. In a checkout without a build, or whose sources changed after the build, it
// runs the TypeScript sources through tsx instead (a development install has tsx).
// HC_RUN=dist or HC_RUN=source forces one of the two.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = path.join(root, 'dist/cli/main.js');
const stamp = path.join(root, 'dist/.built');
const sources = path.join(root, 'src');

function newest(dir) {
  let m = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    m = Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return m;
}

async function tsxAvailable() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return undefined;
  }
}

const force = process.env.HC_RUN;
if (force !== undefined && force !== 'dist' && force !== 'source') {
  process.stderr.write(`HC_RUN must be dist or source, got "${force}"\n`);
  process.exit(2);
}
const built = existsSync(compiled) && existsSync(stamp);
const stale =
  force === 'source' ||
  (force !== 'dist' && built && existsSync(sources) && newest(sources) > statSync(stamp).mtimeMs);
const tsx = force === 'dist' || (built && !stale) ? undefined : await tsxAvailable();
if (force === 'source' && !tsx) {
  process.stderr.write('HC_RUN=source needs tsx (a development install)\n');
  process.exit(1);
}
if (tsx) {
  tsx.register();
  await import(pathToFileURL(path.join(root, 'src/cli/main.ts')).href);
} else if (built) {
  if (stale)
    process.stderr.write('注意 note: dist/ is older than src/ (run `npm run build`); running dist/\n');
  await import(pathToFileURL(compiled).href);
} else {
  process.stderr.write(
    '未构建 hc is not built: run `npm run build` (or install dev dependencies to run from source)\n',
  );
  process.exit(1);
}
