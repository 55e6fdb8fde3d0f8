/** Sign-in counters and locks in process memory: the embedded platform's limiter (one process). */
import { windowStart, type AttemptLimiter } from '../../ports/attempt-limiter.port.ts';

/** Entries kept before the expired ones are swept out. */
const SWEEP_AT = 100_000;

export class MemoryAttemptLimiter implements AttemptLimiter {
  private readonly counts = new Map<string, { start: number; count: number; resetAt: number }>();
  private readonly locks = new Map<string, number>();

  hit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }> {
    const start = windowStart(now, windowMs);
    const cur = this.counts.get(key);
    const next =
      cur && cur.start === start
        ? { start, count: cur.count + 1, resetAt: cur.resetAt }
        : { start, count: 1, resetAt: start + windowMs };
    if (this.counts.size >= SWEEP_AT) this.sweep(now);
    this.counts.set(key, next);
    return Promise.resolve({ count: next.count, resetAt: next.resetAt });
  }

  lock(key: string, until: number, now: number): Promise<void> {
    if (this.locks.size >= SWEEP_AT) this.sweep(now);
    this.locks.set(key, until);
    return Promise.resolve();
  }

  lockedUntil(key: string, now: number): Promise<number | undefined> {
    const until = this.locks.get(key);
    return Promise.resolve(until !== undefined && until > now ? until : undefined);
  }

  clear(key: string): Promise<void> {
    this.counts.delete(key);
    this.locks.delete(key);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private sweep(now: number): void {
    for (const [k, v] of this.counts) if (v.resetAt <= now) this.counts.delete(k);
    for (const [k, until] of this.locks) if (until <= now) this.locks.delete(k);
  }
}
