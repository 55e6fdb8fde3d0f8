/** bench/results/simulate.md from the runs in simulate.json (one section per run label). */
import type { SimulateReport } from '../../sim/simulate.ts';

export type SimulateRun = SimulateReport & {
  label: string;
  when: string;
  commit: string;
  command: string;
  target: string;
  machine: Record<string, unknown>;
  load: { before: string[]; after: string[] };
};

export function renderSimulateMarkdown(runs: Record<string, SimulateRun>): string {
  const out = [
    '# City simulation 城市模拟 (`hc simulate`)',
    '',
    'A synthetic city driven through the public interfaces only (registry feed, key-population lists',
    "with key occupations and their test interval, residents' declarations, tests through the testing",
    "service's collector and lab APIs, rail and flight trips through the trips feed, a carrier's pings, risk areas",
    "published and lifted, venues and residents' check-ins, a city with cases listed and ended,",
    "officers' corrections, a policy change) on an accelerated clock (HC_TEST_CLOCK); at each checkpoint",
    "every resident's `GET /v1/me/code` is verified offline (src/verifier) and compared with the reference",
    'evaluator written from docs/POLICY.md, docs/PLACES.md and docs/COMPANIONS.md (src/sim/reference-evaluator.ts,',
    'src/sim/reference-places.ts). Mismatches must be 0.',
    'A mismatch that is right within 10 s of waiting for the pipelines counts as "settled late", not as a mismatch.',
    "Latency: real time from the platform acknowledging a fact to the resident's code showing the expected colour.",
    '',
  ];
  for (const r of Object.values(runs)) {
    const o = r.options;
    out.push(
      `## ${r.label}`,
      '',
      `- target: ${r.target}`,
      `- command: \`${r.command}\``,
      `- commit ${r.commit}, ${r.when}; machine ${Object.values(r.machine).join(', ')}; load average before ${r.load.before.join(' ')}, after ${r.load.after.join(' ')} (a shared machine)`,
      `- ${o.residents.toLocaleString('en')} residents, ${o.days} simulated days in steps of ${o.stepMs / 3_600_000} h (${r.startSim} → ${r.endSim}), seed ${o.seed}; wall time ${r.wallSeconds} s`,
      `- submitted: ${Object.entries(r.submitted)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; rows the platform rejected: ${r.rejectedRows}`,
      ...(r.placesFacts
        ? [
            `- facts the places sources should have recorded (reference): ${
              Object.entries(r.placesFacts)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ') || 'none'
            }`,
          ]
        : []),
      `- **mismatches: ${r.mismatches}**`,
      '',
      '| checkpoint (day) | simulated time | codes read | mismatches | settled late | offline rejected | expected green / yellow / orange / red / purple | read s | codes/s |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const c of r.checkpoints)
      out.push(
        `| ${c.day} | ${c.simTime} | ${c.read} | ${c.mismatches} | ${c.settledLate} | ${c.offlineRejected} | ${Object.values(c.expected).join(' / ')} | ${c.readSeconds.toFixed(1)} | ${c.codesPerSecond} |`,
      );
    out.push(
      '',
      '| fact → visible colour | n | p50 ms | p95 ms | max ms | not visible in 30 s |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const [k, l] of Object.entries(r.latencyMs))
      out.push(`| ${k} | ${l.n} | ${l.p50} | ${l.p95} | ${l.max} | ${l.notVisibleIn30s} |`);
    const ex = r.checkpoints.flatMap((c) => c.examples.map((e) => ({ day: c.day, ...e })));
    if (ex.length)
      out.push(
        '',
        'Mismatch examples: ' +
          ex
            .slice(0, 10)
            .map((e) => `day ${e.day} resident #${e.resident} expected ${e.expected}, shown ${e.shown}`)
            .join('; '),
      );
    out.push('');
  }
  return out.join('\n');
}
