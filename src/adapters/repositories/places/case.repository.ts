/** Who is a case, for the places feature (facts of type `case`, purple statuses). */
import type { Database } from '../../db/database.ts';
import type { CaseStore } from '../../../ports/case-store.port.ts';

export class CaseRepository implements CaseStore {
  constructor(private readonly db: Database) {}

  async isCase(personId: number): Promise<boolean> {
    const r = await this.db.query<{ yes: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM facts WHERE person_id = $1 AND type = 'case')
           OR EXISTS (SELECT 1 FROM statuses WHERE person_id = $1 AND colour5 = 4) AS yes`,
      [personId],
    );
    return r.rows[0]?.yes === true;
  }

  async casesWithCheckins(personIds: readonly number[], since: Date): Promise<number[]> {
    if (personIds.length === 0) return [];
    const r = await this.db.query<{ person_id: number }>(
      `SELECT DISTINCT f.person_id FROM facts f JOIN checkins c ON c.person_id = f.person_id AND c.at >= $2
        WHERE f.person_id = ANY($1::bigint[]) AND f.type = 'case'`,
      [personIds, since],
    );
    return r.rows.map((x) => Number(x.person_id));
  }

  async activeCases(
    since: Date,
    personIds?: readonly number[],
  ): Promise<Array<{ personId: number; eventTime: number }>> {
    const r = await this.db.query<{ person_id: number | string; t: Date }>(
      `SELECT f.person_id, max(f.event_time) AS t FROM facts f
        WHERE f.type = 'case' AND f.event_time >= $1 AND ($2::bigint[] IS NULL OR f.person_id = ANY($2::bigint[]))
          AND NOT EXISTS (SELECT 1 FROM facts r WHERE r.person_id = f.person_id AND r.type = 'release'
                            AND r.data->'types' ? 'case' AND r.event_time >= f.event_time)
        GROUP BY f.person_id`,
      [since, personIds ?? null],
    );
    return r.rows.map((x) => ({ personId: Number(x.person_id), eventTime: new Date(x.t).getTime() }));
  }
}
