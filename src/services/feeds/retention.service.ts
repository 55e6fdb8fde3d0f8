/**
 * Retention (docs/DESIGN.md §5, 11): raw location data is kept `retentionDays` (default 21) and
 * dropped by whole day partitions; facts whose validity ended before the window are deleted, as
 * are trips that ended before it. `hc retention run` and a daily worker job call this.
 */
import type { Database } from '../../adapters/db/database.ts';
import type { Clock } from '../../ports/clock.port.ts';

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
  o: { dryRun?: boolean } = {},
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
    deletedFacts =
      (await db.query('DELETE FROM facts WHERE valid_until IS NOT NULL AND valid_until < $1', [cutoff]))
        .rowCount ?? 0;
    deletedTrips = (await db.query('DELETE FROM trips WHERE arrived_at < $1', [cutoff])).rowCount ?? 0;
    // Blocks whose newest day is gone: their pings went with the partitions.
    await db.query('DELETE FROM ping_blocks WHERE last_day < $1::date', [cutoff.slice(0, 10)]);
  }
  return { cutoff, droppedPartitions: dropped, deletedFacts, deletedTrips };
}
