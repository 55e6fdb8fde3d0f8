// Companion engine benchmark: one generated city-day (8 M people, 30 M pings, 1 000 cases), both
// modes on 2 threads (and 1), then a PostGIS baseline on person slices, checked pair for pair
// against the engine, with the honest linear scale-up. Writes bench/results/companions.{md,json}.
//   node --import tsx bench/companions/run.ts [--people N --pings M --slices 100,50 --skip-postgis]
//     [--modes radius,grid] [--inputs time,person] [--threads 2,1]   (--help)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { loadavg, cpus, totalmem } from 'node:os';
import { genPings } from '../../src/cli/commands/gen-pings.command.ts';
import { loadCases, loadPingBin } from '../../src/adapters/companion/ping-files.ts';
import { findCompanions } from '../../src/geo/companion-engine.ts';
import { postgisCompanions } from './postgis.ts';
import { renderReport, type BenchReport, type EngineRun, type SliceRun } from './report.ts';
import { finishProvenance, startProvenance } from '../lib/provenance.ts';

const PROVENANCE = startProvenance();

if (process.argv.includes('--help')) {
  process.stdout.write(
    `node --import tsx bench/companions/run.ts [options]
  --people N --pings M --cases C --seed S   city-day to generate or reuse (default 8000000, 30000000, 1000, 1)
  --dir D                                   data cache (default /tmp/hc-companions)
  --modes radius,grid                       engine modes to run (default both)
  --inputs time,person                      row orders to run (default both)
  --threads 2,1                             thread counts to run (default: 2 on both inputs, 1 on time-ordered)
  --skip-postgis                            no PostGIS baseline
  --slices 100,50                           PostGIS slices (every k-th person)
Each engine configuration runs in its own process: read, one cold run, two warm runs. The report
(bench/results/companions.{md,json}) holds the configurations that were run.
`,
  );
  process.exit(0);
}

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const people = Number(arg('people', '8000000'));
const pingsPerDay = Number(arg('pings', '30000000'));
const caseCount = Number(arg('cases', '1000'));
const seed = Number(arg('seed', '1'));
const slices = arg('slices', '100,50').split(',').map(Number);
const dir = arg('dir', '/tmp/hc-companions');
mkdirSync(dir, { recursive: true });
const base = `${dir}/city-${people / 1e6}m-${pingsPerDay / 1e6}m-s${seed}`;
const binPath = `${base}.bin`;
const casesPath = `${base}.cases.csv`;

let genMs: number | null = null;
if (!existsSync(binPath) || !existsSync(casesPath)) {
  const t = performance.now();
  await genPings({
    people,
    pings: pingsPerDay,
    seed,
    out: binPath,
    format: 'bin',
    days: 1,
    startDate: '2022-01-10',
    cases: caseCount,
    casesOut: casesPath,
    progress: process.stderr.isTTY,
  });
  genMs = performance.now() - t;
}

// The same city-day written grouped by person (what `hc companions convert` produces).
const sortedPath = `${base}-byperson.bin`;
if (!existsSync(sortedPath)) {
  await genPings({
    people,
    pings: pingsPerDay,
    seed,
    out: sortedPath,
    format: 'bin',
    days: 1,
    startDate: '2022-01-10',
    byPerson: true,
    progress: process.stderr.isTTY,
  });
}

const engine: EngineRun[] = [];
const modes = arg('modes', 'radius,grid').split(',');
const inputs = arg('inputs', 'time,person').split(',');
const threadCounts = arg('threads', '2,1').split(',').map(Number);
const configs = (
  [
    [binPath, 'radius', 2],
    [binPath, 'grid', 2],
    [sortedPath, 'radius', 2],
    [sortedPath, 'grid', 2],
    [binPath, 'radius', 1],
    [binPath, 'grid', 1],
  ] as const
).filter(
  ([file, mode, threads]) =>
    modes.includes(mode) &&
    inputs.includes(file === binPath ? 'time' : 'person') &&
    threadCounts.includes(threads),
);
for (const [file, mode, threads] of configs) {
  process.stderr.write(`engine ${file} ${mode}, ${threads} thread(s), load ${loadavg()[0]!.toFixed(2)}…\n`);
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'bench/companions/engine-run.ts', file, casesPath, mode, String(threads)],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  engine.push({ ...(JSON.parse(out.trim().split('\n').pop()!) as EngineRun), loadAvg: loadavg()[0]! });
}

const sliceRuns: SliceRun[] = [];
if (!process.argv.includes('--skip-postgis')) {
  const table = loadPingBin(binPath);
  const cases = [...table.lookup(await loadCases(casesPath, () => {})).values()];
  const caseSet = new Set(cases);
  const cols = table.columns;
  for (const k of slices) {
    // Every k-th person plus all cases: a pair depends only on its person's and its case's pings,
    // so the slice's pairs are exactly the full run's pairs of the sampled persons.
    const rows: number[] = [];
    for (let i = 0; i < cols.person.length; i++) {
      const p = cols.person[i]!;
      if (p % k === 0 || caseSet.has(p)) rows.push(i);
    }
    const pick = <T extends Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(rows.length);
      rows.forEach((i, j) => (b[j] = a[i]!));
      return b;
    };
    const slice = {
      person: pick(cols.person, (n) => new Uint32Array(n)),
      ts: pick(cols.ts, (n) => new Uint32Array(n)),
      lat: pick(cols.lat, (n) => new Float64Array(n)),
      lon: pick(cols.lon, (n) => new Float64Array(n)),
      personCount: cols.personCount,
    };
    process.stderr.write(`slice 1/${k}: ${rows.length} pings, engine…\n`);
    let t = performance.now();
    const mine = findCompanions(slice, cases, { mode: 'radius' });
    const engineMs = performance.now() - t;
    const minePairs: string[] = [];
    for (let i = 0; i < mine.count; i++) {
      minePairs.push(
        `${mine.person[i]},${mine.caseId[i]},${mine.seconds[i]},${mine.firstTs[i]},${mine.lastTs[i]}`,
      );
    }
    minePairs.sort();
    process.stderr.write(`slice 1/${k}: PostGIS…\n`);
    t = performance.now();
    const pgRes = await postgisCompanions(slice, Uint32Array.from(rows.keys()), cases, {
      radiusM: 800,
      gapS: 1800,
      minSeconds: 600,
    });
    const totalMs = performance.now() - t;
    const theirs = new Set(pgRes.pairs);
    const ours = new Set(minePairs);
    sliceRuns.push({
      k,
      pings: rows.length,
      engineMs,
      postgis: { ...pgRes, pairs: pgRes.pairs.length, totalMs },
      enginePairs: minePairs.length,
      onlyEngine: minePairs.filter((x) => !theirs.has(x)).slice(0, 5),
      onlyPostgis: pgRes.pairs.filter((x) => !ours.has(x)).slice(0, 5),
      agree: minePairs.length === pgRes.pairs.length && minePairs.every((x) => theirs.has(x)),
    });
  }
}

// With --skip-postgis, keep the PostGIS slices of the last report on the same data (the ratios
// are recomputed against this run's engine figures).
let slicesFrom: BenchReport['slicesFrom'];
if (sliceRuns.length === 0 && existsSync('bench/results/companions.json')) {
  const last = JSON.parse(readFileSync('bench/results/companions.json', 'utf8')) as BenchReport;
  const same =
    last.data.people === people &&
    last.data.pingsPerDay === pingsPerDay &&
    last.data.cases === caseCount &&
    last.data.seed === seed;
  if (same && last.slices.length > 0) {
    sliceRuns.push(...last.slices);
    slicesFrom = last.slicesFrom ?? { date: last.date, commit: last.commit };
  }
}

const report: BenchReport = {
  provenance: finishProvenance(PROVENANCE),
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? '',
    memGB: totalmem() / 2 ** 30,
    node: process.version,
  },
  data: { people, pingsPerDay, cases: caseCount, seed, binPath, genMs },
  engine,
  slices: sliceRuns,
  ...(slicesFrom ? { slicesFrom } : {}),
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/companions.json', JSON.stringify(report, null, 2) + '\n');
writeFileSync('bench/results/companions.md', renderReport(report));
process.stdout.write(renderReport(report));
