/** The testing service's own audit log, `testing.audit_log` (docs/DESIGN.md §7). */
import type { NatAuditEntry, NatAuditLog } from '../../ports/nat.port.ts';
import type { Queryable } from '../db/database.ts';

export class NatAuditRepository implements NatAuditLog {
  constructor(private readonly q: Queryable) {}

  async append(entries: readonly NatAuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.q.query(
      `INSERT INTO testing.audit_log (at, actor, action, region_code, detail)
       SELECT u.at, u.actor, u.action, u.region, u.detail::jsonb
         FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(at, actor, action, region, detail)`,
      [
        entries.map((e) => e.at),
        entries.map((e) => e.actor),
        entries.map((e) => e.action),
        entries.map((e) => e.regionCode),
        entries.map((e) => JSON.stringify(e.detail)),
      ],
    );
  }
}
