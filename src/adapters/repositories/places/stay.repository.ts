/**
 * The places side of `stays` (migrations/0002_location.sql): writing check-in and code-display
 * stays, and reading stays for matching and the itinerary card.
 */
import type { Database } from '../../db/database.ts';
import type { DivisionMatch, StayRow, StayStore, StayWithVenue } from '../../../ports/stay-store.port.ts';

const COLS =
  'person_id, started_at, ended_at, lat, lon, accuracy_m, region_code, venue_id, source, source_record_id';

export class PlacesStayRepository implements StayStore {
  constructor(private readonly db: Database) {}

  /** Inserts one stay (creating its day partition first); a repeat of the same record is ignored. */
  async insert(s: StayRow): Promise<void> {
    const q = this.db;
    const day = s.started_at.toISOString().slice(0, 10);
    try {
      await q.query(`SELECT hc_ensure_day_partition('stays', $1::date)`, [day]);
    } catch (err) {
      // Two first writes of a day can race to create its partition: the loser just goes on.
      if ((err as { code?: string }).code !== '42P07' && (err as { code?: string }).code !== '23505')
        throw err;
    }
    await q.query(
      `INSERT INTO stays (${COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING`,
      [
        s.person_id,
        s.started_at,
        s.ended_at,
        s.lat,
        s.lon,
        s.accuracy_m,
        s.region_code,
        s.venue_id,
        s.source,
        s.source_record_id,
      ],
    );
  }

  /** Stays started in [from, to) with a position inside the box [minLon, minLat, maxLon, maxLat]. */
  async inBox(box: readonly [number, number, number, number], from: Date, to: Date): Promise<StayRow[]> {
    return (
      await this.db.query<StayRow>(
        `SELECT ${COLS} FROM stays WHERE started_at >= $1 AND started_at < $2
           AND lat BETWEEN $3 AND $4 AND lon BETWEEN $5 AND $6`,
        [from, to, box[1], box[3], box[0], box[2]],
      )
    ).rows;
  }

  /** Stays started in [from, to) whose region code, or whose venue's admin code, starts with `code`. */
  async inDivision(code: string, from: Date, to: Date): Promise<StayWithVenue[]> {
    return (
      await this.db.query<StayWithVenue>(
        `SELECT s.person_id, s.started_at, s.ended_at, s.lat, s.lon, s.accuracy_m, s.region_code, s.venue_id, s.source, s.source_record_id,
                v.admin_code AS venue_code
           FROM stays s LEFT JOIN venues v ON v.id = s.venue_id
          WHERE s.started_at >= $1 AND s.started_at < $2 AND (s.region_code LIKE $3 OR v.admin_code LIKE $3)`,
        [from, to, `${code.slice(0, 6)}%`],
      )
    ).rows;
  }

  /**
   * Matches an admin-code area inside the database and writes its facts there (no boundary, so no
   * geometry test is needed): per person the stay in the division that ended last, during the
   * area's window and the lookback. Same fact shape and idempotency key as the JS path
   * (AreaMatcherService.factsForStays). Returns persons matched and the ids of new facts' persons.
   */
  async matchDivisionIntoFacts(a: DivisionMatch): Promise<{ matched: number; personIds: number[] }> {
    const county = a.code.length === 6;
    const r = await this.db.query<{ matched: number; persons: number[] }>(
      `WITH m AS (
         SELECT DISTINCT ON (s.person_id) s.person_id, s.started_at, s.ended_at, s.source, s.source_record_id
           FROM stays s ${county ? '' : 'JOIN venues v ON v.id = s.venue_id'}
          WHERE s.started_at >= $1 AND s.started_at < $2 AND s.ended_at >= $3
            AND ($5::timestamptz IS NULL OR s.started_at < $5) AND greatest(s.ended_at, s.started_at) >= $4
            AND ${county ? 's.region_code = $6' : "v.admin_code LIKE $6 || '%'"}
          ORDER BY s.person_id, s.ended_at DESC
       ), ins AS (
         INSERT INTO facts (person_id, type, source, source_record_id, event_time, arrival_time, valid_from, data)
         SELECT m.person_id, $7, $8,
                $9 || m.source || ':' || m.source_record_id || '@' || (extract(epoch FROM m.started_at) * 1000)::bigint,
                greatest(m.started_at, $4), $10, greatest(m.started_at, $4),
                jsonb_build_object('areaId', $11::text, 'list', $12::text, 'tier', $13::text, 'regionCode', $14::text,
                  'lastExposureAt', (extract(epoch FROM least(greatest(m.ended_at, m.started_at), $5)) * 1000)::bigint, 'staySource', m.source)
           FROM m
         ON CONFLICT (source, source_record_id) DO NOTHING
         RETURNING person_id
       )
       SELECT (SELECT count(*) FROM m)::int AS matched, coalesce((SELECT array_agg(person_id) FROM ins), '{}') AS persons`,
      [
        a.from,
        a.to,
        a.lookback,
        a.startsAt,
        a.liftedAt,
        a.code,
        a.factType,
        a.factSource,
        `${a.areaId}:${a.level}:`,
        a.now,
        String(a.areaId),
        a.name,
        a.level,
        a.regionCode,
      ],
    );
    const row = r.rows[0];
    return { matched: row?.matched ?? 0, personIds: (row?.persons ?? []).map(Number) };
  }

  /** All stays started in [from, to) (the periodic sweep), with the venue's admin code. */
  async between(from: Date, to: Date): Promise<StayWithVenue[]> {
    return (
      await this.db.query<StayWithVenue>(
        `SELECT s.person_id, s.started_at, s.ended_at, s.lat, s.lon, s.accuracy_m, s.region_code, s.venue_id, s.source, s.source_record_id,
                v.admin_code AS venue_code
           FROM stays s LEFT JOIN venues v ON v.id = s.venue_id WHERE s.started_at >= $1 AND s.started_at < $2`,
        [from, to],
      )
    ).rows;
  }

  /** One person's stays that ended after `from` (the itinerary card). */
  async ofPerson(personId: number, from: Date, sources?: readonly string[]): Promise<StayRow[]> {
    // started_at bound lets the planner skip old partitions; a stay longer than a day is rare.
    return (
      await this.db.query<StayRow>(
        `SELECT ${COLS} FROM stays WHERE person_id = $1 AND started_at >= $2::timestamptz - interval '1 day' AND ended_at >= $2
           AND ($3::text[] IS NULL OR source = ANY($3::text[])) ORDER BY started_at`,
        [personId, from, sources ?? null],
      )
    ).rows;
  }
}
