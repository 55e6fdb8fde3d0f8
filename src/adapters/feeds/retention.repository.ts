/** SQL of retention (ports/ping-store.port.ts): day partitions dropped whole, expired rows deleted. */
import type { DayPartition, RetentionStore } from '../../ports/ping-store.port.ts';
import type { Queryable } from '../db/database.ts';

const DAY_MS = 86400_000;

export class RetentionRepository implements RetentionStore {
  constructor(private readonly db: Queryable) {}

  async dayPartitions(): Promise<DayPartition[]> {
    const parts = await this.db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname IN ('pings', 'stays') ORDER BY 1`,
    );
    const out: DayPartition[] = [];
    for (const { name } of parts.rows) {
      const m = /^(pings|stays)_(\d{4})(\d{2})(\d{2})$/.exec(name);
      if (m) out.push({ name, day: Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4])) / DAY_MS });
    }
    return out;
  }

  async dropPartition(p: DayPartition): Promise<void> {
    if (!/^(pings|stays)_\d{8}$/.test(p.name)) throw new Error(`not a day partition: ${p.name}`);
    await this.db.query(`DROP TABLE IF EXISTS "${p.name}"`);
  }

  async deleteFactsExpiredBefore(cutoff: Date): Promise<{ deleted: number; personIds: number[] }> {
    const gone = await this.db.query<{ deleted: number; persons: Array<number | string> | null }>(
      `WITH gone AS (DELETE FROM facts WHERE valid_until IS NOT NULL AND valid_until < $1 RETURNING person_id),
       reset AS (UPDATE statuses SET fact_version = 0, fact_count = 0
                  WHERE person_id IN (SELECT person_id FROM gone) RETURNING person_id)
       SELECT (SELECT count(*)::int FROM gone) AS deleted, (SELECT array_agg(person_id) FROM reset) AS persons`,
      [cutoff.toISOString()],
    );
    const row = gone.rows[0];
    return { deleted: row?.deleted ?? 0, personIds: (row?.persons ?? []).map(Number) };
  }

  async deleteTripsArrivedBefore(cutoff: Date): Promise<number> {
    return (
      (await this.db.query('DELETE FROM trips WHERE arrived_at < $1', [cutoff.toISOString()])).rowCount ?? 0
    );
  }

  async forgetPingBlocksBefore(cutoff: Date): Promise<void> {
    await this.db.query('DELETE FROM ping_blocks WHERE last_day < $1::date', [
      cutoff.toISOString().slice(0, 10),
    ]);
  }
}
