import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { AttemptLimiter } from '../../ports/attempt-limiter.port.ts';
import { REDIS_URL, USE_SERVICES } from '../../../test/context.ts';
import { MemoryAttemptLimiter } from './memory-attempt-limiter.ts';
import { RedisAttemptLimiter } from './redis-attempt-limiter.ts';

const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);

// The same suite on the embedded limiter and, with HC_TEST_SERVICES=1, on Redis.
const prefix = `hct:${crypto.randomBytes(4).toString('hex')}:auth:`;
const limiter: AttemptLimiter = USE_SERVICES
  ? new RedisAttemptLimiter(REDIS_URL, prefix)
  : new MemoryAttemptLimiter();

describe(`attempt limiter (${USE_SERVICES ? 'Redis' : 'memory'})`, () => {
  afterAll(async () => {
    if (limiter instanceof RedisAttemptLimiter) {
      const keys = await limiter.redis.keys(`${prefix}*`);
      if (keys.length) await limiter.redis.del(...keys);
    }
    await limiter.close();
  });

  it('counts within a fixed window of the given clock and starts again in the next', async () => {
    const w = 60_000;
    expect(await limiter.hit('a', w, T0)).toEqual({ count: 1, resetAt: T0 + w });
    expect(await limiter.hit('a', w, T0 + 10_000)).toEqual({ count: 2, resetAt: T0 + w });
    expect((await limiter.hit('b', w, T0 + 10_000)).count).toBe(1);
    expect(await limiter.hit('a', w, T0 + w)).toEqual({ count: 1, resetAt: T0 + 2 * w });
  });

  it('locks until a time and forgets on clear', async () => {
    expect(await limiter.lockedUntil('x', T0)).toBeUndefined();
    await limiter.lock('x', T0 + 900_000, T0);
    expect(await limiter.lockedUntil('x', T0 + 899_999)).toBe(T0 + 900_000);
    expect(await limiter.lockedUntil('x', T0 + 900_000)).toBeUndefined();
    await limiter.hit('x', 60_000, T0);
    await limiter.clear('x');
    expect(await limiter.lockedUntil('x', T0)).toBeUndefined();
    expect((await limiter.hit('x', 60_000, T0)).count).toBe(1);
  });
});
