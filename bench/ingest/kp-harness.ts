/**
 * Dev harness for the key-population part of bench/ingest: builds a template database with the
 * registry once (`--setup`), then each run copies it and imports the list, so a run (and a
 * --cpu-prof of it) covers the key-population import alone. Not a benchmark of record.
 *
 *   node --import tsx bench/ingest/kp-harness.ts --setup [--persons 60000]
 *   node --import tsx bench/ingest/kp-harness.ts [--kp 40000] [--twice] [--realistic]
 *
 * --realistic times bench/ingest/run.ts's part 3b instead of the best case: the persons of the list
 * first get two older lists (not timed), then a day's list of releases, second and third lists,
 * tier changes and new persons is imported.
 *
 * What it can show: --stmts (client wall time per statement kind), --log (server time per
 * statement in the server log), --explain (auto_explain plans with actual rows, times and trigger
 * times in the server log), --alloc-prof FILE (sampled allocations of the import, collected objects
 * included, as a .heapprofile), --cpu FILE (a CPU profile of the import alone), --sample (one
 * stored status). With --stmts it also prints how busy the event loop was and how long 1, 2 and 3
 * statements were in flight at once, and with HC_SPANS=1 each statement's start and end (ms).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { localFeedFiles } from '../../src/adapters/feeds/feed-files.ts';
import type { IngestService } from '../../src/services/feeds/ingest.service.ts';
import { importFile } from '../../src/services/feeds/import.service.ts';
import { procCpuSeconds } from '../lib/proc-cpu.ts';
import { admin, docOf, openBenchContext } from './common.ts';
import { createIngestService } from '../../src/roles/feeds.feature.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
/** HC_KP_TEMPLATE names the template, so two trees (a baseline and the head) can keep one each. */
const TEMPLATE = process.env.HC_KP_TEMPLATE ?? 'hc_kp_harness_template';
const KEY = Buffer.alloc(32, 7);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-kp-harness-'));

// --stmts: wall time per statement kind (first words of the SQL), measured around pg.Client#query.
const stmtTimes = new Map<string, { n: number; ms: number }>();
const spans: Array<[number, number]> = [];
let spanBase = 0;

/** Milliseconds during which at least k statements were in flight, for k = 1, 2, 3. */
function concurrency(): string {
  const ev: Array<[number, number]> = [];
  for (const [a, b] of spans) ev.push([a, 1], [b, -1]);
  ev.sort((x, y) => x[0] - y[0]);
  const atLeast = [0, 0, 0, 0];
  let n = 0;
  let last = ev[0]?.[0] ?? 0;
  for (const [t, d] of ev) {
    for (let k = 1; k <= 3; k++) if (n >= k) atLeast[k] = (atLeast[k] as number) + t - last;
    n += d;
    last = t;
  }
  return `statements in flight ≥1: ${atLeast[1]?.toFixed(0)} ms, ≥2: ${atLeast[2]?.toFixed(0)} ms, ≥3: ${atLeast[3]?.toFixed(0)} ms`;
}
if (process.argv.includes('--stmts')) {
  const orig = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }).query = function (
    this: unknown,
    ...a: unknown[]
  ) {
    const text = typeof a[0] === 'string' ? a[0] : ((a[0] as { text?: string })?.text ?? '?');
    const key = text.replace(/\s+/g, ' ').slice(0, 70);
    const t0 = performance.now();
    const done = () => {
      const t1 = performance.now();
      spans.push([t0, t1]);
      if (process.env.HC_SPANS)
        process.stdout.write(
          `span ${(t0 - spanBase).toFixed(0)} ${(t1 - spanBase).toFixed(0)} ${key.slice(0, 40)}\n`,
        );
      const e = stmtTimes.get(key) ?? { n: 0, ms: 0 };
      e.n++;
      e.ms += t1 - t0;
      stmtTimes.set(key, e);
    };
    // pg-pool calls query with a callback (and gets no promise back); a transaction's client, without.
    const cb = a.at(-1);
    if (typeof cb === 'function') {
      a[a.length - 1] = (...res: unknown[]) => {
        done();
        return (cb as (...x: unknown[]) => unknown)(...res);
      };
      return orig.apply(this, a);
    }
    const r = orig.apply(this, a);
    if (r && typeof (r as Promise<unknown>).then === 'function')
      void (r as Promise<unknown>).then(done, () => undefined);
    return r;
  };
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();

/** bench/ingest/run.ts part 3b's history: two older lists for the persons of the best-case list. */
function history(kp: number): string {
  let s = 'source_id,doc_type,doc_number,category,list,event_time\n';
  for (let i = 0; i < kp; i++) {
    s += `hist-a-${i},10,${docOf(i)},secondary_contact,older list A ${i % 7},${hoursAgo(9 * 24)}\n`;
    if (i % 2 === 0)
      s += `hist-b-${i},10,${docOf(i)},close_contact,older list B ${i % 5},${hoursAgo(5 * 24)}\n`;
  }
  return s;
}

/** bench/ingest/run.ts part 3b's timed day: releases, second and third lists, tier changes, new persons. */
function realisticDay(kp: number, persons: number): string {
  let s = 'source_id,doc_type,doc_number,category,list,event_time,action,tier\n';
  let fresh = kp;
  const at = hoursAgo(2);
  for (let i = 0; i < kp; i++) {
    const j = (i * 7919) % kp;
    const k = i % 5;
    if (k === 0) s += `real-${i},10,${docOf(j)},secondary_contact,release ${i % 10},${at},release,\n`;
    else if (k === 1 || k === 2) s += `real-${i},10,${docOf(j)},close_contact,day list ${k},${at},enter,\n`;
    else if (k === 3) s += `real-${i},10,${docOf(j)},secondary_contact,day list 3,${at},change,high\n`;
    else s += `real-${i},10,${docOf(fresh < persons ? fresh++ : j)},close_contact,day list 4,${at},enter,\n`;
  }
  return s;
}

async function importCsv(ingest: IngestService, feed: 'persons' | 'key-population', file: string) {
  const t0 = performance.now();
  const s = await importFile(ingest, localFeedFiles, feed, file, 'csv');
  return { ...s, seconds: (performance.now() - t0) / 1000 };
}

if (process.argv.includes('--setup')) {
  const persons = arg('persons', 60_000);
  await admin(`DROP DATABASE IF EXISTS ${TEMPLATE}`);
  await admin(`CREATE DATABASE ${TEMPLATE}`);
  const { ctx } = await openBenchContext(TEMPLATE, KEY);
  const pf = path.join(tmp, 'persons.csv');
  let s = 'source_id,doc_type,doc_number,name,sex,birth_date,phone,region_code,address\n';
  for (let i = 0; i < persons; i++) s += `p-${i},10,${docOf(i)},居民${i},,,${13000000000 + i},520102,\n`;
  fs.writeFileSync(pf, s);
  const r = await importCsv(createIngestService(ctx, { followUp: 'recompute' }), 'persons', pf);
  await ctx.close();
  process.stdout.write(`setup: ${r.accepted} persons\n`);
} else {
  const kp = arg('kp', 40_000);
  const name = `hc_kp_harness_${crypto.randomBytes(3).toString('hex')}`;
  await admin(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
  // --log: every statement's server duration goes to the server log (read it with a script).
  if (process.argv.includes('--log'))
    await admin(`ALTER DATABASE ${name} SET log_min_duration_statement = 0`);
  // --explain: every statement's plan with actual row counts and times goes to the server log.
  if (process.argv.includes('--explain')) {
    for (const set of [
      "session_preload_libraries = 'auto_explain'",
      'auto_explain.log_min_duration = 0',
      'auto_explain.log_analyze = on',
      'auto_explain.log_buffers = on',
      'auto_explain.log_triggers = on',
    ]) {
      await admin(`ALTER DATABASE ${name} SET ${set}`);
    }
  }
  const { db, ctx } = await openBenchContext(name, KEY);
  try {
    const lf = path.join(tmp, 'kp.csv');
    let s = 'source_id,doc_type,doc_number,category,list,event_time\n';
    const et = new Date(Date.now() - 3600_000).toISOString();
    for (let i = 0; i < kp; i++)
      s += `kp-${i},10,${docOf(i)},${i % 3 ? 'secondary_contact' : 'close_contact'},bench list ${i % 10},${et}\n`;
    fs.writeFileSync(lf, s);
    const ingest = createIngestService(ctx, { followUp: 'recompute' });
    // --realistic: the best-case list and two older lists first (not timed), then part 3b's day.
    let timed = lf;
    if (process.argv.includes('--realistic')) {
      timed = path.join(tmp, 'kp-realistic.csv');
      fs.writeFileSync(timed, realisticDay(kp, arg('persons', 60_000)));
      await importCsv(ingest, 'key-population', lf);
      const hf = path.join(tmp, 'kp-history.csv');
      fs.writeFileSync(hf, history(kp));
      await importCsv(ingest, 'key-population', hf);
    }
    // --alloc-prof FILE: sampled allocations of the import (collected objects included) as a .heapprofile.
    const allocFile = process.argv.includes('--alloc-prof')
      ? process.argv[process.argv.indexOf('--alloc-prof') + 1]
      : undefined;
    const inspector =
      allocFile || process.argv.includes('--cpu')
        ? new (await import('node:inspector')).Session()
        : undefined;
    const post = (m: string, p?: object) =>
      new Promise<unknown>((res, rej) => inspector?.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r))));
    // --cpu FILE: a CPU profile of the import alone (no start-up) as a .cpuprofile.
    const cpuFile = process.argv.includes('--cpu')
      ? process.argv[process.argv.indexOf('--cpu') + 1]
      : undefined;
    if (inspector) {
      inspector.connect();
      if (allocFile)
        await post('HeapProfiler.startSampling', {
          samplingInterval: 4096,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        });
      if (cpuFile)
        await post('Profiler.enable')
          .then(() => post('Profiler.setSamplingInterval', { interval: 200 }))
          .then(() => post('Profiler.start'));
    }
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    spans.length = 0;
    spanBase = performance.now();
    const r = await importCsv(ingest, 'key-population', timed);
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    if (process.argv.includes('--stmts'))
      process.stdout.write(
        `event loop busy ${elu.active.toFixed(0)} ms of ${(elu.active + elu.idle).toFixed(0)}; ${concurrency()}\n`,
      );
    if (inspector && allocFile)
      fs.writeFileSync(
        allocFile,
        JSON.stringify(((await post('HeapProfiler.stopSampling')) as { profile: unknown }).profile),
      );
    if (inspector && cpuFile)
      fs.writeFileSync(
        cpuFile,
        JSON.stringify(((await post('Profiler.stop')) as { profile: unknown }).profile),
      );
    // CPU of this database's server backends (fresh for this run): utime + stime from /proc.
    const pids = (
      await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')
    ).rows.map((x) => x.pid);
    let pgCpu = 0;
    for (const pid of pids) {
      try {
        pgCpu += procCpuSeconds(pid);
      } catch {
        /* gone */
      }
    }
    const colours = await db.query<{ colour5: number; n: number }>(
      'SELECT colour5, count(*)::int AS n FROM statuses GROUP BY 1 ORDER BY 1',
    );
    const tasks = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM response_tasks')).rows[0]?.n;
    if (process.argv.includes('--sample'))
      process.stdout.write(JSON.stringify((await db.query('SELECT * FROM statuses LIMIT 1')).rows[0]) + '\n');
    process.stdout.write(
      `kp: ${JSON.stringify({ accepted: r.accepted, duplicates: r.duplicates, rejected: r.rejected, seconds: +r.seconds.toFixed(2), rowsPerSecond: Math.round(r.accepted / r.seconds), nodeCpuS: +((cpu.user + cpu.system) / 1e6).toFixed(2), pgCpuS: +pgCpu.toFixed(2), colours: Object.fromEntries(colours.rows.map((x) => [x.colour5, x.n])), tasks, load: os.loadavg()[0]?.toFixed(1) })}\n`,
    );
    for (const [k, v] of [...stmtTimes].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14))
      process.stdout.write(`${v.ms.toFixed(0).padStart(6)} ms ${String(v.n).padStart(4)}x ${k}\n`);
    if (process.argv.includes('--twice')) {
      const again = await importCsv(ingest, 'key-population', timed);
      process.stdout.write(
        `kp again: ${JSON.stringify({ accepted: again.accepted, duplicates: again.duplicates, seconds: +again.seconds.toFixed(2) })}\n`,
      );
    }
  } finally {
    await ctx.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
