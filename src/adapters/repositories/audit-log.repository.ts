/** The audit log table: appends serialised by an advisory lock, each row linked to the previous one. */
import type {
  AuditLogReader,
  AuditLogStore,
  AuditRecord,
  AuditRow,
} from '../../ports/audit-log-store.port.ts';
import { atomically, type Scope } from '../db/atomic.ts';

const GENESIS = Buffer.alloc(32);
/** One appender at a time across every process: the chain has one head. */
const AUDIT_LOCK = 727275;

export class AuditLogRepository implements AuditLogStore, AuditLogReader {
  constructor(private readonly db: Scope) {}

  async append(r: AuditRecord, link: (prevHash: Uint8Array, seq: number) => Uint8Array): Promise<void> {
    await atomically(this.db, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
      const last = (
        await tx.query<{ seq: number; hash: Uint8Array }>(
          'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
        )
      ).rows[0];
      const seq = (last?.seq ?? 0) + 1;
      const prev = last ? Buffer.from(last.hash) : GENESIS;
      await tx.query(
        'INSERT INTO audit_log (seq, at, actor, action, person_id, detail, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)',
        [
          seq,
          r.at,
          r.actor,
          r.action,
          r.personId,
          JSON.stringify(r.detail),
          prev,
          Buffer.from(link(prev, seq)),
        ],
      );
    });
  }

  async head(): Promise<{ seq: number; hash: Uint8Array } | undefined> {
    return (
      await this.db.query<{ seq: number; hash: Uint8Array }>(
        'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
      )
    ).rows[0];
  }

  async rowsFrom(fromSeq: number, limit: number): Promise<AuditRow[]> {
    return (
      await this.db.query<AuditRow>('SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2', [
        fromSeq,
        limit,
      ])
    ).rows;
  }

  async count(): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log')).rows[0]?.n ?? 0;
  }

  async forPerson(
    personId: number,
    limit: number,
  ): Promise<Array<{ at: Date; actor: string; action: string }>> {
    return (
      await this.db.query<{ at: Date; actor: string; action: string }>(
        'SELECT at, actor, action FROM audit_log WHERE person_id = $1 ORDER BY seq DESC LIMIT $2',
        [personId, limit],
      )
    ).rows;
  }
}
