/**
 * Retention (docs/DESIGN.md §5, 11): raw location data is kept `retentionDays` (default 21) and
 * dropped by whole day partitions; facts whose validity ended before the window are deleted, as
 * are trips that ended before it. `hc retention run` and a daily worker job call this.
 */
import type { Database } from '../../adapters/db/database.ts';
import type { Clock } from '../../ports/clock.port.ts';
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
  db: Database,
  clock: Clock,
  retentionDays: number,
  o: {
    dryRun?: boolean;
    /** hot statuses of persons who lose facts are dropped from it */ cache?: StatusCache;
  } = {},
): Promise<RetentionReport> {
  // The window covers today and the retentionDays − 1 days before it (UTC days, as partitions are).
  const cutoffDay = Math.floor(clock.now() / DAY_MS) - retentionDays + 1;
  const cutoff = new Date(cutoffDay * DAY_MS).toISOString();
  const parts = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname IN ('pings', 'stays') ORDER BY 1`,
  );
  const dropped: string[] = [];
  for (const { name } of parts.rows) {
    const m = /^(pings|stays)_(\d{4})(\d{2})(\d{2})$/.exec(name);
    if (!m) continue;
    const day = Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4])) / DAY_MS;
    if (day + 1 > cutoffDay) continue; // the partition still holds data inside the window
    if (!o.dryRun) await db.query(`DROP TABLE IF EXISTS "${name}"`);
    dropped.push(name);
  }
  let deletedFacts = 0;
  let deletedTrips = 0;
  if (!o.dryRun) {
    // A status's version counts the facts it was computed from (docs/DESIGN.md §3): persons who lose
    // facts get version 0 in the same statement, and their hot status is dropped, so the next
    // recompute (which reads fewer facts) is not refused as older.
    const gone = await db.query<{ deleted: number; persons: Array<number | string> | null }>(
      `WITH gone AS (DELETE FROM facts WHERE valid_until IS NOT NULL AND valid_until < $1 RETURNING person_id),
       reset AS (UPDATE statuses SET fact_version = 0, fact_count = 0
                  WHERE person_id IN (SELECT person_id FROM gone) RETURNING person_id)
       SELECT (SELECT count(*)::int FROM gone) AS deleted, (SELECT array_agg(person_id) FROM reset) AS persons`,
      [cutoff],
    );
    deletedFacts = gone.rows[0]?.deleted ?? 0;
    if (o.cache) for (const id of gone.rows[0]?.persons ?? []) await o.cache.delete(Number(id));
    deletedTrips = (await db.query('DELETE FROM trips WHERE arrived_at < $1', [cutoff])).rowCount ?? 0;
    // Blocks whose newest day is gone: their pings went with the partitions.
    await db.query('DELETE FROM ping_blocks WHERE last_day < $1::date', [cutoff.slice(0, 10)]);
  }
  return { cutoff, droppedPartitions: dropped, deletedFacts, deletedTrips };
}
