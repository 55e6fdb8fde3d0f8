/**
 * The testing service's audit log, verified like the platform's (docs/SECURITY.md §Audit log): the
 * same chain (domain/audit-chain.ts) and the same signed checkpoints (AuditChainService), kept in
 * the testing database and signed with the platform's code-signing key. Entries are written by the
 * testing stores inside each change's transaction (adapters/nat/audit.repository.ts).
 */
import { TESTING_CHECKPOINT_LABEL, testingAuditFields } from '../../domain/audit-chain.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { NatAuditReader } from '../../ports/nat.port.ts';
import {
  AuditChainService,
  type AuditVerifyResult,
  type ChainAnchors,
  type PublishedCheckpoint,
} from '../audit-chain.service.ts';

export class NatAuditService {
  private readonly chain: AuditChainService;

  constructor(
    private readonly reader: NatAuditReader,
    clock: Clock,
    anchors?: ChainAnchors,
  ) {
    this.chain = new AuditChainService(
      {
        head: () => reader.head(),
        count: () => reader.count(),
        rowsFrom: async (from, limit) =>
          (await reader.rowsFrom(from, limit)).map((r) => ({
            seq: Number(r.seq),
            prevHash: r.prev_hash,
            hash: r.hash,
            fields: testingAuditFields(Number(r.seq), new Date(r.at).toISOString(), {
              actor: r.actor,
              action: r.action,
              regionCode: r.region_code,
              detail: r.detail,
            }),
          })),
      },
      clock,
      TESTING_CHECKPOINT_LABEL,
      anchors,
    );
  }

  /** Signs and keeps a checkpoint of the head (undefined: empty, or already anchored). */
  checkpoint(): Promise<PublishedCheckpoint | undefined> {
    return this.chain.checkpoint();
  }

  /** The newest checkpoints as published. */
  checkpoints(limit = 100): Promise<PublishedCheckpoint[]> {
    return this.chain.checkpoints(limit);
  }

  /** Walks the chain against every checkpoint kept and `published` ones; rows never chained apart. */
  async verify(
    published: readonly PublishedCheckpoint[] = [],
  ): Promise<AuditVerifyResult & { unchained: number }> {
    const r = await this.chain.verify(undefined, published);
    return { ...r, unchained: await this.reader.unchained() };
  }
}
