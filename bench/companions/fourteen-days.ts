// 14-day feasibility: the same per-person density as the city-day (3.75 pings a day) over 14 days
// for a smaller population, run in separate processes to measure time and peak memory per ping,
// including the residence rule that only 14 days of history make meaningful.
//   node --import tsx bench/companions/fourteen-days.ts [--people 600000]
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { genPings } from '../../src/cli/commands/gen-pings.command.ts';
import { finishProvenance, startProvenance } from '../lib/provenance.ts';

const PROVENANCE = startProvenance();

const i = process.argv.indexOf('--people');
const people = i >= 0 ? Number(process.argv[i + 1]) : 600_000;
const perDay = Math.round(people * 3.75);
const dir = '/tmp/hc-companions';
mkdirSync(dir, { recursive: true });
const bin = `${dir}/city14-${people}.bin`;
const cases = `${dir}/city14-${people}.cases.csv`;
if (!existsSync(bin)) {
  await genPings({
    people,
    pings: perDay,
    seed: 2,
    out: bin,
    format: 'bin',
    days: 14,
    startDate: '2022-01-01',
    cases: Math.round(people / 8000),
    casesOut: cases,
    progress: false,
  });
}
const runs = [];
for (const [mode, rule] of [
  ['radius', ''],
  ['grid', ''],
  ['grid', 'residence'],
] as const) {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'bench/companions/engine-run.ts', bin, cases, mode, '2', rule],
    { encoding: 'utf8' },
  );
  runs.push({ ...JSON.parse(out.trim().split('\n').pop()!), loadAvg: loadavg()[0] });
}
const result = { provenance: finishProvenance(PROVENANCE), people, days: 14, pings: perDay * 14, runs };
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/companions-14d.json', JSON.stringify(result, null, 2) + '\n');
for (const r of runs) {
  const warm = Math.min(...r.runs.slice(1).map((x: { ms: number }) => x.ms));
  process.stdout.write(
    `${r.mode}${r.residence ? ' + residence' : ''}: ${r.pings} pings over 14 days, read ${(r.readMs / 1000).toFixed(2)} s, cold ${(r.runs[0].ms / 1000).toFixed(2)} s, warm ${(warm / 1000).toFixed(2)} s, ` +
      `${r.runs[0].pairs} pairs, peak RSS ${r.maxRssMB.toFixed(0)} MB = ${((r.maxRssMB * 2 ** 20) / r.pings).toFixed(1)} B/ping, load ${r.loadAvg.toFixed(1)}\n`,
  );
}
