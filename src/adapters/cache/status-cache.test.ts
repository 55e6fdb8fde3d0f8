/** One suite for both status caches: in-process (default) and Redis (HC_TEST_SERVICES=1). */
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { HotStatus } from '../../domain/hot-status.ts';
import type { StatusCache } from '../../ports/status-cache.port.ts';
import { MemoryStatusCache } from './memory-status-cache.ts';
import { RedisStatusCache } from './redis-status-cache.ts';
import { REDIS_URL, USE_SERVICES } from '../../../test/context.ts';

const hot = (o: Partial<HotStatus> = {}): HotStatus => ({
  sub: 'q8ZxWn3kL0aB9cDe',
  colour5: 3,
  vaccineDoses: 2,
  lastNegativeTestDay: 20_000,
  maskedName: '张*三',
  reasons: [['red.close_contact', 1_790_000_000, 0]],
  nextReviewAt: 1_791_000_000,
  version: { factVersion: 10, factCount: 2, policySeq: 1, computedAt: 1_790_000_000_000 },
  ...o,
});
const at = (factVersion: number, factCount: number, computedAt: number, policySeq = 1) => ({
  factVersion,
  factCount,
  policySeq,
  computedAt,
});

describe(`status cache (${USE_SERVICES ? 'Redis' : 'in-process'})`, () => {
  const prefix = `hct:${crypto.randomBytes(4).toString('hex')}:`;
  const cache: StatusCache = USE_SERVICES ? new RedisStatusCache(REDIS_URL, prefix) : new MemoryStatusCache();
  afterAll(async () => {
    if (cache instanceof RedisStatusCache) {
      const keys = await cache.redis.keys(`${prefix}*`);
      if (keys.length) await cache.redis.del(...keys);
    }
    await cache.close();
  });

  it('round-trips hot statuses exactly, including nulls and empty reasons', async () => {
    const a = hot();
    const b = hot({ sub: 'other', colour5: 0, reasons: [], lastNegativeTestDay: null, nextReviewAt: 0 });
    await cache.setMany([
      [1, a],
      [200, b],
    ]);
    expect(await cache.get(1)).toEqual(a);
    expect(await cache.get(200)).toEqual(b);
    expect(await cache.get(3)).toBeUndefined();
  });

  it('overwrites, deletes and counts across buckets', async () => {
    await cache.setMany([
      [1, hot({ colour5: 4 })],
      [129, hot()],
      [100_000, hot()],
    ]);
    expect((await cache.get(1))?.colour5).toBe(4);
    await cache.delete(129);
    expect(await cache.get(129)).toBeUndefined();
    expect(await cache.size()).toBe(3); // 1, 200, 100000
  });

  // Compare-and-set (docs/DESIGN.md §3): two workers' writes land in version order.
  it('refuses a status older than the cached one and accepts an equal or newer one', async () => {
    const id = 5_000;
    await cache.setMany([[id, hot({ colour5: 4, version: at(20, 3, 1000) })]]);
    // fewer facts (lower highest id, or the same highest id and fewer facts), or the same facts computed earlier
    for (const older of [at(19, 9, 9000), at(20, 2, 9000), at(20, 3, 999)]) {
      await cache.setMany([[id, hot({ colour5: 0, version: older })]]);
      expect(await cache.get(id)).toMatchObject({ colour5: 4, version: at(20, 3, 1000) });
    }
    await cache.setMany([[id, hot({ colour5: 3, version: at(20, 3, 1000) })]]);
    expect((await cache.get(id))?.colour5).toBe(3);
    await cache.setMany([[id, hot({ colour5: 2, version: at(20, 3, 1001) })]]);
    expect((await cache.get(id))?.colour5).toBe(2);
    await cache.setMany([[id, hot({ colour5: 1, version: at(20, 4, 5) })]]);
    expect((await cache.get(id))?.colour5).toBe(1);
    await cache.setMany([[id, hot({ colour5: 0, version: at(21, 1, 5) })]]);
    expect(await cache.get(id)).toMatchObject({ colour5: 0, version: at(21, 1, 5) });
  });

  it('decides each resident of a batch on its own, across buckets', async () => {
    await cache.setMany([
      [6_000, hot({ colour5: 4, version: at(50, 1, 1) })],
      [6_001, hot({ colour5: 4, version: at(50, 1, 1) })],
      [9_000, hot({ colour5: 4, version: at(50, 1, 1) })],
    ]);
    await cache.setMany([
      [6_000, hot({ colour5: 0, version: at(49, 1, 2) })], // older: refused
      [6_001, hot({ colour5: 1, version: at(51, 1, 0) })], // newer
      [6_002, hot({ colour5: 2, version: at(1, 1, 0) })], // first
      [9_000, hot({ colour5: 0, version: at(50, 1, 0) })], // same facts, computed earlier: refused
    ]);
    expect((await cache.get(6_000))?.colour5).toBe(4);
    expect((await cache.get(6_001))?.colour5).toBe(1);
    expect((await cache.get(6_002))?.colour5).toBe(2);
    expect((await cache.get(9_000))?.colour5).toBe(4);
  });

  it('replaces an entry written before statuses had versions', async () => {
    const legacy = JSON.stringify(['s', 4, 0, -1, '张*', [], 0]);
    if (cache instanceof RedisStatusCache)
      await cache.redis.hset(`${prefix}st:${7_000 >> 7}`, '7000', legacy);
    else (cache as unknown as { map: Map<number, string> }).map.set(7_000, legacy);
    expect(await cache.get(7_000)).toMatchObject({ colour5: 4, version: at(0, 0, 0, 0) });
    await cache.setMany([[7_000, hot({ colour5: 0, version: at(1, 1, 1) })]]);
    expect((await cache.get(7_000))?.colour5).toBe(0);
  });

  // Entries already in Redis from before the short version string (version as the 8th element,
  // [id, count, ms, policy?]) are read with their version and compared by it, on both caches.
  it('reads and compares entries written in the earlier form (version as the 8th element)', async () => {
    const raw = (id: number): Promise<string | undefined> =>
      cache instanceof RedisStatusCache
        ? cache.redis.hget(`${prefix}st:${id >> 7}`, String(id)).then((v) => v ?? undefined)
        : Promise.resolve((cache as unknown as { map: Map<number, string> }).map.get(id));
    const put = async (id: number, s: string): Promise<void> => {
      if (cache instanceof RedisStatusCache) await cache.redis.hset(`${prefix}st:${id >> 7}`, String(id), s);
      else (cache as unknown as { map: Map<number, string> }).map.set(id, s);
    };
    const reasons = [['red.close_contact', 1_790_000_000, 0]];
    const ms = 1_795_000_000_000;
    await put(7_100, JSON.stringify(['s', 4, 1, -1, '张*', reasons, 1_791_000_000, [40_000_000, 3, ms, 2]]));
    expect(await cache.get(7_100)).toEqual({
      sub: 's',
      colour5: 4,
      vaccineDoses: 1,
      lastNegativeTestDay: null,
      maskedName: '张*',
      reasons,
      nextReviewAt: 1_791_000_000,
      version: at(40_000_000, 3, ms, 2),
    });
    // older by each part in turn: refused, the earlier-form entry stays as it was
    for (const older of [
      at(39_999_999, 9, ms + 1, 9),
      at(40_000_000, 2, ms + 1, 9),
      at(40_000_000, 3, ms + 1, 1),
      at(40_000_000, 3, ms - 1, 2),
    ]) {
      await cache.setMany([[7_100, hot({ colour5: 0, version: older })]]);
      expect((await cache.get(7_100))?.colour5).toBe(4);
    }
    // the same version is accepted and written in the current form (version 6th, a string)
    await cache.setMany([
      [7_100, hot({ colour5: 2, reasons: [], nextReviewAt: 0, version: at(40_000_000, 3, ms, 2) })],
    ]);
    expect(await cache.get(7_100)).toMatchObject({ colour5: 2, version: at(40_000_000, 3, ms, 2) });
    expect(JSON.parse((await raw(7_100)) ?? 'null')).toEqual([
      'q8ZxWn3kL0aB9cDe',
      2,
      2,
      20_000,
      '张*三',
      'ntc74.3.2.mwm0nk74',
    ]);
    // then compared in the current form: a millisecond earlier refused, a millisecond later accepted
    await cache.setMany([[7_100, hot({ colour5: 0, version: at(40_000_000, 3, ms - 1, 2) })]]);
    expect((await cache.get(7_100))?.colour5).toBe(2);
    await cache.setMany([[7_100, hot({ colour5: 1, version: at(40_000_000, 3, ms + 1, 2) })]]);
    expect((await cache.get(7_100))?.colour5).toBe(1);
    // an earlier-form entry without a policy number counts as policy 0
    await put(7_101, JSON.stringify(['s', 4, 1, -1, '张*', [], 0, [50, 3, 1000]]));
    expect((await cache.get(7_101))?.version).toEqual(at(50, 3, 1000, 0));
    await cache.setMany([[7_101, hot({ colour5: 0, version: at(50, 3, 999, 1) })]]);
    expect((await cache.get(7_101))?.colour5).toBe(0);
  });

  it('compares versions at full size exactly (fact ids past 2^40, times in ms)', async () => {
    const big = 2 ** 40 + 7;
    const ms = 1_795_000_000_000;
    await cache.setMany([[7_200, hot({ colour5: 4, version: at(big, 12, ms, 300) })]]);
    for (const older of [
      at(big - 1, 99, ms + 5, 301),
      at(big, 11, ms + 5, 301),
      at(big, 12, ms + 5, 299),
      at(big, 12, ms - 1, 300),
    ]) {
      await cache.setMany([[7_200, hot({ colour5: 0, version: older })]]);
      expect((await cache.get(7_200))?.colour5).toBe(4);
    }
    await cache.setMany([[7_200, hot({ colour5: 1, version: at(big, 12, ms + 1, 300) })]]);
    expect(await cache.get(7_200)).toMatchObject({ colour5: 1, version: at(big, 12, ms + 1, 300) });
  });

  it('of the same facts computed at the same moment, keeps the status under the later policy', async () => {
    // a process that had not reloaded a just-published policy writes last (test clock: same moment)
    const newer = hot({ colour5: 0, version: at(30, 3, 1_000, 5) });
    const older = hot({ colour5: 2, version: at(30, 3, 1_000, 4) });
    await cache.setMany([[8_000, newer]]);
    await cache.setMany([[8_000, older]]);
    expect((await cache.get(8_000))?.colour5).toBe(0);
    // an entry without a policy number counts as policy 0
    await cache.setMany([[8_001, hot({ colour5: 3, version: at(30, 3, 1_000, 0) })]]);
    await cache.setMany([[8_001, hot({ colour5: 1, version: at(30, 3, 1_000, 1) })]]);
    expect((await cache.get(8_001))?.colour5).toBe(1);
  });
});

describe.runIf(USE_SERVICES)('Redis near cache (client-side caching with server invalidation)', () => {
  const prefix = `hct:${crypto.randomBytes(4).toString('hex')}:`;
  const reader = new RedisStatusCache(REDIS_URL, prefix, { nearCacheEntries: 1000 });
  const writer = new RedisStatusCache(REDIS_URL, prefix);
  afterAll(async () => {
    const keys = await writer.redis.keys(`${prefix}*`);
    if (keys.length) await writer.redis.del(...keys);
    await reader.close();
    await writer.close();
  });
  const until = async (check: () => Promise<boolean>): Promise<void> => {
    await expect.poll(check, { timeout: 60_000, interval: 10 }).toBe(true);
  };

  it('serves repeated reads from memory and sees another process’s write through Redis invalidation', async () => {
    await until(async () => (reader as unknown as { tracking: boolean }).tracking);
    await writer.setMany([[7, hot({ colour5: 0 })]]);
    expect((await reader.get(7))?.colour5).toBe(0);
    const hits = reader.nearStats.hits;
    expect((await reader.get(7))?.colour5).toBe(0);
    expect(reader.nearStats.hits).toBe(hits + 1);

    await writer.setMany([[7, hot({ colour5: 3 })]]);
    await until(async () => (await reader.get(7))?.colour5 === 3);
    expect((await reader.get(7))?.colour5).toBe(3);
    // a neighbour in the same bucket written by anyone else (here: a raw HDEL) is seen too
    await writer.setMany([[8, hot({ colour5: 1 })]]);
    expect((await reader.get(8))?.colour5).toBe(1);
    await writer.redis.hdel(`${prefix}st:0`, '8');
    await until(async () => (await reader.get(8)) === undefined);
    expect(await reader.get(8)).toBeUndefined();
    expect(reader.nearStats.invalidations).toBeGreaterThan(0);
  });

  it('never replaces a newer near-cache entry by an older one a racing read brought', () => {
    const near = reader as unknown as {
      remember(bucket: number, id: number, h: HotStatus): void;
      near: Map<number, Map<number, HotStatus>>;
    };
    const bucket = 900_000 >> 7;
    near.remember(bucket, 900_000, hot({ colour5: 3, version: at(30, 1, 1) }));
    near.remember(bucket, 900_000, hot({ colour5: 0, version: at(29, 1, 1) }));
    expect(near.near.get(bucket)?.get(900_000)?.colour5).toBe(3);
    near.remember(bucket, 900_000, hot({ colour5: 4, version: at(31, 1, 1) }));
    expect(near.near.get(bucket)?.get(900_000)?.colour5).toBe(4);
  });

  it('two writers: the older write arriving last is refused by Redis and the reader sees the newer', async () => {
    await until(async () => (reader as unknown as { tracking: boolean }).tracking);
    const other = new RedisStatusCache(REDIS_URL, prefix);
    try {
      await writer.setMany([[30, hot({ colour5: 4, version: at(41, 2, 1) })]]);
      expect((await reader.get(30))?.colour5).toBe(4);
      await other.setMany([[30, hot({ colour5: 0, version: at(40, 1, 2) })]]);
      expect((await other.get(30))?.colour5).toBe(4);
      expect((await reader.get(30))?.colour5).toBe(4);
    } finally {
      await other.close();
    }
  });

  it('keeps at most its configured number of residents', async () => {
    const many = Array.from(
      { length: 3000 },
      (_, i) => [10_000 + i, hot({ colour5: (i % 5) as HotStatus['colour5'] })] as const,
    );
    await writer.setMany(many);
    for (const [id, h] of many) expect((await reader.get(id))?.colour5).toBe(h.colour5);
    expect((reader as unknown as { nearSize: number }).nearSize).toBeLessThanOrEqual(1000);
  });
});
