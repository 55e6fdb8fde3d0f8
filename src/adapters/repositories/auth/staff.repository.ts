/** Staff accounts (staff table). */
import type { Queryable } from '../../db/database.ts';
import type { StaffRole } from '../../../domain/principal.ts';
import type { NewStaff, StaffChanges, StaffRecord, StaffStore } from '../../../ports/staff.port.ts';

interface Row {
  id: number;
  username: string;
  password_hash: string;
  display_name: string;
  role: string;
  region_prefix: string;
  disabled_at: Date | null;
  created_at: Date;
}

const COLUMNS = 'id, username, password_hash, display_name, role, region_prefix, disabled_at, created_at';

function toRecord(r: Row): StaffRecord {
  return {
    id: r.id,
    username: r.username,
    passwordHash: r.password_hash,
    displayName: r.display_name,
    role: r.role as StaffRole,
    regionPrefix: r.region_prefix,
    disabledAt: r.disabled_at,
    createdAt: r.created_at,
  };
}

export class StaffRepository implements StaffStore {
  constructor(private readonly db: Queryable) {}

  async byUsername(username: string): Promise<StaffRecord | undefined> {
    const r = (await this.db.query<Row>(`SELECT ${COLUMNS} FROM staff WHERE username = $1`, [username]))
      .rows[0];
    return r && toRecord(r);
  }

  async byId(id: number): Promise<StaffRecord | undefined> {
    const r = (await this.db.query<Row>(`SELECT ${COLUMNS} FROM staff WHERE id = $1`, [id])).rows[0];
    return r && toRecord(r);
  }

  async list(): Promise<StaffRecord[]> {
    return (await this.db.query<Row>(`SELECT ${COLUMNS} FROM staff ORDER BY id`)).rows.map(toRecord);
  }

  async upsert(s: NewStaff): Promise<{ id: number; created: boolean }> {
    const r = await this.db.query<{ id: number; created: boolean }>(
      `INSERT INTO staff (username, password_hash, display_name, role, region_prefix)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash,
         display_name = EXCLUDED.display_name, role = EXCLUDED.role, region_prefix = EXCLUDED.region_prefix,
         updated_at = now()
       RETURNING id, (xmax = 0) AS created`,
      [s.username, s.passwordHash, s.displayName, s.role, s.regionPrefix],
    );
    const row = r.rows[0]!;
    return { id: row.id, created: row.created };
  }

  async update(id: number, c: StaffChanges, now: Date): Promise<StaffRecord | undefined> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    const set = (col: string, v: unknown) => {
      params.push(v);
      sets.push(`${col} = $${params.length}`);
    };
    if (c.passwordHash !== undefined) set('password_hash', c.passwordHash);
    if (c.displayName !== undefined) set('display_name', c.displayName);
    if (c.role !== undefined) set('role', c.role);
    if (c.regionPrefix !== undefined) set('region_prefix', c.regionPrefix);
    if (c.disabled !== undefined) set('disabled_at', c.disabled ? now : null);
    set('updated_at', now);
    const r = (
      await this.db.query<Row>(
        `UPDATE staff SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
        params,
      )
    ).rows[0];
    return r && toRecord(r);
  }
}
