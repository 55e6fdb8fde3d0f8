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

/**
 * A resident as stored (persons table): identifiers hashed and encrypted, only de-identified plain
 * columns (docs/SECURITY.md §Personal data at rest).
 */
export interface NewPersonRow {
  docType: number;
  docHash: Uint8Array;
  docEnc: Uint8Array;
  /** first and last character only */
  docMasked: string;
  nameEnc: Uint8Array;
  nameMasked: string;
  sex: string | null;
  /** the year only: the full birth date would rebuild a resident ID with the region code */
  birthYear: number | null;
  birthEnc: Uint8Array | null;
  phoneHash: Uint8Array | null;
  phoneEnc: Uint8Array | null;
  regionCode: string | null;
  addressEnc: Uint8Array | null;
  codeSubject: string;
  guardianId: number | null;
  source: string;
  sourceRecordId: string | null;
}

/** A stored resident as read back (the columns a profile or a code needs). */
export interface PersonRow {
  id: number;
  doc_type: number;
  doc_enc: Uint8Array;
  doc_masked: string;
  name_enc: Uint8Array;
  name_masked: string;
  sex: string | null;
  birth_year: number | null;
  birth_enc: Uint8Array | null;
  phone_enc: Uint8Array | null;
  region_code: string | null;
  address_enc: Uint8Array | null;
  code_subject: string;
  guardian_id: number | null;
}

/** The registry side of persons, as the resident service writes and reads it. */
export interface PersonRegistry {
  /** Inserts unless the same document exists; returns the id and whether it was new. */
  insert(p: NewPersonRow): Promise<{ id: number; created: boolean }>;
  /** The person id for a document's keyed hash, if registered. */
  idsByDocHash(docType: number, docHash: Uint8Array): Promise<number | undefined>;
  /** One stored resident. */
  byId(id: number): Promise<PersonRow | undefined>;
}
