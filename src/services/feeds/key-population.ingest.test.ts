/**
 * Medium tests of the key-population block write (facts, membership and tasks in one statement,
 * or per row set when some rows were imported before), and that it writes only persons that exist
 * (the database refuses the rest: src/adapters/db/integrity.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { createResident } from '../../../test/factories.ts';
import { Colour5 } from '../../domain/colour.ts';
import type { IngestService } from './ingest.service.ts';
import { importBlocks } from './import.service.ts';
import { createIngestService } from '../../roles/feeds.feature.ts';

const NOW = Date.parse('2026-11-20T04:00:00Z');
const LIST = '密接名单';

describe('key-population blocks', () => {
  let ctx: TestContext;
  let ingest: IngestService;
  beforeEach(async () => {
    ctx = await createTestContext({ at: NOW });
    ingest = createIngestService(ctx, { followUp: 'recompute' });
  });
  afterEach(async () => ctx.destroy());

  const row = (sid: string, doc: string, action: string, at: string, tier?: string) => ({
    source_id: sid,
    doc_type: '10',
    doc_number: doc,
    category: 'close_contact',
    list: LIST,
    action,
    event_time: at,
    ...(tier ? { tier } : {}),
  });
  const importRows = async (...blocks: Array<Array<Record<string, string>>>) => {
    async function* gen() {
      let line = 2;
      for (const [i, b] of blocks.entries())
        yield { items: b.map((record) => ({ line: line++, record })), key: `b${i}`, bytesRead: 0 };
    }
    return importBlocks(ingest, 'key-population', gen());
  };
  const membership = async () =>
    (
      await ctx.db.query<{ person_id: number; tier: string; entered: Date; released: boolean; last: string }>(
        'SELECT person_id, tier, entered_at AS entered, released_at IS NOT NULL AS released, last_source_id AS last FROM key_population ORDER BY person_id',
      )
    ).rows;
  const tasks = async () =>
    (
      await ctx.db.query<{ person_id: number; source_id: string; tier: string; region_code: string }>(
        'SELECT person_id, source_id, tier, region_code FROM response_tasks ORDER BY source_id',
      )
    ).rows;

  it('entry, release and re-entry of one person inside one block replay in event order, whatever the file order', async () => {
    const a = await createResident(ctx, { regionCode: '520102' });
    const b = await createResident(ctx, { regionCode: '520103' });
    const r = await importRows([
      row('e-3', a.input.docNumber, 'enter', '2026-11-19T10:00:00+08:00', 'medium'),
      row('e-1', a.input.docNumber, 'enter', '2026-11-19T08:00:00+08:00'),
      row('e-2', b.input.docNumber, 'enter', '2026-11-19T08:00:00+08:00'),
      row('r-1', a.input.docNumber, 'release', '2026-11-19T09:00:00+08:00'),
    ]);
    expect([r.accepted, r.duplicates, r.rejected]).toEqual([4, 0, 0]);
    expect(await membership()).toEqual([
      {
        person_id: a.id,
        tier: 'medium',
        entered: new Date('2026-11-19T02:00:00Z'),
        released: false,
        last: 'e-3',
      },
      {
        person_id: b.id,
        tier: 'high',
        entered: new Date('2026-11-19T00:00:00Z'),
        released: false,
        last: 'e-2',
      },
    ]);
    expect(await tasks()).toEqual([
      { person_id: a.id, source_id: 'e-1', tier: 'high', region_code: '520102' },
      { person_id: b.id, source_id: 'e-2', tier: 'high', region_code: '520103' },
      { person_id: a.id, source_id: 'e-3', tier: 'medium', region_code: '520102' },
    ]);
    expect((await ctx.repos.facts.forPerson(a.id)).map((f) => [f.type, f.eventTime])).toEqual([
      ['close_contact', Date.parse('2026-11-19T00:00:00Z')],
      ['release', Date.parse('2026-11-19T01:00:00Z')],
      ['close_contact', Date.parse('2026-11-19T02:00:00Z')],
    ]);
    expect((await ctx.statuses.hot(a.id))?.colour5).toBe(Colour5.red);
  });

  it('a block with rows imported before applies membership and tasks for its new rows only', async () => {
    const a = await createResident(ctx, { regionCode: '520102' });
    const c = await createResident(ctx, { regionCode: '520104' });
    expect(
      (await importRows([row('e-1', a.input.docNumber, 'enter', '2026-11-19T08:00:00+08:00')])).accepted,
    ).toBe(1);
    const r = await importRows([
      row('e-1', a.input.docNumber, 'enter', '2026-11-19T08:00:00+08:00'),
      row('r-1', a.input.docNumber, 'release', '2026-11-19T09:00:00+08:00'),
      row('e-4', c.input.docNumber, 'enter', '2026-11-19T09:30:00+08:00'),
    ]);
    expect([r.accepted, r.duplicates, r.rejected]).toEqual([2, 1, 0]);
    expect((await membership()).map((m) => [m.person_id, m.released, m.last])).toEqual([
      [a.id, true, 'r-1'],
      [c.id, false, 'e-4'],
    ]);
    expect((await tasks()).map((t) => t.source_id)).toEqual(['e-1', 'e-4']);
    expect((await ctx.db.query('SELECT 1 FROM facts')).rows).toHaveLength(3);
    // The whole file again: nothing new anywhere.
    const again = await importRows([
      row('e-1', a.input.docNumber, 'enter', '2026-11-19T08:00:00+08:00'),
      row('e-4', c.input.docNumber, 'enter', '2026-11-19T09:30:00+08:00'),
    ]);
    expect([again.accepted, again.duplicates]).toEqual([0, 2]);
    expect((await tasks()).map((t) => t.source_id)).toEqual(['e-1', 'e-4']);
  });

  it('the recompute after a block takes its facts in hand and reads only the others: the same statuses as reading them all', async () => {
    const a = await createResident(ctx, { regionCode: '520102' });
    const b = await createResident(ctx, { regionCode: '520103' });
    // a already has a vaccination and a close contact from another source, between the block's two rows in time
    await ctx.facts.record({
      personId: a.id,
      type: 'vaccination',
      source: 'health.vaccinations',
      sourceRecordId: 'v-1',
      eventTime: Date.parse('2026-10-01T00:00:00Z'),
      data: { dose: 2, product: 'BBIBP' },
    });
    await ctx.facts.record({
      personId: a.id,
      type: 'close_contact',
      source: 'health.close-contacts',
      sourceRecordId: 'c-1',
      eventTime: Date.parse('2026-11-19T00:30:00Z'),
      data: { list: '卫健密接' },
    });
    const read = vi.spyOn(ctx.repos.facts, 'forPersons');
    const r = await importRows([
      { ...row('e-late', a.input.docNumber, 'enter', '2026-11-19T09:00:00+08:00'), list: '名单乙' },
      { ...row('e-early', a.input.docNumber, 'enter', '2026-11-19T08:00:00+08:00'), list: '名单甲' },
      row('e-b', b.input.docNumber, 'enter', '2026-11-19T08:00:00+08:00'),
    ]);
    expect([r.accepted, r.rejected]).toEqual([3, 0]);
    // one read, of the persons' other facts: the block's three were left out
    expect(read.mock.calls.map(([ids, except]) => [[...ids].sort(), except?.length])).toEqual([
      [[a.id, b.id].sort(), 3],
    ]);
    read.mockRestore();
    const shownA = await ctx.statuses.shown(a.id);
    const afterImport = [shownA, await ctx.statuses.shown(b.id), await ctx.statuses.hot(a.id)];
    await ctx.statuses.recompute([a.id, b.id]);
    expect([
      await ctx.statuses.shown(a.id),
      await ctx.statuses.shown(b.id),
      await ctx.statuses.hot(a.id),
    ]).toEqual(afterImport);
    const reasonA = shownA?.reasons[0];
    expect(reasonA?.rule).toBe('red.close_contact');
    expect(reasonA?.factIds).toHaveLength(3); // each fact once, in event order
    expect(reasonA?.lists).toEqual(['名单甲', '卫健密接', '名单乙']);
    expect(shownA?.vaccineDoses).toBe(2);
  });
});

describe('statuses, key_population and response_tasks without a foreign key to persons', () => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestContext({ at: NOW });
  });
  afterEach(async () => ctx.destroy());

  it('only persons that exist are written: unknown documents are row errors, unknown ids get no status', async () => {
    const a = await createResident(ctx);
    const ingest = createIngestService(ctx, { followUp: 'recompute' });
    async function* one() {
      yield {
        items: [
          {
            line: 2,
            record: {
              source_id: 'k-1',
              doc_type: '10',
              doc_number: a.input.docNumber,
              category: 'close_contact',
              list: LIST,
            },
          },
          // valid check character, but nobody registered with it
          {
            line: 3,
            record: {
              source_id: 'k-2',
              doc_type: '10',
              doc_number: '11010519491231002X',
              category: 'close_contact',
              list: LIST,
            },
          },
        ],
        key: 'b0',
        bytesRead: 0,
      };
    }
    const errors: string[] = [];
    const r = await importBlocks(ingest, 'key-population', one(), {
      onError: (e) => errors.push(`${e.line}:${e.code}`),
    });
    expect([r.accepted, r.rejected, errors]).toEqual([1, 1, ['3:ROW_UNKNOWN_PERSON']]);
    const ghost = a.id + 1000;
    const rc = await ctx.statuses.recompute([a.id, ghost]);
    expect([...rc.statuses.keys()]).toEqual([a.id]);
    for (const table of ['statuses', 'key_population', 'response_tasks']) {
      const orphans = await ctx.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} t WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = t.person_id)`,
      );
      expect([table, orphans.rows[0]?.n]).toEqual([table, 0]);
      expect(
        (await ctx.db.query(`SELECT 1 FROM ${table} WHERE person_id = $1`, [a.id])).rows.length,
      ).toBeGreaterThan(0);
    }
  });
});
