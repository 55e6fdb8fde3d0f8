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
  ...o,
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
    await cache.setMany([[1, a], [200, b]]);
    expect(await cache.get(1)).toEqual(a);
    expect(await cache.get(200)).toEqual(b);
    expect(await cache.get(3)).toBeUndefined();
  });

  it('overwrites, deletes and counts across buckets', async () => {
    await cache.setMany([[1, hot({ colour5: 4 })], [129, hot()], [100_000, hot()]]);
    expect((await cache.get(1))?.colour5).toBe(4);
    await cache.delete(129);
    expect(await cache.get(129)).toBeUndefined();
    expect(await cache.size()).toBe(3); // 1, 200, 100000
  });
});
