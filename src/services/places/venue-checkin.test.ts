import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { createResident, residentToken } from '../../../test/factories.ts';
import { buildServer } from '../../http/server.ts';
import { placesRoutes } from '../../http/routes/places.routes.ts';
import { Colour5 } from '../../domain/colour.ts';
import type { ManualClock } from '../../ports/clock.port.ts';
import { startPlacesWorker } from './places.worker.ts';

const NOW = Date.UTC(2026, 10, 20, 4);
const MIN = 60_000;
// jsqr is CommonJS with an ESM-style `export default` in its types: take whichever is callable.
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ??
  jsQRModule) as unknown as (d: Uint8ClampedArray, w: number, h: number) => { data: string } | null;

describe('venues: printed QR, check-ins both ways, case exposure', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ at: NOW });
    await ctx.keys.ensureKey();
  });
  afterAll(async () => ctx?.destroy());

  it('the platform QR checks a resident in; a later case check-in there flags them, nobody outside the window', async () => {
    const clock = ctx.clock as ManualClock;
    const { app } = await buildServer(ctx, { logger: false, extraRoutes: [placesRoutes] });
    await ctx.auth.addStaff('nanming', 'pass-word-123', '南明区官员', 'officer', '520102');
    const officer = {
      authorization: `Bearer ${(await ctx.auth.staffLogin('nanming', 'pass-word-123')).accessToken}`,
    };
    const reg = await app.inject({
      method: 'POST',
      url: '/v1/venues',
      headers: officer,
      payload: {
        name: '花果园购物中心',
        category: '商场',
        address: '南明区花果园大街1号',
        lat: 26.5631,
        lon: 106.6745,
        adminCode: '520102',
      },
    });
    expect(reg.statusCode).toBe(201);
    const { venue, operator } = reg.json() as { venue: { id: number }; operator: { apiKey: string } };
    const elsewhere = await app.inject({
      method: 'POST',
      url: '/v1/venues',
      headers: officer,
      payload: {
        name: '遵义某店',
        category: '餐馆',
        address: '遵义',
        lat: 27.7,
        lon: 106.9,
        adminCode: '520303',
      },
    });
    expect(elsewhere.statusCode).toBe(403);

    // The printable poster and the QR image come from the platform; decode the image like a phone.
    const svg = await app.inject({
      method: 'GET',
      url: `/v1/venues/${venue.id}/poster.svg`,
      headers: officer,
    });
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(svg.body).toContain('花果园购物中心');
    const png = await app.inject({
      method: 'GET',
      url: `/v1/venues/${venue.id}/qr.png`,
      headers: { 'x-api-key': operator.apiKey },
    });
    expect(png.statusCode).toBe(200);
    const img = PNG.sync.read(png.rawPayload);
    const decoded = jsQR(
      new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length),
      img.width,
      img.height,
    );
    expect(decoded?.data.startsWith('JKMV1:')).toBe(true);
    const posterText = decoded!.data;

    const [a, early, b, c] = [
      await createResident(ctx),
      await createResident(ctx),
      await createResident(ctx),
      await createResident(ctx),
    ];
    // one sign-in per resident, as a phone keeps its session (a second code within 60 s is refused)
    const tokens = new Map<string, Promise<string>>();
    const bearer = async (r: { phone: string }) => {
      if (!tokens.has(r.phone)) tokens.set(r.phone, residentToken(ctx, r.phone));
      return { authorization: `Bearer ${await tokens.get(r.phone)}` };
    };
    // `early` checked in 3 h before the case: outside dwell (60 min) + margin (30 min).
    clock.set(NOW - 180 * MIN);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/checkins',
          headers: await bearer(early),
          payload: { token: posterText },
        })
      ).statusCode,
    ).toBe(201);
    clock.set(NOW);
    const ci = await app.inject({
      method: 'POST',
      url: '/v1/checkins',
      headers: await bearer(a),
      payload: { token: posterText },
    });
    expect(ci.statusCode).toBe(201);
    expect(ci.json()).toMatchObject({ duplicate: false, venue: { id: venue.id, name: '花果园购物中心' } });
    const twice = await app.inject({
      method: 'POST',
      url: '/v1/checkins',
      headers: await bearer(a),
      payload: { token: posterText },
    });
    expect(twice.json()).toMatchObject({ duplicate: true });
    const forged = await app.inject({
      method: 'POST',
      url: '/v1/checkins',
      headers: await bearer(a),
      payload: { token: posterText.slice(0, -2) + '00' },
    });
    expect(forged.statusCode).toBeGreaterThanOrEqual(400);

    // 40 minutes later a confirmed case is scanned at the door by the venue's own device.
    clock.advance(40 * MIN);
    await ctx.facts.record({
      personId: b.id,
      type: 'case',
      source: 'health.cases',
      sourceRecordId: 'case-1',
      eventTime: clock.now(),
      data: { kind: 'confirmed' },
    });
    const code = await ctx.codes.issue(b.id, 's');
    const scan = await app.inject({
      method: 'POST',
      url: '/v1/verify',
      headers: { 'x-api-key': operator.apiKey },
      payload: { token: code.token },
    });
    expect(scan.statusCode).toBe(200);
    expect(scan.json()).toMatchObject({ valid: true });
    const { statuses } = await ctx.statuses.recompute([a.id, early.id, c.id]);
    expect(statuses.get(a.id)?.colour5).toBe(Colour5.orange);
    expect(statuses.get(early.id)?.colour5).toBe(Colour5.green);
    expect(statuses.get(c.id)?.colour5).toBe(Colour5.green);
    const facts = await ctx.facts.forPerson(a.id);
    expect(facts.find((f) => f.source === 'places.venue-exposure')).toMatchObject({
      type: 'companion',
      data: { venueId: venue.id },
    });

    // Operators see counts, never names.
    const stats = await app.inject({
      method: 'GET',
      url: `/v1/venues/${venue.id}/stats`,
      headers: { 'x-api-key': operator.apiKey },
    });
    expect(stats.statusCode).toBe(200);
    expect(stats.json()).toMatchObject({ total: 3 });
    expect(stats.body).not.toMatch(/张|name/);
    const other = await app.inject({
      method: 'GET',
      url: `/v1/venues/${venue.id + 1}/stats`,
      headers: { 'x-api-key': operator.apiKey },
    });
    expect(other.statusCode).toBe(404);

    // A case fact that arrives after the check-in flags the people around it (worker path).
    const stop = await startPlacesWorker(ctx);
    clock.advance(10 * MIN);
    await app.inject({
      method: 'POST',
      url: '/v1/checkins',
      headers: await bearer(c),
      payload: { token: posterText },
    });
    const d = await createResident(ctx);
    const dIn = await app.inject({
      method: 'POST',
      url: '/v1/checkins',
      headers: await bearer(d),
      payload: { token: posterText },
    });
    const dCheckin = (dIn.json() as { checkinId: number }).checkinId;
    const fromD = async () =>
      (await ctx.facts.forPerson(c.id)).filter(
        (f) => f.source === 'places.venue-exposure' && f.data.caseCheckinId === dCheckin,
      );
    expect(await fromD()).toHaveLength(0);
    await ctx.facts.record({
      personId: d.id,
      type: 'case',
      source: 'health.cases',
      sourceRecordId: 'case-2',
      eventTime: clock.now(),
      data: { kind: 'asymptomatic' },
    });
    await ctx.settle();
    await expect.poll(async () => (await fromD()).length, { timeout: 60_000, interval: 50 }).toBe(1);
    await stop();

    // Re-printing replaces the poster: the old QR no longer checks in.
    await app.inject({ method: 'POST', url: `/v1/venues/${venue.id}/reprint`, headers: officer });
    clock.advance(60 * MIN);
    const old = await app.inject({
      method: 'POST',
      url: '/v1/checkins',
      headers: await bearer(c),
      payload: { token: posterText },
    });
    expect(old.statusCode).toBe(410);
    await app.close();
  });
});
