/**
 * The testing service's own audit log, `testing.audit_log` (docs/DESIGN.md §7), hash-chained like
 * the platform's (domain/audit-chain.ts): appends are serialised by an advisory lock and each row
 * links to the previous one, in the caller's transaction.
 */
import crypto from 'node:crypto';
import { chainHash, GENESIS, testingAuditFields } from '../../domain/audit-chain.ts';
import type { NatAuditEntry, NatAuditLog, NatAuditReader, NatAuditRow } from '../../ports/nat.port.ts';
import type { Queryable } from '../db/database.ts';

/** One appender at a time across every process: the chain has one head (the platform's is 727275). */
const TESTING_AUDIT_LOCK = 727276;

const sha256 = (...chunks: Uint8Array[]): Uint8Array => {
  const h = crypto.createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest();
};

export class NatAuditRepository implements NatAuditLog, NatAuditReader {
  constructor(private readonly q: Queryable) {}

  /** Appends entries in order, chained; the caller's transaction holds the lock until it ends. */
  async append(entries: readonly NatAuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.q.query('SELECT pg_advisory_xact_lock($1)', [TESTING_AUDIT_LOCK]);
    const head = await this.head();
    let seq = head?.seq ?? 0;
    let prev: Uint8Array = head?.hash ?? GENESIS;
    const seqs: number[] = [];
    const prevs: Buffer[] = [];
    const hashes: Buffer[] = [];
    for (const e of entries) {
      seq++;
      // Millisecond ISO time survives the round trip through timestamptz exactly.
      const h = chainHash(sha256, prev, testingAuditFields(seq, e.at.toISOString(), e));
      seqs.push(seq);
      prevs.push(Buffer.from(prev));
      hashes.push(Buffer.from(h));
      prev = h;
    }
    await this.q.query(
      `INSERT INTO testing.audit_log (at, actor, action, region_code, detail, seq, prev_hash, hash)
       SELECT u.at, u.actor, u.action, u.region, u.detail::jsonb, u.seq, u.prev, u.hash
         FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bytea[], $8::bytea[])
           AS u(at, actor, action, region, detail, seq, prev, hash)`,
      [
        entries.map((e) => e.at),
        entries.map((e) => e.actor),
        entries.map((e) => e.action),
        entries.map((e) => e.regionCode),
        entries.map((e) => JSON.stringify(e.detail)),
        seqs,
        prevs,
        hashes,
      ],
    );
  }

  async head(): Promise<{ seq: number; hash: Uint8Array } | undefined> {
    const r = (
      await this.q.query<{ seq: number; hash: Uint8Array }>(
        'SELECT seq, hash FROM testing.audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1',
      )
    ).rows[0];
    return r && { seq: Number(r.seq), hash: new Uint8Array(r.hash) };
  }

  async rowsFrom(fromSeq: number, limit: number): Promise<NatAuditRow[]> {
    return (
      await this.q.query<NatAuditRow>(
        `SELECT seq, at, actor, action, region_code, detail, prev_hash, hash FROM testing.audit_log
          WHERE seq >= $1 ORDER BY seq LIMIT $2`,
        [fromSeq, limit],
      )
    ).rows;
  }

  async count(): Promise<number> {
    return (
      (
        await this.q.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM testing.audit_log WHERE seq IS NOT NULL',
        )
      ).rows[0]?.n ?? 0
    );
  }

  async unchained(): Promise<number> {
    return (
      (
        await this.q.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM testing.audit_log WHERE seq IS NULL',
        )
      ).rows[0]?.n ?? 0
    );
  }
}
