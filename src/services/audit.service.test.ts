import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../test/context.ts';

describe('hash-chained audit log', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(() => ctx?.destroy());

  it('verifies an intact chain and finds an edited, a deleted and a re-hashed row', async () => {
    for (let i = 0; i < 5; i++)
      await ctx.audit.append({
        actor: `officer:${i}`,
        action: 'person.read',
        personId: i + 1,
        detail: { b: 2, a: [1, 'x'] },
      });
    expect(await ctx.audit.verify()).toEqual({ ok: true, rows: 5, brokenAt: null });

    await ctx.db.query(`UPDATE audit_log SET actor = 'officer:99' WHERE seq = 3`);
    expect(await ctx.audit.verify()).toMatchObject({ ok: false, brokenAt: 3 });
    await ctx.db.query(`UPDATE audit_log SET actor = 'officer:2' WHERE seq = 3`);
    expect((await ctx.audit.verify()).ok).toBe(true);

    await ctx.db.query(`DELETE FROM audit_log WHERE seq = 4`);
    expect(await ctx.audit.verify()).toMatchObject({ ok: false, brokenAt: 5 });
  });

  it('lists who read a person', async () => {
    const seen = await ctx.audit.forPerson(2);
    expect(seen).toEqual([expect.objectContaining({ actor: 'officer:1', action: 'person.read' })]);
  });
});
