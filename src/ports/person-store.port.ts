/**
 * Persons (the registry) as the status and correction services read them: what a code shows, walks
 * over everyone, and the region an officer's scope is checked against. The registration and
 * personal-data side lives with the resident and auth services. Implemented by
 * adapters/repositories/person.repository.ts.
 */

/** What a resident's code shows of them: the code subject and the masked name. */
export interface PersonDisplay {
  sub: string;
  maskedName: string;
}

export interface PersonStore {
  /** Code subject and masked name of each of these persons that exists. */
  subjectsAndNames(ids: readonly number[]): Promise<Map<number, PersonDisplay>>;
  /** Person ids above `afterId` in ascending order, at most `limit` (batched walks over everyone). */
  idsAfter(afterId: number, limit: number): Promise<number[]>;
  /** Number of persons. */
  count(): Promise<number>;
  /** A person's home region code ('' when unknown), or undefined when there is no such person. */
  regionOf(personId: number): Promise<string | undefined>;
}
