/**
 * The audit log (docs/DESIGN.md §11): every officer read of personal data, every correction and
 * every policy change, append-only and hash-chained so a removed or edited row is detectable.
 */
import crypto from 'node:crypto';
import type { Database } from '../adapters/db/database.ts';
import type { AuditLogStore } from '../ports/audit-log-store.port.ts';
import type { Clock } from '../ports/clock.port.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  personId?: number | null;
  detail?: Record<string, unknown>;
}

export interface AuditRow {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  person_id: number | null;
  detail: Record<string, unknown>;
  prev_hash: Uint8Array;
  hash: Uint8Array;
}

const GENESIS = Buffer.alloc(32);

function rowHash(prev: Uint8Array, seq: number, at: string, e: AuditEntry): Buffer {
  const canonical = canonicalJson([seq, at, e.actor, e.action, e.personId ?? null, e.detail ?? {}]);
  return crypto.createHash('sha256').update(prev).update(canonical).digest();
}

/** JSON with object keys sorted, so the hash survives jsonb's own key order. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export class AuditService {
  constructor(
    private readonly db: Database,
    private readonly store: AuditLogStore,
    private readonly clock: Clock,
  ) {}

  /** Appends one entry, chained to the previous one. */
  async append(e: AuditEntry): Promise<void> {
    await this.appendTo(this.store, e);
  }

  /** Appends one entry through `store`: a unit of work's, so it commits with the rest of that work. */
  async appendTo(store: AuditLogStore, e: AuditEntry): Promise<void> {
    // Millisecond ISO time survives the round trip through timestamptz exactly.
    const at = new Date(this.clock.now()).toISOString();
    await store.append(
      { at, actor: e.actor, action: e.action, personId: e.personId ?? null, detail: e.detail ?? {} },
      (prev, seq) => rowHash(prev, seq, at, e),
    );
  }

  /** Walks the chain; returns the first broken sequence number, or null when intact. */
  async verify(
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ ok: boolean; rows: number; brokenAt: number | null }> {
    const total = Number(
      (await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log')).rows[0]?.n ?? 0,
    );
    let prev: Uint8Array = GENESIS;
    let expectedSeq = 1;
    let done = 0;
    for (;;) {
      const rows = (
        await this.db.query<AuditRow>('SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 5000', [
          expectedSeq,
        ])
      ).rows;
      if (rows.length === 0) break;
      for (const r of rows) {
        const at = new Date(r.at).toISOString();
        const h = rowHash(prev, r.seq, at, {
          actor: r.actor,
          action: r.action,
          personId: r.person_id,
          detail: r.detail,
        });
        if (
          r.seq !== expectedSeq ||
          !Buffer.from(r.prev_hash).equals(Buffer.from(prev)) ||
          !h.equals(Buffer.from(r.hash))
        ) {
          return { ok: false, rows: done, brokenAt: r.seq };
        }
        prev = r.hash;
        expectedSeq++;
        done++;
      }
      onProgress?.(done, total);
    }
    return { ok: true, rows: done, brokenAt: null };
  }

  /** Who looked at one person's data (a resident's own "who read my data" page). */
  async forPerson(
    personId: number,
    limit = 100,
  ): Promise<Array<{ at: string; actor: string; action: string }>> {
    const rows = await this.db.query<{ at: Date; actor: string; action: string }>(
      'SELECT at, actor, action FROM audit_log WHERE person_id = $1 ORDER BY seq DESC LIMIT $2',
      [personId, limit],
    );
    return rows.rows.map((r) => ({ at: new Date(r.at).toISOString(), actor: r.actor, action: r.action }));
  }
}
