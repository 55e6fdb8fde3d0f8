/**
 * The audit log's storage (docs/DESIGN.md §11): append-only and hash-chained. The chain's hash is
 * the audit service's; the store serialises appends and links each row to the previous one.
 * Signed checkpoints of the head are kept apart from the log (docs/SECURITY.md §Audit log).
 * Implemented by adapters/repositories/audit-log.repository.ts and audit-checkpoint.repository.ts.
 */

/** One entry as appended: who did what to whom, when (ISO time, millisecond precision). */
export interface AuditRecord {
  at: string;
  actor: string;
  action: string;
  personId: number | null;
  detail: Record<string, unknown>;
}

/** One stored row of the chain. */
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

export interface AuditLogStore {
  /**
   * Appends `record` after the newest row, one writer at a time: `link(prevHash, seq)` gives the new
   * row's hash from the previous row's hash (32 zero bytes for the first) and the new row's number.
   */
  append(record: AuditRecord, link: (prevHash: Uint8Array, seq: number) => Uint8Array): Promise<void>;
}

/** Reading the chain back (verification, a resident's "who read my data"). */
export interface AuditLogReader {
  /** The newest row's number and hash, or undefined for an empty log. */
  head(): Promise<{ seq: number; hash: Uint8Array } | undefined>;
  /** Rows with seq ≥ `fromSeq` in order, at most `limit`. */
  rowsFrom(fromSeq: number, limit: number): Promise<AuditRow[]>;
  /** Number of rows. */
  count(): Promise<number>;
  /** Newest entries about one person. */
  forPerson(personId: number, limit: number): Promise<Array<{ at: Date; actor: string; action: string }>>;
}

/** A signed statement "the log's row `seq` had hash `hash` at `at`". */
export interface AuditCheckpoint {
  seq: number;
  hash: Uint8Array;
  at: string;
  kid: Uint8Array;
  alg: number;
  signature: Uint8Array;
}

export interface AuditCheckpointStore {
  /** Keeps a checkpoint. */
  save(cp: AuditCheckpoint): Promise<void>;
  /** Checkpoints, newest first, at most `limit`. */
  list(limit: number): Promise<AuditCheckpoint[]>;
}

/** Signatures of checkpoints with the platform's signing key (docs/DESIGN.md §4). */
export interface CheckpointSigning {
  /** Signs with the current signing key. */
  sign(data: Uint8Array): Promise<{ kid: Uint8Array; alg: number; signature: Uint8Array }>;
  /**
   * 'valid' when `signature` over `data` checks with the platform key `kid`; 'revoked' when that key
   * was revoked (its signatures prove nothing); 'invalid' otherwise (unknown key, bad signature).
   */
  verify(
    kid: Uint8Array,
    alg: number,
    data: Uint8Array,
    signature: Uint8Array,
  ): Promise<'valid' | 'revoked' | 'invalid'>;
}
