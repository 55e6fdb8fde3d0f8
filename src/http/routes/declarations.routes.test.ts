/** Resident self-declaration (GB/T 38963) through the real server. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Colour5 } from '../../domain/colour.ts';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { createResident, residentToken } from '../../../test/factories.ts';
import { buildServer } from '../server.ts';
import { feedRouteModule as feedRoutes } from '../../roles/feeds.feature.ts';

describe('POST /v1/me/declarations', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  beforeEach(async () => {
    ctx = await createTestContext();
    await ctx.keys.ensureKey();
    app = (await buildServer(ctx, { logger: false, extraRoutes: [feedRoutes] })).app;
  });
  afterEach(async () => {
    await app.close();
    await ctx.destroy();
  });

  it('records fever as a declaration fact (orange), trips in trips, and a retry once', async () => {
    const p = await createResident(ctx);
    const auth = { authorization: `Bearer ${await residentToken(ctx, p.phone)}` };
    const body = {
      clientId: 'app-7f3a',
      temperature: 38.1,
      symptoms: ['fever', 'cough'],
      trips: [
        {
          mode: 'flight',
          fromRegion: '440300',
          toRegion: '520100',
          departedAt: new Date(Date.now() - 86400_000).toISOString(),
          arrivedAt: new Date(Date.now() - 80000_000).toISOString(),
          seat: '32A',
        },
      ],
    };
    const r = await app.inject({ method: 'POST', url: '/v1/me/declarations', headers: auth, payload: body });
    expect([r.statusCode, r.json().status]).toEqual([201, 'accepted']);
    const again = await app.inject({
      method: 'POST',
      url: '/v1/me/declarations',
      headers: auth,
      payload: body,
    });
    expect([again.statusCode, again.json().status]).toEqual([200, 'duplicate']);
    await ctx.statuses.recompute([p.id]);
    const code = (await app.inject({ method: 'GET', url: '/v1/me/code', headers: auth })).json();
    expect(code.colour5).toBe(Colour5.orange);
    const trips = await ctx.db.query<{ mode: string; seat: string }>(
      'SELECT mode, seat FROM trips WHERE person_id = $1',
      [p.id],
    );
    expect(trips.rows).toEqual([{ mode: 'flight', seat: '32A' }]);
    const mine = (await app.inject({ method: 'GET', url: '/v1/me/declarations', headers: auth })).json();
    expect(mine.declarations).toHaveLength(1);
    expect(mine.declarations[0]).toMatchObject({ temperature: 38.1, symptoms: ['fever', 'cough'], trips: 1 });
  });

  it('refuses an empty or impossible declaration, and other roles', async () => {
    const p = await createResident(ctx);
    const auth = { authorization: `Bearer ${await residentToken(ctx, p.phone)}` };
    const empty = await app.inject({
      method: 'POST',
      url: '/v1/me/declarations',
      headers: auth,
      payload: {},
    });
    expect([empty.statusCode, empty.json().error.code]).toEqual([422, 'ROW_MISSING_FIELD']);
    const hot = await app.inject({
      method: 'POST',
      url: '/v1/me/declarations',
      headers: auth,
      payload: { temperature: 45 },
    });
    expect(hot.statusCode).toBe(400);
    const future = await app.inject({
      method: 'POST',
      url: '/v1/me/declarations',
      headers: auth,
      payload: { temperature: 36.5, declaredAt: '2099-01-01T00:00:00Z' },
    });
    expect([future.statusCode, future.json().error.code]).toEqual([422, 'ROW_BAD_TIME']);
    const key = (await ctx.auth.addDevice('scanner', 'scanner')).apiKey;
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/me/declarations',
          headers: { 'x-api-key': key },
          payload: { temperature: 36.5 },
        })
      ).statusCode,
    ).toBe(403);
  });
});
