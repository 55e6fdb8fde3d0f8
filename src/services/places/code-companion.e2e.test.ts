/**
 * End to end: positions sent with code display (GET /v1/me/code?lat&lon) are checked against
 * cases' recent positions with the companion rule and the policy's numbers (sources.codePositions:
 * 800 m, 600 s, presence gap 1 800 s by default); a match records the policy's fact (companion →
 * orange). The recompute worker runs as in the worker role. Both adapters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../http/app.ts';
import { placesRoutes } from '../../http/routes/places.routes.ts';
import { Colour5 } from '../../domain/colour.ts';
import { M_PER_DEG } from '../../geo/areas/area-geometry.ts';
import { codeCompanion } from '../../geo/code-companions.ts';
import type { ManualClock } from '../../ports/clock.port.ts';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { createResident } from '../../../test/factories.ts';
import { bearer, httpLogin } from '../../../test/e2e/http.ts';
import { startPlacesPipeline } from '../../../test/e2e/places-pipeline.ts';
import { CODE_COMPANION_SOURCE } from './code-companion.service.ts';

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 20, 6);
const T1 = NOW - 40 * MIN;
// 花果园, 南明区
const P = { lat: 26.5601, lon: 106.6801 };

describe('code-display positions meet cases’ positions', () => {
  let ctx: TestContext;
  let clock: ManualClock;
  let app: App;
  let stopPipeline: () => Promise<void>;

  beforeAll(async () => {
    ctx = await createTestContext({ at: T1 });
    clock = ctx.clock as ManualClock;
    ({ app, stop: stopPipeline } = await startPlacesPipeline(ctx, [placesRoutes]));
  });
  afterAll(async () => {
    await stopPipeline?.();
    await ctx?.destroy();
  });

  const show = (token: string, at?: { lat: number; lon: number }) =>
    app.inject({
      method: 'GET',
      url: at ? `/v1/me/code?lat=${at.lat}&lon=${at.lon}&accuracy=10` : '/v1/me/code',
      headers: bearer(token),
    });
  const colour = async (token: string) => (await show(token)).json<{ colour5: number }>().colour5;
  const companionFacts = async () =>
    (
      await ctx.db.query<{ person_id: number; data: { seconds: number } }>(
        'SELECT person_id, data FROM facts WHERE source = $1 ORDER BY person_id',
        [CODE_COMPANION_SOURCE],
      )
    ).rows.map((r) => [Number(r.person_id), r.data.seconds]);

  it('a resident who showed the code beside a later-confirmed case turns orange; too short or too far does not', async () => {
    const patient = await createResident(ctx);
    // The case-to-be was at P from 10 minutes before T1 to 20 minutes after (a carrier stay).
    await ctx.places.stores.stays.insert({
      person_id: patient.id,
      started_at: new Date(T1 - 10 * MIN),
      ended_at: new Date(T1 + 20 * MIN),
      lat: P.lat,
      lon: P.lon,
      accuracy_m: 20,
      region_code: '520102',
      venue_id: null,
      source: 'carrier',
      source_record_id: 'patient-stay',
    });
    const near = await createResident(ctx);
    const late = await createResident(ctx);
    const far = await createResident(ctx);
    // quiet shows the code beside the case-to-be once and never again.
    const quiet = await createResident(ctx);
    const token = {
      quiet: await httpLogin(app, ctx, quiet.phone),
      near: await httpLogin(app, ctx, near.phone),
      late: await httpLogin(app, ctx, late.phone),
      far: await httpLogin(app, ctx, far.phone),
    };
    // T1: near shows the code 50 m from P (covers 30 min: 20 of them with the case);
    const r1 = await show(token.near, { lat: P.lat + 50 / M_PER_DEG, lon: P.lon });
    expect(r1.statusCode).toBe(200);
    expect((await show(token.quiet, { lat: P.lat, lon: P.lon + 30 / M_PER_DEG })).statusCode).toBe(200);
    // far 2 km away at the same moment;
    expect((await show(token.far, { lat: P.lat + 2000 / M_PER_DEG, lon: P.lon })).statusCode).toBe(200);
    // late at P, 15 minutes later: 5 minutes with the case, under the 600 s threshold.
    clock.set(T1 + 15 * MIN);
    expect((await show(token.late, P)).statusCode).toBe(200);
    // Nobody is a case yet: nothing recorded, everyone green.
    expect(await companionFacts()).toEqual([]);
    expect(await colour(token.near)).toBe(Colour5.green);

    // The patient is confirmed: the places worker checks at once whoever showed a code near them
    // (quiet, who shows no code again), and each display with a position checks again.
    clock.set(NOW);
    await ctx.facts.record({
      personId: patient.id,
      type: 'case',
      source: 'test',
      sourceRecordId: 'case-1',
      eventTime: NOW - 5 * MIN,
      data: { kind: 'confirmed' },
    });
    await expect.poll(() => colour(token.quiet), { timeout: 30_000 }).toBe(Colour5.orange);
    const elsewhere = { lat: 26.647, lon: 106.63 };
    for (const t of [token.near, token.late, token.far])
      expect((await show(t, elsewhere)).statusCode).toBe(200);
    expect(await companionFacts()).toEqual([
      [near.id, 20 * 60],
      [quiet.id, 20 * 60],
    ]);
    await expect.poll(() => colour(token.near), { timeout: 30_000 }).toBe(Colour5.orange);
    expect(await colour(token.late)).toBe(Colour5.green);
    expect(await colour(token.far)).toBe(Colour5.green);
    // Showing the code again records nothing new.
    await show(token.near, elsewhere);
    expect(await companionFacts()).toHaveLength(2);
  });
});

describe('codeCompanion (the rule on code positions)', () => {
  const rule = { radiusM: 800, thresholdSeconds: 600, presenceGapSeconds: 1800 };
  const at = (start: number, end = start, lat = P.lat) => ({ start, end, lat, lon: P.lon });
  it('sums overlaps within the radius; a next display cuts the presence', () => {
    expect(codeCompanion([at(0)], [at(0, 3600_000)], rule)).toEqual({
      seconds: 1800,
      first: 0,
      last: 1800_000,
    });
    // the next display 5 min later, 1 km away: the first covers only 5 min
    expect(
      codeCompanion([at(0), at(300_000, 300_000, P.lat + 1000 / M_PER_DEG)], [at(0, 3600_000)], rule),
    ).toBe(undefined);
    // inclusive threshold: exactly 600 s
    expect(codeCompanion([at(0)], [at(1200_000, 3600_000)], rule)?.seconds).toBe(600);
    // a case's single-moment position covers the gap too
    expect(codeCompanion([at(0)], [at(600_000)], rule)?.seconds).toBe(1200);
    expect(codeCompanion([at(0)], [at(0, 3600_000, P.lat + 801 / M_PER_DEG)], rule)).toBeUndefined();
  });
});
