import type { HotStatus } from '../domain/hot-status.ts';

/** Hot statuses by internal person id: the code-display read path. */
export interface StatusCache {
  /** One person's hot status, or undefined on a miss. */
  get(personId: number): Promise<HotStatus | undefined>;
  /**
   * Writes many at once (recompute batches). Compare-and-set per resident: an entry whose version is
   * newer than the one written stays (docs/DESIGN.md §3); an equal or older one is replaced.
   */
  setMany(entries: ReadonlyArray<readonly [number, HotStatus]>): Promise<void>;
  /** Forgets one person (their data changed in a way the cache can't follow). */
  delete(personId: number): Promise<void>;
  /** Number of cached residents (metrics). */
  size(): Promise<number>;
  close(): Promise<void>;
}
