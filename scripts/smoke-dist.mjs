#!/usr/bin/env node
/**
 * Tries the production build as an operator would (after `npm run build`): the compiled hc command
 * (bin/hc.js with HC_RUN=dist) generates and imports a pings file — the import reads the file on a
 * worker thread started from dist/ — and `node dist/main.js` serves a small demo city: /healthz,
 * the resident app, the trust list. Everything runs on a temporary embedded database, listens on
 * 127.0.0.1 and stops by itself. CI (.ci/run) runs it.
 *
 * 生产构建冒烟测试。 Usage: node scripts/smoke-dist.mjs   (needs dist/ and web/dist: npm run build)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    '生产构建冒烟测试 Smoke test of dist/ (npm run build first).\nUsage: node scripts/smoke-dist.mjs\n',
  );
  process.exit(0);
}
for (const f of ['dist/main.js', 'dist/cli/main.js', 'web/dist/app/index.html'])
  if (!existsSync(path.join(root, f))) {
    console.error(`缺少 missing ${f}: run \`npm run build\` first`);
    process.exit(1);
  }

const tmp = mkdtempSync(path.join(os.tmpdir(), 'hc-smoke-'));
const env = { ...process.env, HC_DATA_DIR: path.join(tmp, 'data'), HC_RUN: 'dist', LOG_LEVEL: 'warn' };
delete env.DATABASE_URL;
delete env.REDIS_URL;
delete env.NATS_URL;
let server;
const step = (s) => process.stdout.write(`· ${s}\n`);
const fail = (msg) => {
  console.error(`冒烟测试失败 smoke test FAILED: ${msg}`);
  process.exitCode = 1;
};

function hc(args) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/hc.js'), ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`hc ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

try {
  step('hc --help (compiled)');
  if (!hc(['--help']).includes('Usage: hc')) throw new Error('hc --help printed no usage');

  step('hc migrate, hc seed, hc import pings (the file is read on a worker thread started from dist/)');
  hc(['migrate']);
  hc(['seed', '--residents', '200']);
  // The demo residents' phones are 13900000000…; an hour of pings for each of the first 20.
  const pings = path.join(tmp, 'pings.csv');
  const now = Math.floor(Date.now() / 1000);
  let csv = 'phone,ts,lat,lon\n';
  for (let p = 0; p < 20; p++)
    for (let i = 0; i < 60; i++)
      csv += `139000000${String(p).padStart(2, '0')},${now - 3600 + i * 60},${(26.55 + p / 1000).toFixed(5)},${(106.7 + i / 10000).toFixed(5)}\n`;
  writeFileSync(pings, csv);
  const out = hc(['import', 'pings', pings, '--json', '--no-progress']).trim().split('\n').at(-1);
  const summary = JSON.parse(out);
  if (summary.accepted !== 1200 || summary.rejected !== 0)
    throw new Error(`pings import: ${out} (expected 1200 accepted, none rejected)`);
  step(`  imported ${summary.accepted} pings`);

  step('node dist/main.js serves the demo city');
  const port = await freePort();
  server = spawn(process.execPath, [path.join(root, 'dist/main.js')], {
    cwd: root,
    env: {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      HC_DEMO: '1',
      HC_DEMO_RESIDENTS: '200',
      HC_ROLE: 'api',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  server.stdout.on('data', (d) => (log += d));
  server.stderr.on('data', (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`dist/main.js exited ${server.exitCode}\n${log}`);
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`no /healthz within 120 s\n${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const app = await fetch(`${base}/app/`);
  const html = await app.text();
  if (app.status !== 200 || !html.includes('<script')) throw new Error(`/app/ answered ${app.status}`);
  const trust = await fetch(`${base}/v1/trust-list`).then((r) => r.json());
  if (!Array.isArray(trust.keys) || trust.keys.length === 0) throw new Error('trust list has no keys');
  step(`  /healthz, /app/ and /v1/trust-list answer on ${base}`);
  process.stdout.write('冒烟测试通过 smoke test passed\n');
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
} finally {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  rmSync(tmp, { recursive: true, force: true });
}
