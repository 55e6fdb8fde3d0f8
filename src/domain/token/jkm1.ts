/**
 * The JKM1 code text: "JKM1:" + Base45(tagged COSE_Sign1) (docs/DESIGN.md §4). Parsing here is
 * structural only; signature, trust and time checks are the verifier's (src/verifier).
 */
import { base45Decode, base45Encode } from './base45.ts';
import { decodeClaims, encodePayload, type HcClaims } from './claims.ts';
import {
  bstrHeader,
  buildProtected,
  concatBytes,
  parseSign1,
  sign1Prefix,
  sigStructurePrefix,
  SIGNATURE_LENGTH,
  MAX_SIGN1_BYTES,
  type CoseAlg,
} from './cose-sign1.ts';

export const JKM1_PREFIX = 'JKM1:';
/** Longest text we try to decode: the Base45 of the largest accepted COSE_Sign1. */
export const MAX_TOKEN_TEXT_LENGTH = JKM1_PREFIX.length + Math.ceil(MAX_SIGN1_BYTES / 2) * 3;

export type TokenErrorCode = 'TOKEN_BAD_PREFIX' | 'TOKEN_MALFORMED' | 'TOKEN_BAD_ALG';

export type ParsedToken =
  | {
      ok: true;
      protectedBytes: Uint8Array;
      alg: CoseAlg;
      kid: Uint8Array;
      payload: Uint8Array;
      claims: HcClaims;
      signature: Uint8Array;
    }
  | { ok: false; code: TokenErrorCode };

/** "JKM1:" + Base45 of the COSE_Sign1 bytes. */
export function toJkm1Text(sign1: Uint8Array): string {
  return JKM1_PREFIX + base45Encode(sign1);
}

/** Parse a JKM1 text into its COSE parts and type-checked claims, without verifying anything. */
export function parseJkm1(text: string): ParsedToken {
  if (typeof text !== 'string' || !text.startsWith(JKM1_PREFIX))
    return { ok: false, code: 'TOKEN_BAD_PREFIX' };
  if (text.length > MAX_TOKEN_TEXT_LENGTH) return { ok: false, code: 'TOKEN_MALFORMED' };
  const bytes = base45Decode(text.slice(JKM1_PREFIX.length));
  if (bytes === undefined) return { ok: false, code: 'TOKEN_MALFORMED' };
  const sign1 = parseSign1(bytes);
  if (!sign1.ok) return sign1;
  const claims = decodeClaims(sign1.payload);
  if (claims === undefined) return { ok: false, code: 'TOKEN_MALFORMED' };
  return { ...sign1, claims };
}

/** What issuing needs from a key: its alg, its kid and a synchronous raw signature function. */
export interface TokenSigner {
  readonly alg: CoseAlg;
  readonly kid: Uint8Array;
  /** ES256: raw r‖s (64 bytes); EdDSA: the 64-byte Ed25519 signature. */
  sign(data: Uint8Array): Uint8Array;
  /**
   * The same signature computed off the caller's thread (Node: the libuv thread pool), so a busy
   * event loop keeps serving while keys work on the other cores. Optional: `issueTokenAsync`
   * falls back to `sign`.
   */
  signAsync?(data: Uint8Array): Promise<Uint8Array>;
}

interface SignerLayout {
  sigPrefix: Uint8Array;
  msgPrefix: Uint8Array;
}

// Per-signer constant bytes, computed once: issuing is the code-display hot path.
const layouts = new WeakMap<TokenSigner, SignerLayout>();
const SIGNATURE_HEADER = bstrHeader(SIGNATURE_LENGTH);

function layoutOf(signer: TokenSigner): SignerLayout {
  let layout = layouts.get(signer);
  if (layout === undefined) {
    const protectedBytes = buildProtected(signer.alg, signer.kid);
    layout = { sigPrefix: sigStructurePrefix(protectedBytes), msgPrefix: sign1Prefix(protectedBytes) };
    layouts.set(signer, layout);
  }
  return layout;
}

/** Encode, sign and wrap claims into the full JKM1 text. The signer brings the key (and any I/O). */
export function issueToken(signer: TokenSigner, claims: HcClaims): string {
  const { toSign, wrap } = prepareToken(signer, claims);
  return wrap(signer.sign(toSign));
}

/** `issueToken` with the signature computed by `signer.signAsync` when the signer has one. */
export async function issueTokenAsync(signer: TokenSigner, claims: HcClaims): Promise<string> {
  const { toSign, wrap } = prepareToken(signer, claims);
  return wrap(signer.signAsync ? await signer.signAsync(toSign) : signer.sign(toSign));
}

/** The Sig_structure bytes to sign, and how to wrap the signature into the JKM1 text. */
function prepareToken(
  signer: TokenSigner,
  claims: HcClaims,
): { toSign: Uint8Array; wrap: (signature: Uint8Array) => string } {
  const { sigPrefix, msgPrefix } = layoutOf(signer);
  const payload = encodePayload(claims);
  const payloadHeader = bstrHeader(payload.length);
  return {
    toSign: concatBytes([sigPrefix, payloadHeader, payload]),
    wrap: (signature) => {
      if (signature.length !== SIGNATURE_LENGTH) {
        throw new Error(`signer returned ${signature.length} bytes, expected ${SIGNATURE_LENGTH}`);
      }
      return toJkm1Text(concatBytes([msgPrefix, payloadHeader, payload, SIGNATURE_HEADER, signature]));
    },
  };
}
