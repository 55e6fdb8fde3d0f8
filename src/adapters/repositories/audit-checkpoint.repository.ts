/** Signed checkpoints of the audit log's head, in a table of their own (migrations/0461). */
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
  constructor(private readonly db: Queryable) {}

  async save(cp: AuditCheckpoint): Promise<void> {
    await this.db.query(
      'INSERT INTO audit_checkpoints (seq, hash, at, kid, alg, signature) VALUES ($1,$2,$3,$4,$5,$6)',
      [cp.seq, Buffer.from(cp.hash), cp.at, Buffer.from(cp.kid), cp.alg, Buffer.from(cp.signature)],
    );
  }

  async list(limit: number): Promise<AuditCheckpoint[]> {
    const rows = await this.db.query<Row>(
      'SELECT seq, hash, at, kid, alg, signature FROM audit_checkpoints ORDER BY seq DESC, id DESC LIMIT $1',
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
