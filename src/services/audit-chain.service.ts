/**
 * Signed checkpoints and verification of a hash-chained audit log (docs/SECURITY.md §Audit log),
 * for any log whose rows the reader hands over as domain ChainRows: the platform's
 * (services/audit.service.ts) and the testing service's (services/nat/nat-audit.service.ts). The
 * chain itself (hashes, the walk) is domain/audit-chain.ts; signatures are the platform's key.
 */
import crypto from 'node:crypto';
import { checkpointMessage, ChainWalk, type ChainRow, type ChainVerdict } from '../domain/audit-chain.ts';
import type {
  AuditCheckpoint,
  AuditCheckpointStore,
  CheckpointSigning,
} from '../ports/audit-log-store.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import { AppError } from './app-error.ts';

/** SHA-256 for domain/audit-chain.ts. */
export const sha256 = (...chunks: Uint8Array[]): Uint8Array => {
  const h = crypto.createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest();
};

/** A checkpoint as published: JSON, binary fields in hex. */
export interface PublishedCheckpoint {
  seq: number;
  hash: string;
  at: string;
  kid: string;
  alg: number;
  signature: string;
}

export type AuditVerdict = ChainVerdict;

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

/** Reading a chained log back, rows as the walk sees them. */
export interface ChainReader {
  /** The newest row's number and hash, or undefined for an empty log. */
  head(): Promise<{ seq: number; hash: Uint8Array } | undefined>;
  /** Number of chained rows. */
  count(): Promise<number>;
  /** Rows with seq ≥ `fromSeq` in order, at most `limit`. */
  rowsFrom(fromSeq: number, limit: number): Promise<ChainRow[]>;
}

export interface ChainAnchors {
  checkpoints: AuditCheckpointStore;
  signing: CheckpointSigning;
}

export class AuditChainService {
  constructor(
    private readonly reader: ChainReader,
    private readonly clock: Clock,
    /** domain-separates this log's checkpoints from another's */
    private readonly label: string,
    private readonly anchors?: ChainAnchors,
  ) {}

  /**
   * Signs and keeps a checkpoint of the head; undefined when the log is empty or the newest
   * checkpoint already names the head (nothing new to anchor).
   */
  async checkpoint(): Promise<PublishedCheckpoint | undefined> {
    const anchors = this.requireAnchors();
    const head = await this.reader.head();
    if (!head) return undefined;
    const [last] = await anchors.checkpoints.list(1);
    if (last && last.seq === Number(head.seq) && Buffer.from(last.hash).equals(Buffer.from(head.hash)))
      return undefined;
    const at = new Date(this.clock.now()).toISOString();
    const seq = Number(head.seq);
    const signed = await anchors.signing.sign(checkpointMessage(this.label, seq, head.hash, at));
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
   * elsewhere: the first problem found, or ok.
   */
  async verify(
    onProgress?: (done: number, total: number) => void,
    published: readonly PublishedCheckpoint[] = [],
  ): Promise<AuditVerifyResult> {
    const total = await this.reader.count();
    const stored = this.anchors ? await this.anchors.checkpoints.list(1_000_000) : [];
    const all = [...stored, ...published.map(parseCheckpoint)];
    // Signatures first: a forged checkpoint is tampering in itself.
    const bySeq = new Map<number, Uint8Array[]>();
    let revokedCheckpoints = 0;
    let checkpoints = 0;
    for (const cp of all) {
      const v = this.anchors
        ? await this.anchors.signing.verify(
            cp.kid,
            cp.alg,
            checkpointMessage(this.label, cp.seq, cp.hash, cp.at),
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
      bySeq.set(cp.seq, [...(bySeq.get(cp.seq) ?? []), cp.hash]);
    }
    const walk = new ChainWalk(sha256, bySeq);
    const result = (bad?: { seq: number; reason: AuditVerdict }): AuditVerifyResult => ({
      ok: bad === undefined,
      rows: walk.good,
      brokenAt: bad?.seq ?? null,
      reason: bad?.reason ?? null,
      checkpoints,
      revokedCheckpoints,
    });
    for (;;) {
      const rows = await this.reader.rowsFrom(walk.next, 5000);
      if (rows.length === 0) break;
      for (const r of rows) {
        const bad = walk.step(r);
        if (bad) return result(bad);
      }
      onProgress?.(walk.good, total);
    }
    return result(walk.end());
  }

  private requireAnchors(): ChainAnchors {
    if (!this.anchors)
      throw new AppError('AUDIT_NO_CHECKPOINTS', 409, 'audit checkpoints are not configured');
    return this.anchors;
  }
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
