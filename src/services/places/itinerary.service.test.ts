import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { createResident, residentToken } from '../../../test/factories.ts';
import { buildServer } from '../../http/server.ts';
import { placesRoutes } from '../../http/routes/places.routes.ts';
import { parsePlacesToken, ITINERARY_PREFIX } from '../../domain/places/places-token.ts';
import { base45Decode, base45Encode } from '../../domain/token/base45.ts';

import { verifyItineraryToken } from './places-token.verify.ts';

const NOW = Date.UTC(2026, 10, 20, 10);
const H = 3_600_000;

describe('itinerary card (行程卡)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ at: NOW });
    await ctx.keys.ensureKey();
  });
  afterAll(async () => ctx?.destroy());

  it('a train to Zunyi and 5 h there: both cities, Zunyi starred for its medium area; token verifies offline', async () => {
    const places = ctx.places;
    const r = await createResident(ctx, { phone: '13812345678' });
    // Two days at home in Guiyang (carrier stays with a region code), then the train.
    await places.stores.stays.insert({
      person_id: r.id,
      started_at: new Date(NOW - 48 * H),
      ended_at: new Date(NOW - 8 * H),
      lat: 26.6,
      lon: 106.7,
      accuracy_m: 300,
      region_code: '520102',
      venue_id: null,
      source: 'carrier',
      source_record_id: 'c1',
    });
    await ctx.db.query(
      `INSERT INTO trips (person_id, mode, from_region, to_region, departed_at, arrived_at, carriage, seat, source, source_record_id)
       VALUES ($1, 'rail', '520100', '520300', $2, $3, '05', '12F', 'rail.12306', 'G1234-1')`,
      [r.id, new Date(NOW - 7 * H), new Date(NOW - 5 * H)],
    );
    // In Zunyi the carrier stays come without a region code: resolved by the nearest city centre.
    await places.stores.stays.insert({
      person_id: r.id,
      started_at: new Date(NOW - 4.5 * H),
      ended_at: new Date(NOW - 0.5 * H),
      lat: 27.69,
      lon: 106.92,
      accuracy_m: 500,
      region_code: null,
      venue_id: null,
      source: 'carrier',
      source_record_id: 'c2',
    });
    await places.areas.publish(
      { actor: 'officer:9', regionPrefix: '52' },
      {
        name: '汇川区某小区',
        level: 'medium',
        center: { lat: 27.71, lon: 106.93 },
        radiusM: 150,
        regionCode: '520303',
      },
    );
    // A low area does not star Anshun; the resident never went there anyway.
    await places.areas.publish(
      { actor: 'officer:9', regionPrefix: '52' },
      { name: '西秀区', level: 'low', adminCode: '520402' },
    );

    const { app } = await buildServer(ctx, { logger: false, extraRoutes: [placesRoutes] });
    const bearer = await residentToken(ctx, r.phone);
    const res = await app.inject({
      method: 'GET',
      url: '/v1/me/itinerary',
      headers: { authorization: `Bearer ${bearer}` },
    });
    expect(res.statusCode).toBe(200);
    const card = res.json() as {
      phone: string;
      cities: Array<{ code: string; regionCode: string; name: string; starred: boolean; hours: number }>;
      token: string;
    };
    expect(card.phone).toBe('138****5678');
    expect(card.cities.map((c) => [c.code, c.regionCode, c.name, c.starred])).toEqual([
      ['5203', '520300', '遵义市', true],
      ['5201', '520100', '贵阳市', false],
    ]);
    expect(card.cities[0]!.hours).toBe(5);

    const trust = [await ctx.keys.trustList()];
    const v = await verifyItineraryToken(card.token, trust, Math.floor(NOW / 1000) + 60);
    expect(v).toMatchObject({
      valid: true,
      claims: {
        iss: ctx.config.issuer,
        phone: '138****5678',
        cities: [
          ['5203', true],
          ['5201', false],
        ],
      },
    });
    expect((await verifyItineraryToken(card.token, trust, Math.floor(NOW / 1000) + 3600)).valid).toBe(false);
    // One flipped payload byte breaks the signature.
    const bytes = base45Decode(card.token.slice(ITINERARY_PREFIX.length))!;
    const parsed = parsePlacesToken(ITINERARY_PREFIX, card.token);
    if (!parsed.ok) throw new Error('parse');
    const at = bytes.indexOf(0x35, bytes.length - 64 - 20); // a '5' of a city code near the payload end
    bytes[at] = 0x36;
    expect(
      (await verifyItineraryToken(ITINERARY_PREFIX + base45Encode(bytes), trust, Math.floor(NOW / 1000)))
        .valid,
    ).toBe(false);
    const pub = await app.inject({
      method: 'POST',
      url: '/v1/itinerary/verify',
      payload: { token: card.token },
    });
    expect(pub.json()).toMatchObject({
      valid: true,
      cities: [
        ['5203', true],
        ['5201', false],
      ],
    });
    await app.close();
  });
});
