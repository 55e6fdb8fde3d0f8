/** SQL of the carrier stays (ports/ping-store.port.ts): a person's day of stays replaced at once. */
import type { CarrierStay, CarrierStayStore } from '../../ports/ping-store.port.ts';
import type { Database } from '../db/database.ts';

const DAY_MS = 86400_000;

export class CarrierStayRepository implements CarrierStayStore {
  constructor(private readonly db: Database) {}

  async ensureDay(day: number): Promise<void> {
    await this.db.query('SELECT hc_ensure_day_partition($1, $2::date)', [
      'stays',
      new Date(day * DAY_MS).toISOString().slice(0, 10),
    ]);
  }

  async replaceDay(day: number, personIds: readonly number[], stays: readonly CarrierStay[]): Promise<void> {
    const from = new Date(day * DAY_MS).toISOString();
    const to = new Date((day + 1) * DAY_MS).toISOString();
    const iso = (t: number) => new Date(t).toISOString();
    await this.db.transaction(async (tx) => {
      await tx.query(
        `DELETE FROM stays WHERE source = 'carrier' AND person_id = ANY($1::bigint[]) AND started_at >= $2 AND started_at < $3`,
        [personIds, from, to],
      );
      if (stays.length === 0) return;
      await tx.query(
        `INSERT INTO stays (person_id, started_at, ended_at, lat, lon, accuracy_m, source, source_record_id)
         SELECT p, s, e, la, lo, a, 'carrier', sid
           FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::float8[], $5::float8[], $6::real[], $7::text[]) AS t(p, s, e, la, lo, a, sid)
         ON CONFLICT DO NOTHING`,
        [
          stays.map((s) => s.personId),
          stays.map((s) => iso(s.startedAt)),
          stays.map((s) => iso(s.endedAt)),
          stays.map((s) => s.lat),
          stays.map((s) => s.lon),
          stays.map((s) => s.accuracyM),
          stays.map((s) => s.sourceRecordId),
        ],
      );
    });
  }
}
