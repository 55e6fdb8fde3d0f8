/**
 * The code service's side of the testing boundary: consumes what the testing service published
 * (results, bookings, heartbeats) into the intermediate store (中间库) it owns, and turns each
 * result into `test_result` facts. It never calls the testing service. Exactly once: a result is
 * keyed by (lab, tube, version) and each fact's source record id is derived from that key and the
 * member, so replays and redeliveries change nothing.
 */
import type { Logger } from 'pino';
import type { NewFact } from '../../domain/fact.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { EventBus, Subscription } from '../../ports/event-bus.port.ts';
import type { IntermediateStoreWriter } from '../../ports/intermediate-store.port.ts';
import type { UnitOfWork } from '../../ports/unit-of-work.port.ts';
import {
  TestingSubjects,
  parsePersonRef,
  type BookingEvent,
  type HeartbeatEvent,
  type Relayed,
  type ResultEvent,
} from '../../domain/nat/nat.ts';
import type { FactService } from '../fact.service.ts';

/** Facts from the testing system carry this source. */
export const TESTING_FACT_SOURCE = 'testing';

/** The fact source record id of one member of one result version. */
export function resultRecordId(lab: string, tube: string, version: number, personRef: string): string {
  return `${lab}/${tube}/v${version}/${personRef}`;
}

export class IntermediateStoreConsumer {
  private sub: Subscription | undefined;
  /** events applied (duplicates included), for tests and metrics */
  readonly stats = { results: 0, duplicates: 0, bookings: 0, heartbeats: 0 };

  constructor(
    private readonly store: IntermediateStoreWriter,
    private readonly uow: UnitOfWork,
    private readonly bus: EventBus,
    private readonly facts: FactService,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Subscribes as the durable group `code-intermediate-store`. */
  async start(): Promise<void> {
    this.sub = await this.bus.subscribe(TestingSubjects.all, 'code-intermediate-store', (payload, subject) =>
      this.handle(subject, payload),
    );
  }

  async stop(): Promise<void> {
    await this.sub?.stop();
  }

  /** Applies one event; throws (so the bus redelivers) only when the store could not be written. */
  async handle(subject: string, payload: unknown): Promise<void> {
    if (subject === TestingSubjects.result) return this.applyResult(payload as ResultEvent);
    if (subject === TestingSubjects.booking) return this.applyBooking(payload as BookingEvent & Relayed);
    if (subject === TestingSubjects.heartbeat) {
      this.stats.heartbeats++;
      await this.store.heard(new Date(this.clock.now()), (payload as HeartbeatEvent).at);
      return;
    }
    this.log.warn({ subject }, 'intermediate store: unknown testing event ignored');
  }

  /** Stores one result and its members' facts in one transaction, then announces the persons. */
  async applyResult(e: ResultEvent): Promise<void> {
    const ids = await this.store.residentsOf(e.members.map((m) => m.personRef));
    const fresh = await this.uow.run(async (stores) => {
      const isNew = await stores.intermediate.addResult(e, ids);
      await stores.intermediate.heard(new Date(this.clock.now()), e.reportedAt);
      if (!isNew) return false;
      const facts: NewFact[] = [];
      for (const m of e.members) {
        const personId = ids.get(m.personRef);
        if (personId === undefined) continue;
        facts.push({
          personId,
          type: 'test_result',
          source: TESTING_FACT_SOURCE,
          sourceRecordId: resultRecordId(e.lab, e.tube, e.version, m.personRef),
          eventTime: Date.parse(m.collectedAt),
          data: { result: e.result, pooled: e.pooled, lab: e.lab, tube: e.tube, version: e.version },
        });
      }
      if (facts.length) {
        this.facts.assertTypes(facts);
        await stores.facts.insertMany(facts, this.clock.now());
      }
      return true;
    });
    if (fresh) this.stats.results++;
    else this.stats.duplicates++;
    const unmatched = e.members.length - ids.size;
    if (fresh && unmatched > 0)
      this.log.warn(
        { lab: e.lab, tube: e.tube, unmatched },
        'intermediate store: members matching no resident',
      );
    // Announce even on a redelivery: a crash between commit and announce must not strand a colour.
    await this.facts.announce([...new Set(ids.values())]);
  }

  private async applyBooking(e: BookingEvent & Relayed): Promise<void> {
    const ref = parsePersonRef(e.personRef);
    const personId = ref?.kind === 'resident' ? ref.personId : undefined;
    this.stats.bookings++;
    if (personId === undefined || !(await this.store.residentExists(personId))) {
      this.log.warn({ bookingId: e.bookingId }, 'intermediate store: booking of an unknown resident ignored');
      return;
    }
    await this.store.putBooking(e, personId);
  }
}
