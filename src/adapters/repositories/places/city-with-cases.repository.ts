/** Cities with cases (migrations/0481_cities_with_cases.sql). */
import type { Queryable } from '../../db/database.ts';
import type { CityWithCasesRow, CityWithCasesStore } from '../../../ports/city-with-cases-store.port.ts';

const COLS = 'id, region_code, since, until, note, created_by, created_at, updated_by, updated_at';

export class CityWithCasesRepository implements CityWithCasesStore {
  /** On the pool, or bound to a unit of work's transaction. */
  constructor(private readonly db: Queryable) {}

  async insert(e: {
    regionCode: string;
    since: Date;
    until: Date | null;
    note: string | null;
    actor: string;
    at: Date;
  }): Promise<CityWithCasesRow> {
    const r = await this.db.query<CityWithCasesRow>(
      `INSERT INTO cities_with_cases (region_code, since, until, note, created_by, created_at, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $5, $6) RETURNING ${COLS}`,
      [e.regionCode, e.since, e.until, e.note, e.actor, e.at],
    );
    return fix(r.rows[0] as CityWithCasesRow);
  }

  async setUntil(id: number, until: Date, actor: string, at: Date): Promise<CityWithCasesRow | undefined> {
    const r = await this.db.query<CityWithCasesRow>(
      `UPDATE cities_with_cases SET until = greatest($2, since), updated_by = $3, updated_at = $4 WHERE id = $1 RETURNING ${COLS}`,
      [id, until, actor, at],
    );
    return r.rows[0] && fix(r.rows[0]);
  }

  async get(id: number): Promise<CityWithCasesRow | undefined> {
    const r = await this.db.query<CityWithCasesRow>(`SELECT ${COLS} FROM cities_with_cases WHERE id = $1`, [
      id,
    ]);
    return r.rows[0] && fix(r.rows[0]);
  }

  async listedSince(since: Date): Promise<CityWithCasesRow[]> {
    const r = await this.db.query<CityWithCasesRow>(
      `SELECT ${COLS} FROM cities_with_cases WHERE until IS NULL OR until > $1 ORDER BY id`,
      [since],
    );
    return r.rows.map(fix);
  }
}

/** bigint ids come back as text from PostgreSQL. */
function fix(r: CityWithCasesRow): CityWithCasesRow {
  return { ...r, id: Number(r.id) };
}
