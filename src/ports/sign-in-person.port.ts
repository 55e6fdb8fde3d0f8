/**
 * The persons a phone signs in as (registry rows by the phone's keyed hash). PersonRepository
 * implements it.
 */
export interface SignInPersons {
  /** Persons registered with this phone (keyed hash), by id: guardians have `guardian_id` null. */
  byPhoneHash(phoneHash: Uint8Array): Promise<Array<{ id: number; guardian_id: number | null }>>;
}
