/**
 * Sign-in counters and locks in Redis, shared by every api node. A count is a hash {w: window
 * start, c: count} replaced when the window moves on; a lock holds its end time. Both are compared
 * with the platform's clock; Redis expiry only removes them once they can no longer matter.
 */
import { Redis } from 'ioredis';
import { windowStart, type AttemptLimiter } from '../../ports/attempt-limiter.port.ts';

const HIT = `
local w = redis.call('HGET', KEYS[1], 'w')
local c
if w == ARGV[1] then
  c = redis.call('HINCRBY', KEYS[1], 'c', 1)
else
  redis.call('HSET', KEYS[1], 'w', ARGV[1], 'c', 1)
  c = 1
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return c`;

export class RedisAttemptLimiter implements AttemptLimiter {
  readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix = 'hc:auth:',
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
  }

  async hit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }> {
    const start = windowStart(now, windowMs);
    const count = (await this.redis.eval(
      HIT,
      1,
      `${this.prefix}n:${key}`,
      String(start),
      String(windowMs * 2),
    )) as number;
    return { count: Number(count), resetAt: start + windowMs };
  }

  async lock(key: string, until: number, now: number): Promise<void> {
    // kept at least a minute past its end by Redis's own clock, so a skew between clocks cannot end it early
    await this.redis.set(`${this.prefix}l:${key}`, String(until), 'PX', Math.max(until - now, 0) + 60_000);
  }

  async lockedUntil(key: string, now: number): Promise<number | undefined> {
    const v = await this.redis.get(`${this.prefix}l:${key}`);
    const until = v === null ? NaN : Number(v);
    return Number.isFinite(until) && until > now ? until : undefined;
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(`${this.prefix}n:${key}`, `${this.prefix}l:${key}`);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
