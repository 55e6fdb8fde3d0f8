import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import {
  CITY_BLOCK,
  blockPings,
  chooseCases,
  cityPersonId,
  generateCityBlock,
  type CityOptions,
} from '../../geo/city-model.ts';
import { findCompanions } from '../../geo/companion-engine.ts';
import { pairsToArray, type CompanionParams, type PingColumns } from '../../geo/companion-types.ts';
import { startCompanionWorker } from './companion-worker.ts';
import { publishCompanionDay } from './companion-feeder.ts';
import {
  deleteCompanionStreams,
  ensureCompanionStreams,
  feedRecord,
  streams,
  topology,
  type CompanionFeedRecord,
} from './companion-streams.ts';

function city(people: number, pings: number, seed: number): PingColumns {
  const o: CityOptions = { people, pingsPerDay: pings, seed, days: 1, startTs: 1641744000 };
  const cols = { person: [] as number[], ts: [] as number[], lat: [] as number[], lon: [] as number[] };
  for (let b = 0; b * CITY_BLOCK < people; b++) {
    const n = blockPings(o, b);
    const out = {
      count: 0,
      person: new Uint32Array(n),
      ts: new Uint32Array(n),
      lat: new Float64Array(n),
      lon: new Float64Array(n),
    };
    generateCityBlock(o, b, 0, out);
    cols.person.push(...out.person);
    cols.ts.push(...out.ts);
    cols.lat.push(...out.lat);
    cols.lon.push(...out.lon);
  }
  return {
    person: Uint32Array.from(cols.person),
    ts: Uint32Array.from(cols.ts),
    lat: Float64Array.from(cols.lat),
    lon: Float64Array.from(cols.lon),
    personCount: people,
  };
}

const sortRecords = (r: CompanionFeedRecord[]): CompanionFeedRecord[] =>
  [...r].sort((a, b) => (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0));

describe.skipIf(!process.env.HC_TEST_SERVICES)('companion workers on NATS JetStream', () => {
  const run = `hct${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const t = topology({ subjectPrefix: `${run}.`, streamPrefix: `${run}_`, durable: `${run}-workers` });
  let nc: NatsConnection;
  const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

  beforeAll(async () => {
    nc = await connect({ servers: url });
    await ensureCompanionStreams(await nc.jetstreamManager(), t);
  });
  afterAll(async () => {
    if (!nc) return;
    await deleteCompanionStreams(await nc.jetstreamManager(), t);
    await nc.drain();
  });

  it('two workers over many tiles publish exactly what one process computes, in both modes', async () => {
    const pings = city(6000, 24000, 11);
    const ids = { count: 6000, get: (i: number) => cityPersonId(i, 11) };
    const cases = chooseCases(6000, 25, 11);
    const modes: Array<[string, CompanionParams]> = [
      ['20220110', { mode: 'radius', radiusM: 800 }],
      ['20220111', { mode: 'grid', cellM: 800 }],
    ];
    const expected: CompanionFeedRecord[] = [];
    for (const [day, params] of modes) {
      for (const p of pairsToArray(findCompanions(pings, cases, params))) {
        expected.push(feedRecord(day, ids.get(p.person), ids.get(p.caseId), p.seconds, p.firstTs, p.lastTs)!);
      }
    }
    expect(expected.length).toBeGreaterThan(50);

    const js = nc.jetstream();
    let jobs = 0;
    for (const [day, params] of modes) {
      jobs += (
        await publishCompanionDay(js, t, day, { columns: pings, ids }, cases, params, {
          batchPings: 900,
          tileDeg: 0.04,
        })
      ).length;
    }
    expect(jobs).toBeGreaterThan(10);
    const done: number[] = [0, 0];
    const workers = await Promise.all(
      [0, 1].map((w) => startCompanionWorker({ natsUrl: url, topology: t, onJob: () => void done[w]!++ })),
    );
    await expect.poll(() => done[0]! + done[1]!, { timeout: 90_000, interval: 100 }).toBe(jobs);
    await Promise.all(workers.map((w) => w.stop()));
    expect(done[0]! + done[1]!).toBe(jobs);

    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(streams.feed(t));
    const got: CompanionFeedRecord[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(streams.feed(t), { seq });
      got.push(JSON.parse(new TextDecoder().decode(m.data)) as CompanionFeedRecord);
    }
    expect(sortRecords(got)).toEqual(sortRecords(expected));
    // 13 s on a quiet machine; CPU-bound, so several times that beside another test run
  }, 600_000);
});
