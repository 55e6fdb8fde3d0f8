import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { createResident } from '../../../test/factories.ts';
import { buildServer } from '../../http/server.ts';
import { placesRoutes } from '../../http/routes/places.routes.ts';
import { Colour5 } from '../../domain/colour.ts';
import { checkAreaInRegion } from '../../domain/places/area-region.ts';

const NOW = Date.UTC(2026, 10, 20, 6);
const H = 3_600_000;
const DAY = 24 * H;
const square = (lat: number, lon: number, d = 0.01) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon, lat],
      [lon + d, lat],
      [lon + d, lat + d],
      [lon, lat + d],
      [lon, lat],
    ],
  ],
});
// 天安门 and 南明区
const BEIJING = { lat: 39.9, lon: 116.39 };
const GUIYANG = { lat: 26.57, lon: 106.71 };

describe('risk-area geometry lies inside the officer’s region', () => {
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof buildServer>>['app'];
  let token: string;
  let beijinger: number;

  beforeAll(async () => {
    ctx = await createTestContext({ at: NOW });
    await ctx.keys.ensureKey();
    ({ app } = await buildServer(ctx, { logger: false, extraRoutes: [placesRoutes] }));
    await ctx.auth.addStaff('guiyang', 'pass-word-123', '贵阳官员', 'officer', '5201');
    token = (await ctx.auth.staffLogin('guiyang', 'pass-word-123')).accessToken;
    beijinger = (await createResident(ctx, { regionCode: '110101' })).id;
    await ctx.places.stores.stays.insert({
      person_id: beijinger,
      started_at: new Date(NOW - DAY),
      ended_at: new Date(NOW - DAY + H),
      lat: BEIJING.lat + 0.005,
      lon: BEIJING.lon + 0.005,
      accuracy_m: 10,
      region_code: '110101',
      venue_id: null,
      source: 'carrier',
      source_record_id: 'bj-1',
    });
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.destroy();
  });

  const post = (payload: Record<string, unknown>) =>
    app.inject({
      method: 'POST',
      url: '/v1/risk-areas',
      headers: { authorization: `Bearer ${token}` },
      payload,
    });

  it('a 5201 officer’s medium area over Beijing, labelled 南明区, is refused and nobody turns orange', async () => {
    const polygon = await post({
      name: '南明区某小区',
      level: 'medium',
      geometry: square(BEIJING.lat, BEIJING.lon),
      regionCode: '520102',
      startsAt: new Date(NOW - 2 * DAY).toISOString(),
    });
    expect(polygon.statusCode).toBe(403);
    expect(polygon.json()).toMatchObject({ error: { code: 'AREA_GEOMETRY_OUT_OF_REGION' } });
    const circle = await post({
      name: '南明区某小区',
      level: 'medium',
      center: BEIJING,
      radiusM: 2000,
      regionCode: '520102',
    });
    expect(circle.statusCode).toBe(403);
    expect(circle.json()).toMatchObject({ error: { code: 'AREA_GEOMETRY_OUT_OF_REGION' } });
    // One vertex far away is enough.
    const straddling = square(GUIYANG.lat, GUIYANG.lon);
    straddling.coordinates[0]![2] = [BEIJING.lon, BEIJING.lat];
    expect(
      (await post({ name: '跨区', level: 'high', geometry: straddling, regionCode: '520102' })).statusCode,
    ).toBe(403);
    expect((await ctx.places.areas.current()).features).toEqual([]);
    const { statuses } = await ctx.statuses.recompute([beijinger]);
    expect(statuses.get(beijinger)?.colour5).toBe(Colour5.green);
  });

  it('an area in Guiyang is published; moving its shape to Beijing is refused, lifting it is not', async () => {
    const ok = await post({
      name: '南明区某小区',
      level: 'medium',
      geometry: square(GUIYANG.lat, GUIYANG.lon),
      regionCode: '520102',
    });
    expect(ok.statusCode).toBe(201);
    const id = (ok.json() as { area: { id: number } }).area.id;
    const moved = await app.inject({
      method: 'PATCH',
      url: `/v1/risk-areas/${id}`,
      headers: { authorization: `Bearer ${token}` },
      payload: { geometry: square(BEIJING.lat, BEIJING.lon) },
    });
    expect(moved.statusCode).toBe(403);
    expect(moved.json()).toMatchObject({ error: { code: 'AREA_GEOMETRY_OUT_OF_REGION' } });
    const lifted = await ctx.places.areas.lift({ actor: 'officer:guiyang', regionPrefix: '5201' }, id);
    expect(lifted.area.properties.liftedAt).not.toBeNull();
  });
});

describe('checkAreaInRegion (the coarse reverse lookup)', () => {
  const circle = (lat: number, lon: number, radiusM = 500) => ({
    kind: 'circle' as const,
    lat,
    lon,
    radiusM,
  });
  it('places points by the nearest prefecture centre', () => {
    expect(checkAreaInRegion(circle(GUIYANG.lat, GUIYANG.lon), '5201')).toEqual({ ok: true });
    expect(checkAreaInRegion(circle(GUIYANG.lat, GUIYANG.lon), '52')).toEqual({ ok: true });
    expect(checkAreaInRegion(circle(GUIYANG.lat, GUIYANG.lon), '520102')).toEqual({ ok: true });
    expect(checkAreaInRegion(circle(BEIJING.lat, BEIJING.lon), '5201')).toMatchObject({
      ok: false,
      reason: 'outside',
      nearest: '1101',
    });
    // Zunyi is in Guizhou but not in Guiyang.
    expect(checkAreaInRegion(circle(27.72, 106.93), '5201')).toMatchObject({ ok: false, reason: 'outside' });
    expect(checkAreaInRegion(circle(27.72, 106.93), '52')).toEqual({ ok: true });
    // Far from every centre of the region (the Tibetan plateau) is outside too.
    expect(checkAreaInRegion(circle(31, 91), '52')).toMatchObject({ ok: false, reason: 'outside' });
    // A region without a reference position can't be checked: refused.
    expect(checkAreaInRegion(circle(34.75, 113.62), '4101')).toEqual({ ok: false, reason: 'unverifiable' });
    expect(checkAreaInRegion(circle(BEIJING.lat, BEIJING.lon), '')).toEqual({ ok: true });
  });
});
