/** Risk areas and their append-only history (SQL only; rules live in the service). */
import { atomically, type Scope } from '../../db/atomic.ts';
import type { Queryable } from '../../db/database.ts';
import type {
  RiskAreaFields,
  RiskAreaHistoryEntry,
  RiskAreaHistoryRow,
  RiskAreaRow,
  RiskAreaStore,
} from '../../../ports/risk-area-store.port.ts';

const COLS = `id, name, level, kind, geometry, center_lat, center_lon, radius_m, admin_code, region_code, starts_at, lifted_at,
  version, note, created_by, created_at, updated_by, updated_at`;

export class RiskAreaRepository implements RiskAreaStore {
  /** On the pool, or bound to a unit of work's transaction (an area and its history row then commit with it). */
  constructor(private readonly db: Scope) {}

  async publish(f: RiskAreaFields, h: RiskAreaHistoryEntry): Promise<RiskAreaRow> {
    return atomically(this.db, async (tx) => {
      const row = await this.insert(f, h.actor, h.at, tx);
      await this.addHistory(row.id, { ...h, version: 1 }, tx);
      return row;
    });
  }

  async update(
    id: number,
    version: number,
    f: RiskAreaFields,
    h: RiskAreaHistoryEntry,
  ): Promise<RiskAreaRow | undefined> {
    return atomically(this.db, async (tx) => {
      const row = await this.write(id, version, f, h.actor, h.at, tx);
      if (row) await this.addHistory(id, { ...h, version: row.version }, tx);
      return row;
    });
  }

  private async insert(f: RiskAreaFields, actor: string, at: Date, q: Queryable): Promise<RiskAreaRow> {
    const r = await q.query<RiskAreaRow>(
      `INSERT INTO risk_areas (name, level, kind, geometry, center_lat, center_lon, radius_m, admin_code, region_code, starts_at, lifted_at, note,
         created_by, created_at, updated_by, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$13,$14) RETURNING ${COLS}`,
      [...fieldParams(f), actor, at],
    );
    return r.rows[0] as RiskAreaRow;
  }

  private async write(
    id: number,
    version: number,
    f: RiskAreaFields,
    actor: string,
    at: Date,
    q: Queryable,
  ): Promise<RiskAreaRow | undefined> {
    const r = await q.query<RiskAreaRow>(
      `UPDATE risk_areas SET name=$3, level=$4, kind=$5, geometry=$6, center_lat=$7, center_lon=$8, radius_m=$9, admin_code=$10,
         region_code=$11, starts_at=$12, lifted_at=$13, note=$14, updated_by=$15, updated_at=$16, version = version + 1
       WHERE id=$1 AND version=$2 RETURNING ${COLS}`,
      [id, version, ...fieldParams(f), actor, at],
    );
    return r.rows[0];
  }

  private async addHistory(areaId: number, h: RiskAreaHistoryRow, q: Queryable): Promise<void> {
    await q.query(
      `INSERT INTO risk_area_history (area_id, version, action, actor, at, changes, snapshot) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
      [areaId, h.version, h.action, h.actor, h.at, JSON.stringify(h.changes), JSON.stringify(h.snapshot)],
    );
  }

  async get(id: number): Promise<RiskAreaRow | undefined> {
    return (await this.db.query<RiskAreaRow>(`SELECT ${COLS} FROM risk_areas WHERE id = $1`, [id])).rows[0];
  }

  async activeAt(at: Date): Promise<RiskAreaRow[]> {
    return (
      await this.db.query<RiskAreaRow>(
        `SELECT ${COLS} FROM risk_areas WHERE starts_at <= $1 AND (lifted_at IS NULL OR lifted_at > $1) ORDER BY id`,
        [at],
      )
    ).rows;
  }

  async activeSince(since: Date): Promise<RiskAreaRow[]> {
    return (
      await this.db.query<RiskAreaRow>(
        `SELECT ${COLS} FROM risk_areas WHERE lifted_at IS NULL OR lifted_at > $1 ORDER BY id`,
        [since],
      )
    ).rows;
  }

  async inRegion(prefix: string, limit: number): Promise<RiskAreaRow[]> {
    return (
      await this.db.query<RiskAreaRow>(
        `SELECT ${COLS} FROM risk_areas WHERE region_code LIKE $1 ORDER BY id DESC LIMIT $2`,
        [`${prefix}%`, limit],
      )
    ).rows;
  }

  async history(id: number): Promise<RiskAreaHistoryRow[]> {
    return (
      await this.db.query<RiskAreaHistoryRow>(
        'SELECT version, action, actor, at, changes, snapshot FROM risk_area_history WHERE area_id = $1 ORDER BY version',
        [id],
      )
    ).rows;
  }

  async fingerprint(): Promise<string> {
    const r = await this.db.query<{ n: number; v: number; t: Date | null }>(
      'SELECT count(*)::int AS n, coalesce(sum(version), 0)::int AS v, max(updated_at) AS t FROM risk_areas',
    );
    const row = r.rows[0];
    return `${row?.n ?? 0}:${row?.v ?? 0}:${row?.t ? new Date(row.t).getTime() : 0}`;
  }
}

/** A risk area's fields as query parameters, in the column order both statements list them. */
function fieldParams(f: RiskAreaFields): unknown[] {
  return [
    f.name,
    f.level,
    f.kind,
    f.geometry === null ? null : JSON.stringify(f.geometry),
    f.center_lat,
    f.center_lon,
    f.radius_m,
    f.admin_code,
    f.region_code,
    f.starts_at,
    f.lifted_at,
    f.note,
  ];
}
