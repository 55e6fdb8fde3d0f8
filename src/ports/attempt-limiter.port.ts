/**
 * Counters and locks for sign-in attempts (docs/SECURITY.md "Sign-in limits"): one store shared by
 * every api node — Redis in services mode, process memory when embedded. Time comes in as an
 * argument (the services' clock), so windows and locks follow the platform's clock, not the store's.
 * Implemented by adapters/limits/.
 */
export interface AttemptLimiter {
  /**
   * Adds one to `key`'s count in the fixed window of `windowMs` that contains `now` (epoch ms);
   * returns the count so far in that window and when the window ends.
   */
  hit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }>;
  /** Locks `key` until `until` (epoch ms); a later lock replaces an earlier one. */
  lock(key: string, until: number, now: number): Promise<void>;
  /** When the lock on `key` ends (epoch ms), or undefined when it is not locked at `now`. */
  lockedUntil(key: string, now: number): Promise<number | undefined>;
  /** Forgets `key`'s count and lock. */
  clear(key: string): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Start of the fixed window of `windowMs` that contains `now`. */
export function windowStart(now: number, windowMs: number): number {
  return now - (now % windowMs);
}
