/**
 * What the keyed lookup hashes of identifiers are taken over (persons.doc_hash, persons.phone_hash):
 * the registry, sign-in and the feeds must hash the same text for the same document or phone.
 */
import type { PersonRef } from './feeds/record.ts';

export const docLookupInput = (docType: number, number: string): string => `doc:${docType}:${number}`;

export const phoneLookupInput = (phone: string): string => `phone:${phone}`;

/** The lookup input of the person a feed record names. */
export function lookupInput(p: PersonRef): string {
  return p.kind === 'document' ? docLookupInput(p.docType, p.number) : phoneLookupInput(p.phone);
}
