/** Trips as the places feature reads them (migrations/0002_location.sql; written by the feeds). */
import type { Database } from '../../db/database.ts';
import type { TripForMatch } from '../../../domain/places/trip-exposure.ts';
import type { TripRow, TripStore } from '../../../ports/trip-store.port.ts';

const MATCH_COLS = `id, person_id, mode, from_region, to_region, departed_at, arrived_at, service_no, carriage`;

interface MatchRow {
  id: number | string;
  person_id: number | string;
  mode: string;
  from_region: string;
  to_region: string;
  departed_at: Date;
  arrived_at: Date;
  service_no: string | null;
  carriage: string | null;
}

function toMatch(r: MatchRow): TripForMatch {
  return {
    id: Number(r.id),
    personId: Number(r.person_id),
    mode: r.mode,
    fromRegion: r.from_region,
    toRegion: r.to_region,
    departedAt: new Date(r.departed_at).getTime(),
    arrivedAt: new Date(r.arrived_at).getTime(),
    service: r.service_no,
    carriage: r.carriage,
  };
}

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

  async forPersons(personIds: readonly number[], from: Date): Promise<TripForMatch[]> {
    if (personIds.length === 0) return [];
    const r = await this.db.query<MatchRow>(
      `SELECT ${MATCH_COLS} FROM trips WHERE person_id = ANY($1::bigint[]) AND (arrived_at >= $2 OR departed_at >= $2)
        ORDER BY id`,
      [personIds, from],
    );
    return r.rows.map(toMatch);
  }

  async onService(mode: string, service: string, from: Date, to: Date): Promise<TripForMatch[]> {
    // A journey is at most 3 days long (the feed's check), so the departure bound uses the index.
    const r = await this.db.query<MatchRow>(
      `SELECT ${MATCH_COLS} FROM trips
        WHERE service_no = $1 AND mode = $2 AND departed_at <= $4 AND departed_at >= $3::timestamptz - interval '3 days'
          AND arrived_at >= $3 ORDER BY id`,
      [service, mode, from, to],
    );
    return r.rows.map(toMatch);
  }

  async touchingPrefecture(prefix4: string, from: Date, to: Date): Promise<TripForMatch[]> {
    const r = await this.db.query<MatchRow>(
      `SELECT ${MATCH_COLS} FROM trips
        WHERE ((to_region LIKE $1 || '%' OR to_region = $2) AND arrived_at BETWEEN $3 AND $4)
           OR ((from_region LIKE $1 || '%' OR from_region = $2) AND departed_at BETWEEN $3 AND $4)
        ORDER BY id`,
      [prefix4, `${prefix4.slice(0, 2)}0000`, from, to],
    );
    return r.rows.map(toMatch);
  }

  async personsReceived(from: Date, to: Date): Promise<number[]> {
    const r = await this.db.query<{ person_id: number | string }>(
      'SELECT DISTINCT person_id FROM trips WHERE arrival_time >= $1 AND arrival_time < $2',
      [from, to],
    );
    return r.rows.map((x) => Number(x.person_id));
  }
}
