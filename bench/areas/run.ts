/**
 * bench/areas: risk-area matching (docs/PLACES.md §Benchmarks). Writes bench/results/areas.{json,md}.
 *
 * 1. Throughput: stays matched per second against 10 000 areas (shops, compounds, circles) in a
 *    Guiyang-sized box, one thread, AreaIndex.matchPosition (flatbush + exact disc test), and the
 *    whole fact-building step (factsForStays).
 * 2. Re-match: 14 days of a city's stays in PostgreSQL (day partitions, the production store);
 *    time to publish a new area end to end (validate, insert, history, audit, read the stays in
 *    its box or division, match, write facts) for a shop, a compound and a whole county.
 *
 *   node --import tsx bench/areas/run.ts [--stays 2000000] [--people 100000] [--per-day 6]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { MemoryBus } from '../../src/adapters/bus/memory-bus.ts';
import { MemoryStatusCache } from '../../src/adapters/cache/memory-status-cache.ts';
import { openDatabase } from '../../src/adapters/db/database.ts';
import { migrate } from '../../src/adapters/db/migrate.ts';
import { loadConfig } from '../../src/config.ts';
import { M_PER_DEG, parsePolygonal, type AreaGeometry } from '../../src/geo/areas/area-geometry.ts';
import { AreaIndex, type IndexedArea } from '../../src/geo/areas/area-index.ts';
import { ManualClock } from '../../src/ports/clock.port.ts';
import { createContext } from '../../src/roles/context.ts';
import { factsForStays, type MatchableStay } from '../../src/services/places/area-matcher.service.ts';
import { freshDatabase, peakRssMiB, PG_ADMIN_URL } from '../lib/bench-db.ts';
import { finishProvenance, provenanceMarkdown, startProvenance } from '../lib/provenance.ts';
import { helpIfAsked } from '../lib/usage.ts';

helpIfAsked(`基准：风险区域匹配 Risk-area matching benchmark (writes bench/results/areas.{json,md}).
Usage: node --import tsx bench/areas/run.ts [--stays 2000000] [--areas 10000] [--people 100000] [--per-day 6] [--reuse 0|1]`);

const PROVENANCE = startProvenance();

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const STAYS = arg('stays', 2_000_000);
const AREAS = arg('areas', 10_000);
const PEOPLE = arg('people', 100_000);
const PER_DAY = arg('per-day', 6);
/** --reuse 1: keep the stays loaded by an earlier run with the same --people/--per-day (areas and facts are cleared) */
const REUSE = arg('reuse', 0) === 1;
const H = 3_600_000;
const DAY = 24 * H;
const NOW = Date.UTC(2026, 10, 20, 4);
// Guiyang's built-up area, roughly.
const BOX = { lat0: 26.4, lat1: 26.75, lon0: 106.5, lon1: 106.9 };

let seed = 42;
function rnd(): number {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 4294967296;
}
const mLon = (lat: number) => 1 / (M_PER_DEG * Math.cos((lat * Math.PI) / 180));

function quad(lat: number, lon: number, w: number, h: number, n: number): AreaGeometry {
  const pts: number[][] = [];
  for (let i = 0; i < n; i++) {
    const a = (i / n) * 2 * Math.PI + rnd() * 0.3;
    const r = 0.7 + rnd() * 0.3;
    pts.push([lon + Math.cos(a) * r * w * mLon(lat), lat + (Math.sin(a) * r * h) / M_PER_DEG]);
  }
  const p = parsePolygonal({ type: 'Polygon', coordinates: [pts] });
  if (!p.ok) throw new Error(p.reason);
  return p.geometry;
}

function makeAreas(n: number): IndexedArea[] {
  const out: IndexedArea[] = [];
  for (let i = 0; i < n; i++) {
    const lat = BOX.lat0 + rnd() * (BOX.lat1 - BOX.lat0);
    const lon = BOX.lon0 + rnd() * (BOX.lon1 - BOX.lon0);
    const k = rnd();
    const geometry: AreaGeometry =
      k < 0.6
        ? quad(lat, lon, 3 + rnd() * 12, 3 + rnd() * 12, 4) // shop: 6–30 m across
        : k < 0.85
          ? quad(lat, lon, 50 + rnd() * 150, 50 + rnd() * 150, 6 + Math.floor(rnd() * 10)) // compound
          : { kind: 'circle', lat, lon, radiusM: 50 + rnd() * 450 };
    const start = NOW - Math.floor(rnd() * 14) * DAY;
    out.push({
      id: i + 1,
      level: rnd() < 0.7 ? 'medium' : 'high',
      startsAt: start,
      liftedAt: rnd() < 0.3 ? start + 5 * DAY : Infinity,
      geometry,
      adminCode: null,
    });
  }
  return out;
}

function throughput() {
  const areas = makeAreas(AREAS);
  let t0 = performance.now();
  const index = new AreaIndex(areas, { maxAccuracyM: 100 });
  const buildMs = performance.now() - t0;
  const lat = new Float64Array(STAYS);
  const lon = new Float64Array(STAYS);
  const acc = new Float64Array(STAYS);
  const start = new Float64Array(STAYS);
  for (let i = 0; i < STAYS; i++) {
    // A third of the positions next to an area (so the exact test runs), the rest anywhere.
    if (i % 3 === 0) {
      const a = areas[Math.floor(rnd() * areas.length)]!.geometry!;
      const c = a.kind === 'circle' ? a : { lat: a.polygons[0]![0]![1]!, lon: a.polygons[0]![0]![0]! };
      lat[i] = c.lat + (rnd() - 0.5) * 0.002;
      lon[i] = c.lon + (rnd() - 0.5) * 0.002;
    } else {
      lat[i] = BOX.lat0 + rnd() * (BOX.lat1 - BOX.lat0);
      lon[i] = BOX.lon0 + rnd() * (BOX.lon1 - BOX.lon0);
    }
    acc[i] = 5 + rnd() * 195;
    start[i] = NOW - rnd() * 14 * DAY;
  }
  const out: number[] = [];
  // The machine is shared: report wall time and this process's CPU time; best of 3 after warm-up.
  const pass = (from: number, to: number) => {
    let hits = 0;
    const c0 = process.cpuUsage();
    const t = performance.now();
    for (let i = from; i < to; i++) {
      out.length = 0;
      hits += index.matchPosition(lat[i]!, lon[i]!, acc[i]!, start[i]!, start[i]! + 2 * H, out);
    }
    const cpu = process.cpuUsage(c0);
    return { hits, wallMs: performance.now() - t, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  const best = (from: number, to: number) => {
    pass(from, to);
    pass(from, to);
    const runs = [pass(from, to), pass(from, to), pass(from, to)];
    const wall = Math.min(...runs.map((r) => r.wallMs));
    const cpu = Math.min(...runs.map((r) => r.cpuMs));
    const n = to - from;
    return {
      stays: n,
      matches: runs[0]!.hits,
      wallSeconds: +(wall / 1000).toFixed(3),
      staysPerSecond: Math.round(n / (wall / 1000)),
      staysPerCpuSecond: Math.round(n / (cpu / 1000)),
    };
  };
  // Stays are generated interleaved: every third one next to an area. Split the two mixes.
  const nearIdx: number[] = [];
  for (let i = 0; i < STAYS; i += 3) nearIdx.push(i);
  const all = best(0, STAYS);
  const matchMs = all.wallSeconds * 1000;
  const hits = all.matches;
  const uniformOnly = (() => {
    // a copy holding only the uniformly placed stays
    const m = STAYS - nearIdx.length;
    const la = new Float64Array(m),
      lo = new Float64Array(m),
      ac = new Float64Array(m),
      st = new Float64Array(m);
    let k = 0;
    for (let i = 0; i < STAYS; i++)
      if (i % 3 !== 0) {
        la[k] = lat[i]!;
        lo[k] = lon[i]!;
        ac[k] = acc[i]!;
        st[k] = start[i]!;
        k++;
      }
    lat.set(la);
    lon.set(lo);
    acc.set(ac);
    start.set(st);
    return best(0, m);
  })();
  // The full fact-building step on a 500 000-stay batch (objects as they come from the database).
  const n = Math.min(STAYS, 500_000);
  const batch: MatchableStay[] = [];
  for (let i = 0; i < n; i++) {
    batch.push({
      person_id: i,
      started_at: new Date(start[i]!),
      ended_at: new Date(start[i]! + 2 * H),
      lat: lat[i]!,
      lon: lon[i]!,
      accuracy_m: acc[i]!,
      region_code: '520102',
      source: 'carrier',
      source_record_id: String(i),
    });
  }
  t0 = performance.now();
  const { facts, matches } = factsForStays(batch, index, new Map());
  const factsMs = performance.now() - t0;
  return {
    areas: AREAS,
    stays: STAYS,
    indexBuildMs: Math.round(buildMs),
    matchSeconds: +(matchMs / 1000).toFixed(3),
    staysPerSecond: all.staysPerSecond,
    staysPerCpuSecond: all.staysPerCpuSecond,
    matchesFound: hits,
    uniform: uniformOnly,
    factsStep: {
      stays: n,
      matches,
      facts: facts.length,
      ms: Math.round(factsMs),
      staysPerSecond: Math.round(n / (factsMs / 1000)),
    },
  };
}

async function rematch() {
  const url = REUSE
    ? PG_ADMIN_URL.replace(/\/[^/]*$/, '/hc_bench_areas')
    : await freshDatabase('hc_bench_areas');
  const db = await openDatabase({ databaseUrl: url, poolSize: 4 });
  await migrate(db);
  const clock = new ManualClock(NOW);
  const ctx = await createContext(
    { ...loadConfig({ HC_DEMO: 'false' }), databaseUrl: url, demo: false, logLevel: 'silent' },
    {
      db,
      cache: new MemoryStatusCache(),
      bus: new MemoryBus(),
      clock,
      log: pino({ level: 'silent' }),
      masterKey: crypto.randomBytes(32),
      skipMigrate: true,
    },
  );
  // Residents the facts point to (facts reference persons); the stays themselves are synthetic.
  const t0 = performance.now();
  const existing = REUSE
    ? ((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM stays')).rows[0]?.n ?? 0)
    : 0;
  if (REUSE) {
    await db.query('DELETE FROM facts');
    await db.query('DELETE FROM risk_area_history');
    await db.query('DELETE FROM risk_areas');
  } else
    await db.query(
      `INSERT INTO persons (doc_type, doc_hash, doc_enc, doc_masked, name_enc, name_masked, region_code, code_subject)
     SELECT 10, int8send(g), '\\x00', 'x', '\\x00', 'x', '520102', 'bench' || g FROM generate_series(1, $1) g`,
      [PEOPLE],
    );
  for (let d = 15; d >= 0; d--)
    await db.query(`SELECT hc_ensure_day_partition('stays', $1::date)`, [
      new Date(NOW - d * DAY).toISOString().slice(0, 10),
    ]);
  // Each person: a home and a workplace clustered around 12 district centres; PER_DAY stays a day.
  const centres = Array.from(
    { length: 12 },
    () => [BOX.lat0 + 0.05 + rnd() * 0.25, BOX.lon0 + 0.05 + rnd() * 0.3] as const,
  );
  const counties = ['520102', '520103', '520111', '520112', '520113', '520115'];
  function* rows(): Generator<string> {
    let buf = '';
    for (let p = 1; p <= PEOPLE; p++) {
      const c = centres[p % centres.length]!;
      const home = [c[0] + (rnd() - 0.5) * 0.04, c[1] + (rnd() - 0.5) * 0.04];
      const w = centres[Math.floor(rnd() * centres.length)]!;
      const work = [w[0] + (rnd() - 0.5) * 0.02, w[1] + (rnd() - 0.5) * 0.02];
      const county = counties[p % counties.length]!;
      for (let d = 14; d >= 1; d--) {
        const day0 = NOW - d * DAY;
        for (let k = 0; k < PER_DAY; k++) {
          const at =
            k % 3 === 1
              ? work
              : k % 3 === 2
                ? [home[0]! + (rnd() - 0.5) * 0.01, home[1]! + (rnd() - 0.5) * 0.01]
                : home;
          const s = day0 + (k * DAY) / PER_DAY;
          const e = s + DAY / PER_DAY - 60_000;
          buf += `${p},${new Date(s).toISOString()},${new Date(e).toISOString()},${(at[0]! + (rnd() - 0.5) * 0.001).toFixed(6)},${(at[1]! + (rnd() - 0.5) * 0.001).toFixed(6)},${Math.round(20 + rnd() * 480)},${county},carrier,${p}-${d}-${k}\n`;
        }
      }
      if (p % 2000 === 0) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  }
  const copied = REUSE
    ? existing
    : await db.copyCsv(
        'stays',
        [
          'person_id',
          'started_at',
          'ended_at',
          'lat',
          'lon',
          'accuracy_m',
          'region_code',
          'source',
          'source_record_id',
        ],
        rows(),
      );
  if (!REUSE) await db.query('ANALYZE stays');
  const loadS = (performance.now() - t0) / 1000;
  const places = ctx.places;
  const officer = { actor: 'officer:bench', regionPrefix: '52' };
  const c0 = centres[0]!;
  const runs: Array<Record<string, unknown>> = [];
  const publish = async (label: string, input: Parameters<typeof places.areas.publish>[1]) => {
    const t = performance.now();
    const r = await places.areas.publish(officer, {
      startsAt: new Date(NOW - 10 * DAY).toISOString(),
      ...input,
    });
    runs.push({ area: label, totalMs: Math.round(performance.now() - t), ...r.rematch });
  };
  const lat = c0[0];
  const lon = c0[1];
  const sq = (m: number) => [
    [
      [lon, lat],
      [lon + m * mLon(lat), lat],
      [lon + m * mLon(lat), lat + m / M_PER_DEG],
      [lon, lat + m / M_PER_DEG],
      [lon, lat],
    ],
  ];
  await publish('shop 10 m × 10 m (medium)', {
    name: 'bench shop',
    level: 'medium',
    geometry: { type: 'Polygon', coordinates: sq(10) },
    regionCode: '520102',
  });
  await publish('compound 300 m × 300 m (high)', {
    name: 'bench compound',
    level: 'high',
    geometry: { type: 'Polygon', coordinates: sq(300) },
    regionCode: '520102',
  });
  await publish('circle r = 1 km (medium)', {
    name: 'bench circle',
    level: 'medium',
    center: { lat: c0[0] + 0.02, lon: c0[1] },
    radiusM: 1000,
    regionCode: '520102',
  });
  await publish('county 520103 by admin code (medium)', {
    name: 'bench county',
    level: 'medium',
    adminCode: '520103',
  });
  await ctx.close();
  return {
    people: PEOPLE,
    staysPerPersonPerDay: PER_DAY,
    staysInDatabase: copied,
    loadSeconds: +loadS.toFixed(1),
    publishes: runs,
  };
}

const LOAD = (await import('node:os')).loadavg();
const through = throughput();
console.log('throughput', through);
const re = await rematch();
console.log('rematch', re);
const result = {
  provenance: finishProvenance(PROVENANCE),
  at: new Date().toISOString(),
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  loadAverage: LOAD.map((x) => +x.toFixed(1)),
  peakRssMiB: peakRssMiB(),
  throughput: through,
  rematch: re,
};
const dir = path.resolve(import.meta.dirname, '../results');
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'areas.json'), JSON.stringify(result, null, 2) + '\n');
const md = [
  '# bench/areas — risk-area matching',
  '',
  provenanceMarkdown(result.provenance),
  'PostgreSQL 15 for the re-match.',
  '',
  '## Matching throughput (target ≥ 1 M stays/s against 10 000 areas)',
  '',
  `| stays (mix) | areas | index build | match time (wall) | stays/s (wall) | stays per CPU-second | matches |`,
  `| --- | --- | --- | --- | --- | --- | --- |`,
  `| ${through.stays} (⅓ within ~100 m of an area) | ${through.areas} | ${through.indexBuildMs} ms | ${through.matchSeconds} s | **${through.staysPerSecond.toLocaleString('en')}** | ${through.staysPerCpuSecond.toLocaleString('en')} | ${through.matchesFound} |`,
  `| ${through.uniform.stays} (uniform over the city) | ${through.areas} | — | ${through.uniform.wallSeconds} s | **${through.uniform.staysPerSecond.toLocaleString('en')}** | ${through.uniform.staysPerCpuSecond.toLocaleString('en')} | ${through.uniform.matches} |`,
  '',
  `Best of 3 timed passes after 2 warm-up passes, one thread. Load average at start: ${result.loadAverage.join(', ')} (the machine is shared with other work; the CPU-second column is this process's own CPU time).`,
  '',
  `Whole fact-building step (stay objects → one fact per area and person): ${through.factsStep.stays} stays in ${through.factsStep.ms} ms = ${through.factsStep.staysPerSecond.toLocaleString('en')} stays/s, ${through.factsStep.facts} facts.`,
  '',
  '## Re-match after publishing a new area (target ≤ 10 s for 14 days of a city)',
  '',
  `${re.staysInDatabase.toLocaleString('en')} stays (${re.people.toLocaleString('en')} people × ${re.staysPerPersonPerDay} a day × 14 days) in day partitions${REUSE ? ' (loaded by an earlier run, reused)' : `, loaded in ${re.loadSeconds} s`}.`,
  '',
  '| new area | total publish ms | stays read (admin code: matched in SQL) | matches | facts | persons |',
  '| --- | --- | --- | --- | --- | --- |',
  ...re.publishes.map(
    (r) =>
      `| ${String(r.area)} | **${String(r.totalMs)}** | ${String(r.stays)} | ${String(r.matches)} | ${String(r.facts)} | ${String(r.persons)} |`,
  ),
  '',
  `Peak RSS ${result.peakRssMiB} MiB.`,
  '',
].join('\n');
fs.writeFileSync(path.join(dir, 'areas.md'), md);
console.log(md);
