/**
 * The audit log's storage (docs/DESIGN.md §11): append-only and hash-chained. The chain's hash is
 * the audit service's; the store serialises appends and links each row to the previous one.
 * Implemented by adapters/repositories/audit-log.repository.ts.
 */

/** One entry as appended: who did what to whom, when (ISO time, millisecond precision). */
export interface AuditRecord {
  at: string;
  actor: string;
  action: string;
  personId: number | null;
  detail: Record<string, unknown>;
}

export interface AuditLogStore {
  /**
   * Appends `record` after the newest row, one writer at a time: `link(prevHash, seq)` gives the new
   * row's hash from the previous row's hash (32 zero bytes for the first) and the new row's number.
   */
  append(record: AuditRecord, link: (prevHash: Uint8Array, seq: number) => Uint8Array): Promise<void>;
}
