/**
 * Trust lists (docs/DESIGN.md §4: GET /v1/trust-list) and their merge into one kid index. Several
 * lists may be given (one per province, or a hub's merged set); a kid belongs to exactly one issuer.
 */
import { base64urlDecode, base64urlEncode } from '../domain/token/base64url.ts';
import { CODE_ID_BYTES, DEFAULT_MAX_COLOUR_AGE_SECONDS } from '../domain/token/code-kinds.ts';
import { isCoseAlg, KID_LENGTH, type CoseAlg } from '../domain/token/cose-sign1.ts';

export interface TrustListKey {
  /** base64url of the 8-byte kid (first 8 bytes of SHA-256 of the SPKI DER). */
  kid: string;
  alg: CoseAlg;
  /** Public JWK: {kty:"EC", crv:"P-256", x, y} for -7, {kty:"OKP", crv:"Ed25519", x} for -8. */
  jwk: JsonWebKey;
  /** ISO 8601; tokens whose iat falls outside [notBefore, notAfter] are rejected. */
  notBefore: string;
  notAfter: string;
}

export interface TrustList {
  issuer: string;
  keys: TrustListKey[];
  /** base64url kids; a listed kid is rejected whichever list names it. */
  revokedKids: string[];
  /**
   * Single revoked codes of this issuer that have not expired yet: base64url of the first 16 bytes
   * of SHA-256 of their cti (names nobody). Applies to this issuer's codes only. Optional so that
   * lists from before it existed still load.
   */
  revokedCodes?: string[];
  /**
   * The oldest colour a code of a kind other than "s" may vouch for, seconds since its iat (the
   * issuer's policy). Absent: 86 400 (24 h).
   */
  maxColourAgeSeconds?: number;
  issuedAt: string;
}

/** One usable key after validation. Times are epoch seconds. */
export interface TrustedKey {
  kid: string;
  kidBytes: Uint8Array;
  issuer: string;
  alg: CoseAlg;
  /** SubjectPublicKeyInfo DER rebuilt from the JWK; its SHA-256 must start with the kid. */
  spki: Uint8Array;
  notBefore: number;
  notAfter: number;
}

/** What an issuer's lists say beyond its keys. */
export interface IssuerRules {
  /** The smallest maximum colour age its lists give (the default when none gives one). */
  maxColourAgeSeconds: number;
  /** Code ids (base64url, 16 bytes) of its revoked codes, from all its lists. */
  revokedCodes: Set<string>;
}

export interface TrustIndex {
  keys: Map<string, TrustedKey>;
  revoked: Set<string>;
  /** Per issuer: revoked codes and maximum colour age. */
  issuers: Map<string, IssuerRules>;
  /** Entries that were dropped, with why; a bad entry never disables the rest of the list. */
  problems: string[];
}

// SPKI DER prefixes: SEQUENCE { AlgorithmIdentifier, BIT STRING { key } }.
const P256_SPKI_PREFIX = hex('3059301306072a8648ce3d020106082a8648ce3d030107034200');
const ED25519_SPKI_PREFIX = hex('302a300506032b6570032100');

/** Validate and merge trust lists. Unusable entries are skipped and listed in `problems`. */
export function indexTrustLists(lists: readonly TrustList[]): TrustIndex {
  const keys = new Map<string, TrustedKey>();
  const listedAt = new Map<string, number>();
  const conflicted = new Set<string>();
  const revoked = new Set<string>();
  const issuers = new Map<string, IssuerRules>();
  const problems: string[] = [];

  for (const list of lists) {
    const issuer = list.issuer;
    if (typeof issuer !== 'string' || issuer.length === 0) {
      problems.push('trust list without an issuer skipped');
      continue;
    }
    const issuedAt = parseTime(list.issuedAt) ?? 0;
    const rules = issuerRules(issuers, issuer);
    const maxAge: unknown = list.maxColourAgeSeconds;
    if (maxAge !== undefined) {
      if (typeof maxAge === 'number' && Number.isSafeInteger(maxAge) && maxAge >= 0)
        rules.maxColourAgeSeconds = Math.min(rules.maxColourAgeSeconds, maxAge);
      else problems.push(`${issuer}: unreadable maxColourAgeSeconds ${String(maxAge)} ignored`);
    }
    for (const c of Array.isArray(list.revokedCodes) ? list.revokedCodes : []) {
      const bytes = typeof c === 'string' ? base64urlDecode(c) : undefined;
      if (bytes === undefined || bytes.length !== CODE_ID_BYTES)
        problems.push(`${issuer}: unreadable revoked code ${String(c)}`);
      else rules.revokedCodes.add(base64urlEncode(bytes));
    }
    for (const r of Array.isArray(list.revokedKids) ? list.revokedKids : []) {
      const bytes = typeof r === 'string' ? base64urlDecode(r) : undefined;
      if (bytes === undefined) problems.push(`${issuer}: unreadable revoked kid ${String(r)}`);
      else revoked.add(base64urlEncode(bytes));
    }
    for (const entry of Array.isArray(list.keys) ? list.keys : []) {
      const key = toTrustedKey(issuer, entry);
      if (typeof key === 'string') {
        problems.push(`${issuer}: key ${String(entry?.kid)} skipped: ${key}`);
        continue;
      }
      if (conflicted.has(key.kid)) continue;
      const seen = keys.get(key.kid);
      if (seen !== undefined) {
        if (seen.issuer !== key.issuer || seen.alg !== key.alg || !sameBytes(seen.spki, key.spki)) {
          // Two different keys (or issuers) under one kid: trust neither.
          problems.push(`kid ${key.kid} claimed by ${seen.issuer} and ${key.issuer} with different keys`);
          keys.delete(key.kid);
          conflicted.add(key.kid);
          continue;
        }
        if ((listedAt.get(key.kid) ?? 0) > issuedAt) continue; // keep the newer list's window
      }
      keys.set(key.kid, key);
      listedAt.set(key.kid, issuedAt);
    }
  }
  // An issuer none of whose lists gives a maximum gets the default.
  for (const rules of issuers.values())
    if (rules.maxColourAgeSeconds === Infinity) rules.maxColourAgeSeconds = DEFAULT_MAX_COLOUR_AGE_SECONDS;
  return { keys, revoked, issuers, problems };
}

function issuerRules(issuers: Map<string, IssuerRules>, issuer: string): IssuerRules {
  let rules = issuers.get(issuer);
  if (rules === undefined) {
    rules = { maxColourAgeSeconds: Infinity, revokedCodes: new Set() };
    issuers.set(issuer, rules);
  }
  return rules;
}

function toTrustedKey(issuer: string, entry: TrustListKey | undefined): TrustedKey | string {
  if (typeof entry !== 'object' || entry === null) return 'not an object';
  const kidBytes = typeof entry.kid === 'string' ? base64urlDecode(entry.kid) : undefined;
  if (kidBytes === undefined || kidBytes.length !== KID_LENGTH)
    return `kid must be ${KID_LENGTH} bytes in base64url`;
  if (!isCoseAlg(entry.alg)) return `unsupported alg ${String(entry.alg)}`;
  const spki = spkiFromJwk(entry.alg, entry.jwk);
  if (spki === undefined) return 'jwk does not match alg or is not a public key';
  const notBefore = parseTime(entry.notBefore);
  const notAfter = parseTime(entry.notAfter);
  if (notBefore === undefined || notAfter === undefined || notAfter < notBefore) return 'bad validity window';
  return { kid: base64urlEncode(kidBytes), kidBytes, issuer, alg: entry.alg, spki, notBefore, notAfter };
}

/** Rebuild the SPKI DER of a public JWK, or undefined when the JWK is not the alg's key type. */
export function spkiFromJwk(alg: CoseAlg, jwk: JsonWebKey | undefined): Uint8Array | undefined {
  if (typeof jwk !== 'object' || jwk === null || jwk.d !== undefined) return undefined;
  if (alg === -7) {
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') return undefined;
    const x = coordinate(jwk.x);
    const y = coordinate(jwk.y);
    if (x === undefined || y === undefined) return undefined;
    const out = new Uint8Array(P256_SPKI_PREFIX.length + 65);
    out.set(P256_SPKI_PREFIX);
    out[P256_SPKI_PREFIX.length] = 0x04; // uncompressed point
    out.set(x, P256_SPKI_PREFIX.length + 1);
    out.set(y, P256_SPKI_PREFIX.length + 33);
    return out;
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') return undefined;
  const x = coordinate(jwk.x);
  if (x === undefined) return undefined;
  const out = new Uint8Array(ED25519_SPKI_PREFIX.length + 32);
  out.set(ED25519_SPKI_PREFIX);
  out.set(x, ED25519_SPKI_PREFIX.length);
  return out;
}

function coordinate(v: unknown): Uint8Array | undefined {
  const b = typeof v === 'string' ? base64urlDecode(v) : undefined;
  return b !== undefined && b.length === 32 ? b : undefined;
}

function parseTime(iso: unknown): number | undefined {
  if (typeof iso !== 'string') return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}
