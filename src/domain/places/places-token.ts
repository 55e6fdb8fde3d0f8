/**
 * Signed tokens of the places area (docs/PLACES.md §Tokens), framed exactly like JKM1 so the same
 * signing key and trust list serve them: PREFIX + Base45(tagged COSE_Sign1) with protected header
 * {1: alg, 4: kid} and a CBOR-map payload of our own claim set.
 *   JKMT1:  the itinerary card (行程卡)
 *   JKMV1:  a venue poster (场所码)
 * Pure: encoding and structural parsing; signature checks are places-token.verify.ts.
 */
import { decode, encode } from 'cborg';
import { base45Decode, base45Encode } from '../token/base45.ts';
import { STRICT_CBOR } from '../token/claims.ts';
import {
  assembleSign1,
  buildProtected,
  MAX_SIGN1_BYTES,
  parseSign1,
  sigStructure,
  type CoseAlg,
} from '../token/cose-sign1.ts';
import type { TokenSigner } from '../token/jkm1.ts';

export const ITINERARY_PREFIX = 'JKMT1:';
export const VENUE_PREFIX = 'JKMV1:';

export type PlacesTokenError = 'TOKEN_BAD_PREFIX' | 'TOKEN_MALFORMED' | 'TOKEN_BAD_ALG';

export interface ParsedPlacesToken {
  ok: true;
  protectedBytes: Uint8Array;
  alg: CoseAlg;
  kid: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
  claims: Map<unknown, unknown>;
}

/** Signs a CBOR-map payload and frames it as PREFIX + Base45(COSE_Sign1). */
export function signPlacesToken(prefix: string, signer: TokenSigner, claims: Map<unknown, unknown>): string {
  const protectedBytes = buildProtected(signer.alg, signer.kid);
  const payload = encode(claims);
  const signature = signer.sign(sigStructure(protectedBytes, payload));
  return prefix + base45Encode(assembleSign1(protectedBytes, payload, signature));
}

/** Structural parse (prefix, Base45, strict COSE_Sign1, CBOR map payload); no signature check. */
export function parsePlacesToken(
  prefix: string,
  text: string,
): ParsedPlacesToken | { ok: false; code: PlacesTokenError } {
  if (typeof text !== 'string' || !text.startsWith(prefix)) return { ok: false, code: 'TOKEN_BAD_PREFIX' };
  if (text.length > prefix.length + Math.ceil(MAX_SIGN1_BYTES / 2) * 3)
    return { ok: false, code: 'TOKEN_MALFORMED' };
  const bytes = base45Decode(text.slice(prefix.length));
  if (!bytes) return { ok: false, code: 'TOKEN_MALFORMED' };
  const s = parseSign1(bytes);
  if (!s.ok) return s;
  let claims: unknown;
  try {
    claims = decode(s.payload, STRICT_CBOR);
  } catch {
    return { ok: false, code: 'TOKEN_MALFORMED' };
  }
  if (!(claims instanceof Map)) return { ok: false, code: 'TOKEN_MALFORMED' };
  return { ...s, claims };
}

// ---- itinerary card claims -------------------------------------------------------------------

export interface ItineraryClaims {
  iss: string;
  /** the resident's pseudonymous code subject (the same one their health code carries) */
  sub: string;
  iat: number;
  exp: number;
  /** masked phone, as the card shows it (138****5678) */
  phone?: string;
  /** first day of the 14-day window, days since 1970-01-01 */
  fromDay: number;
  /** [4-digit prefecture code, starred] in card order */
  cities: Array<[string, boolean]>;
}

/** CBOR claim map: {1: iss, 2: sub, 4: exp, 6: iat, "it": {"p"?, "f", "c": [[code, 0|1]…]}} */
export function itineraryClaimMap(c: ItineraryClaims): Map<unknown, unknown> {
  const it = new Map<string, unknown>();
  if (c.phone) it.set('p', c.phone);
  it.set('f', c.fromDay);
  it.set(
    'c',
    c.cities.map(([code, star]) => [code, star ? 1 : 0]),
  );
  return new Map<unknown, unknown>([
    [1, c.iss],
    [2, c.sub],
    [4, c.exp],
    [6, c.iat],
    ['it', it],
  ]);
}

/** Type-checks an itinerary claim map. */
export function readItineraryClaims(m: Map<unknown, unknown>): ItineraryClaims | undefined {
  const [iss, sub, exp, iat, it] = [m.get(1), m.get(2), m.get(4), m.get(6), m.get('it')];
  if (typeof iss !== 'string' || typeof sub !== 'string' || !Number.isInteger(exp) || !Number.isInteger(iat))
    return undefined;
  if (!(it instanceof Map)) return undefined;
  const f = it.get('f');
  const c = it.get('c');
  const p = it.get('p');
  if (!Number.isInteger(f) || !Array.isArray(c) || (p !== undefined && typeof p !== 'string'))
    return undefined;
  const cities: Array<[string, boolean]> = [];
  for (const e of c as unknown[]) {
    if (!Array.isArray(e) || typeof e[0] !== 'string' || (e[1] !== 0 && e[1] !== 1)) return undefined;
    cities.push([e[0], e[1] === 1]);
  }
  const out: ItineraryClaims = {
    iss,
    sub,
    exp: exp as number,
    iat: iat as number,
    fromDay: f as number,
    cities,
  };
  if (p !== undefined) out.phone = p as string;
  return out;
}

// ---- venue poster claims ---------------------------------------------------------------------

export interface VenueClaims {
  iss: string;
  iat: number;
  venueId: number;
  name: string;
  /** GB/T 2260 code of the venue's division (county, street or community) */
  adminCode: string;
  /** the poster's random nonce: re-printing replaces it, so an old poster stops checking in */
  nonce: Uint8Array;
}

/** CBOR claim map: {1: iss, 6: iat, "v": {"id", "n", "r", "k"}} (no exp: posters hang for months) */
export function venueClaimMap(c: VenueClaims): Map<unknown, unknown> {
  const v = new Map<string, unknown>([
    ['id', c.venueId],
    ['n', c.name],
    ['r', c.adminCode],
    ['k', c.nonce],
  ]);
  return new Map<unknown, unknown>([
    [1, c.iss],
    [6, c.iat],
    ['v', v],
  ]);
}

/** Type-checks a venue claim map. */
export function readVenueClaims(m: Map<unknown, unknown>): VenueClaims | undefined {
  const [iss, iat, v] = [m.get(1), m.get(6), m.get('v')];
  if (typeof iss !== 'string' || !Number.isInteger(iat) || !(v instanceof Map)) return undefined;
  const [id, n, r, k] = [v.get('id'), v.get('n'), v.get('r'), v.get('k')];
  if (!Number.isInteger(id) || typeof n !== 'string' || typeof r !== 'string' || !(k instanceof Uint8Array))
    return undefined;
  return { iss, iat: iat as number, venueId: id as number, name: n, adminCode: r, nonce: k };
}
