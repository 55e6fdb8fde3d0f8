/**
 * Facts (事实) as the services store and read them (docs/DESIGN.md §3). Append-only and idempotent
 * by (source, source record id); retention is the only deleter. Implemented by
 * adapters/repositories/fact.repository.ts on PGlite and PostgreSQL.
 */
import type { Fact, NewFact } from '../domain/fact.ts';

export interface FactStore {
  /** Inserts one fact arriving at `arrivalTime`; its id, or null when that source record was recorded before. */
  insert(f: NewFact, arrivalTime: number): Promise<number | null>;
  /** Inserts many facts in one statement; the person ids of the rows that were new. */
  insertMany(facts: readonly NewFact[], arrivalTime: number): Promise<number[]>;
  /** Inserts many facts in one statement; the source record ids of the rows that were new. */
  insertManyNew(facts: readonly NewFact[], arrivalTime: number): Promise<Set<string>>;
  /** All facts of many persons by person id, each person's in (event time, id) order; `except`: ids the caller has in hand. */
  forPersons(ids: readonly number[], except?: readonly string[]): Promise<Map<number, Fact[]>>;
  /** One person's facts in (event time, id) order. */
  forPerson(id: number): Promise<Fact[]>;
  /** Persons with facts that arrived after their status was computed (catch-up after a crash), at most `limit`. */
  personsWithUnappliedFacts(limit: number): Promise<number[]>;
  /**
   * The same store inside a transaction an adapter opened and handed out (feeds that run their own
   * transactions); new work should use a unit of work, whose stores come bound.
   */
  bound(transaction: unknown): FactStore;
}
