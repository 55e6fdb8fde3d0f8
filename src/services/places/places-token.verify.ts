/**
 * Offline signature check of JKMT1 (itinerary) and JKMV1 (venue) tokens against a trust list:
 * the same keys and rules as JKM1 codes (kid bound to the key by SHA-256, revoked kids refused).
 * Browser-safe like src/verifier: WebCrypto and our own parsing only.
 */
import { base64urlEncode } from '../../domain/token/base64url.ts';
import { sigStructure } from '../../domain/token/cose-sign1.ts';
import {
  ITINERARY_PREFIX,
  parsePlacesToken,
  readItineraryClaims,
  type ItineraryClaims,
  type ParsedPlacesToken,
} from '../../domain/places/places-token.ts';
import { indexTrustLists, type TrustList } from '../../verifier/trust-list.ts';

export type SignatureCheck =
  | { ok: true; issuer: string; kid: string }
  | {
      ok: false;
      reason: 'TOKEN_UNKNOWN_KID' | 'TOKEN_REVOKED_KID' | 'TOKEN_BAD_ALG' | 'TOKEN_BAD_SIGNATURE';
    };

/** Checks a parsed token's signature against the trust lists. */
export async function checkPlacesSignature(
  t: ParsedPlacesToken,
  lists: readonly TrustList[],
): Promise<SignatureCheck> {
  const index = indexTrustLists(lists);
  const kid = base64urlEncode(t.kid);
  if (index.revoked.has(kid)) return { ok: false, reason: 'TOKEN_REVOKED_KID' };
  const key = index.keys.get(kid);
  if (!key) return { ok: false, reason: 'TOKEN_UNKNOWN_KID' };
  if (key.alg !== t.alg) return { ok: false, reason: 'TOKEN_BAD_ALG' };
  const subtle = globalThis.crypto.subtle;
  const digest = new Uint8Array(await subtle.digest('SHA-256', own(key.spki)));
  for (let i = 0; i < key.kidBytes.length; i++)
    if (digest[i] !== key.kidBytes[i]) return { ok: false, reason: 'TOKEN_UNKNOWN_KID' };
  const es = t.alg === -7;
  const cryptoKey = await subtle.importKey(
    'spki',
    own(key.spki),
    es ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'Ed25519' },
    false,
    ['verify'],
  );
  const ok = await subtle.verify(
    es ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'Ed25519' },
    cryptoKey,
    own(t.signature),
    own(sigStructure(t.protectedBytes, t.payload)),
  );
  return ok ? { ok: true, issuer: key.issuer, kid } : { ok: false, reason: 'TOKEN_BAD_SIGNATURE' };
}

export type ItineraryVerifyResult =
  { valid: true; claims: ItineraryClaims } | { valid: false; reason: string };

/** Verifies an itinerary card token offline at `nowSeconds` (30 s clock skew, like codes). */
export async function verifyItineraryToken(
  text: string,
  lists: readonly TrustList[],
  nowSeconds: number,
): Promise<ItineraryVerifyResult> {
  const t = parsePlacesToken(ITINERARY_PREFIX, text);
  if (!t.ok) return { valid: false, reason: t.code };
  const claims = readItineraryClaims(t.claims);
  if (!claims) return { valid: false, reason: 'TOKEN_MALFORMED' };
  const sig = await checkPlacesSignature(t, lists);
  if (!sig.ok) return { valid: false, reason: sig.reason };
  if (claims.iss !== sig.issuer) return { valid: false, reason: 'TOKEN_ISSUER_MISMATCH' };
  if (nowSeconds >= claims.exp + 30) return { valid: false, reason: 'TOKEN_EXPIRED' };
  if (claims.iat > nowSeconds + 30) return { valid: false, reason: 'TOKEN_NOT_YET_VALID' };
  return { valid: true, claims };
}

function own(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b);
}
