/**
 * End to end through the outbox: collection → lab result → outbox → bus → intermediate store →
 * test_result facts → colours. A pooled positive turns every member orange until their negative
 * single-tube retest; a single positive turns its person purple (red on the 3-colour scale).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Colour5 } from '../../../domain/colour.ts';
import { parseJkm1 } from '../../../domain/token/jkm1.ts';
import { testServer, bearer } from '../../../../test/e2e/http.ts';
import { createResident, residentToken } from '../../../../test/factories.ts';
import { apiKey, createTestingWorld, eventually, type TestingWorld } from '../../../../test/nat/nat-world.ts';
import { resultsRouteModule as resultsRoutes } from '../../../roles/results.feature.ts';

let w: TestingWorld;
beforeAll(async () => {
  w = await createTestingWorld();
});
afterAll(async () => {
  await w?.close();
});

const colourOf = async (id: number) => (await w.ctx.codes.issue(id, 's')).colour5;

async function collect(body: object) {
  const r = await w.app.inject({
    method: 'POST',
    url: '/testing/v1/collections',
    headers: apiKey(w.tester.apiKey),
    payload: body,
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as {
    accepted: number;
    duplicates: number;
    rejected: number;
    items: Array<{ status: string; ref?: string }>;
  };
}

async function report(results: Array<{ tube: string; result: string; version?: number }>) {
  const r = await w.app.inject({
    method: 'POST',
    url: '/testing/v1/lab/results',
    headers: apiKey(w.lab.apiKey),
    payload: { results },
  });
  expect(r.statusCode, r.body).toBe(200);
  return (
    r.json() as { items: Array<{ tube: string; status: string; code?: string; retestOrders?: number }> }
  ).items;
}

describe('testing → intermediate store → colours', () => {
  it('turns a pooled positive tube orange for every member, and each back after a negative retest', async () => {
    const people = await Promise.all(Array.from({ length: 10 }, () => createResident(w.ctx)));
    // Half scanned by code (verified against the trust list), half by identity document.
    const items = await Promise.all(
      people.map(async (p, i) =>
        i % 2 === 0
          ? { tube: 'POOL-A-0001', code: (await w.ctx.codes.issue(p.id, 's')).token, ref: `scan-${i}` }
          : { tube: 'POOL-A-0001', doc: { type: 10, number: p.input.docNumber }, ref: `scan-${i}` },
      ),
    );
    const first = await collect({ tubes: [{ barcode: 'POOL-A-0001', kind: 'pool10' }], items });
    expect(first).toMatchObject({ accepted: 10, duplicates: 0, rejected: 0 });
    // A device re-sending the batch (lost acknowledgement) changes nothing; an 11th swab does not fit.
    expect(await collect({ tubes: [{ barcode: 'POOL-A-0001', kind: 'pool10' }], items })).toMatchObject({
      accepted: 0,
      duplicates: 10,
    });
    const extra = await createResident(w.ctx);
    const full = await collect({
      items: [{ tube: 'POOL-A-0001', doc: { type: 10, number: extra.input.docNumber } }],
    });
    expect(full.items[0]?.status).toBe('TUBE_FULL');

    const out = await report([{ tube: 'POOL-A-0001', result: 'positive' }]);
    expect(out[0]).toMatchObject({ status: 'recorded', retestOrders: 10 });
    for (const p of people)
      await eventually(async () => (await colourOf(p.id)) === Colour5.orange, `person ${p.id} orange`);

    // Retests: each member alone in a single tube, scanned the same way as before, all negative.
    const retestItems = await Promise.all(
      people.map(async (p, i) =>
        i % 2 === 0
          ? { tube: `SINGLE-R-${i}`, code: (await w.ctx.codes.issue(p.id, 's')).token }
          : { tube: `SINGLE-R-${i}`, doc: { type: 10, number: p.input.docNumber } },
      ),
    );
    await collect({
      tubes: people.map((_, i) => ({ barcode: `SINGLE-R-${i}`, kind: 'single' })),
      items: retestItems,
    });
    const open = (await w.testing.testing.lab.openRetests()).filter((o) => o.tube === 'POOL-A-0001');
    expect(open).toHaveLength(0); // the single-tube swabs fulfilled every retest order
    await report(people.slice(0, 5).map((_, i) => ({ tube: `SINGLE-R-${i}`, result: 'negative' })));
    for (const p of people.slice(0, 5))
      await eventually(async () => (await colourOf(p.id)) === Colour5.green, `person ${p.id} green`);
    // Those still waiting for their retest result stay orange.
    for (const p of people.slice(5)) expect(await colourOf(p.id)).toBe(Colour5.orange);
    await report(people.slice(5).map((_, i) => ({ tube: `SINGLE-R-${i + 5}`, result: 'negative' })));
    for (const p of people.slice(5))
      await eventually(async () => (await colourOf(p.id)) === Colour5.green, `person ${p.id} green`);
  });

  it('turns a single positive purple (red on the 3-colour scale), exactly once across replays', async () => {
    const p = await createResident(w.ctx);
    const code = (await w.ctx.codes.issue(p.id, 's')).token;
    await collect({
      tubes: [{ barcode: 'SINGLE-X-0001', kind: 'single' }],
      items: [{ tube: 'SINGLE-X-0001', code }],
    });
    await report([{ tube: 'SINGLE-X-0001', result: 'positive' }]);
    await eventually(async () => (await colourOf(p.id)) === Colour5.purple, 'purple');
    const issued = await w.ctx.codes.issue(p.id, 's');
    expect(issued.colour3).toBe(2);

    // The lab re-sends the same version: a no-op. A different result under the same version: refused.
    expect((await report([{ tube: 'SINGLE-X-0001', result: 'positive' }]))[0]?.status).toBe('duplicate');
    expect((await report([{ tube: 'SINGLE-X-0001', result: 'negative' }]))[0]?.code).toBe(
      'RESULT_VERSION_CONFLICT',
    );

    // Redelivery of the published event (the bus is at least once) records nothing new.
    const ev = (
      await w.testing.testing.db.query<{ payload: object }>(
        "SELECT payload FROM testing.outbox WHERE subject = 'hc.testing.result' AND payload->>'tube' = 'SINGLE-X-0001'",
      )
    ).rows;
    expect(ev).toHaveLength(1);
    const facts = async () =>
      (
        await w.ctx.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM facts WHERE person_id = $1 AND type = 'test_result'",
          [p.id],
        )
      ).rows[0]?.n;
    await eventually(async () => (await facts()) === 1, 'fact stored');
    await w.consumer.handle('hc.testing.result', ev[0]?.payload);
    await w.consumer.handle('hc.testing.result', ev[0]?.payload);
    expect(await facts()).toBe(1);
    const stored = await w.ctx.db.query("SELECT * FROM intermediate_results WHERE tube = 'SINGLE-X-0001'");
    expect(stored.rows).toHaveLength(1);
  });

  it('releases a yellow status with a negative test that arrives through the outbox', async () => {
    const p = await createResident(w.ctx);
    await w.ctx.facts.record({
      personId: p.id,
      type: 'city_with_cases_stay',
      source: 'test.itinerary',
      sourceRecordId: `stay-${p.id}`,
      eventTime: Date.now() - 86400_000,
      data: { regionCode: '520100' },
    });
    await eventually(async () => (await colourOf(p.id)) === Colour5.yellow, 'yellow');
    await collect({
      tubes: [{ barcode: `POOL-Y-${p.id}`, kind: 'pool20' }],
      items: [{ tube: `POOL-Y-${p.id}`, doc: { type: 10, number: p.input.docNumber } }],
    });
    await report([{ tube: `POOL-Y-${p.id}`, result: 'negative' }]);
    await eventually(
      async () => (await colourOf(p.id)) === Colour5.green,
      'green after a negative pooled test',
    );
  });

  it('shows a resident their results with "as of", bookings and vaccinations, all from the code service', async () => {
    const p = await createResident(w.ctx);
    const token = await residentToken(w.ctx, p.phone);
    // Officer sets up a site with a slot; the resident books it on the testing API.
    const officer = await w.ctx.auth.addStaff(`officer${p.id}`, 'pass-word-123', '王医生', 'officer', '52');
    void officer;
    const staff = await w.ctx.auth.staffLogin(`officer${p.id}`, 'pass-word-123');
    const site = await w.app.inject({
      method: 'POST',
      url: '/testing/v1/sites',
      headers: bearer(staff.accessToken),
      payload: { name: '南明区人民广场采样点', regionCode: '520102', address: '人民广场' },
    });
    expect(site.statusCode, site.body).toBe(201);
    // the testing service's edge is the platform's: security headers on its answers too
    expect(site.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
    expect(site.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const start = Date.now() + 3600_000;
    const slots = await w.app.inject({
      method: 'POST',
      url: `/testing/v1/sites/${(site.json() as { id: number }).id}/slots`,
      headers: bearer(staff.accessToken),
      payload: { slots: [{ startsAt: start, endsAt: start + 1800_000, capacity: 1 }] },
    });
    expect(slots.statusCode, slots.body).toBe(200);
    const slotId = (slots.json() as Array<{ id: number }>)[0]?.id;
    const booked = await w.app.inject({
      method: 'POST',
      url: '/testing/v1/bookings',
      headers: bearer(token),
      payload: { slotId },
    });
    expect(booked.statusCode, booked.body).toBe(201);
    const other = await createResident(w.ctx);
    const full = await w.app.inject({
      method: 'POST',
      url: '/testing/v1/bookings',
      headers: bearer(await residentToken(w.ctx, other.phone)),
      payload: { slotId },
    });
    expect(full.json()).toMatchObject({ error: { code: 'SLOT_FULL' } });

    await collect({
      tubes: [{ barcode: 'SINGLE-Y-0001', kind: 'single' }],
      items: [{ tube: 'SINGLE-Y-0001', doc: { type: 10, number: p.input.docNumber } }],
    });
    await report([{ tube: 'SINGLE-Y-0001', result: 'negative' }]);

    const code = await testServer(w.ctx, [resultsRoutes]);
    await eventually(async () => {
      const r = await code.inject({ method: 'GET', url: '/v1/me/results', headers: bearer(token) });
      return (r.json() as { latest: { result: string } | null }).latest?.result === 'negative';
    }, 'result visible');
    const mine = (
      await code.inject({ method: 'GET', url: '/v1/me/results', headers: bearer(token) })
    ).json() as { asOf: string | null; latest: { pooled: boolean } };
    expect(mine.asOf).not.toBeNull();
    expect(mine.latest.pooled).toBe(false);
    const status = await code.inject({
      method: 'GET',
      url: '/v1/admin/intermediate-store',
      headers: bearer(staff.accessToken),
    });
    expect(status.json()).toMatchObject({ unmatchedMembers: 0 });
    expect((status.json() as { results: number }).results).toBeGreaterThan(0);
    await eventually(
      async () =>
        (
          (
            await code.inject({ method: 'GET', url: '/v1/me/bookings', headers: bearer(token) })
          ).json() as unknown[]
        ).length === 1,
      'booking visible',
    );

    const vac = await code.inject({
      method: 'POST',
      url: '/v1/health/vaccinations',
      headers: bearer(staff.accessToken),
      payload: {
        records: [
          {
            docType: 10,
            docNumber: p.input.docNumber,
            product: 'Sinovac-CoronaVac',
            dose: 1,
            date: '2021-05-01',
            site: '贵阳市第一人民医院',
          },
          {
            docType: 10,
            docNumber: p.input.docNumber,
            product: 'Sinovac-CoronaVac',
            dose: 2,
            date: '2021-06-01',
            site: '贵阳市第一人民医院',
          },
          {
            docType: 10,
            docNumber: '520102199001011234',
            product: 'x',
            dose: 1,
            date: '2021-05-01',
            site: 'x',
          },
        ],
      },
    });
    expect((vac.json() as { items: Array<{ status: string }> }).items.map((i) => i.status)).toEqual([
      'recorded',
      'recorded',
      'rejected',
    ]);
    const again = await code.inject({
      method: 'POST',
      url: '/v1/health/vaccinations',
      headers: bearer(staff.accessToken),
      payload: {
        records: [
          {
            docType: 10,
            docNumber: p.input.docNumber,
            product: 'Sinovac-CoronaVac',
            dose: 2,
            date: '2021-06-01',
            site: '贵阳市第一人民医院',
          },
        ],
      },
    });
    expect((again.json() as { items: Array<{ status: string }> }).items[0]?.status).toBe('duplicate');
    expect(
      (await code.inject({ method: 'GET', url: '/v1/me/vaccinations', headers: bearer(token) })).json(),
    ).toMatchObject({ doses: 2 });
    await eventually(
      async () => (await w.ctx.codes.issue(p.id, 's')).display.vaccineDoses === 2,
      'doses on the code',
    );
    const parsed = parseJkm1((await w.ctx.codes.issue(p.id, 's')).token);
    expect(parsed.ok && parsed.claims.hc.v).toBe(2);
    await code.close();
  });
});
