import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { createResident } from '../../../test/factories.ts';
import type { NewFact } from './fact.repository.ts';

describe('bulk fact inserts', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => {
    await ctx.destroy();
  });

  it('keep every fact as written: shared and distinct data, no data, validity, author; a repeat is not new', async () => {
    const a = await createResident(ctx);
    const b = await createResident(ctx);
    const t0 = Date.UTC(2026, 10, 30, 8, 0, 0, 123);
    const shared = { list: 'list "A"', tier: 'high' as const, category: 'close_contact', action: 'enter' };
    const facts: NewFact[] = [
      {
        personId: a.id,
        type: 'close_contact',
        source: 'bulk-test',
        sourceRecordId: 'r1',
        eventTime: t0,
        data: shared,
      },
      {
        personId: b.id,
        type: 'close_contact',
        source: 'bulk-test',
        sourceRecordId: 'r2',
        eventTime: t0 + 1,
        data: { ...shared },
      },
      {
        personId: a.id,
        type: 'declaration',
        source: 'bulk-test',
        sourceRecordId: 'r3',
        eventTime: t0 + 2,
        data: { note: '发热 back\\slash', n: [1, 2.5] },
      },
      {
        personId: b.id,
        type: 'vaccination',
        source: 'bulk-test',
        sourceRecordId: 'r4',
        eventTime: t0 + 3,
        validFrom: t0 + 10,
        validUntil: t0 + 20,
        author: 'officer-1',
      },
    ];
    const fresh = await ctx.repos.facts.insertManyNew(facts, t0 + 100);
    expect([...fresh].sort()).toEqual(['r1', 'r2', 'r3', 'r4']);
    const byPerson = await ctx.repos.facts.forPersons([a.id, b.id]);
    const got = [...(byPerson.get(a.id) ?? []), ...(byPerson.get(b.id) ?? [])].filter(
      (f) => f.source === 'bulk-test',
    );
    const bySid = new Map(got.map((f) => [f.eventTime - t0, f]));
    expect(bySid.get(0)).toMatchObject({
      type: 'close_contact',
      data: shared,
      validFrom: t0,
      arrivalTime: t0 + 100,
    });
    expect(bySid.get(1)?.data).toEqual(shared);
    expect(bySid.get(2)?.data).toEqual({ note: '发热 back\\slash', n: [1, 2.5] });
    expect(bySid.get(3)).toMatchObject({
      type: 'vaccination',
      data: {},
      validFrom: t0 + 10,
      validUntil: t0 + 20,
    });
    const again = await ctx.repos.facts.insertManyNew(
      [...facts, { ...facts[0], sourceRecordId: 'r5' } as NewFact],
      t0 + 200,
    );
    expect([...again]).toEqual(['r5']);
  });

  it('name existing persons: a statement with a fact for nobody fails whole (23503), and a person with facts stays', async () => {
    const a = await createResident(ctx);
    const t0 = Date.UTC(2026, 10, 30, 9, 0, 0);
    const fact = (personId: number, sid: string): NewFact => ({
      personId,
      type: 'close_contact',
      source: 'fk-test',
      sourceRecordId: sid,
      eventTime: t0,
      data: { list: 'l' },
    });
    const nobody = a.id + 1_000_000;
    await expect(
      ctx.repos.facts.insertManyNew([fact(a.id, 'k1'), fact(nobody, 'k2')], t0),
    ).rejects.toMatchObject({ code: '23503' });
    await expect(ctx.facts.record(fact(nobody, 'k3'))).rejects.toMatchObject({ code: '23503' });
    const written = await ctx.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM facts WHERE source = 'fk-test'",
    );
    expect(written.rows[0]?.n).toBe(0);
    await ctx.repos.facts.insertManyNew([fact(a.id, 'k1')], t0);
    await expect(
      ctx.db.query('UPDATE facts SET person_id = $1 WHERE source = $2', [nobody, 'fk-test']),
    ).rejects.toMatchObject({ code: '23503' });
    await expect(ctx.db.query('DELETE FROM persons WHERE id = $1', [a.id])).rejects.toMatchObject({
      code: '23001', // persons are never deleted (migration 0500)
    });
    expect((await ctx.repos.facts.forPerson(a.id)).map((f) => f.source)).toEqual(['fk-test']);
  });
});
