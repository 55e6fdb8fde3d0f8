/**
 * Retention (docs/DESIGN.md §5, 11): raw location data is kept `retentionDays` (default 21) and
 * dropped by whole day partitions; facts whose validity ended before the window are deleted, as
 * are trips that ended before it. `hc retention run` and a daily worker job call this.
 */
import type { Clock } from '../../ports/clock.port.ts';
import type { RetentionStore } from '../../ports/ping-store.port.ts';
import type { StatusCache } from '../../ports/status-cache.port.ts';

const DAY_MS = 86400_000;

export interface RetentionReport {
  cutoff: string;
  droppedPartitions: string[];
  deletedFacts: number;
  deletedTrips: number;
}

/** Drops day partitions of pings and stays that end before the window and deletes expired rows. */
export async function runRetention(
  store: RetentionStore,
  clock: Clock,
  retentionDays: number,
  o: {
    dryRun?: boolean;
    /** hot statuses of persons who lose facts are dropped from it */ cache?: StatusCache;
  } = {},
): Promise<RetentionReport> {
  // The window covers today and the retentionDays − 1 days before it (UTC days, as partitions are).
  const cutoffDay = Math.floor(clock.now() / DAY_MS) - retentionDays + 1;
  const cutoff = new Date(cutoffDay * DAY_MS);
  const dropped: string[] = [];
  for (const p of await store.dayPartitions()) {
    if (p.day + 1 > cutoffDay) continue; // the partition still holds data inside the window
    if (!o.dryRun) await store.dropPartition(p);
    dropped.push(p.name);
  }
  let deletedFacts = 0;
  let deletedTrips = 0;
  if (!o.dryRun) {
    // A status's version counts the facts it was computed from (docs/DESIGN.md §3): persons who lose
    // facts get version 0 with the delete, and their hot status is dropped, so the next recompute
    // (which reads fewer facts) is not refused as older.
    const gone = await store.deleteFactsExpiredBefore(cutoff);
    deletedFacts = gone.deleted;
    if (o.cache) for (const id of gone.personIds) await o.cache.delete(id);
    deletedTrips = await store.deleteTripsArrivedBefore(cutoff);
    // Blocks whose newest day is gone: their pings went with the partitions.
    await store.forgetPingBlocksBefore(cutoff);
  }
  return { cutoff: cutoff.toISOString(), droppedPartitions: dropped, deletedFacts, deletedTrips };
}
