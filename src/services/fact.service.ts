/**
 * Accepts facts (docs/DESIGN.md §3, 5): stores each once (idempotent by source record id) and
 * announces it on the bus so a worker recomputes the person's status.
 */
import { isFactType, type NewFact } from '../domain/fact.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { FactStore } from '../ports/fact-store.port.ts';
import { Subjects, type EventBus } from '../ports/event-bus.port.ts';
import { AppError } from './app-error.ts';

export interface FactAddedEvent {
  personIds: number[];
  /** epoch ms the facts were accepted, to measure fact → colour latency */
  acceptedAt: number;
}

export class FactService {
  constructor(
    private readonly facts: FactStore,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  /**
   * Records one fact; returns its id, or null when it was a duplicate. Inside a caller's transaction
   * `tx` (see FactStore.bound) it is announced by the caller after the commit.
   */
  async record(f: NewFact, tx?: unknown): Promise<{ id: number | null; duplicate: boolean }> {
    if (!isFactType(f.type))
      throw new AppError('FACT_UNKNOWN_TYPE', 400, `unknown fact type ${String(f.type)}`);
    const now = this.clock.now();
    const id = await this.in(tx).insert(f, now);
    if (id !== null && tx === undefined) await this.announce([f.personId], now);
    return { id, duplicate: id === null };
  }

  /**
   * Records many facts in one statement (bulk feeds); duplicates are skipped. Returns how many
   * were new; their persons are announced unless a transaction `tx` is given (announce after commit).
   */
  async recordMany(
    facts: readonly NewFact[],
    tx?: unknown,
  ): Promise<{ inserted: number; personIds: number[] }> {
    this.assertTypes(facts);
    const now = this.clock.now();
    const personIds = await this.in(tx).insertMany(facts, now);
    if (tx === undefined) await this.announce(personIds, now);
    return { inserted: personIds.length, personIds };
  }

  /**
   * Records many facts inside the caller's transaction (bulk feeds) and returns the source record
   * ids that were new; the caller announces their persons after the commit.
   */
  async recordManyNew(facts: readonly NewFact[], tx: unknown): Promise<Set<string>> {
    this.assertTypes(facts);
    return this.in(tx).insertManyNew(facts, this.clock.now());
  }

  private in(tx: unknown): FactStore {
    return tx === undefined ? this.facts : this.facts.bound(tx);
  }

  /** Throws FACT_UNKNOWN_TYPE unless every fact has a known type (for facts written in bulk elsewhere too). */
  assertTypes(facts: Iterable<Pick<NewFact, 'type'>>): void {
    for (const f of facts) {
      if (!isFactType(f.type))
        throw new AppError('FACT_UNKNOWN_TYPE', 400, `unknown fact type ${String(f.type)}`);
    }
  }

  /** Tells the workers these persons have new facts (call after the transaction commits). */
  async announce(personIds: number[], acceptedAt = this.clock.now()): Promise<void> {
    if (personIds.length === 0) return;
    const event: FactAddedEvent = { personIds: [...new Set(personIds)], acceptedAt };
    await this.bus.publish(Subjects.factAdded, event);
  }

  /** One person's facts in (event time, id) order. */
  async forPerson(personId: number) {
    return this.facts.forPerson(personId);
  }
}
