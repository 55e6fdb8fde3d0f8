// One engine measurement in its own process (so peak RSS belongs to one mode): load the HCPINGS1
// file, start a warm 2-thread pool, run cold once and warm twice; print one JSON line.
import { loadCases, loadPingBin } from '../../src/adapters/companion/ping-files.ts';
import { EnginePool } from '../../src/adapters/companion/engine-pool.ts';
import type { CompanionMode } from '../../src/geo/companion-types.ts';

const [pingsPath, casesPath, mode, threadsArg, rule] = process.argv.slice(2);
const residence = rule === 'residence';
if (!pingsPath || !casesPath || (mode !== 'radius' && mode !== 'grid')) {
  throw new Error('usage: engine-run.ts <pings.bin> <cases.csv> radius|grid [threads] [residence]');
}
const threads = Number(threadsArg ?? 2);
let t = performance.now();
const table = loadPingBin(pingsPath);
const readMs = performance.now() - t;
t = performance.now();
const cases = [...table.lookup(await loadCases(casesPath, () => {})).values()];
const casesMs = performance.now() - t;
t = performance.now();
const pool = await EnginePool.start(threads);
const poolStartMs = performance.now() - t;
const runs: Array<{
  ms: number;
  cpuMs: number;
  indexMs: number;
  prepareMs?: number;
  rangeMs: number[];
  pairs: number;
}> = [];
for (let i = 0; i < 3; i++) {
  t = performance.now();
  const cpu = process.cpuUsage();
  const r = await pool.run(table.columns, cases, {
    mode: mode as CompanionMode,
    ...(residence ? { residence: true } : {}),
  });
  const used = process.cpuUsage(cpu);
  runs.push({
    ms: performance.now() - t,
    cpuMs: (used.user + used.system) / 1000,
    indexMs: r.indexMs,
    ...(r.prepareMs !== undefined ? { prepareMs: r.prepareMs } : {}),
    rangeMs: r.rangeMs,
    pairs: r.count,
  });
}
await pool.close();
process.stdout.write(
  JSON.stringify({
    mode,
    residence,
    threads,
    sortedInput: table.columns.sortedByPerson === true,
    pings: table.columns.person.length,
    people: table.columns.personCount,
    cases: cases.length,
    readMs,
    casesMs,
    poolStartMs,
    runs,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }) + '\n',
);
