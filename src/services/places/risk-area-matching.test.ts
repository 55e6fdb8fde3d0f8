import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { createResident, residentToken } from '../../../test/factories.ts';
import { buildServer } from '../../http/server.ts';
import { placesRoutes } from '../../http/routes/places.routes.ts';
import { M_PER_DEG } from '../../geo/areas/area-geometry.ts';
import { Colour5 } from '../../domain/colour.ts';
import type { Places } from './places.ts';

const NOW = Date.UTC(2026, 10, 20, 6); // 14:00 in Guiyang
const H = 3_600_000;
const DAY = 24 * H;
// An 8 m × 6 m shop in 南明区.
const LAT = 26.5701;
const LON = 106.7101;
const mLat = (m: number) => m / M_PER_DEG;
const mLon = (m: number) => m / (M_PER_DEG * Math.cos((LAT * Math.PI) / 180));
const SHOP = {
  type: 'Polygon',
  coordinates: [
    [
      [LON, LAT],
      [LON + mLon(8), LAT],
      [LON + mLon(8), LAT + mLat(6)],
      [LON, LAT + mLat(6)],
      [LON, LAT],
    ],
  ],
};
const OFFICER = { actor: 'officer:1', regionPrefix: '5201' };

describe('risk areas: a shop-sized medium area', () => {
  let ctx: TestContext;
  let places: Places;
  const who: Record<string, number> = {};

  async function stay(
    person: number,
    key: string,
    start: number,
    end: number,
    lat: number,
    lon: number,
    accuracy: number | null,
  ) {
    await places.stores.stays.insert({
      person_id: person,
      started_at: new Date(start),
      ended_at: new Date(end),
      lat,
      lon,
      accuracy_m: accuracy,
      region_code: '520102',
      venue_id: null,
      source: 'carrier',
      source_record_id: key,
    });
  }

  beforeAll(async () => {
    ctx = await createTestContext({ at: NOW });
    await ctx.keys.ensureKey();
    places = ctx.places;
    for (const n of [
      'inside',
      'outside',
      'edgeWithin',
      'edgeBeyond',
      'before',
      'afterLift',
      'old',
      'checkin',
      'elsewhere',
      'code',
    ]) {
      who[n] = (await createResident(ctx)).id;
    }
    const mid = { lat: LAT + mLat(3), lon: LON + mLon(4) };
    const east = (m: number) => ({ lat: LAT + mLat(3), lon: LON + mLon(8) + mLon(m) });
    await stay(who.inside!, 's1', NOW - 2 * DAY, NOW - 2 * DAY + H, mid.lat, mid.lon, 30);
    await stay(who.outside!, 's2', NOW - 2 * DAY, NOW - 2 * DAY + H, east(40).lat, east(40).lon, 10);
    await stay(who.edgeWithin!, 's3', NOW - 2 * DAY, NOW - 2 * DAY + H, east(20).lat, east(20).lon, 25);
    await stay(who.edgeBeyond!, 's4', NOW - 2 * DAY, NOW - 2 * DAY + H, east(20).lat, east(20).lon, 15);
    // In the shop, but left an hour before the area's window began (3 days ago).
    await stay(who.before!, 's5', NOW - 4 * DAY, NOW - 3 * DAY - H, mid.lat, mid.lon, 5);
    await stay(who.old!, 's6', NOW - 20 * DAY, NOW - 20 * DAY + H, mid.lat, mid.lon, 5);
  });
  afterAll(async () => ctx?.destroy());

  it('publishing re-matches 14 days: inside and edge-within-accuracy turn orange, nobody else', async () => {
    const r = await places.areas.publish(OFFICER, {
      name: '南明区某便利店',
      level: 'medium',
      geometry: SHOP,
      regionCode: '520102',
      startsAt: new Date(NOW - 3 * DAY).toISOString(),
    });
    expect(r.rematch).toMatchObject({ facts: 2, persons: 2 });
    const ids = Object.values(who);
    const { statuses } = await ctx.statuses.recompute(ids);
    const colour = (n: string) => statuses.get(who[n]!)?.colour5;
    expect(colour('inside')).toBe(Colour5.orange);
    expect(colour('edgeWithin')).toBe(Colour5.orange);
    for (const n of ['outside', 'edgeBeyond', 'before', 'old', 'checkin', 'elsewhere', 'code'])
      expect(colour(n), n).toBe(Colour5.green);
    const facts = await ctx.facts.forPerson(who.inside!);
    expect(facts[0]).toMatchObject({
      type: 'medium_risk_stay',
      source: 'places.risk-area',
      data: { areaId: String(r.area.id), list: '南明区某便利店' },
    });
  });

  it('re-matching is idempotent; a change of level adds the high-area fact', async () => {
    const [area] = (await places.areas.current()).features;
    const again = await places.matcher.rematchArea((await places.stores.areas.get(area!.id))!, 100);
    expect(again).toMatchObject({ matches: 2, facts: 0 });
    const up = await places.areas.update(OFFICER, area!.id, { level: 'high' });
    expect(up.rematch.facts).toBe(2);
    const { statuses } = await ctx.statuses.recompute([who.inside!]);
    expect(statuses.get(who.inside!)?.colour5).toBe(Colour5.red);
    const h = await places.areas.withHistory(OFFICER, area!.id);
    expect(h.history.map((x) => [x.version, x.action, x.actor])).toEqual([
      [1, 'publish', 'officer:1'],
      [2, 'update', 'officer:1'],
    ]);
    expect(h.history[1]!.changes).toEqual({ level: { from: 'medium', to: 'high' } });
    await places.areas.update(OFFICER, area!.id, { level: 'medium' });
  });

  it('check-ins and code-display positions in the active area match at once', async () => {
    const v = await places.venues.register(OFFICER, {
      name: '便利店',
      category: '超市',
      address: '南明区某路1号',
      lat: LAT + mLat(3),
      lon: LON + mLon(4),
      adminCode: '520102',
    });
    const far = await places.venues.register(OFFICER, {
      name: '书店',
      category: '书店',
      address: '云岩区某路2号',
      lat: LAT + 0.01,
      lon: LON,
      adminCode: '520103',
    });
    const venue = (await places.stores.venues.get(v.venue.id))!;
    const token = await places.venues.posterToken(venue);
    await places.checkins.byPoster(who.checkin!, token);
    await places.checkins.byPoster(
      who.elsewhere!,
      await places.venues.posterToken((await places.stores.venues.get(far.venue.id))!),
    );
    // The code page with the phone's position, through HTTP (GET /v1/me/code?lat&lon&accuracy).
    const { app } = await buildServer(ctx, { logger: false, extraRoutes: [placesRoutes] });
    const bearer = await residentToken(ctx, (await ctx.residents.profile(who.code!))!.phone!);
    const res = await app.inject({
      method: 'GET',
      url: `/v1/me/code?lat=${LAT + mLat(7)}&lon=${LON + mLon(4)}&accuracy=5`,
      headers: { authorization: `Bearer ${bearer}` },
    });
    expect(res.statusCode).toBe(200);
    const plain = await app.inject({
      method: 'GET',
      url: '/v1/me/code',
      headers: { authorization: `Bearer ${bearer}` },
    });
    expect(plain.statusCode).toBe(200);
    const { statuses } = await ctx.statuses.recompute([who.checkin!, who.elsewhere!, who.code!]);
    expect(statuses.get(who.checkin!)?.colour5).toBe(Colour5.orange);
    expect(statuses.get(who.elsewhere!)?.colour5).toBe(Colour5.green);
    expect(statuses.get(who.code!)?.colour5).toBe(Colour5.orange);
    const stays = await places.stores.stays.ofPerson(who.code!, new Date(NOW - DAY));
    expect(stays).toHaveLength(1);
    expect(stays[0]).toMatchObject({ source: 'code', accuracy_m: 5 });
    await app.close();
  });

  it('admin-code areas: a county matches stays by region code, a street matches check-ins at its venues', async () => {
    const inCounty = (await createResident(ctx)).id;
    const otherCounty = (await createResident(ctx)).id;
    const atStreetVenue = (await createResident(ctx)).id;
    const at = NOW - 2 * DAY;
    for (const [p, region, key] of [
      [inCounty, '520111', 'k1'],
      [otherCounty, '520112', 'k2'],
    ] as const) {
      await places.stores.stays.insert({
        person_id: p,
        started_at: new Date(at),
        ended_at: new Date(at + H),
        lat: null,
        lon: null,
        accuracy_m: null,
        region_code: region,
        venue_id: null,
        source: 'carrier',
        source_record_id: key,
      });
    }
    const OFFICER_52 = { actor: 'officer:2', regionPrefix: '52' };
    const county = await places.areas.publish(OFFICER_52, {
      name: '花溪区',
      level: 'medium',
      adminCode: '520111',
      startsAt: new Date(NOW - 3 * DAY).toISOString(),
    });
    expect(county.rematch).toMatchObject({ facts: 1, persons: 1 });
    expect(county.area.geometry).toBeNull();
    const again = await places.matcher.rematchArea((await places.stores.areas.get(county.area.id))!, 100);
    expect(again.facts).toBe(0);
    // A street (新华路街道) area, then a check-in at a venue registered with that street's code.
    const street = await places.areas.publish(OFFICER_52, {
      name: '新华路街道',
      level: 'high',
      adminCode: '520102016',
    });
    expect(street.area.properties.adminName).toContain('新华路街道');
    const v = await places.venues.register(OFFICER_52, {
      name: '街道菜场',
      category: '市场',
      address: '新华路',
      lat: 26.58,
      lon: 106.72,
      adminCode: '520102016001',
    });
    await places.checkins.byPoster(
      atStreetVenue,
      await places.venues.posterToken((await places.stores.venues.get(v.venue.id))!),
    );
    const { statuses } = await ctx.statuses.recompute([inCounty, otherCounty, atStreetVenue]);
    expect(statuses.get(inCounty)?.colour5).toBe(Colour5.orange);
    expect(statuses.get(otherCounty)?.colour5).toBe(Colour5.green);
    expect(statuses.get(atStreetVenue)?.colour5).toBe(Colour5.red);
    // The database path and the in-memory path write the same fact for the same stay.
    const viaSql = (await ctx.facts.forPerson(inCounty))[0]!;
    await places.areas.lift(OFFICER_52, street.area.id);
    const sweep = await places.matcher.sweep(new Date(NOW - 14 * DAY), new Date(NOW + 1));
    expect(sweep.facts).toBe(0);
    expect(viaSql).toMatchObject({
      type: 'medium_risk_stay',
      data: { areaId: String(county.area.id), list: '花溪区', lastExposureAt: at + H },
    });
    await places.areas.lift(OFFICER_52, county.area.id);
  });

  it('GET /v1/risk-areas is public GeoJSON; officers publish only in their region', async () => {
    const { app } = await buildServer(ctx, { logger: false, extraRoutes: [placesRoutes] });
    await places.areas.publish(OFFICER, { name: '南明区', level: 'low', adminCode: '520102' });
    const res = await app.inject({ method: 'GET', url: '/v1/risk-areas' });
    expect(res.statusCode).toBe(200);
    const fc = res.json() as {
      type: string;
      features: Array<{ geometry: unknown; properties: Record<string, unknown> }>;
    };
    expect(fc.type).toBe('FeatureCollection');
    const shop = fc.features.find((f) => f.properties.name === '南明区某便利店')!;
    expect(shop.geometry).toEqual(SHOP);
    expect(shop.properties).toMatchObject({ level: 'medium', regionCode: '520102', liftedAt: null });
    const county = fc.features.find((f) => f.properties.kind === 'admin')!;
    expect(county.geometry).toBeNull();
    expect(county.properties).toMatchObject({ adminCode: '520102', level: 'low' });
    expect(String(county.properties.adminName)).toContain('南明区');

    await ctx.auth.addStaff('zunyi', 'pass-word-123', '遵义官员', 'officer', '5203');
    const login = await ctx.auth.staffLogin('zunyi', 'pass-word-123');
    const denied = await app.inject({
      method: 'POST',
      url: '/v1/risk-areas',
      headers: { authorization: `Bearer ${login.accessToken}` },
      payload: {
        name: '越权',
        level: 'high',
        center: { lat: LAT, lon: LON },
        radiusM: 50,
        regionCode: '520102',
      },
    });
    expect(denied.statusCode).toBe(403);
    const anon = await app.inject({
      method: 'POST',
      url: '/v1/risk-areas',
      payload: { name: 'x', level: 'high' },
    });
    expect(anon.statusCode).toBe(401);
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/risk-areas',
      headers: { authorization: `Bearer ${login.accessToken}` },
      payload: {
        name: '汇川区某小区',
        level: 'high',
        center: { lat: 27.7, lon: 106.9 },
        radiusM: 120,
        regionCode: '520303',
      },
    });
    expect(ok.statusCode).toBe(201);
    const audit = await ctx.db.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE action LIKE 'risk-area.%' ORDER BY seq`,
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'risk-area.publish',
      'risk-area.update',
      'risk-area.update', // the shop: publish, to high, back to medium
      'risk-area.publish',
      'risk-area.publish',
      'risk-area.lift',
      'risk-area.lift', // county and street areas
      'risk-area.publish',
      'risk-area.publish', // the low county area and Zunyi's
    ]);
    // Lifting ends the window: a stay after the lift does not match.
    const lifted = await places.areas.lift(
      OFFICER,
      fc.features.find((f) => f.properties.name === '南明区某便利店')!.properties.id as number,
    );
    expect(lifted.area.properties.liftedAt).toBe(new Date(NOW).toISOString());
    await app.close();
  });
});
