/**
 * The audit log (docs/DESIGN.md §11): every officer read of personal data, every correction and
 * every policy change, append-only and hash-chained so a removed or edited row is detectable.
 * Signed checkpoints of the head, kept outside the log and published, anchor the chain: rows
 * deleted from the end, or a row edited with every later hash recomputed, no longer verify
 * (docs/SECURITY.md §Audit log).
 */
import { chainHash, platformAuditFields, PLATFORM_CHECKPOINT_LABEL } from '../domain/audit-chain.ts';
import type {
  AuditCheckpointStore,
  AuditLogReader,
  AuditLogStore,
  AuditRow,
  CheckpointSigning,
} from '../ports/audit-log-store.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import {
  AuditChainService,
  sha256,
  type AuditVerifyResult,
  type PublishedCheckpoint,
} from './audit-chain.service.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  personId?: number | null;
  detail?: Record<string, unknown>;
}

export type { AuditRow };
export type { AuditVerdict, AuditVerifyResult, PublishedCheckpoint } from './audit-chain.service.ts';
export { parseCheckpoint } from './audit-chain.service.ts';

/** A row's chain hash: SHA-256 of the previous hash and the canonical row (exported for tools and tests). */
export function rowHash(prev: Uint8Array, seq: number, at: string, e: AuditEntry): Buffer {
  return Buffer.from(chainHash(sha256, prev, platformAuditFields(seq, at, e)));
}

export class AuditService {
  private readonly chain: AuditChainService;

  constructor(
    private readonly store: AuditLogStore & AuditLogReader,
    private readonly clock: Clock,
    anchors?: { checkpoints: AuditCheckpointStore; signing: CheckpointSigning },
  ) {
    const reader = {
      head: () => store.head(),
      count: () => store.count(),
      rowsFrom: async (from: number, limit: number) =>
        (await store.rowsFrom(from, limit)).map((r) => ({
          seq: Number(r.seq),
          prevHash: r.prev_hash,
          hash: r.hash,
          fields: platformAuditFields(Number(r.seq), new Date(r.at).toISOString(), {
            actor: r.actor,
            action: r.action,
            personId: r.person_id === null ? null : Number(r.person_id),
            detail: r.detail,
          }),
        })),
    };
    this.chain = new AuditChainService(reader, clock, PLATFORM_CHECKPOINT_LABEL, anchors);
  }

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
  checkpoint(): Promise<PublishedCheckpoint | undefined> {
    return this.chain.checkpoint();
  }

  /** The newest checkpoints as published (for administrators to copy elsewhere). */
  checkpoints(limit = 100): Promise<PublishedCheckpoint[]> {
    return this.chain.checkpoints(limit);
  }

  /**
   * Walks the chain and compares it with every checkpoint kept, and with `published` ones kept
   * elsewhere (`hc audit verify --checkpoints`): the first problem found, or ok.
   */
  verify(
    onProgress?: (done: number, total: number) => void,
    published: readonly PublishedCheckpoint[] = [],
  ): Promise<AuditVerifyResult> {
    return this.chain.verify(onProgress, published);
  }

  /** Who looked at one person's data (a resident's own "who read my data" page). */
  async forPerson(
    personId: number,
    limit = 100,
  ): Promise<Array<{ at: string; actor: string; action: string }>> {
    const rows = await this.store.forPerson(personId, limit);
    return rows.map((r) => ({ at: new Date(r.at).toISOString(), actor: r.actor, action: r.action }));
  }
}
