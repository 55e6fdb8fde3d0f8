/**
 * Who is a case (病例), as the places feature needs to know it: venue exposures, co-travellers and
 * code-display companions start from cases. Implemented by
 * adapters/repositories/places/case.repository.ts.
 */

export interface CaseStore {
  /** Whether the person is a case: a `case` fact on record, or purple now. */
  isCase(personId: number): Promise<boolean>;
  /** Of these persons, those with a `case` fact and a check-in since `since`. */
  casesWithCheckins(personIds: readonly number[], since: Date): Promise<number[]>;
  /**
   * Active cases: persons with a `case` fact whose event time is at or after `since` and that no
   * later `release` of cases ended; with the latest such event time. `personIds` limits the
   * answer to those persons (undefined: everyone).
   */
  activeCases(
    since: Date,
    personIds?: readonly number[],
  ): Promise<Array<{ personId: number; eventTime: number }>>;
}
