// Shapes and Markdown rendering of the companion benchmark report.
import { provenanceMarkdown, type Provenance } from '../lib/provenance.ts';

export interface EngineRun {
  mode: string;
  threads: number;
  sortedInput: boolean;
  pings: number;
  people: number;
  cases: number;
  readMs: number;
  casesMs: number;
  poolStartMs: number;
  runs: Array<{
    ms: number;
    cpuMs: number;
    indexMs: number;
    prepareMs?: number;
    rangeMs: number[];
    pairs: number;
  }>;
  maxRssMB: number;
  loadAvg: number;
}

export interface SliceRun {
  k: number;
  pings: number;
  engineMs: number;
  enginePairs: number;
  postgis: {
    loadMs: number;
    presenceMs: number;
    indexMs: number;
    joinMs: number;
    totalMs: number;
    pairs: number;
  };
  onlyEngine: string[];
  onlyPostgis: string[];
  agree: boolean;
}

export interface BenchReport {
  /** absent in reports written before provenance was recorded */
  provenance?: Provenance;
  date: string;
  machine: { cpus: number; cpu: string; memGB: number; node: string };
  data: {
    people: number;
    pingsPerDay: number;
    cases: number;
    seed: number;
    binPath: string;
    genMs: number | null;
  };
  engine: EngineRun[];
  slices: SliceRun[];
  /** Set when the slices were kept from an earlier report (this run had --skip-postgis). */
  slicesFrom?: { date: string; commit: string };
  commit: string;
}

const s = (ms: number): string => (ms / 1000).toFixed(2);
const warmRun = (r: EngineRun): EngineRun['runs'][number] =>
  r.runs.slice(1).reduce((a, b) => (b.ms < a.ms ? b : a));
const warm = (r: EngineRun): number => warmRun(r).ms;

/** PostGIS query time (presence + index + join, not the COPY) scaled linearly to the full day. */
export const scaledPostgisMs = (x: SliceRun): number =>
  (x.postgis.presenceMs + x.postgis.indexMs + x.postgis.joinMs) * x.k;

export function renderReport(r: BenchReport): string {
  const out: string[] = [];
  out.push('# Companion engine benchmark (时空伴随)', '');
  if (r.provenance) out.push(provenanceMarkdown(r.provenance));
  else
    out.push(
      `Run ${r.date} at commit ${r.commit} on ${r.machine.cpus} × ${r.machine.cpu}, ${r.machine.memGB.toFixed(0)} GB, Node ${r.machine.node}.`,
    );
  out.push(
    `Data: ${r.data.people.toLocaleString('en')} people, ` +
      `${r.data.pingsPerDay.toLocaleString('en')} pings, ${r.data.cases} cases (hc gen pings, seed ${r.data.seed})` +
      (r.data.genMs !== null ? `, generated in ${s(r.data.genMs)} s.` : ', reused from an earlier run.'),
    '',
  );
  out.push('## Engine on the full city-day', '');
  out.push(
    '"cold" is the first run in a fresh process (it page-faults its working memory in); "warm" is the best of the next two runs on the same warm pool, as a resident worker would run. Read = HCPINGS1 file into shared memory. Pool start (thread spawn + tsx) is excluded.',
    '',
  );
  out.push(
    'Input "time" = rows in time order within blocks of 4 096 people, as a carrier export arrives (the engine counting-sorts by person); "person" = the same rows grouped by person, as `hc companions convert` writes them (flag bit 0, the sort is skipped). CPU s = user + system time of all threads.',
    '',
  );
  out.push(
    '| mode | input | threads | read s | cold s | warm s | warm CPU s | warm pings/s | pairs | peak RSS MB | load avg |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const e of r.engine) {
    const w = warmRun(e);
    out.push(
      `| ${e.mode} | ${e.sortedInput ? 'person' : 'time'} | ${e.threads} | ${s(e.readMs)} | ${s(e.runs[0]!.ms)} | ${s(w.ms)} | ${s(w.cpuMs)} | ` +
        `${(e.pings / (w.ms / 1000) / 1e6).toFixed(1)} M | ${e.runs[0]!.pairs.toLocaleString('en')} | ${e.maxRssMB.toFixed(0)} | ${e.loadAvg.toFixed(2)} |`,
    );
  }
  out.push(
    '',
    'Load avg is the 1-minute load of the machine, shared with other work, when the run ended; above 2 the figures are pessimistic.',
    '',
  );
  if (r.slices.length > 0) {
    const radius2 = r.engine.find((e) => e.mode === 'radius' && e.threads === 2 && !e.sortedInput);
    out.push('## PostGIS baseline (radius mode, ST_DWithin on geography)', '');
    if (r.slicesFrom) {
      out.push(
        `The slice columns (pings, engine and PostGIS on the slices, agreement) are kept from an earlier run on the same data (${r.slicesFrom.date} at commit ${r.slicesFrom.commit}); this run used \`--skip-postgis\`. The full-day engine columns on the right and the ratios use this run's figures.`,
        '',
      );
    }
    out.push(
      'Slices keep every k-th person and all cases, so their pairs are exactly the full-day pairs of the sampled persons; both sides run on the slice and are compared pair for pair (person, case, seconds, first_ts, last_ts). PostGIS time = presence (window LEAD) + GiST index + join; the COPY load is excluded. The full-day estimate scales it linearly by k, which favours PostGIS (index build and the join grow at least linearly).',
      '',
    );
    out.push(
      '| slice | pings | engine s (1 thread) | PostGIS s | PostGIS join s | pairs | agree | PostGIS full-day estimate s | engine full-day s (2 threads warm / cold) | ratio warm / cold |',
    );
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const x of r.slices) {
      const est = scaledPostgisMs(x);
      const w = radius2 ? warm(radius2) : NaN;
      const c = radius2 ? radius2.runs[0]!.ms : NaN;
      out.push(
        `| 1/${x.k} | ${x.pings.toLocaleString('en')} | ${s(x.engineMs)} | ${s(x.postgis.presenceMs + x.postgis.indexMs + x.postgis.joinMs)} | ${s(x.postgis.joinMs)} | ` +
          `${x.enginePairs.toLocaleString('en')} / ${x.postgis.pairs.toLocaleString('en')} | ${x.agree ? 'yes' : 'NO'} | ${s(est)} | ${s(w)} / ${s(c)} | ${(est / w).toFixed(0)}× / ${(est / c).toFixed(0)}× |`,
      );
      if (!x.agree)
        out.push(
          '',
          `Differences (first 5): engine only ${JSON.stringify(x.onlyEngine)}, PostGIS only ${JSON.stringify(x.onlyPostgis)}`,
          '',
        );
    }
    out.push('');
  }
  return out.join('\n') + '\n';
}
