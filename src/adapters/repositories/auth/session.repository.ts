/** Sign-in sessions (sessions), read with the staff account's current role, region and state. */
import type { Queryable } from '../../db/database.ts';
import type { StaffRole } from '../../../domain/principal.ts';
import type { LiveSession, NewSession, SessionStore } from '../../../ports/session-store.port.ts';

interface Row {
  id: string;
  person_id: number | null;
  staff_id: number | null;
  expires_at: Date;
  revoked_at: Date | null;
  role: string | null;
  region_prefix: string | null;
  disabled_at: Date | null;
}

export class SessionRepository implements SessionStore {
  constructor(private readonly db: Queryable) {}

  async create(s: NewSession): Promise<void> {
    await this.db.query(
      `INSERT INTO sessions (id, person_id, staff_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [s.id, s.personId ?? null, s.staffId ?? null, s.createdAt, s.expiresAt],
    );
  }

  async get(id: string): Promise<LiveSession | undefined> {
    const r = (
      await this.db.query<Row>(
        `SELECT s.id, s.person_id, s.staff_id, s.expires_at, s.revoked_at, st.role, st.region_prefix, st.disabled_at
           FROM sessions s LEFT JOIN staff st ON st.id = s.staff_id
          WHERE s.id = $1`,
        [id],
      )
    ).rows[0];
    if (!r) return undefined;
    return {
      id: r.id,
      personId: r.person_id === null ? null : Number(r.person_id),
      staffId: r.staff_id === null ? null : Number(r.staff_id),
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
      staff:
        r.staff_id !== null && r.role !== null
          ? { role: r.role as StaffRole, regionPrefix: r.region_prefix ?? '', disabledAt: r.disabled_at }
          : null,
    };
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
      [id, now],
    );
    return r.rows.length > 0;
  }

  async revokeStaff(staffId: number, now: Date): Promise<number> {
    const r = await this.db.query(
      `UPDATE sessions SET revoked_at = $2 WHERE staff_id = $1 AND revoked_at IS NULL AND expires_at > $2
       RETURNING id`,
      [staffId, now],
    );
    return r.rows.length;
  }

  async revokedResidentSessions(
    since: Date,
    now: Date,
  ): Promise<Array<{ id: string; revokedAt: Date; expiresAt: Date }>> {
    // sessions_revoked_residents_idx (migration 0610): revocations are few among all sign-ins.
    const r = await this.db.query<{ id: string; revoked_at: Date; expires_at: Date }>(
      `SELECT id, revoked_at, expires_at FROM sessions
        WHERE person_id IS NOT NULL AND revoked_at IS NOT NULL AND revoked_at >= $1 AND expires_at > $2`,
      [since, now],
    );
    return r.rows.map((x) => ({ id: x.id, revokedAt: x.revoked_at, expiresAt: x.expires_at }));
  }

  async purge(before: Date): Promise<number> {
    const r = await this.db.query(
      `DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1 RETURNING id`,
      [before],
    );
    return r.rows.length;
  }
}
