/**
 * The status table's compare-and-set (docs/DESIGN.md §3), on PGlite and (HC_TEST_SERVICES=1)
 * PostgreSQL: a write whose version is older than the stored one is refused and reported, an
 * equal or newer one replaces it; each row of a batch is decided on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Colour5, toColour3 } from '../../domain/colour.ts';
import type { Status } from '../../domain/status.ts';
import { createTestContext, USE_SERVICES, type TestContext } from '../../../test/context.ts';
import { createResident } from '../../../test/factories.ts';

const T = Date.UTC(2026, 10, 1);

/** the active policy's version and number (read in beforeAll): the table takes only its statuses */
let policyVersion = '';
let policySeq = 0;

function status(
  colour5: Colour5,
  factVersion: number,
  factCount: number,
  computedAt = T,
  seq = policySeq,
): Status {
  return {
    colour5,
    colour3: toColour3(colour5),
    reasons: [],
    nextReviewAt: null,
    policyVersion,
    policySeq: seq,
    computedAt,
    vaccineDoses: 0,
    lastNegativeTestDay: null,
    factVersion,
    factCount,
  };
}

describe(`status table compare-and-set (${USE_SERVICES ? 'PostgreSQL' : 'PGlite'})`, () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ at: T });
    const active = await ctx.policies.active();
    policyVersion = active.policy.version;
    policySeq = active.compiled.seq;
  });
  afterAll(async () => {
    await ctx?.destroy();
  });
  const stored = async (id: number) => ctx.repos.statuses.get(id);

  it('stores a first status with its version', async () => {
    const p = await createResident(ctx);
    const r = await ctx.repos.statuses.upsertMany([[p.id, status(Colour5.red, 12, 3)]]);
    expect(r).toEqual({ changed: 1, refused: [], stalePolicy: false });
    expect(await stored(p.id)).toMatchObject({
      colour5: Colour5.red,
      factVersion: 12,
      factCount: 3,
      computedAt: T,
    });
  });

  it('refuses an older status: fewer facts, or the same facts computed earlier', async () => {
    const p = await createResident(ctx);
    await ctx.repos.statuses.upsertMany([[p.id, status(Colour5.purple, 100, 4, T + 10)]]);
    const older = [
      status(Colour5.green, 99, 50, T + 99), // a lower highest fact id
      status(Colour5.green, 100, 3, T + 99), // the same highest id, fewer facts (one committed late)
      status(Colour5.green, 100, 4, T + 9), // the same facts, evaluated earlier
    ];
    for (const s of older) {
      const r = await ctx.repos.statuses.upsertMany([[p.id, s]]);
      expect(r).toEqual({ changed: 0, refused: [p.id], stalePolicy: false });
      expect(await stored(p.id)).toMatchObject({ colour5: Colour5.purple, factVersion: 100, factCount: 4 });
    }
  });

  it('accepts an equal or newer status', async () => {
    const p = await createResident(ctx);
    const write = async (s: Status) => ctx.repos.statuses.upsertMany([[p.id, s]]);
    await write(status(Colour5.red, 100, 4, T));
    expect(await write(status(Colour5.orange, 100, 4, T))).toEqual({
      changed: 1,
      refused: [],
      stalePolicy: false,
    });
    expect(await write(status(Colour5.yellow, 100, 4, T + 1))).toEqual({
      changed: 1,
      refused: [],
      stalePolicy: false,
    });
    expect(await write(status(Colour5.red, 100, 5, T))).toEqual({
      changed: 1,
      refused: [],
      stalePolicy: false,
    });
    expect(await write(status(Colour5.purple, 101, 1, T - 1000))).toEqual({
      changed: 1,
      refused: [],
      stalePolicy: false,
    });
    expect(await stored(p.id)).toMatchObject({ colour5: Colour5.purple, factVersion: 101, factCount: 1 });
  });

  it('decides each row of a batch on its own and counts only applied colour changes', async () => {
    const [a, b, c] = [await createResident(ctx), await createResident(ctx), await createResident(ctx)];
    await ctx.repos.statuses.upsertMany([
      [a.id, status(Colour5.red, 50, 2)],
      [b.id, status(Colour5.red, 50, 2)],
    ]);
    const r = await ctx.repos.statuses.upsertMany([
      [a.id, status(Colour5.green, 49, 2)], // older: refused, not counted as a change
      [b.id, status(Colour5.green, 51, 3)], // newer
      [c.id, status(Colour5.yellow, 7, 1)], // first status
    ]);
    expect(r).toEqual({ changed: 2, refused: [a.id], stalePolicy: false });
    expect((await stored(a.id))?.colour5).toBe(Colour5.red);
    expect((await stored(b.id))?.colour5).toBe(Colour5.green);
    expect((await stored(c.id))?.colour5).toBe(Colour5.yellow);
  });

  it('of the same facts, takes the status under the later policy, also when computed at the same moment', async () => {
    const p = await createResident(ctx);
    await ctx.repos.statuses.upsertMany([[p.id, status(Colour5.orange, 100, 4, T, policySeq + 1)]]);
    const r = await ctx.repos.statuses.upsertMany([[p.id, status(Colour5.green, 100, 4, T + 5, policySeq)]]);
    expect(r).toEqual({ changed: 0, refused: [p.id], stalePolicy: false });
    expect(await stored(p.id)).toMatchObject({ colour5: Colour5.orange, policySeq: policySeq + 1 });
  });

  it('writes nothing computed under a policy that is not the active one, and says so', async () => {
    const [a, b] = [await createResident(ctx), await createResident(ctx)];
    await ctx.repos.statuses.upsertMany([[a.id, status(Colour5.red, 10, 1)]]);
    const old = { ...status(Colour5.orange, 11, 2), policyVersion: 'an-older-version' };
    const first = { ...status(Colour5.orange, 3, 1), policyVersion: 'an-older-version' };
    const r = await ctx.repos.statuses.upsertMany([
      [a.id, old],
      [b.id, first],
    ]);
    expect(r).toEqual({ changed: 0, refused: [a.id, b.id], stalePolicy: true });
    expect((await stored(a.id))?.colour5).toBe(Colour5.red);
    expect(await stored(b.id)).toBeUndefined();
  });
});
