/** Trips as the places feature reads them (migrations/0002_location.sql; written by the feeds). */
import type { Database } from '../../db/database.ts';
import type { TripRow, TripStore } from '../../../ports/trip-store.port.ts';

export class TripRepository implements TripStore {
  constructor(private readonly db: Database) {}

  async tripsOf(personId: number, from: Date): Promise<TripRow[]> {
    return (
      await this.db.query<TripRow>(
        `SELECT mode, from_region, to_region, departed_at, arrived_at FROM trips
          WHERE person_id = $1 AND (arrived_at >= $2 OR departed_at >= $2) ORDER BY departed_at`,
        [personId, from],
      )
    ).rows;
  }
}
