/**
 * Monotonic statuses (docs/DESIGN.md §3) through StatusService, on PGlite and (HC_TEST_SERVICES=1)
 * PostgreSQL + Redis: a recompute that read fewer facts and finishes last is refused by the status
 * table and the cache, the workers being two services on separate connections; a worker that still
 * applies the previous policy after another process published a new one writes nothing under it
 * (it reloads and recomputes); retention resets the versions of persons who lose facts so their
 * next recompute lands.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStatusCache } from '../adapters/cache/redis-status-cache.ts';
import { openDatabase, type Database } from '../adapters/db/database.ts';
import { FactRepository } from '../adapters/repositories/fact.repository.ts';
import { PersonRepository } from '../adapters/repositories/person.repository.ts';
import { StatusRepository } from '../adapters/repositories/status.repository.ts';
import type { Fact } from '../domain/fact.ts';
import type { FactStore } from '../ports/fact-store.port.ts';
import type { StatusCache } from '../ports/status-cache.port.ts';
import { PolicyRepository } from '../adapters/repositories/policy.repository.ts';
import { runRetention } from './feeds/retention.service.ts';
import { PolicyService } from './policy.service.ts';
import { RetentionRepository } from '../adapters/feeds/retention.repository.ts';
import { StatusService } from './status.service.ts';
import { createTestContext, REDIS_URL, USE_SERVICES, type TestContext } from '../../test/context.ts';
import { createResident } from '../../test/factories.ts';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 10, 1, 8, 0, 0);

/** A fact store that holds each read's answer until released: a worker paused between read and write. */
function pausedAfterRead(inner: FactStore): { store: FactStore; read: Promise<void>; release: () => void } {
  let signalRead!: () => void;
  let release!: () => void;
  const read = new Promise<void>((r) => (signalRead = r));
  const released = new Promise<void>((r) => (release = r));
  const store: FactStore = {
    insert: (f, at) => inner.insert(f, at),
    insertMany: (f, at) => inner.insertMany(f, at),
    insertManyNew: (f, at) => inner.insertManyNew(f, at),
    forPerson: (id) => inner.forPerson(id),
    personsWithUnappliedFacts: (n) => inner.personsWithUnappliedFacts(n),
    bound: (tx) => inner.bound(tx),
    async forPersons(ids, except): Promise<Map<number, Fact[]>> {
      const facts = await inner.forPersons(ids, except);
      signalRead();
      await released;
      return facts;
    },
  };
  return { store, read, release };
}

describe(`monotonic statuses (${USE_SERVICES ? 'PostgreSQL + Redis' : 'PGlite'})`, () => {
  let ctx: TestContext;
  // the second worker's own connections: a pool and a Redis client (services), or the same embedded ones
  let db2: Database;
  let cache2: StatusCache;
  beforeAll(async () => {
    ctx = await createTestContext({ at: T0 });
    if (USE_SERVICES) {
      db2 = await openDatabase({ databaseUrl: ctx.config.databaseUrl, poolSize: 2 });
      cache2 = new RedisStatusCache(REDIS_URL, (ctx.cache as unknown as { prefix: string }).prefix);
    } else {
      db2 = ctx.db;
      cache2 = ctx.cache;
    }
  });
  afterAll(async () => {
    if (USE_SERVICES) {
      await cache2?.close();
      await db2?.close();
    }
    await ctx?.destroy();
  });

  const secondWorker = (facts: FactStore) =>
    new StatusService(
      new PersonRepository(db2),
      facts,
      new StatusRepository(db2),
      cache2,
      ctx.policies,
      ctx.clock,
    );

  it('a recompute that read fewer facts and writes last is refused by the table and the cache', async () => {
    const p = await createResident(ctx);
    const fact = (type: 'secondary_contact' | 'close_contact', n: number) =>
      ctx.repos.facts.insert(
        { personId: p.id, type, source: 'health', sourceRecordId: `v-${p.id}-${n}`, eventTime: T0 - H },
        T0,
      );
    await fact('secondary_contact', 1); // orange
    const slow = pausedAfterRead(new FactRepository(db2));
    const stale = secondWorker(slow.store).recompute([p.id]);
    await slow.read; // the slow worker has read one fact...
    await fact('close_contact', 2); // ...a red fact arrives, and the other worker applies it
    const fresh = await ctx.statuses.recompute([p.id]);
    expect(fresh.statuses.get(p.id)?.colour5).toBe(3);
    slow.release();
    const late = await stale;
    expect(late.refused).toBe(1);
    expect(late.statuses.has(p.id)).toBe(false);
    expect(await ctx.repos.statuses.get(p.id)).toMatchObject({ colour5: 3, factCount: 2 });
    expect((await ctx.cache.get(p.id))?.colour5).toBe(3);
    expect((await cache2.get(p.id))?.colour5).toBe(3);
    expect((await ctx.statuses.hot(p.id))?.colour5).toBe(3);
  });

  it('a recompute of the same facts with the fact committed out of id order is refused too', async () => {
    // Two writers: fact 1 (lower id) commits after fact 2; a worker that read only fact 2 has the
    // same highest id as one that read both, and fewer facts.
    const p = await createResident(ctx);
    await ctx.repos.facts.insert(
      {
        personId: p.id,
        type: 'close_contact',
        source: 'health',
        sourceRecordId: `o-${p.id}-1`,
        eventTime: T0 - H,
      },
      T0,
    );
    await ctx.repos.facts.insert(
      {
        personId: p.id,
        type: 'secondary_contact',
        source: 'health',
        sourceRecordId: `o-${p.id}-2`,
        eventTime: T0 - H,
      },
      T0,
    );
    const all = await ctx.repos.facts.forPerson(p.id);
    const [first] = all;
    const full = await ctx.statuses.recompute([p.id]);
    expect(full.statuses.get(p.id)?.colour5).toBe(3);
    // the stale read: as if fact 1 were not committed yet
    const partial: FactStore = {
      ...ctx.repos.facts,
      forPersons: async (ids) => {
        const m = await ctx.repos.facts.forPersons(ids);
        m.set(
          p.id,
          (m.get(p.id) ?? []).filter((f) => f.id !== first?.id),
        );
        return m;
      },
    } as FactStore;
    const late = await secondWorker(partial).recompute([p.id]);
    expect(late.refused).toBe(1);
    expect((await ctx.repos.statuses.get(p.id))?.colour5).toBe(3);
    expect((await ctx.cache.get(p.id))?.colour5).toBe(3);
  });

  it('retention resets the versions of persons who lose facts, so their next recompute lands', async () => {
    const p = await createResident(ctx);
    await ctx.repos.facts.insert(
      {
        personId: p.id,
        type: 'secondary_contact',
        source: 'health',
        sourceRecordId: `r-${p.id}-old`,
        eventTime: T0 - 60 * D,
        validUntil: T0 - 40 * D,
      },
      T0 - 60 * D,
    );
    await ctx.repos.facts.insert(
      {
        personId: p.id,
        type: 'close_contact',
        source: 'health',
        sourceRecordId: `r-${p.id}-new`,
        eventTime: T0 - H,
      },
      T0,
    );
    await ctx.statuses.recompute([p.id]);
    expect(await ctx.repos.statuses.get(p.id)).toMatchObject({ colour5: 3, factCount: 2 });
    const r = await runRetention(new RetentionRepository(ctx.db), ctx.clock, 21, { cache: ctx.cache });
    expect(r.deletedFacts).toBeGreaterThanOrEqual(1);
    expect(await ctx.repos.statuses.get(p.id)).toMatchObject({ colour5: 3, factVersion: 0, factCount: 0 });
    expect(await ctx.cache.get(p.id)).toBeUndefined();
    const again = await ctx.statuses.recompute([p.id]);
    expect(again.refused).toBe(0);
    expect(await ctx.repos.statuses.get(p.id)).toMatchObject({ colour5: 3, factCount: 1 });
    expect((await ctx.cache.get(p.id))?.version.factCount).toBe(1);
  });

  it('a process still on the previous policy after a publication does not overwrite the new colour', async () => {
    // Found by hc simulate on the scripted topology: the api that publishes recomputes everyone,
    // while the worker (which reloads within a second) still evaluates under the old version at the
    // same simulated moment — its status had the same version and landed last.
    const p = await createResident(ctx);
    await ctx.repos.facts.insert(
      {
        personId: p.id,
        type: 'declaration',
        source: 'resident',
        sourceRecordId: `pol-${p.id}`,
        eventTime: T0 - H,
        data: { temperature: 37.5, symptoms: [] },
      },
      T0,
    );
    expect((await ctx.statuses.recompute([p.id])).statuses.get(p.id)?.colour5).toBe(2); // fever ≥ 37.3
    // the other process has the current version loaded
    const otherPolicies = new PolicyService(new PolicyRepository(db2), ctx.uow, ctx.audit, ctx.clock);
    const before = await otherPolicies.active();
    const other = new StatusService(
      new PersonRepository(db2),
      new FactRepository(db2),
      new StatusRepository(db2),
      cache2,
      otherPolicies,
      ctx.clock,
    );
    // this process publishes 37.6 °C and recomputes everyone: 37.5 °C is no fever any more
    const doc = { ...before.policy, version: `fever-37.6-${p.id}`, feverThreshold: 37.6 };
    await ctx.policies.publish(doc, 'test');
    await ctx.statuses.recomputeAll();
    expect((await ctx.repos.statuses.get(p.id))?.colour5).toBe(0);
    // the other process recomputes the resident (a review moment, a fact) before it reloaded
    const late = await other.recompute([p.id]);
    expect(late.statuses.get(p.id)?.colour5).toBe(0);
    expect((await otherPolicies.active()).policy.version).toBe(doc.version);
    expect(await ctx.repos.statuses.get(p.id)).toMatchObject({ colour5: 0, policyVersion: doc.version });
    expect((await ctx.cache.get(p.id))?.colour5).toBe(0);
    expect((await cache2.get(p.id))?.colour5).toBe(0);
    expect((await ctx.statuses.hot(p.id))?.colour5).toBe(0);
  });
});
