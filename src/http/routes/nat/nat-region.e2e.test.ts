/**
 * Officers manage testing sites and slots only inside their region, like the rest of the platform,
 * and every write of the testing service leaves an audit row (docs/DESIGN.md §11), over HTTP on
 * PGlite and, with HC_TEST_SERVICES=1, on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../../../../test/e2e/http.ts';
import { createResident, residentToken } from '../../../../test/factories.ts';
import { apiKey, createTestingWorld, type TestingWorld } from '../../../../test/nat/nat-world.ts';

let w: TestingWorld;
let guiyang: string;
let beijing: string;
beforeAll(async () => {
  w = await createTestingWorld({ HC_TESTING_RELAY: 'off' });
  await w.ctx.auth.addStaff('gy-nat', 'pass-word-123', '贵阳官员 Guiyang officer', 'officer', '5201');
  await w.ctx.auth.addStaff('bj-nat', 'pass-word-123', '北京官员 Beijing officer', 'officer', '110101');
  guiyang = (await w.ctx.auth.staffLogin('gy-nat', 'pass-word-123')).accessToken;
  beijing = (await w.ctx.auth.staffLogin('bj-nat', 'pass-word-123')).accessToken;
});
afterAll(async () => {
  await w?.close();
});

const audit = async (action: string) =>
  (
    await w.testing.testing.db.query<{
      actor: string;
      region_code: string | null;
      detail: Record<string, unknown>;
    }>('SELECT actor, region_code, detail FROM testing.audit_log WHERE action = $1 ORDER BY id', [action])
  ).rows;

const addSite = (token: string, regionCode: string) =>
  w.app.inject({
    method: 'POST',
    url: '/testing/v1/sites',
    headers: bearer(token),
    payload: { name: `采样点 ${regionCode}`, regionCode, address: '' },
  });
const setSlots = (token: string, siteId: number, capacity: number) => {
  const t = Date.now() + 86400_000;
  return w.app.inject({
    method: 'POST',
    url: `/testing/v1/sites/${siteId}/slots`,
    headers: bearer(token),
    payload: { slots: [{ startsAt: t, endsAt: t + 3600_000, capacity }] },
  });
};

describe('testing sites and slots are scoped to the officer region', () => {
  it('refuses a 5201 officer a site in 110101, and audits the site made in 520102', async () => {
    const out = await addSite(guiyang, '110101');
    expect(out.statusCode, out.body).toBe(403);
    expect(out.json().error.code).toBe('SITE_OUT_OF_REGION');
    expect((await w.testing.testing.sites.sites('110101')).length).toBe(0);

    const own = await addSite(guiyang, '520102');
    expect(own.statusCode, own.body).toBe(201);
    const rows = await audit('nat.site.add');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ region_code: '520102', detail: { siteId: own.json().id } });
    expect(rows[0]?.actor).toMatch(/^officer:\d+$/);
  });

  it("refuses a 5201 officer another region's slot capacity, and audits the owner's change", async () => {
    const site = await addSite(beijing, '110101');
    expect(site.statusCode, site.body).toBe(201);
    const siteId = site.json<{ id: number }>().id;
    const set = await setSlots(beijing, siteId, 100);
    expect(set.statusCode, set.body).toBe(200);

    const before = (await audit('nat.slots.set')).length;
    const out = await setSlots(guiyang, siteId, 0);
    expect(out.statusCode, out.body).toBe(403);
    expect(out.json().error.code).toBe('SITE_OUT_OF_REGION');
    expect((await w.testing.testing.sites.slots(siteId))[0]?.capacity).toBe(100);
    expect(await audit('nat.slots.set')).toHaveLength(before);

    const rows = await audit('nat.slots.set');
    expect(rows.at(-1)).toMatchObject({ region_code: '110101', detail: { siteId } });
    const unknown = await setSlots(guiyang, 987654, 5);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('SITE_UNKNOWN');
  });

  it('audits bookings, collection batches and lab results', async () => {
    const site = (await addSite(guiyang, '520103')).json<{ id: number }>();
    const slot = (await setSlots(guiyang, site.id, 5)).json<Array<{ id: number }>>()[0];
    const p = await createResident(w.ctx);
    const token = await residentToken(w.ctx, p.phone);
    const booked = await w.app.inject({
      method: 'POST',
      url: '/testing/v1/bookings',
      headers: bearer(token),
      payload: { slotId: slot?.id },
    });
    expect(booked.statusCode, booked.body).toBe(201);
    expect(await audit('nat.booking.book')).toEqual([
      expect.objectContaining({
        actor: `resident:${p.id}`,
        detail: expect.objectContaining({ slotId: slot?.id }),
      }),
    ]);

    const collected = await w.app.inject({
      method: 'POST',
      url: '/testing/v1/collections',
      headers: apiKey(w.tester.apiKey),
      payload: {
        siteId: site.id,
        tubes: [{ barcode: 'AUD-0001', kind: 'pool10' }],
        items: [{ tube: 'AUD-0001', subject: 'subjectsubject000001' }],
      },
    });
    expect(collected.statusCode, collected.body).toBe(200);
    expect(await audit('nat.collection')).toContainEqual(
      expect.objectContaining({
        actor: `device:${w.tester.id}`,
        detail: expect.objectContaining({ siteId: site.id, accepted: 1 }),
      }),
    );

    const reported = await w.app.inject({
      method: 'POST',
      url: '/testing/v1/lab/results',
      headers: apiKey(w.lab.apiKey),
      payload: { results: [{ tube: 'AUD-0001', result: 'negative' }] },
    });
    expect(reported.statusCode, reported.body).toBe(200);
    expect(await audit('nat.lab.results')).toContainEqual(
      expect.objectContaining({
        actor: `device:${w.lab.id}`,
        detail: expect.objectContaining({ recorded: 1, tubes: ['AUD-0001'] }),
      }),
    );
  });
});
