/**
 * Ingestion benchmark (issue 3) on PostgreSQL: carrier pings loaded per second with COPY (target
 * ≥ 300 000/s), key-population rows per second including the recompute of every listed person
 * (target ≥ 20 000/s), and fact → colour latency through the recompute worker (p99 ≤ 1 s).
 *
 *   node --import tsx bench/ingest/run.ts [--persons 100000] [--pings 3000000] [--kp 100000] [--kp-realistic <kp>] [--facts 1000]
 *
 * The key-population figure comes in two workloads: the best case (part 3: one new fact per
 * person, nobody with earlier facts) and a realistic one (part 3b: persons with earlier facts,
 * overlapping lists, releases and changes mixed with new entries).
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) names the server; the bench makes
 * its own fresh database there and drops it afterwards. Results: bench/results/ingest.{json,md}.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NatsBus } from '../../src/adapters/bus/nats-bus.ts';
import { localFeedFiles } from '../../src/adapters/feeds/feed-files.ts';
import { Colour5 } from '../../src/domain/colour.ts';
import type { HotStatus } from '../../src/domain/hot-status.ts';
import type { EventBus } from '../../src/ports/event-bus.port.ts';
import type { AppContext } from '../../src/roles/context.ts';
import type { IngestService } from '../../src/services/feeds/ingest.service.ts';
import { importFile as importFeedFile } from '../../src/services/feeds/import.service.ts';
import type { FeedName } from '../../src/services/feeds/feed-types.ts';
import { FactService } from '../../src/services/fact.service.ts';
import { RecomputeWorker } from '../../src/services/recompute.worker.ts';
import { admin, docOf, openBenchContext } from './common.ts';
import { createIngestService } from '../../src/roles/feeds.feature.ts';
import { finishProvenance, startProvenance } from '../lib/provenance.ts';

const PROVENANCE = startProvenance();

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    'usage: node --import tsx bench/ingest/run.ts [--persons 100000] [--pings 3000000] [--kp 100000] [--kp-realistic <kp>] [--facts 1000]\n' +
      '  a count of 0 skips that part; DATABASE_URL names the server (a fresh database is made and dropped);\n' +
      '  HC_BENCH_NO_WRITE=1 keeps bench/results/ingest.json unchanged.\n',
  );
  process.exit(0);
}

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  // A count is required: a bare `--kp-realistic` read as NaN and skipped the part it names.
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    process.stderr.write(`--${name} 需要一个非负整数 / needs a count (a whole number ≥ 0)\n`);
    process.exit(2);
  }
  return v;
};
const PERSONS = arg('persons', 100_000);
const PINGS = arg('pings', 3_000_000);
const KP = arg('kp', 100_000);
const FACTS = arg('facts', 1000);
/** rows of the realistic key-population workload (0 skips it); see part 3b */
const KP_REAL = arg('kp-realistic', KP);
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const ROOT = path.resolve(import.meta.dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-bench-ingest-'));
const log = (s: string) => process.stderr.write(s + '\n');

const phoneOf = (i: number) => String(13000000000 + i);

async function importFile(ingest: IngestService, feed: FeedName, file: string, stays = false) {
  const t0 = performance.now();
  const s = await importFeedFile(ingest, localFeedFiles, feed, file, 'csv', { stays });
  const secs = (performance.now() - t0) / 1000;
  return { ...s, seconds: secs };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function factToColour(
  ctx: AppContext,
  bus: EventBus,
  label: string,
  firstPerson: number,
): Promise<Record<string, number>> {
  const worker = new RecomputeWorker(bus, ctx.statuses, ctx.log, { reviewIntervalMs: 60_000 });
  await worker.start();
  // Facts announced on the bus under test, so the worker on that bus picks them up.
  const api = createIngestService(
    { ...ctx, facts: new FactService(ctx.repos.facts, bus, ctx.clock) },
    { followUp: 'announce' },
  );
  const lat: number[] = [];
  // The moment a red status for a person reaches the hot-status cache (what GET /v1/me/code
  // reads) is observed on the cache itself, so measuring adds no polling load.
  const waiting = new Map<number, () => void>();
  const cache = ctx.cache as { setMany: (e: ReadonlyArray<readonly [number, HotStatus]>) => Promise<void> };
  const setMany = cache.setMany.bind(cache);
  cache.setMany = async (entries) => {
    await setMany(entries);
    for (const [id, h] of entries) if (h.colour5 === Colour5.red) waiting.get(id)?.();
  };
  const ids = new Map<number, number>();
  for (let k = 0; k < FACTS; k++)
    ids.set(k, (await ctx.residents.findByDocument(10, docOf(firstPerson + k))) as number);
  // Facts arrive at ~200/s, each for a green resident, as a department's API pushes them.
  const pending: Array<Promise<void>> = [];
  for (let k = 0; k < FACTS; k++) {
    const i = firstPerson + k;
    const id = ids.get(k) as number;
    pending.push(
      (async () => {
        const seen = new Promise<void>((r) => waiting.set(id, r));
        const t0 = performance.now();
        await api.one('key-population', {
          source_id: `lat-${label}-${i}`,
          doc_type: 10,
          doc_number: docOf(i),
          category: 'close_contact',
          list: `bench ${label}`,
        });
        await seen;
        lat.push(performance.now() - t0);
      })(),
    );
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(pending);
  cache.setMany = setMany;
  await worker.stop();
  lat.sort((a, b) => a - b);
  return {
    n: lat.length,
    p50_ms: +pct(lat, 50).toFixed(1),
    p95_ms: +pct(lat, 95).toFixed(1),
    p99_ms: +pct(lat, 99).toFixed(1),
    max_ms: +(lat[lat.length - 1] ?? 0).toFixed(1),
  };
}

async function main(): Promise<void> {
  const name = `hc_bench_ingest_${crypto.randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const { db, ctx } = await openBenchContext(name, crypto.randomBytes(32));
  const results: Record<string, unknown> = {
    provenance: PROVENANCE,
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      loadavg: os.loadavg().map((x) => +x.toFixed(1)),
    },
    postgres: (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v,
    params: { persons: PERSONS, pings: PINGS, keyPopulation: KP, facts: FACTS },
  };
  try {
    const ingest = createIngestService(ctx, { followUp: 'recompute' });
    // 1. Registry: persons with phones (what pings and lists refer to).
    const pf = path.join(tmp, 'persons.csv');
    const w = fs.createWriteStream(pf);
    w.write('source_id,doc_type,doc_number,name,sex,birth_date,phone,region_code,address\n');
    for (let i = 0; i < PERSONS; i++) w.write(`p-${i},10,${docOf(i)},居民${i},,,${phoneOf(i)},520102,\n`);
    await new Promise<void>((r) => w.end(r));
    log(`persons: importing ${PERSONS}…`);
    const persons = await importFile(ingest, 'persons', pf);
    results.persons = {
      rows: persons.accepted,
      seconds: +persons.seconds.toFixed(2),
      rowsPerSecond: Math.round(persons.accepted / persons.seconds),
    };
    log(`persons: ${JSON.stringify(results.persons)}`);

    // 2. Pings: one day, every person pinging through it, loaded with COPY.
    if (PINGS > 0) {
      const day = new Date(Date.now() - 86400_000).toISOString().slice(0, 10);
      const t0 = Date.parse(`${day}T00:00:00Z`);
      const kf = path.join(tmp, 'pings.csv');
      const pw = fs.createWriteStream(kf);
      pw.write('phone,ts,lat,lon,accuracy_m\n');
      let buf = '';
      for (let k = 0; k < PINGS; k++) {
        const i = k % PERSONS;
        const ts = t0 + Math.floor(k / PERSONS) * 600_000 + (i % 600) * 1000;
        buf += `${phoneOf(i)},${new Date(ts).toISOString()},${(26.5 + (i % 1000) / 5000).toFixed(5)},${(106.6 + (i % 997) / 5000).toFixed(5)},30\n`;
        if (buf.length > 1 << 20) {
          if (!pw.write(buf)) await new Promise<void>((r) => pw.once('drain', () => r()));
          buf = '';
        }
      }
      pw.write(buf);
      await new Promise<void>((r) => pw.end(r));
      log(`pings: importing ${PINGS} from ${(fs.statSync(kf).size / 2 ** 20).toFixed(0)} MiB…`);
      const pings = await importFile(ingest, 'pings', kf);
      results.pings = {
        rows: pings.accepted,
        rejected: pings.rejected,
        seconds: +pings.seconds.toFixed(2),
        rowsPerSecond: Math.round(pings.accepted / pings.seconds),
        target: 300_000,
      };
      log(`pings: ${JSON.stringify(results.pings)}`);
      const again = await importFile(ingest, 'pings', kf);
      results.pingsReimport = {
        duplicates: again.duplicates,
        accepted: again.accepted,
        seconds: +again.seconds.toFixed(2),
      };
      const st = performance.now();
      const stays = await ingest.condense(
        new Map([
          [
            Math.floor(t0 / 86400_000),
            new Set(Array.from({ length: Math.min(PERSONS, 20_000) }, (_, i) => i + 1)),
          ],
        ]),
      );
      results.stays = {
        persons: Math.min(PERSONS, 20_000),
        stays,
        seconds: +((performance.now() - st) / 1000).toFixed(2),
      };
      log(`stays: ${JSON.stringify(results.stays)}`);
    }

    // 3. Key populations: close and secondary contacts, each row recomputed before the next block.
    const lf = path.join(tmp, 'kp.csv');
    const lw = fs.createWriteStream(lf);
    lw.write('source_id,doc_type,doc_number,category,list,event_time\n');
    const kpRows = Math.min(KP, PERSONS - FACTS * 2);
    for (let i = 0; i < kpRows; i++)
      lw.write(
        `kp-${i},10,${docOf(i)},${i % 3 ? 'secondary_contact' : 'close_contact'},bench list ${i % 10},${new Date(Date.now() - 3600_000).toISOString()}\n`,
      );
    await new Promise<void>((r) => lw.end(r));
    log(`key population: importing ${kpRows}…`);
    const kp = await importFile(ingest, 'key-population', lf);
    const colours = await db.query<{ colour5: number; n: number }>(
      'SELECT colour5, count(*)::int AS n FROM statuses GROUP BY 1 ORDER BY 1',
    );
    results.keyPopulation = {
      rows: kp.accepted,
      seconds: +kp.seconds.toFixed(2),
      rowsPerSecondIncludingRecompute: Math.round(kp.accepted / kp.seconds),
      target: 20_000,
      coloursAfter: Object.fromEntries(colours.rows.map((r) => [r.colour5, r.n])),
      tasksOpened: (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM response_tasks')).rows[0]
        ?.n,
    };
    log(`key population: ${JSON.stringify(results.keyPopulation)}`);

    // 3b. The realistic workload: a day's lists arriving for persons who already have history.
    if (KP_REAL > 0 && kpRows > 0) {
      const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
      // History (not timed): two older lists for the persons of part 3, so most rows below meet
      // persons with three earlier facts, as on day 10 of an outbreak.
      const hf = path.join(tmp, 'kp-history.csv');
      const hw = fs.createWriteStream(hf);
      hw.write('source_id,doc_type,doc_number,category,list,event_time\n');
      for (let i = 0; i < kpRows; i++) {
        hw.write(`hist-a-${i},10,${docOf(i)},secondary_contact,older list A ${i % 7},${hoursAgo(9 * 24)}\n`);
        if (i % 2 === 0)
          hw.write(`hist-b-${i},10,${docOf(i)},close_contact,older list B ${i % 5},${hoursAgo(5 * 24)}\n`);
      }
      await new Promise<void>((r) => hw.end(r));
      log(`key population (realistic): history for ${kpRows} persons…`);
      await importFile(ingest, 'key-population', hf);
      // The timed day: per five rows, a release of an earlier entry, an entry in a second list for a
      // person already listed, the same person again in a third list (overlap within the file), a
      // change of tier for a listed person, and a person with no earlier facts where some remain.
      const fresh0 = kpRows;
      const freshEnd = PERSONS - FACTS * 2;
      let fresh = fresh0;
      const mix = { release: 0, secondList: 0, overlap: 0, change: 0, newPerson: 0 };
      const rf = path.join(tmp, 'kp-realistic.csv');
      const rw = fs.createWriteStream(rf);
      rw.write('source_id,doc_type,doc_number,category,list,event_time,action,tier\n');
      for (let i = 0; i < KP_REAL; i++) {
        const j = (i * 7919) % kpRows; // spread over the listed persons
        const at = hoursAgo(2);
        switch (i % 5) {
          case 0:
            rw.write(`real-${i},10,${docOf(j)},secondary_contact,release ${i % 10},${at},release,\n`);
            mix.release++;
            break;
          case 1:
          case 2:
            rw.write(`real-${i},10,${docOf(j)},close_contact,day list ${i % 5},${at},enter,\n`);
            if (i % 5 === 1) mix.secondList++;
            else mix.overlap++;
            break;
          case 3:
            rw.write(`real-${i},10,${docOf(j)},secondary_contact,day list 3,${at},change,high\n`);
            mix.change++;
            break;
          default:
            if (fresh < freshEnd) {
              rw.write(`real-${i},10,${docOf(fresh++)},close_contact,day list 4,${at},enter,\n`);
              mix.newPerson++;
            } else {
              rw.write(`real-${i},10,${docOf(j)},close_contact,day list 4,${at},enter,\n`);
              mix.secondList++;
            }
        }
      }
      await new Promise<void>((r) => rw.end(r));
      log(`key population (realistic): importing ${KP_REAL}…`);
      const real = await importFile(ingest, 'key-population', rf);
      const coloursReal = await db.query<{ colour5: number; n: number }>(
        'SELECT colour5, count(*)::int AS n FROM statuses GROUP BY 1 ORDER BY 1',
      );
      const factsPerPerson = await db.query<{ avg: number }>(
        `SELECT avg(n)::float AS avg FROM (SELECT count(*) AS n FROM facts WHERE person_id IN
           (SELECT person_id FROM facts WHERE source_record_id LIKE 'real-%') GROUP BY person_id) x`,
      );
      results.keyPopulationRealistic = {
        rows: KP_REAL,
        accepted: real.accepted,
        rejected: real.rejected,
        seconds: +real.seconds.toFixed(2),
        rowsPerSecondIncludingRecompute: Math.round(real.accepted / real.seconds),
        target: 20_000,
        mix,
        factsPerListedPersonAfter: +(factsPerPerson.rows[0]?.avg ?? 0).toFixed(2),
        coloursAfter: Object.fromEntries(coloursReal.rows.map((r) => [r.colour5, r.n])),
      };
      log(`key population (realistic): ${JSON.stringify(results.keyPopulationRealistic)}`);
    }

    // 4. Fact → colour through the worker: in-process bus, then NATS JetStream.
    if (FACTS > 0) {
      results.factToColourMemoryBus = {
        ...(await factToColour(ctx, ctx.bus, 'mem', PERSONS - FACTS * 2)),
        target_p99_ms: 1000,
      };
      log(`fact→colour (in-process bus): ${JSON.stringify(results.factToColourMemoryBus)}`);
      try {
        const s = crypto.randomBytes(3).toString('hex');
        const nats = await NatsBus.connect({ url: NATS_URL, stream: `HCB_${s}`, prefix: `b${s}.` });
        results.factToColourNats = {
          ...(await factToColour(ctx, nats, 'nats', PERSONS - FACTS)),
          target_p99_ms: 1000,
        };
        await nats.destroy();
        await nats.close();
        log(`fact→colour (NATS JetStream): ${JSON.stringify(results.factToColourNats)}`);
      } catch (err) {
        results.factToColourNats = { skipped: `NATS unavailable: ${(err as Error).message}` };
      }
    }
  } finally {
    await ctx.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  results.provenance = finishProvenance(PROVENANCE);
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  if (process.env.HC_BENCH_NO_WRITE !== '1')
    fs.writeFileSync(path.join(ROOT, 'bench/results/ingest.json'), JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
}

await main();
