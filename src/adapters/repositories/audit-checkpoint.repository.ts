/**
 * Signed checkpoints of an audit log's head, in a table of their own: the platform's
 * (audit_checkpoints, migrations/0461) or the testing service's (testing.audit_checkpoints,
 * migrations/testing/0010).
 */
import type { AuditCheckpoint, AuditCheckpointStore } from '../../ports/audit-log-store.port.ts';
import type { Queryable } from '../db/database.ts';

interface Row {
  seq: number;
  hash: Uint8Array;
  at: Date;
  kid: Uint8Array;
  alg: number;
  signature: Uint8Array;
}

export class AuditCheckpointRepository implements AuditCheckpointStore {
  constructor(
    private readonly db: Queryable,
    private readonly table: 'audit_checkpoints' | 'testing.audit_checkpoints' = 'audit_checkpoints',
  ) {}

  async save(cp: AuditCheckpoint): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.table} (seq, hash, at, kid, alg, signature) VALUES ($1,$2,$3,$4,$5,$6)`,
      [cp.seq, Buffer.from(cp.hash), cp.at, Buffer.from(cp.kid), cp.alg, Buffer.from(cp.signature)],
    );
  }

  async list(limit: number): Promise<AuditCheckpoint[]> {
    const rows = await this.db.query<Row>(
      `SELECT seq, hash, at, kid, alg, signature FROM ${this.table} ORDER BY seq DESC, id DESC LIMIT $1`,
      [limit],
    );
    return rows.rows.map((r) => ({
      seq: Number(r.seq),
      hash: r.hash,
      at: new Date(r.at).toISOString(),
      kid: r.kid,
      alg: r.alg,
      signature: r.signature,
    }));
  }
}
