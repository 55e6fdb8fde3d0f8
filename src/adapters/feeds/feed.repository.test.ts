import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { createResident } from '../../../test/factories.ts';
import type { NewFact } from '../../domain/fact.ts';
import type { KeyPopulationRow } from '../../ports/feed-store.port.ts';
import { FeedRepository } from './feed.repository.ts';

describe('key-population block statement', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => {
    await ctx.destroy();
  });

  it('returns the new facts’ ids in row order, whatever the order of their source ids', async () => {
    const persons = [await createResident(ctx), await createResident(ctx), await createResident(ctx)];
    const t0 = Date.UTC(2026, 10, 30, 8);
    // source ids out of every sort order of the rows, persons too, and one person twice
    const sids = ['k-m', 'k-z', 'k-a', 'k-q', 'k-b'];
    const who = [2, 0, 1, 2, 0];
    const rows = sids.map((sid, i) => {
      const personId = (persons[who[i] as number] as { id: number }).id;
      const kp: KeyPopulationRow & { regionCode: string | null } = {
        personId,
        list: `list ${i % 2}`,
        category: 'close_contact',
        tier: 'high',
        action: 'enter',
        eventTime: t0 - i * 1000,
        sourceId: sid,
        regionCode: '520102',
      };
      const fact: NewFact = {
        personId,
        type: 'close_contact',
        source: 'kp-order-test',
        sourceRecordId: sid,
        eventTime: kp.eventTime,
        data: { list: kp.list },
      };
      return { fact, kp };
    });
    const repo = new FeedRepository(ctx.db);
    const w = await repo.writeKeyPopulationBlock(rows, t0);
    expect(w.every).toBe(true);
    const ids = w.every ? w.ids : [];
    expect(ids).toHaveLength(rows.length);
    const stored = await ctx.db.query<{
      id: string | number;
      source_record_id: string;
      person_id: string | number;
    }>('SELECT id, source_record_id, person_id FROM facts WHERE source = $1', ['kp-order-test']);
    const byId = new Map(stored.rows.map((r) => [String(r.id), r]));
    expect(ids.map((id) => byId.get(String(id))?.source_record_id)).toEqual(sids);
    expect(ids.map((id) => Number(byId.get(String(id))?.person_id))).toEqual(
      rows.map((r) => r.fact.personId),
    );
    // the same block again: nothing new, so no ids, and the new ones named by source id
    const again = await repo.writeKeyPopulationBlock(rows, t0);
    expect(again).toEqual({ every: false, fresh: new Set() });
  });
});
