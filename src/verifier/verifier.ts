/**
 * Offline JKM1 verification for scanners, gates and servers. Runs unchanged in a browser and in
 * Node 20: WebCrypto (globalThis.crypto.subtle), cborg and our own Base45; no Node built-ins.
 */
import { toColour3, type Colour3, type Colour5 } from '../domain/colour.ts';
import { base64urlEncode } from '../domain/token/base64url.ts';
import type { CodeKind, HcClaims } from '../domain/token/claims.ts';
import {
  codeIdOf,
  DEFAULT_MAX_COLOUR_AGE_SECONDS,
  MAX_CODE_LIFETIME_SECONDS,
  vouchesForPastColour,
} from '../domain/token/code-kinds.ts';
import { sigStructure, type CoseAlg } from '../domain/token/cose-sign1.ts';
import { parseJkm1 } from '../domain/token/jkm1.ts';
import { indexTrustLists, type TrustedKey, type TrustList } from './trust-list.ts';

export type VerifyFailure =
  | 'TOKEN_BAD_PREFIX'
  | 'TOKEN_MALFORMED'
  | 'TOKEN_BAD_ALG'
  | 'TOKEN_UNKNOWN_KID'
  | 'TOKEN_REVOKED_KID'
  | 'TOKEN_BAD_SIGNATURE'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'TOKEN_ISSUER_MISMATCH'
  /** c is not the three-colour value of c5 (docs/DESIGN.md §4). */
  | 'TOKEN_COLOUR_MISMATCH'
  /** exp − iat is longer than its kind may live (one hour for screen and dependant codes). */
  | 'TOKEN_LIFETIME_TOO_LONG'
  /** This single code was revoked by its issuer (reprinted, or revoked by an officer). */
  | 'TOKEN_REVOKED'
  /** A paper, offline, dependant or vehicle code whose colour is older than the issuer allows. */
  | 'TOKEN_COLOUR_TOO_OLD';

export type VerifyResult =
  | {
      valid: true;
      claims: HcClaims;
      colour3: Colour3;
      colour5: Colour5;
      kind: CodeKind;
      /** The trust-list issuer that owns the key (equal to claims.iss). */
      issuer: string;
      /** base64url kid of the signing key. */
      kid: string;
      /** When the colour was computed (epoch seconds): the code's iat. */
      colourAsOf: number;
      /** How old the colour is at the moment of verification, seconds (never negative). */
      colourAgeSeconds: number;
      /** The oldest colour this issuer lets a code other than a screen code vouch for, seconds. */
      maxColourAgeSeconds: number;
    }
  | {
      valid: false;
      reason: VerifyFailure;
      /**
       * Present only when the signature checked out (the later checks: issuer, colour fields,
       * lifetime, expiry, revocation, colour age), so a screen can still show what the code says.
       */
      claims?: HcClaims;
      /** TOKEN_COLOUR_TOO_OLD: the colour's age and the issuer's maximum, seconds. */
      colourAgeSeconds?: number;
      maxColourAgeSeconds?: number;
    };

export interface VerifierOptions {
  /** Allowed clock difference between issuer and scanner, seconds. Default 30. */
  clockSkewSeconds?: number;
}

export interface Verifier {
  /** Verify a JKM1 text at `nowSeconds` (epoch seconds). Never throws for a bad token. */
  verify(token: string, nowSeconds: number): Promise<VerifyResult>;
  /** Import every listed key now instead of on first use (e.g. at scanner start-up). */
  warmUp(): Promise<void>;
  /** Trust-list entries that were skipped, with why. */
  readonly problems: readonly string[];
  /** Issuers with at least one usable key. */
  readonly issuers: readonly string[];
}

export const DEFAULT_CLOCK_SKEW_SECONDS = 30;

/**
 * Build a verifier over one or more trust lists. Keys are imported lazily and cached; a key
 * whose JWK does not hash to its kid, or that WebCrypto refuses, is treated as unknown.
 */
export function createVerifier(
  trustLists: readonly TrustList[] | TrustList,
  opts: VerifierOptions = {},
): Verifier {
  const skew = opts.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  if (!Number.isFinite(skew) || skew < 0)
    throw new RangeError('clockSkewSeconds must be a non-negative number');
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined)
    throw new Error('WebCrypto (crypto.subtle) is not available; a secure context is needed');

  const index = indexTrustLists(Array.isArray(trustLists) ? trustLists : [trustLists as TrustList]);
  const cache = new Map<string, Promise<CryptoKey | undefined>>();

  const keyFor = (key: TrustedKey): Promise<CryptoKey | undefined> => {
    let p = cache.get(key.kid);
    if (p === undefined) {
      p = importTrustedKey(subtle, key).catch(() => undefined);
      cache.set(key.kid, p);
    }
    return p;
  };

  const verify = async (token: string, nowSeconds: number): Promise<VerifyResult> => {
    if (!Number.isFinite(nowSeconds)) throw new RangeError('nowSeconds must be a finite number');
    const parsed = parseJkm1(token);
    if (!parsed.ok) return { valid: false, reason: parsed.code };
    const kid = base64urlEncode(parsed.kid);
    if (index.revoked.has(kid)) return { valid: false, reason: 'TOKEN_REVOKED_KID' };
    const trusted = index.keys.get(kid);
    if (trusted === undefined) return { valid: false, reason: 'TOKEN_UNKNOWN_KID' };
    if (trusted.alg !== parsed.alg) return { valid: false, reason: 'TOKEN_BAD_ALG' };
    const cryptoKey = await keyFor(trusted);
    if (cryptoKey === undefined) return { valid: false, reason: 'TOKEN_UNKNOWN_KID' };
    const signed = sigStructure(parsed.protectedBytes, parsed.payload);
    const ok = await subtle.verify(verifyParams(parsed.alg), cryptoKey, own(parsed.signature), own(signed));
    if (!ok) return { valid: false, reason: 'TOKEN_BAD_SIGNATURE' };

    // From here the claims are authentic, so they may be returned with the rejection.
    const { claims } = parsed;
    const kind = claims.hc.k;
    if (claims.iss !== trusted.issuer) return { valid: false, reason: 'TOKEN_ISSUER_MISMATCH', claims };
    if (claims.hc.c !== toColour3(claims.hc.c5))
      return { valid: false, reason: 'TOKEN_COLOUR_MISMATCH', claims };
    if (claims.exp - claims.iat > MAX_CODE_LIFETIME_SECONDS[kind])
      return { valid: false, reason: 'TOKEN_LIFETIME_TOO_LONG', claims };
    // The key must have been in service when the token says it was issued.
    if (claims.iat < trusted.notBefore) return { valid: false, reason: 'TOKEN_NOT_YET_VALID', claims };
    if (claims.iat > trusted.notAfter) return { valid: false, reason: 'TOKEN_EXPIRED', claims };
    // RFC 8392: not accepted on or after exp; the skew covers a scanner clock running ahead.
    if (nowSeconds >= claims.exp + skew) return { valid: false, reason: 'TOKEN_EXPIRED', claims };
    if (claims.iat > nowSeconds + skew) return { valid: false, reason: 'TOKEN_NOT_YET_VALID', claims };
    const rules = index.issuers.get(trusted.issuer);
    if (claims.cti !== undefined && rules !== undefined && rules.revokedCodes.size > 0) {
      const digest = new Uint8Array(await subtle.digest('SHA-256', own(claims.cti)));
      if (rules.revokedCodes.has(codeIdOf(digest))) return { valid: false, reason: 'TOKEN_REVOKED', claims };
    }
    const maxColourAgeSeconds = rules?.maxColourAgeSeconds ?? DEFAULT_MAX_COLOUR_AGE_SECONDS;
    const colourAgeSeconds = Math.max(0, nowSeconds - claims.iat);
    // A colour older than the maximum vouches for nobody: no skew here, the maximum is the policy's.
    if (vouchesForPastColour(kind) && colourAgeSeconds > maxColourAgeSeconds) {
      return { valid: false, reason: 'TOKEN_COLOUR_TOO_OLD', claims, colourAgeSeconds, maxColourAgeSeconds };
    }
    return {
      valid: true,
      claims,
      colour3: claims.hc.c,
      colour5: claims.hc.c5,
      kind,
      issuer: trusted.issuer,
      kid,
      colourAsOf: claims.iat,
      colourAgeSeconds,
      maxColourAgeSeconds,
    };
  };

  const warmUp = async (): Promise<void> => {
    await Promise.all([...index.keys.values()].map(keyFor));
  };

  const issuers = [...new Set([...index.keys.values()].map((k) => k.issuer))].sort();
  return { verify, warmUp, problems: index.problems, issuers };
}

async function importTrustedKey(subtle: SubtleCrypto, key: TrustedKey): Promise<CryptoKey | undefined> {
  // Bind the kid to the key: a list entry whose JWK is not the kid's key is not trusted.
  const digest = new Uint8Array(await subtle.digest('SHA-256', own(key.spki)));
  for (let i = 0; i < key.kidBytes.length; i++) if (digest[i] !== key.kidBytes[i]) return undefined;
  return subtle.importKey('spki', own(key.spki), importParams(key.alg), false, ['verify']);
}

function importParams(alg: CoseAlg): EcKeyImportParams | Algorithm {
  return alg === -7 ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'Ed25519' };
}

function verifyParams(alg: CoseAlg): EcdsaParams | Algorithm {
  return alg === -7 ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'Ed25519' };
}

/** WebCrypto's types want bytes over a plain ArrayBuffer; copy only when they are not. */
function own(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b);
}
