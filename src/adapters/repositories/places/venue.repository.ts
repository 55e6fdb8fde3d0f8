/** Venues (场所) and check-ins (扫码登记), on the pool or bound to a unit of work's transaction. */
import type { Queryable } from '../../db/database.ts';
import type { CheckinRow, NewVenue, VenueRow, VenueStore } from '../../../ports/venue-store.port.ts';

const VCOLS =
  'id, name, category, address, lat, lon, admin_code, region_code, poster_nonce, operator_device_id, created_by, created_at, active';

export class VenueRepository implements VenueStore {
  constructor(private readonly db: Queryable) {}

  async insert(v: NewVenue): Promise<VenueRow> {
    const r = await this.db.query<VenueRow>(
      `INSERT INTO venues (name, category, address, lat, lon, admin_code, region_code, poster_nonce, created_by, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING ${VCOLS}`,
      [
        v.name,
        v.category,
        v.address,
        v.lat,
        v.lon,
        v.admin_code,
        v.region_code,
        v.poster_nonce,
        v.created_by,
        v.created_at,
      ],
    );
    return r.rows[0] as VenueRow;
  }

  async get(id: number): Promise<VenueRow | undefined> {
    return (await this.db.query<VenueRow>(`SELECT ${VCOLS} FROM venues WHERE id = $1`, [id])).rows[0];
  }

  async setOperatorDevice(id: number, deviceId: number): Promise<void> {
    await this.db.query('UPDATE venues SET operator_device_id = $2 WHERE id = $1', [id, deviceId]);
  }

  async setNonce(id: number, nonce: Uint8Array): Promise<void> {
    await this.db.query('UPDATE venues SET poster_nonce = $2 WHERE id = $1', [id, nonce]);
  }

  async setActive(id: number, active: boolean): Promise<void> {
    await this.db.query('UPDATE venues SET active = $2 WHERE id = $1', [id, active]);
  }

  async inRegion(prefix: string, limit: number): Promise<VenueRow[]> {
    return (
      await this.db.query<VenueRow>(
        `SELECT ${VCOLS} FROM venues WHERE region_code LIKE $1 ORDER BY id DESC LIMIT $2`,
        [`${prefix}%`, limit],
      )
    ).rows;
  }

  async insertCheckin(c: Omit<CheckinRow, 'id'>): Promise<CheckinRow> {
    const r = await this.db.query<CheckinRow>(
      `INSERT INTO checkins (venue_id, person_id, at, method, device_id) VALUES ($1,$2,$3,$4,$5)
       RETURNING id, venue_id, person_id, at, method, device_id`,
      [c.venue_id, c.person_id, c.at, c.method, c.device_id],
    );
    return r.rows[0] as CheckinRow;
  }

  /** Check-ins at a venue in [from, to]. */
  async checkinsAt(venueId: number, from: Date, to: Date): Promise<CheckinRow[]> {
    return (
      await this.db.query<CheckinRow>(
        'SELECT id, venue_id, person_id, at, method, device_id FROM checkins WHERE venue_id = $1 AND at BETWEEN $2 AND $3 ORDER BY at',
        [venueId, from, to],
      )
    ).rows;
  }

  /** Check-ins at a venue in [from, to] by other persons who are cases (a `case` fact, or purple now). */
  async caseCheckinsAt(venueId: number, from: Date, to: Date, exceptPerson: number): Promise<CheckinRow[]> {
    return (
      await this.db.query<CheckinRow>(
        `SELECT c.id, c.venue_id, c.person_id, c.at, c.method, c.device_id FROM checkins c
          WHERE c.venue_id = $1 AND c.at BETWEEN $2 AND $3 AND c.person_id <> $4
            AND (EXISTS (SELECT 1 FROM facts f WHERE f.person_id = c.person_id AND f.type = 'case')
                 OR EXISTS (SELECT 1 FROM statuses s WHERE s.person_id = c.person_id AND s.colour5 = 4))
          ORDER BY c.at`,
        [venueId, from, to, exceptPerson],
      )
    ).rows;
  }

  /** A person's check-ins since `from`. */
  async checkinsOf(personId: number, from: Date): Promise<CheckinRow[]> {
    return (
      await this.db.query<CheckinRow>(
        'SELECT id, venue_id, person_id, at, method, device_id FROM checkins WHERE person_id = $1 AND at >= $2 ORDER BY at',
        [personId, from],
      )
    ).rows;
  }

  /** Check-in counts per day (UTC+8 calendar day) since `from`: what an operator may see. */
  async dailyCounts(
    venueId: number,
    from: Date,
  ): Promise<Array<{ day: string; checkins: number; people: number }>> {
    return (
      await this.db.query<{ day: string; checkins: number; people: number }>(
        `SELECT to_char(at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day, count(*)::int AS checkins, count(DISTINCT person_id)::int AS people
           FROM checkins WHERE venue_id = $1 AND at >= $2 GROUP BY 1 ORDER BY 1`,
        [venueId, from],
      )
    ).rows;
  }
}
