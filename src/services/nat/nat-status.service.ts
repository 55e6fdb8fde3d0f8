/** The testing service's health: outbox backlog and registrations waiting for a commit. */
import type { CollectionSink, NatOutbox } from '../../ports/nat.port.ts';

export class NatStatusService {
  constructor(
    private readonly outbox: NatOutbox,
    private readonly sink: CollectionSink,
  ) {}

  /** What /testing/v1/healthz reports. */
  async health(): Promise<{ ok: true; outboxPending: number; collectionBacklog: number }> {
    return { ok: true, outboxPending: await this.outbox.pending(), collectionBacklog: this.sink.backlog };
  }
}
