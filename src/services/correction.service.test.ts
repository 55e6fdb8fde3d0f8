/**
 * Corrections: region scope, the policy's bounds on the expiry, and atomicity — the correction fact
 * and its audit entry commit together or not at all (on PGlite, and on PostgreSQL with
 * HC_TEST_SERVICES=1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../test/context.ts';
import { createResident } from '../../test/factories.ts';
import type { ManualClock } from '../ports/clock.port.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 20, 2, 0, 0);

describe('CorrectionService', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ at: T0 });
  });
  afterAll(async () => {
    await ctx?.destroy();
  });
  const officer = { actor: 'officer:7', regionPrefix: '5201' };
  const corrections = async (personId: number) =>
    (await ctx.facts.forPerson(personId)).filter((f) => f.type === 'correction');
  const audited = async (personId: number) =>
    (
      await ctx.db.query<{ action: string; detail: Record<string, unknown> }>(
        "SELECT action, detail FROM audit_log WHERE person_id = $1 AND action = 'person.correct'",
        [personId],
      )
    ).rows;

  it('records the fact and its audit entry, and the colour follows', async () => {
    const p = await createResident(ctx, { regionCode: '520102' });
    const { factId } = await ctx.corrections.correct(officer, p.id, {
      colour5: 'yellow',
      reason: '人工核查 manual review',
      expiresAt: T0 + 3 * DAY,
    });
    const [f] = await corrections(p.id);
    expect(f).toMatchObject({
      id: String(factId),
      eventTime: T0,
      validUntil: T0 + 3 * DAY,
      data: { colour5: 'yellow', reason: '人工核查 manual review' },
    });
    expect(await audited(p.id)).toEqual([
      {
        action: 'person.correct',
        detail: {
          factId,
          colour5: 'yellow',
          reason: '人工核查 manual review',
          expiresAt: new Date(T0 + 3 * DAY).toISOString(),
        },
      },
    ]);
    expect((await ctx.audit.verify()).ok).toBe(true);
    await ctx.settle();
    await ctx.statuses.recompute([p.id]);
    expect((await ctx.statuses.hot(p.id))?.colour5).toBe(1);
  });

  it('refuses outside the region, in the past and beyond correction.maxDays, writing nothing', async () => {
    const p = await createResident(ctx, { regionCode: '520102' });
    const c = (expiresAt: number, by = officer) =>
      ctx.corrections.correct(by, p.id, { colour5: 'green', reason: '核实 checked', expiresAt });
    await expect(c(T0 + DAY, { actor: 'officer:8', regionPrefix: '5203' })).rejects.toMatchObject({
      code: 'PERSON_NOT_FOUND',
      status: 404,
    });
    await expect(
      ctx.corrections.correct(officer, 999_999_999, {
        colour5: 'green',
        reason: 'xxxx',
        expiresAt: T0 + DAY,
      }),
    ).rejects.toMatchObject({ code: 'PERSON_NOT_FOUND' });
    await expect(c(T0)).rejects.toMatchObject({ code: 'CORRECTION_EXPIRED', status: 400 });
    await expect(c(Number.NaN)).rejects.toMatchObject({ code: 'CORRECTION_EXPIRED' });
    await expect(c(T0 + 14 * DAY + 1)).rejects.toMatchObject({ code: 'CORRECTION_TOO_LONG', status: 400 });
    await expect(c(Date.parse('9999-12-31T00:00:00Z'))).rejects.toMatchObject({
      code: 'CORRECTION_TOO_LONG',
    });
    expect(await corrections(p.id)).toEqual([]);
    expect(await audited(p.id)).toEqual([]);
    await c(T0 + 14 * DAY); // exactly the maximum is allowed
    expect(await corrections(p.id)).toHaveLength(1);
  });

  it('the same correction twice in one millisecond is refused once, with one fact and one audit entry', async () => {
    const p = await createResident(ctx, { regionCode: '520102' });
    const c = () =>
      ctx.corrections.correct(officer, p.id, {
        colour5: 'green',
        reason: '核实 checked',
        expiresAt: T0 + DAY,
      });
    await c();
    await expect(c()).rejects.toMatchObject({ code: 'CORRECTION_DUPLICATE', status: 409 });
    expect(await corrections(p.id)).toHaveLength(1);
    expect(await audited(p.id)).toHaveLength(1);
  });

  it('when the audit entry cannot be written, the correction is not recorded either', async () => {
    const p = await createResident(ctx, { regionCode: '520102' });
    // A real failure inside the transaction, after the fact was inserted: the audit insert is refused.
    await ctx.db.query(
      `CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit unavailable'; END $$`,
    );
    await ctx.db.query(
      'CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()',
    );
    try {
      (ctx.clock as ManualClock).advance(1);
      await expect(
        ctx.corrections.correct(officer, p.id, {
          colour5: 'green',
          reason: '核实 checked',
          expiresAt: T0 + DAY,
        }),
      ).rejects.toThrow(/audit unavailable/);
    } finally {
      await ctx.db.query('DROP TRIGGER refuse_audit ON audit_log');
      await ctx.db.query('DROP FUNCTION refuse_audit()');
    }
    expect(await corrections(p.id)).toEqual([]);
    expect(await audited(p.id)).toEqual([]);
    expect((await ctx.audit.verify()).ok).toBe(true);
  });
});
