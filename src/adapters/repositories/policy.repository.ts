/** Policy versions: every published document kept, one active (the partial unique index). */
import type { PolicyStore, PolicyVersionInfo } from '../../ports/policy-store.port.ts';
import { atomically, type Scope } from '../db/atomic.ts';

export class PolicyRepository implements PolicyStore {
  constructor(private readonly db: Scope) {}

  async activeDocument(): Promise<unknown> {
    return (await this.db.query<{ document: unknown }>('SELECT document FROM policies WHERE active')).rows[0]
      ?.document;
  }

  async active(): Promise<{ document: unknown; seq: number } | undefined> {
    const row = (
      await this.db.query<{ document: unknown; seq: number | string }>(
        'SELECT document, seq FROM policies WHERE active',
      )
    ).rows[0];
    return row && { document: row.document, seq: Number(row.seq) };
  }

  async installIfNone(version: string, document: unknown, at: number): Promise<void> {
    // Two processes starting on an empty database: the one-active index lets one of them in.
    await this.db.query(
      `INSERT INTO policies (version, document, active, created_by, activated_at)
       SELECT $1, $2, true, 'system', $3 WHERE NOT EXISTS (SELECT 1 FROM policies WHERE active)
       ON CONFLICT DO NOTHING`,
      [version, JSON.stringify(document), new Date(at)],
    );
  }

  async publish(version: string, document: unknown, actor: string, at: number): Promise<boolean> {
    return atomically(this.db, async (tx) => {
      const exists = await tx.query('SELECT 1 FROM policies WHERE version = $1 FOR UPDATE', [version]);
      if (exists.rows.length) return false;
      // The old version first: at most one row may be active at any moment (unique index).
      await tx.query('UPDATE policies SET active = false WHERE active');
      await tx.query(
        'INSERT INTO policies (version, document, active, created_by, activated_at) VALUES ($1, $2, true, $3, $4)',
        [version, JSON.stringify(document), actor, new Date(at)],
      );
      return true;
    });
  }

  async versions(): Promise<PolicyVersionInfo[]> {
    const r = await this.db.query<{ version: string; active: boolean; created_by: string; created_at: Date }>(
      'SELECT version, active, created_by, created_at FROM policies ORDER BY created_at DESC',
    );
    return r.rows.map((x) => ({
      version: x.version,
      active: x.active,
      createdBy: x.created_by,
      createdAt: x.created_at.toISOString(),
    }));
  }
}
