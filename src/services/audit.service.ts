/**
 * The audit log (docs/DESIGN.md §11): every officer read of personal data, every correction and
 * every policy change, append-only and hash-chained so a removed or edited row is detectable.
 * Signed checkpoints of the head, kept outside the log and published, anchor the chain: rows
 * deleted from the end, or a row edited with every later hash recomputed, no longer verify
 * (docs/SECURITY.md §Audit log).
 */
import crypto from 'node:crypto';
import type {
  AuditCheckpoint,
  AuditCheckpointStore,
  AuditLogReader,
  AuditLogStore,
  AuditRow,
  CheckpointSigning,
} from '../ports/audit-log-store.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import { AppError } from './app-error.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  personId?: number | null;
  detail?: Record<string, unknown>;
}

export type { AuditRow };

/** A checkpoint as published: JSON, binary fields in hex. */
export interface PublishedCheckpoint {
  seq: number;
  hash: string;
  at: string;
  kid: string;
  alg: number;
  signature: string;
}

export type AuditVerdict =
  | 'CHAIN_BROKEN' // a row's link or hash is wrong, or a number is missing
  | 'TRUNCATED' // the log ends before a checkpoint's row
  | 'CHECKPOINT_MISMATCH' // a row's hash differs from the one a checkpoint signed
  | 'CHECKPOINT_FORGED'; // a checkpoint whose signature does not check

export interface AuditVerifyResult {
  ok: boolean;
  /** rows walked and found good */
  rows: number;
  /** the first row found wrong (for TRUNCATED: the first missing one) */
  brokenAt: number | null;
  reason: AuditVerdict | null;
  /** checkpoints whose signature checked and that were compared with the log */
  checkpoints: number;
  /** checkpoints signed with a key revoked since: ignored */
  revokedCheckpoints: number;
}

const GENESIS = Buffer.alloc(32);

/** A row's chain hash: SHA-256 of the previous hash and the canonical row (exported for tools and tests). */
export function rowHash(prev: Uint8Array, seq: number, at: string, e: AuditEntry): Buffer {
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
    private readonly store: AuditLogStore & AuditLogReader,
    private readonly clock: Clock,
    private readonly anchors?: { checkpoints: AuditCheckpointStore; signing: CheckpointSigning },
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

  /**
   * Signs and keeps a checkpoint of the head; undefined when the log is empty or the newest
   * checkpoint already names the head (nothing new to anchor).
   */
  async checkpoint(): Promise<PublishedCheckpoint | undefined> {
    const anchors = this.requireAnchors();
    const head = await this.store.head();
    if (!head) return undefined;
    const [last] = await anchors.checkpoints.list(1);
    if (last && last.seq === Number(head.seq) && Buffer.from(last.hash).equals(Buffer.from(head.hash)))
      return undefined;
    const at = new Date(this.clock.now()).toISOString();
    const seq = Number(head.seq);
    const signed = await anchors.signing.sign(checkpointMessage(seq, head.hash, at));
    const cp: AuditCheckpoint = { seq, hash: head.hash, at, ...signed };
    await anchors.checkpoints.save(cp);
    return publish(cp);
  }

  /** The newest checkpoints as published (for administrators to copy elsewhere). */
  async checkpoints(limit = 100): Promise<PublishedCheckpoint[]> {
    return (await this.requireAnchors().checkpoints.list(limit)).map(publish);
  }

  /**
   * Walks the chain and compares it with every checkpoint kept, and with `published` ones kept
   * elsewhere (`hc audit verify --checkpoints`): the first problem found, or ok.
   */
  async verify(
    onProgress?: (done: number, total: number) => void,
    published: readonly PublishedCheckpoint[] = [],
  ): Promise<AuditVerifyResult> {
    const total = await this.store.count();
    const stored = this.anchors ? await this.anchors.checkpoints.list(1_000_000) : [];
    const all = [...stored, ...published.map(parseCheckpoint)];
    // Signatures first: a forged checkpoint is tampering in itself.
    const bySeq = new Map<number, AuditCheckpoint[]>();
    let revokedCheckpoints = 0;
    let checkpoints = 0;
    for (const cp of all) {
      const v = this.anchors
        ? await this.anchors.signing.verify(
            cp.kid,
            cp.alg,
            checkpointMessage(cp.seq, cp.hash, cp.at),
            cp.signature,
          )
        : 'invalid';
      if (v === 'revoked') {
        revokedCheckpoints++;
        continue;
      }
      if (v === 'invalid')
        return {
          ok: false,
          rows: 0,
          brokenAt: cp.seq,
          reason: 'CHECKPOINT_FORGED',
          checkpoints,
          revokedCheckpoints,
        };
      checkpoints++;
      bySeq.set(cp.seq, [...(bySeq.get(cp.seq) ?? []), cp]);
    }
    const result = (
      rows: number,
      brokenAt: number | null,
      reason: AuditVerdict | null,
    ): AuditVerifyResult => ({
      ok: reason === null,
      rows,
      brokenAt,
      reason,
      checkpoints,
      revokedCheckpoints,
    });
    let prev: Uint8Array = GENESIS;
    let expectedSeq = 1;
    let done = 0;
    for (;;) {
      const rows = await this.store.rowsFrom(expectedSeq, 5000);
      if (rows.length === 0) break;
      for (const r of rows) {
        const seq = Number(r.seq);
        const at = new Date(r.at).toISOString();
        const h = rowHash(prev, seq, at, {
          actor: r.actor,
          action: r.action,
          personId: r.person_id === null ? null : Number(r.person_id),
          detail: r.detail,
        });
        if (
          seq !== expectedSeq ||
          !Buffer.from(r.prev_hash).equals(Buffer.from(prev)) ||
          !h.equals(Buffer.from(r.hash))
        )
          return result(done, seq, 'CHAIN_BROKEN');
        for (const cp of bySeq.get(seq) ?? [])
          if (!Buffer.from(cp.hash).equals(h)) return result(done, seq, 'CHECKPOINT_MISMATCH');
        prev = r.hash;
        expectedSeq++;
        done++;
      }
      onProgress?.(done, total);
    }
    const newest = Math.max(0, ...bySeq.keys());
    if (newest >= expectedSeq) return result(done, expectedSeq, 'TRUNCATED');
    return result(done, null, null);
  }

  /** Who looked at one person's data (a resident's own "who read my data" page). */
  async forPerson(
    personId: number,
    limit = 100,
  ): Promise<Array<{ at: string; actor: string; action: string }>> {
    const rows = await this.store.forPerson(personId, limit);
    return rows.map((r) => ({ at: new Date(r.at).toISOString(), actor: r.actor, action: r.action }));
  }

  private requireAnchors(): { checkpoints: AuditCheckpointStore; signing: CheckpointSigning } {
    if (!this.anchors)
      throw new AppError('AUDIT_NO_CHECKPOINTS', 409, 'audit checkpoints are not configured');
    return this.anchors;
  }
}

/** The bytes a checkpoint signs: a domain-separated text of sequence, head hash and time. */
function checkpointMessage(seq: number, hash: Uint8Array, at: string): Uint8Array {
  return new TextEncoder().encode(
    `hc-audit-checkpoint/v1\n${seq}\n${Buffer.from(hash).toString('hex')}\n${at}`,
  );
}

function publish(cp: AuditCheckpoint): PublishedCheckpoint {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return {
    seq: cp.seq,
    hash: hex(cp.hash),
    at: cp.at,
    kid: hex(cp.kid),
    alg: cp.alg,
    signature: hex(cp.signature),
  };
}

const HEX = /^(?:[0-9a-f]{2})+$/;

/** A published checkpoint back to binary; a malformed one throws AUDIT_CHECKPOINT_INVALID. */
export function parseCheckpoint(p: PublishedCheckpoint): AuditCheckpoint {
  const ok =
    typeof p === 'object' &&
    p !== null &&
    Number.isSafeInteger(p.seq) &&
    p.seq > 0 &&
    typeof p.at === 'string' &&
    Number.isFinite(Date.parse(p.at)) &&
    Number.isInteger(p.alg) &&
    [p.hash, p.kid, p.signature].every((x) => typeof x === 'string' && HEX.test(x));
  if (!ok)
    throw new AppError(
      'AUDIT_CHECKPOINT_INVALID',
      400,
      'a checkpoint needs seq, hash, at, kid, alg and signature',
    );
  const bin = (x: string) => new Uint8Array(Buffer.from(x, 'hex'));
  return {
    seq: p.seq,
    hash: bin(p.hash),
    at: p.at,
    kid: bin(p.kid),
    alg: p.alg,
    signature: bin(p.signature),
  };
}
