/** Fact → status through the real bus and worker; nextReviewAt; catch-up after missed events. */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../ports/clock.port.ts';
import { RecomputeWorker } from './recompute.worker.ts';
import { createTestContext, type TestContext } from '../../test/context.ts';
import { createResident } from '../../test/factories.ts';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 10, 1, 8, 0, 0);

// An upper bound for asynchronous recomputes on a loaded machine, not a timing assertion.
const POLL = { timeout: 60_000, interval: 20 };

describe('status recompute pipeline', () => {
  let ctx: TestContext;
  let worker: RecomputeWorker;
  const latencies: number[] = [];
  beforeAll(async () => {
    ctx = await createTestContext({ at: T0 });
    worker = new RecomputeWorker(ctx.bus, ctx.statuses, pino({ level: 'silent' }), {
      reviewIntervalMs: 60_000,
      clock: ctx.clock,
      onLatency: (s) => latencies.push(s),
    });
    await worker.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await ctx?.destroy();
  });
  const clock = () => ctx.clock as ManualClock;
  const colour = async (id: number) => (await ctx.statuses.hot(id))?.colour5;

  it('recomputes a person when a fact arrives on the bus', async () => {
    const p = await createResident(ctx);
    expect(await colour(p.id)).toBe(0);
    await ctx.facts.record({
      personId: p.id,
      type: 'secondary_contact',
      source: 'health.secondary',
      sourceRecordId: `s-${p.id}`,
      eventTime: T0 - H,
    });
    await expect.poll(() => colour(p.id), POLL).toBe(2);
    const stored = await ctx.repos.statuses.get(p.id);
    expect(stored).toMatchObject({ colour5: 2, policyVersion: expect.any(String) });
    expect(stored?.reasons[0]?.rule).toBe('orange.secondary_contact');
    // Latency is measured on the injected clock that accepted the fact (held still here), not the wall.
    expect(latencies.length).toBeGreaterThan(0);
    expect(latencies).toEqual(latencies.map(() => 0));
  });

  it('counts the persons whose colour changed: a first status, a new colour; not a repeat', async () => {
    const [a, b] = [await createResident(ctx), await createResident(ctx)];
    await ctx.db.query('DELETE FROM statuses WHERE person_id = ANY($1::bigint[])', [[a.id, b.id]]);
    expect((await ctx.statuses.recompute([a.id, b.id])).changed).toBe(2);
    expect((await ctx.statuses.recompute([a.id, b.id])).changed).toBe(0);
    await ctx.repos.facts.insertManyNew(
      [
        {
          personId: b.id,
          type: 'close_contact',
          source: 'health.close',
          sourceRecordId: `cc-${b.id}`,
          eventTime: T0 - H,
        },
      ],
      T0,
    );
    const r = await ctx.statuses.recompute([a.id, b.id]);
    expect(r.changed).toBe(1);
    expect(r.statuses.get(b.id)?.colour5).toBe(3);
  });

  it('ignores a re-sent fact (same source record id)', async () => {
    const p = await createResident(ctx);
    const f = {
      personId: p.id,
      type: 'companion' as const,
      source: 'telecom',
      sourceRecordId: `c-${p.id}`,
      eventTime: T0 - H,
    };
    expect((await ctx.facts.record(f)).duplicate).toBe(false);
    expect((await ctx.facts.record(f)).duplicate).toBe(true);
    expect(await ctx.facts.forPerson(p.id)).toHaveLength(1);
  });

  it('turns a city-with-cases stay green on its own after the lookback, via nextReviewAt', async () => {
    const p = await createResident(ctx);
    await ctx.facts.record({
      personId: p.id,
      type: 'city_with_cases_stay',
      source: 'itinerary',
      sourceRecordId: `y-${p.id}`,
      eventTime: T0 - 2 * D,
    });
    await expect.poll(() => colour(p.id), POLL).toBe(1);
    const review = (await ctx.statuses.hot(p.id))!.nextReviewAt * 1000;
    expect(review).toBe(T0 - 2 * D + 14 * D);
    clock().set(review - 1);
    await ctx.statuses.reviewDue();
    expect(await colour(p.id)).toBe(1);
    clock().set(review);
    expect(await ctx.statuses.reviewDue()).toBeGreaterThanOrEqual(1);
    expect(await colour(p.id)).toBe(0);
    clock().set(T0);
  });

  it('catches up on facts written while no worker listened', async () => {
    const p = await createResident(ctx);
    await ctx.statuses.recompute([p.id]);
    clock().advance(1000);
    // Written straight to the table: no event was published.
    await ctx.repos.facts.insert(
      { personId: p.id, type: 'close_contact', source: 'direct', sourceRecordId: `d-${p.id}`, eventTime: T0 },
      ctx.clock.now(),
    );
    expect(await colour(p.id)).toBe(0);
    expect(await ctx.statuses.catchUp()).toBeGreaterThanOrEqual(1);
    expect(await colour(p.id)).toBe(3);
    clock().set(T0);
  });

  it('recomputes everyone with progress and counts colour changes', async () => {
    const seen: number[] = [];
    const r = await ctx.statuses.recomputeAll((p) => seen.push(p.done), 2);
    expect(r.done).toBe(await ctx.repos.persons.count());
    expect(seen[seen.length - 1]).toBe(r.done);
    expect(seen.length).toBeGreaterThan(1);
  });
});
