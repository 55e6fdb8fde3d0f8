/**
 * COSE_Sign1 (RFC 9052) as JKM1 uses it: tagged 18, protected header {1: alg, 4: kid}, empty
 * unprotected header, attached payload. The byte layout around the payload is fixed, so it is
 * written by hand (faster than a generic encoder on the code-display hot path, and checked
 * against cborg in the tests); only header and structure decoding go through cborg.
 */
import { decode, encode } from 'cborg';
import { STRICT_CBOR } from './claims.ts';

/** ES256 (ECDSA P-256 SHA-256, raw r‖s) or EdDSA (Ed25519). */
export type CoseAlg = -7 | -8;
export const COSE_ALG = { ES256: -7, EdDSA: -8 } as const;
export const KID_LENGTH = 8;
export const SIGNATURE_LENGTH = 64;
/** Largest COSE_Sign1 we accept; real tokens are about 150 bytes. */
export const MAX_SIGN1_BYTES = 1536;

const TAG18 = 0xd2;
const ARRAY4 = 0x84;
const EMPTY_MAP = 0xa0;
const EMPTY_BSTR = 0x40;
const SIGNATURE1 = new TextEncoder().encode('Signature1');

export function isCoseAlg(n: unknown): n is CoseAlg {
  return n === -7 || n === -8;
}

/** The protected header bytes: CBOR map {1: alg, 4: kid}. */
export function buildProtected(alg: CoseAlg, kid: Uint8Array): Uint8Array {
  if (!isCoseAlg(alg)) throw new TypeError(`unsupported COSE alg ${String(alg)}`);
  if (kid.length !== KID_LENGTH) throw new TypeError(`kid must be ${KID_LENGTH} bytes`);
  return encode(
    new Map<number, number | Uint8Array>([
      [1, alg],
      [4, kid],
    ]),
  );
}

/** CBOR header of a byte string of the given length (major type 2). */
export function bstrHeader(length: number): Uint8Array {
  if (length < 24) return Uint8Array.of(0x40 | length);
  if (length < 0x100) return Uint8Array.of(0x58, length);
  if (length < 0x10000) return Uint8Array.of(0x59, length >> 8, length & 0xff);
  throw new RangeError('byte string too long for a token');
}

/** Concatenate byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Everything in Sig_structure before the payload's byte-string header. */
export function sigStructurePrefix(protectedBytes: Uint8Array): Uint8Array {
  return concatBytes([
    Uint8Array.of(ARRAY4, 0x60 | SIGNATURE1.length),
    SIGNATURE1,
    bstrHeader(protectedBytes.length),
    protectedBytes,
    Uint8Array.of(EMPTY_BSTR),
  ]);
}

/** Everything in the tagged COSE_Sign1 before the payload's byte-string header. */
export function sign1Prefix(protectedBytes: Uint8Array): Uint8Array {
  return concatBytes([
    Uint8Array.of(TAG18, ARRAY4),
    bstrHeader(protectedBytes.length),
    protectedBytes,
    Uint8Array.of(EMPTY_MAP),
  ]);
}

/** The bytes that get signed: CBOR ["Signature1", protected, h'', payload]. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return concatBytes([sigStructurePrefix(protectedBytes), bstrHeader(payload.length), payload]);
}

/** The tagged COSE_Sign1: 18([protected, {}, payload, signature]). */
export function assembleSign1(
  protectedBytes: Uint8Array,
  payload: Uint8Array,
  signature: Uint8Array,
): Uint8Array {
  return concatBytes([
    sign1Prefix(protectedBytes),
    bstrHeader(payload.length),
    payload,
    bstrHeader(signature.length),
    signature,
  ]);
}

export type Sign1ErrorCode = 'TOKEN_MALFORMED' | 'TOKEN_BAD_ALG';

export type ParsedSign1 =
  | {
      ok: true;
      protectedBytes: Uint8Array;
      alg: CoseAlg;
      kid: Uint8Array;
      payload: Uint8Array;
      signature: Uint8Array;
    }
  | { ok: false; code: Sign1ErrorCode };

const MALFORMED = { ok: false, code: 'TOKEN_MALFORMED' } as const;

/**
 * Parse a tagged COSE_Sign1 strictly: tag 18 in its one-byte form, minimal-length CBOR, no
 * indefinite lengths, no other tags, no duplicate keys, nothing after the message, a protected
 * header holding exactly alg and an 8-byte kid, an empty unprotected header (so nothing
 * unauthenticated can ride along) and a 64-byte signature.
 */
export function parseSign1(bytes: Uint8Array): ParsedSign1 {
  if (bytes.length === 0 || bytes.length > MAX_SIGN1_BYTES || bytes[0] !== TAG18) return MALFORMED;
  let msg: unknown;
  try {
    msg = decode(bytes.subarray(1), STRICT_CBOR);
  } catch {
    return MALFORMED;
  }
  if (!Array.isArray(msg) || msg.length !== 4) return MALFORMED;
  const [protectedBytes, unprotected, payload, signature] = msg as unknown[];
  if (!(protectedBytes instanceof Uint8Array) || !(payload instanceof Uint8Array)) return MALFORMED;
  if (!(signature instanceof Uint8Array)) return MALFORMED;
  if (!(unprotected instanceof Map) || unprotected.size !== 0) return MALFORMED;

  let header: unknown;
  try {
    header = decode(protectedBytes, STRICT_CBOR);
  } catch {
    return MALFORMED;
  }
  if (!(header instanceof Map)) return MALFORMED;
  for (const key of header.keys()) if (key !== 1 && key !== 4) return MALFORMED;
  const alg: unknown = header.get(1);
  const kid: unknown = header.get(4);
  if (typeof alg !== 'number' && typeof alg !== 'string') return MALFORMED;
  if (!isCoseAlg(alg)) return { ok: false, code: 'TOKEN_BAD_ALG' };
  if (!(kid instanceof Uint8Array) || kid.length !== KID_LENGTH) return MALFORMED;
  if (signature.length !== SIGNATURE_LENGTH) return MALFORMED;
  return { ok: true, protectedBytes, alg, kid, payload, signature };
}
