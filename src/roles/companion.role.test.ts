/**
 * The companion role end to end: pings and a case arrive through the feeds, the role runs the
 * case on its fact event (and the previous day on its schedule), its exact output goes through the
 * real key-population feed — the feed stream on NATS JetStream with HC_TEST_SERVICES=1 (the day run
 * then through the JetStream tile workers), the in-process bus embedded — and exactly the
 * residents who stayed with the case turn the policy's colour (orange, companion).
 */
import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NatsFeedStream } from '../adapters/feeds/nats-feed-stream.ts';
import { connect } from 'nats';
import { deleteCompanionStreams, topology } from '../adapters/companion/companion-streams.ts';
import { Colour5 } from '../domain/colour.ts';
import type { EventBus, Subscription } from '../ports/event-bus.port.ts';
import { consumeFeeds } from '../services/feeds/feeds.worker.ts';
import { dayStart } from '../services/companion/companion-days.ts';
import { createTestContext, NATS_URL, USE_SERVICES, type TestContext } from '../../test/context.ts';
import { createResident } from '../../test/factories.ts';
import { startCompanionRole, type CompanionRunning } from './companion.role.ts';
import { createIngestService } from './feeds.feature.ts';

const YESTERDAY = '2026-11-19';
const NOW = dayStart('2026-11-20') + 12 * 3_600_000; // 12:00 UTC+8 the next day
const at = (hh: number, mm: number): number => dayStart(YESTERDAY) + (hh * 60 + mm) * 60_000;
const PLACE = { lat: 26.58, lon: 106.71 }; // 贵阳, a square
const FAR = { lat: 26.6, lon: 106.71 }; // 2.2 km north

describe('companion role', () => {
  let ctx: TestContext;
  let feed: EventBus;
  let nats: NatsFeedStream | undefined;
  let subs: Subscription[] = [];
  let role: CompanionRunning | undefined;
  const run = `t${crypto.randomBytes(4).toString('hex')}`;
  const t = topology({ subjectPrefix: `${run}.`, streamPrefix: `${run}_`, durable: `${run}-workers` });

  beforeEach(async () => {
    ctx = await createTestContext({ at: NOW, config: USE_SERVICES ? { natsUrl: NATS_URL } : {} });
    if (USE_SERVICES) {
      nats = await NatsFeedStream.connect({ url: NATS_URL, stream: `FEEDS_${run}`, prefix: `${run}.` });
      feed = nats;
    } else feed = ctx.bus;
    // the worker role's consumer of the key-population feed
    subs = await consumeFeeds(feed, createIngestService(ctx, { followUp: 'recompute' }), ctx.log, [
      'key-population',
    ]);
  });
  afterEach(async () => {
    await role?.stop();
    role = undefined;
    for (const s of subs) await s.stop();
    if (nats) {
      const nc = await connect({ servers: NATS_URL });
      await deleteCompanionStreams(await nc.jetstreamManager(), t);
      await nc.drain();
      await nats.destroy();
      await nats.close();
    }
    await ctx.destroy();
  });

  /** Sends pings through the carrier feed: every 5 minutes from..to (inclusive) at one place. */
  async function pings(phone: string, from: number, to: number, place: { lat: number; lon: number }) {
    const ingest = createIngestService(ctx, { followUp: 'announce' });
    const rows = [];
    for (let ts = from; ts <= to; ts += 5 * 60_000)
      rows.push({ phone, ts: new Date(ts).toISOString(), lat: place.lat, lon: place.lon });
    const r = await ingest.ingestRecord('pings', { source_id: `p:${phone}:${from}`, pings: rows });
    expect(r.errors).toEqual([]);
  }

  async function caseArrives(phone: string, eventTime: number, id: string) {
    const ingest = createIngestService(ctx, { followUp: 'announce' });
    const r = await ingest.ingestRecord('key-population', {
      source_id: id,
      phone,
      category: 'case',
      list: 'health.cases',
      event_time: new Date(eventTime).toISOString(),
    });
    expect(r.errors).toEqual([]);
  }

  const colour = async (id: number) => (await ctx.repos.statuses.get(id))?.colour5 ?? Colour5.green;

  it('runs a new case against the recent days and turns its companions orange through the feed', async () => {
    const c = await createResident(ctx);
    const a = await createResident(ctx); // with the case 10:00–10:45
    const b = await createResident(ctx); // 5 minutes only
    const f = await createResident(ctx); // same time, 2.2 km away
    await pings(c.phone, at(10, 0), at(10, 40), PLACE);
    await pings(a.phone, at(10, 0), at(10, 40), PLACE);
    await pings(c.phone, at(10, 45), at(10, 45), { lat: 26.4, lon: 106.5 });
    await pings(a.phone, at(10, 45), at(10, 45), { lat: 26.7, lon: 106.9 });
    await pings(b.phone, at(10, 0), at(10, 0), PLACE);
    await pings(b.phone, at(10, 5), at(10, 5), FAR);
    await pings(f.phone, at(10, 0), at(10, 40), FAR);
    role = await startCompanionRole(ctx, { feed, topology: t, schedule: false });
    await caseArrives(c.phone, NOW - 3_600_000, 'case-1');

    await expect.poll(() => colour(a.id), { timeout: 20_000, interval: 100 }).toBe(Colour5.orange);
    const facts = await ctx.facts.forPerson(a.id);
    expect(facts.map((x) => [x.type, x.source, x.eventTime, x.data.seconds, x.data.caseRef])).toEqual([
      ['companion', 'key-population', at(10, 45), 2700, `p${c.id}`],
    ]);
    expect(facts[0]!.data.firstTs).toBe(at(10, 0));
    expect(await colour(b.id)).toBe(Colour5.green);
    expect(await colour(f.id)).toBe(Colour5.green);
    expect((await ctx.facts.forPerson(b.id)).length).toBe(0);
    // the run is recorded once: a second event for the same case runs nothing
    expect(await role.service.onFactsAdded([c.id])).toBe(0);
    const runs = await role.service.recentRuns();
    expect(runs.filter((r) => r.kind === 'case').map((r) => r.pairs)).toEqual([1]);
  });

  it('runs the previous day on schedule against that day’s cases (tile workers on NATS)', async () => {
    const c = await createResident(ctx);
    const a = await createResident(ctx);
    const f = await createResident(ctx);
    // the case became one yesterday morning; the day run sees its whole day
    await pings(c.phone, at(15, 0), at(15, 30), PLACE);
    await pings(a.phone, at(15, 0), at(15, 30), PLACE);
    await pings(f.phone, at(15, 0), at(15, 30), FAR);
    role = await startCompanionRole(ctx, { feed, topology: t, schedule: false });
    // written as another process would (`hc import` without a shared bus): no event, so only the
    // day run can find this case
    await ctx.repos.facts.insert(
      {
        personId: c.id,
        type: 'case',
        source: 'key-population',
        sourceRecordId: 'case-2',
        eventTime: at(8, 0),
        data: { kind: 'confirmed', list: 'health.cases' },
      },
      NOW,
    );
    const runs = await role.service.tick();
    // the day before had no case: nothing to do
    expect(runs.map((x) => [x.day, x.cases])).toEqual([
      ['2026-11-18', 0],
      [YESTERDAY, 1],
    ]);
    const r = runs[1];
    expect(r).toMatchObject({ day: YESTERDAY, ran: true, cases: 1, pings: 21 });
    if (USE_SERVICES) expect(r!.jobs).toBeGreaterThan(0);
    else expect(r!.records).toBe(1);
    await expect.poll(() => colour(a.id), { timeout: 30_000, interval: 100 }).toBe(Colour5.orange);
    // 15:00–15:30 together, then each last ping covers G = 30 min more in the same place
    const [fact] = await ctx.facts.forPerson(a.id);
    expect([fact?.eventTime, fact?.data.seconds]).toEqual([at(16, 0), 3600]);
    expect(await colour(f.id)).toBe(Colour5.green);
    // a second process's scheduler finds the day claimed
    expect(await role.service.runDay(YESTERDAY)).toMatchObject({ ran: false });
  });

  it('clamps a pair still going on at the run to the moment it ran', async () => {
    const c = await createResident(ctx);
    const a = await createResident(ctx);
    const today = (mm: number) => NOW - 30 * 60_000 + mm * 60_000;
    await pings(c.phone, today(0), today(25), PLACE);
    await pings(a.phone, today(0), today(25), PLACE);
    role = await startCompanionRole(ctx, { feed, topology: t, schedule: false });
    await caseArrives(c.phone, NOW - 60_000, 'case-3');
    await expect.poll(() => colour(a.id), { timeout: 20_000, interval: 100 }).toBe(Colour5.orange);
    // together since 11:30 and still at 12:00: the record ends at the run, not 30 min in the future
    const [fact] = await ctx.facts.forPerson(a.id);
    expect(fact?.eventTime).toBe(NOW);
  });
});
