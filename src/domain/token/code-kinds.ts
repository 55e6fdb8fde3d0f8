/**
 * What each code kind may vouch for, and for how long (docs/DESIGN.md §4). These numbers are part
 * of the JKM1 contract, not of one deployment: every verifier (this platform's, the /scan app,
 * another province's) applies them without being told, so a trust list cannot widen them.
 */
import { base64urlEncode } from './base64url.ts';
import type { CodeKind } from './claims.ts';

/** Screen and dependant codes are shown live and fetched again: at most one hour (HC_CODE_TTL's bound). */
export const MAX_SHORT_CODE_LIFETIME_SECONDS = 3600;
/** Paper, offline and vehicle codes: at most 366 days (HC_PAPER_CODE_TTL's bound). */
export const MAX_LONG_CODE_LIFETIME_SECONDS = 366 * 86400;

/** The longest exp − iat a verifier accepts for each kind. */
export const MAX_CODE_LIFETIME_SECONDS: Readonly<Record<CodeKind, number>> = {
  s: MAX_SHORT_CODE_LIFETIME_SECONDS,
  d: MAX_SHORT_CODE_LIFETIME_SECONDS,
  p: MAX_LONG_CODE_LIFETIME_SECONDS,
  o: MAX_LONG_CODE_LIFETIME_SECONDS,
  v: MAX_LONG_CODE_LIFETIME_SECONDS,
};

/**
 * Kinds whose colour may be older than a screen code's (every kind but "s"): the colour is the one
 * computed at iat, so a verifier refuses "pass" once now − iat exceeds the issuer's maximum colour
 * age, and the issuer's own platform answers the holder's current colour instead.
 */
export function vouchesForPastColour(kind: CodeKind): boolean {
  return kind !== 's';
}

/**
 * Kinds that carry a random cti and are recorded when issued, so each can be revoked on its own
 * (paper, offline, vehicle). Screen and dependant codes expire within the hour instead.
 */
export function isRevocableKind(kind: CodeKind): boolean {
  return kind === 'p' || kind === 'o' || kind === 'v';
}

/** Random bytes in a revocable code's cti (≥ 128 bits). */
export const CTI_RANDOM_BYTES = 16;
/** A code id is the first 16 bytes of SHA-256(cti), as trust lists publish revoked codes. */
export const CODE_ID_BYTES = 16;
/** The default maximum colour age: the policy's `codes.maxColourAgeHours` (24) in seconds. */
export const DEFAULT_MAX_COLOUR_AGE_SECONDS = 24 * 3600;

/** The code id of a cti from its SHA-256 digest: base64url of the digest's first 16 bytes. */
export function codeIdOf(sha256OfCti: Uint8Array): string {
  if (sha256OfCti.length !== 32) throw new RangeError('codeIdOf takes a 32-byte SHA-256 digest');
  return base64urlEncode(sha256OfCti.subarray(0, CODE_ID_BYTES));
}
