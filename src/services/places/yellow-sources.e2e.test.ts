/**
 * End to end: the two yellow rules get real inputs (docs/PLACES.md §Cities with cases, docs/feeds):
 * a city with cases listed by an officer or a department, and key occupations from a department's
 * list with their test interval. Records in through the HTTP APIs, colour out of GET /v1/me/code.
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

describe('yellow rules from real inputs', () => {
  let ctx: TestContext;
  let app: App;
  let stopPipeline: () => Promise<void>;
  let carrier: string;
  let peer: string;
  let beijingPeer: string;
  let zunyiPeer: string;
  let officer: string;
  const now = Date.now();

  beforeAll(async () => {
    ctx = await createTestContext();
    ({ app, stop: stopPipeline } = await startPlacesPipeline(ctx, [feedRoutes, placesRoutes]));
    carrier = (await ctx.auth.addDevice('12306 rail', 'carrier')).apiKey;
    peer = (await ctx.auth.addDevice('卫健委 health commission', 'peer')).apiKey;
    beijingPeer = (await ctx.auth.addDevice('北京卫健委', 'peer', '11')).apiKey;
    // registered as the admin route registers sites: a 6-digit code, here the prefecture's
    zunyiPeer = (await ctx.auth.addDevice('遵义市卫健委', 'peer', '520300')).apiKey;
    await ctx.auth.addStaff('zy', 'pass-word-123', 'Zunyi officer', 'officer', '5203');
    officer = (await ctx.auth.staffLogin('zy', 'pass-word-123')).accessToken;
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
      payload: { sourceId, docType: 10, docNumber: p.input.docNumber, mode: 'rail', ...t },
    });

  it('a listed city with cases turns yellow whoever was there while listed, trips before or after the listing', async () => {
    const before = await resident();
    const after = await resident();
    const stayed = await resident();
    const notListedYet = await resident();
    await trip(before, 'bj-1', {
      fromRegion: '110105',
      toRegion: '520102',
      departedAt: iso(now - 2 * DAY),
      arrivedAt: iso(now - 2 * DAY + 2 * H),
    });
    // Back from Beijing before the listing began.
    await trip(notListedYet, 'bj-0', {
      fromRegion: '110105',
      toRegion: '520102',
      departedAt: iso(now - 6 * DAY),
      arrivedAt: iso(now - 6 * DAY + 2 * H),
    });
    // A carrier stay in 遵义 (by position, no region code) inside the lookback.
    await ctx.places.stores.stays.insert({
      person_id: stayed.id,
      started_at: new Date(now - 3 * DAY),
      ended_at: new Date(now - 3 * DAY + 5 * H),
      lat: 27.72,
      lon: 106.93,
      accuracy_m: 50,
      region_code: null,
      venue_id: null,
      source: 'carrier',
      source_record_id: 'zy-stay-1',
    });
    // The trips' own follow-up (the places worker, asynchronous on NATS) has run before the listing,
    // so the listing's rematch is what records the Beijing trip.
    await ctx.settle();
    const listCity = (apiKey: string, regionCode: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/cities-with-cases',
        headers: { 'x-api-key': apiKey },
        payload: { regionCode, since: iso(now - 4 * DAY) },
      });
    const outside = await listCity(beijingPeer, '5203');
    expect(outside.statusCode).toBe(403);
    const bj = await listCity(beijingPeer, '1101');
    expect(bj.statusCode).toBe(201);
    expect(bj.json()).toMatchObject({ city: { name: '北京市', regionCode: '1101' }, rematch: { facts: 1 } });
    // a prefecture's department (device registered for 520300) lists its own city, not another
    const guiyang = await listCity(zunyiPeer, '5201');
    expect(guiyang.statusCode).toBe(403);
    const zy = await listCity(zunyiPeer, '5203');
    expect(zy.statusCode, zy.body).toBe(201);
    await expect
      .poll(async () => (await colour(before.token)).colour5, { timeout: 20_000 })
      .toBe(Colour5.yellow);
    expect((await colour(before.token)).display.reasons[0]?.rule).toBe('yellow.city_with_cases_stay');
    await expect
      .poll(async () => (await colour(stayed.token)).colour5, { timeout: 20_000 })
      .toBe(Colour5.yellow);

    await trip(after, 'zy-2', {
      fromRegion: '520302',
      toRegion: '520102',
      departedAt: iso(now - 5 * H),
      arrivedAt: iso(now - 3 * H),
    });
    await expect
      .poll(async () => (await colour(after.token)).colour5, { timeout: 20_000 })
      .toBe(Colour5.yellow);
    await ctx.settle();
    expect((await colour(notListedYet.token)).colour5).toBe(Colour5.green);
    const listed = (await app.inject({ method: 'GET', url: '/v1/cities-with-cases' })).json<unknown[]>();
    expect(listed).toHaveLength(2);
    const n = Number(
      (
        await ctx.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM facts WHERE source = 'places.city-with-cases'`,
        )
      ).rows[0]?.n,
    );
    await ctx.places.cities.tripsArrived([before.id, after.id]);
    await ctx.places.cities.sweepStays(new Date(now - 5 * DAY), new Date(now));
    expect(
      Number(
        (
          await ctx.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM facts WHERE source = 'places.city-with-cases'`,
          )
        ).rows[0]?.n,
      ),
    ).toBe(n);
    const ended = await app.inject({
      method: 'POST',
      url: `/v1/cities-with-cases/${bj.json<{ city: { id: number } }>().city.id}/end`,
      headers: { 'x-api-key': beijingPeer },
      payload: {},
    });
    expect(ended.statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: '/v1/cities-with-cases' })).json<unknown[]>(),
    ).toHaveLength(1);
    // the prefecture's officer ends its listing
    const zyEnded = await app.inject({
      method: 'POST',
      url: `/v1/cities-with-cases/${zy.json<{ city: { id: number } }>().city.id}/end`,
      headers: bearer(officer),
      payload: {},
    });
    expect(zyEnded.statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: '/v1/cities-with-cases' })).json<unknown[]>(),
    ).toHaveLength(0);
  });

  it('a key occupation is yellow once its test interval passed without a negative test', async () => {
    const overdue = await resident();
    const fresh = await resident();
    const tested = await resident();
    const list = (p: { input: { docNumber: string } }, sourceId: string, enrolled: number, hours?: number) =>
      app.inject({
        method: 'POST',
        url: '/v1/feeds/key-population',
        headers: { 'x-api-key': peer },
        payload: {
          sourceId,
          docType: 10,
          docNumber: p.input.docNumber,
          category: 'key_occupation',
          list: '冷链从业人员 cold-chain workers',
          eventTime: iso(enrolled),
          ...(hours === undefined ? {} : { testIntervalHours: hours }),
        },
      });
    const missing = await list(overdue, 'ko-0', now - 2 * DAY);
    expect(missing.statusCode).toBe(422);
    expect(missing.json()).toMatchObject({ error: { code: 'ROW_MISSING_FIELD' } });
    expect((await list(overdue, 'ko-1', now - 2 * DAY, 24)).statusCode).toBe(201);
    expect((await list(fresh, 'ko-2', now - 2 * H, 24)).statusCode).toBe(201);
    await ctx.facts.record({
      personId: tested.id,
      type: 'test_result',
      source: 'lab-test',
      sourceRecordId: 't-1',
      eventTime: now - 3 * H,
      data: { result: 'negative' },
    });
    expect((await list(tested, 'ko-3', now - 2 * DAY, 24)).statusCode).toBe(201);
    await expect
      .poll(async () => (await colour(overdue.token)).colour5, { timeout: 20_000 })
      .toBe(Colour5.yellow);
    expect((await colour(overdue.token)).display.reasons[0]?.rule).toBe('yellow.key_occupation_overdue');
    await ctx.settle();
    expect((await colour(fresh.token)).colour5).toBe(Colour5.green);
    expect((await colour(tested.token)).colour5).toBe(Colour5.green);
  });
});
