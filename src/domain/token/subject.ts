import { base64urlEncode } from './base64url.ts';

/** Minimum randomness of a code subject: docs/DESIGN.md §4 asks for at least 80 bits. */
export const MIN_SUBJECT_RANDOM_BYTES = 10;

/**
 * A pseudonymous code subject (CWT `sub`) from caller-supplied random bytes, base64url-encoded.
 * Pure: the caller draws the randomness (crypto.getRandomValues / randomBytes). Never derive the
 * bytes from an ID number or name.
 */
export function newCodeSubject(randomBytes: Uint8Array): string {
  if (randomBytes.length < MIN_SUBJECT_RANDOM_BYTES) {
    throw new RangeError(
      `code subject needs at least ${MIN_SUBJECT_RANDOM_BYTES} random bytes, got ${randomBytes.length}`,
    );
  }
  return base64urlEncode(randomBytes);
}
