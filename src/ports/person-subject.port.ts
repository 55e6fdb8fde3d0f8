/** Persons by their pseudonymous code subject (the `sub` of a JKM1 code) and back. */
export interface PersonSubjects {
  /** The code subject of a person, or undefined when there is no such person. */
  subjectOf(personId: number): Promise<string | undefined>;
  /** The person a code subject belongs to, or undefined. */
  personOf(subject: string): Promise<number | undefined>;
}
