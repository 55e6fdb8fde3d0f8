/** Risk areas and their append-only history (SQL only; rules live in the service). */
import type { Database, Queryable } from '../../db/database.ts';

export interface RiskAreaRow {
  id: number;
  name: string;
  level: 'high' | 'medium' | 'low';
  kind: 'polygon' | 'circle' | 'admin';
  geometry: unknown;
  center_lat: number | null;
  center_lon: number | null;
  radius_m: number | null;
  admin_code: string | null;
  region_code: string;
  starts_at: Date;
  lifted_at: Date | null;
  version: number;
  note: string | null;
  created_by: string;
  created_at: Date;
  updated_by: string;
  updated_at: Date;
}

/** The editable part of an area (what publish and update write). */
export interface RiskAreaFields {
  name: string;
  level: RiskAreaRow['level'];
  kind: RiskAreaRow['kind'];
  geometry: unknown;
  center_lat: number | null;
  center_lon: number | null;
  radius_m: number | null;
  admin_code: string | null;
  region_code: string;
  starts_at: Date;
  lifted_at: Date | null;
  note: string | null;
}

export interface RiskAreaHistoryRow {
  version: number;
  action: string;
  actor: string;
  at: Date;
  changes: Record<string, unknown>;
  snapshot: Record<string, unknown>;
}

const COLS = `id, name, level, kind, geometry, center_lat, center_lon, radius_m, admin_code, region_code, starts_at, lifted_at,
  version, note, created_by, created_at, updated_by, updated_at`;

export class RiskAreaRepository {
  constructor(private readonly db: Database) {}

  /** Inserts a new area (version 1); returns it. */
  async insert(f: RiskAreaFields, actor: string, at: Date, q: Queryable = this.db): Promise<RiskAreaRow> {
    const r = await q.query<RiskAreaRow>(
      `INSERT INTO risk_areas (name, level, kind, geometry, center_lat, center_lon, radius_m, admin_code, region_code, starts_at, lifted_at, note,
         created_by, created_at, updated_by, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$13,$14) RETURNING ${COLS}`,
      [
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
        actor,
        at,
      ],
    );
    return r.rows[0] as RiskAreaRow;
  }

  /** Writes the new fields and bumps the version when it is still `version` (optimistic lock). */
  async update(
    id: number,
    version: number,
    f: RiskAreaFields,
    actor: string,
    at: Date,
    q: Queryable = this.db,
  ): Promise<RiskAreaRow | undefined> {
    const r = await q.query<RiskAreaRow>(
      `UPDATE risk_areas SET name=$3, level=$4, kind=$5, geometry=$6, center_lat=$7, center_lon=$8, radius_m=$9, admin_code=$10,
         region_code=$11, starts_at=$12, lifted_at=$13, note=$14, updated_by=$15, updated_at=$16, version = version + 1
       WHERE id=$1 AND version=$2 RETURNING ${COLS}`,
      [
        id,
        version,
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
        actor,
        at,
      ],
    );
    return r.rows[0];
  }

  async addHistory(areaId: number, h: RiskAreaHistoryRow, q: Queryable = this.db): Promise<void> {
    await q.query(
      `INSERT INTO risk_area_history (area_id, version, action, actor, at, changes, snapshot) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
      [areaId, h.version, h.action, h.actor, h.at, JSON.stringify(h.changes), JSON.stringify(h.snapshot)],
    );
  }

  async get(id: number, q: Queryable = this.db): Promise<RiskAreaRow | undefined> {
    return (await q.query<RiskAreaRow>(`SELECT ${COLS} FROM risk_areas WHERE id = $1`, [id])).rows[0];
  }

  /** Areas active at `at`. */
  async activeAt(at: Date): Promise<RiskAreaRow[]> {
    return (
      await this.db.query<RiskAreaRow>(
        `SELECT ${COLS} FROM risk_areas WHERE starts_at <= $1 AND (lifted_at IS NULL OR lifted_at > $1) ORDER BY id`,
        [at],
      )
    ).rows;
  }

  /** Areas whose active window reaches past `since` (all that can match stays after it). */
  async activeSince(since: Date): Promise<RiskAreaRow[]> {
    return (
      await this.db.query<RiskAreaRow>(
        `SELECT ${COLS} FROM risk_areas WHERE lifted_at IS NULL OR lifted_at > $1 ORDER BY id`,
        [since],
      )
    ).rows;
  }

  /** Every area in a region prefix, newest first (officer console). */
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

  /** A cheap fingerprint of the table: changes whenever any area changes (index cache check). */
  async fingerprint(): Promise<string> {
    const r = await this.db.query<{ n: number; v: number; t: Date | null }>(
      'SELECT count(*)::int AS n, coalesce(sum(version), 0)::int AS v, max(updated_at) AS t FROM risk_areas',
    );
    const row = r.rows[0];
    return `${row?.n ?? 0}:${row?.v ?? 0}:${row?.t ? new Date(row.t).getTime() : 0}`;
  }
}
