/**
 * End to end: trips and co-travellers reach the colour (docs/PLACES.md §Trips). Records go in
 * through the feeds API, areas through the officer API; the colour comes out of GET /v1/me/code,
 * with the recompute and places workers running as in the worker role. Both adapters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../http/app.ts';
import { placesRoutes } from '../../http/routes/places.routes.ts';
import { Colour5 } from '../../domain/colour.ts';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { createResident } from '../../../test/factories.ts';
import { bearer, httpLogin } from '../../../test/e2e/http.ts';
import { startPlacesPipeline } from '../../../test/e2e/places-pipeline.ts';
import { feedRouteModule as feedRoutes } from '../../roles/feeds.feature.ts';

const H = 3_600_000;
const DAY = 24 * H;
const iso = (t: number) => new Date(t).toISOString();

describe('trips and co-travellers reach the colour', () => {
  let ctx: TestContext;
  let app: App;
  let stopPipeline: () => Promise<void>;
  let carrier: string;
  let peer: string;
  let officer: string;
  const now = Date.now();

  beforeAll(async () => {
    ctx = await createTestContext();
    ({ app, stop: stopPipeline } = await startPlacesPipeline(ctx, [feedRoutes, placesRoutes]));
    carrier = (await ctx.auth.addDevice('12306 rail', 'carrier')).apiKey;
    peer = (await ctx.auth.addDevice('卫健委 health commission', 'peer')).apiKey;
    await ctx.auth.addStaff('gy', 'pass-word-123', 'Guiyang officer', 'officer', '5201');
    officer = (await ctx.auth.staffLogin('gy', 'pass-word-123')).accessToken;
  });
  afterAll(async () => {
    await stopPipeline?.();
    await ctx?.destroy();
  });

  async function resident() {
    const p = await createResident(ctx);
    return { ...p, token: await httpLogin(app, ctx, p.phone) };
  }
  const colour = async (token: string) =>
    (await app.inject({ method: 'GET', url: '/v1/me/code', headers: bearer(token) })).json<{
      colour5: number;
      display: { reasons: Array<{ rule: string }> };
    }>();
  const trip = (p: { input: { docNumber: string } }, sourceId: string, t: Record<string, unknown>) =>
    app.inject({
      method: 'POST',
      url: '/v1/feeds/trips',
      headers: { 'x-api-key': carrier },
      payload: { sourceId, docType: 10, docNumber: p.input.docNumber, ...t },
    });
  const countFacts = async (source: string) =>
    Number(
      (await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM facts WHERE source = $1', [source]))
        .rows[0]?.n,
    );

  it('a trip from a county with a high-risk area turns red, whether the trip or the area came first', async () => {
    const early = await resident();
    const late = await resident();
    const elsewhere = await resident();
    const before = await trip(early, 'rail-early', {
      mode: 'rail',
      fromRegion: '520103',
      toRegion: '520102',
      departedAt: iso(now - DAY - 2 * H),
      arrivedAt: iso(now - DAY),
    });
    expect(before.statusCode).toBe(201);
    const published = await app.inject({
      method: 'POST',
      url: '/v1/risk-areas',
      headers: bearer(officer),
      payload: { name: '云岩区某小区', level: 'high', adminCode: '520103', startsAt: iso(now - 3 * DAY) },
    });
    expect(published.statusCode).toBe(201);
    await expect.poll(async () => (await colour(early.token)).colour5, { timeout: 20_000 }).toBe(Colour5.red);
    expect((await colour(early.token)).display.reasons[0]?.rule).toBe('red.inbound_high_risk');

    expect(
      (
        await trip(late, 'flight-late', {
          mode: 'flight',
          fromRegion: '520102',
          toRegion: '520103',
          departedAt: iso(now - 5 * H),
          arrivedAt: iso(now - 4 * H),
          flightNo: 'CZ 3401',
        })
      ).statusCode,
    ).toBe(201);
    await trip(elsewhere, 'rail-elsewhere', {
      mode: 'rail',
      fromRegion: '520111',
      toRegion: '520102',
      departedAt: iso(now - 5 * H),
      arrivedAt: iso(now - 4 * H),
    });
    await expect.poll(async () => (await colour(late.token)).colour5, { timeout: 20_000 }).toBe(Colour5.red);
    await ctx.settle();
    expect((await colour(elsewhere.token)).colour5).toBe(Colour5.green);
    const facts = await countFacts('places.risk-area');
    expect(
      (
        await trip(late, 'flight-late', {
          mode: 'flight',
          fromRegion: '520102',
          toRegion: '520103',
          departedAt: iso(now - 5 * H),
          arrivedAt: iso(now - 4 * H),
          flightNo: 'CZ 3401',
        })
      ).json(),
    ).toMatchObject({ status: 'duplicate' });
    await ctx.places.trips.tripsArrived([early.id, late.id]);
    expect(await countFacts('places.risk-area')).toBe(facts);
  });

  it('passengers of a case: same carriage red, same train other carriage orange, same flight red; both directions', async () => {
    const theCase = await resident();
    const sameCarriage = await resident();
    const otherCarriage = await resident();
    const otherTrain = await resident();
    const flightCase = await resident();
    const flightMate = await resident();
    const dep = now - 2 * DAY;
    const train = { mode: 'rail', fromRegion: '520102', toRegion: '520300', trainNo: 'G1234' };
    await trip(theCase, 'g1234-case', {
      ...train,
      departedAt: iso(dep),
      arrivedAt: iso(dep + 3 * H),
      carriage: '05',
    });
    await trip(sameCarriage, 'g1234-a', {
      ...train,
      departedAt: iso(dep + H),
      arrivedAt: iso(dep + 3 * H),
      carriage: '5',
    });
    await trip(otherCarriage, 'g1234-b', {
      ...train,
      departedAt: iso(dep),
      arrivedAt: iso(dep + 2 * H),
      carriage: '08',
    });
    // The same train number a day later is another train.
    await trip(otherTrain, 'g1234-c', {
      ...train,
      departedAt: iso(dep + DAY),
      arrivedAt: iso(dep + DAY + 3 * H),
      carriage: '05',
    });
    await trip(flightCase, 'ca1-case', {
      mode: 'flight',
      fromRegion: '110105',
      toRegion: '520102',
      departedAt: iso(dep),
      arrivedAt: iso(dep + 3 * H),
      flightNo: 'CA1',
    });
    await trip(flightMate, 'ca1-mate', {
      mode: 'flight',
      fromRegion: '110105',
      toRegion: '520102',
      departedAt: iso(dep),
      arrivedAt: iso(dep + 3 * H),
      flightNo: 'ca 1',
    });
    await ctx.settle();
    expect((await colour(sameCarriage.token)).colour5).toBe(Colour5.green);
    const caseRecord = (p: { input: { docNumber: string } }, sourceId: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/feeds/key-population',
        headers: { 'x-api-key': peer },
        payload: { sourceId, docType: 10, docNumber: p.input.docNumber, category: 'case', list: '确诊病例' },
      });
    expect((await caseRecord(theCase, 'case-g1234')).statusCode).toBe(201);
    expect((await caseRecord(flightCase, 'case-ca1')).statusCode).toBe(201);
    await expect
      .poll(async () => (await colour(sameCarriage.token)).colour5, { timeout: 20_000 })
      .toBe(Colour5.red);
    expect((await colour(sameCarriage.token)).display.reasons[0]?.rule).toBe('red.close_contact');
    await expect
      .poll(async () => (await colour(otherCarriage.token)).colour5, { timeout: 20_000 })
      .toBe(Colour5.orange);
    await expect
      .poll(async () => (await colour(flightMate.token)).colour5, { timeout: 20_000 })
      .toBe(Colour5.red);
    await ctx.settle();
    expect((await colour(otherTrain.token)).colour5).toBe(Colour5.green);
    expect((await colour(theCase.token)).colour5).toBe(Colour5.purple);

    // A passenger whose trip arrives after the case is known.
    const lateRider = await resident();
    await trip(lateRider, 'g1234-late', {
      ...train,
      departedAt: iso(dep),
      arrivedAt: iso(dep + 3 * H),
      carriage: '05',
    });
    await expect
      .poll(async () => (await colour(lateRider.token)).colour5, { timeout: 20_000 })
      .toBe(Colour5.red);

    const facts = await countFacts('places.co-travel');
    expect(facts).toBe(4);
    expect((await caseRecord(theCase, 'case-g1234')).json()).toMatchObject({ status: 'duplicate' });
    await ctx.places.trips.casesArrived([theCase.id, flightCase.id]);
    await ctx.places.trips.tripsArrived([lateRider.id, sameCarriage.id]);
    expect(await countFacts('places.co-travel')).toBe(facts);
  });
});
