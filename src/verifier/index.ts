/** Offline JKM1 code verification (browser and Node 20): WebCrypto + cborg, no Node built-ins. */
export {
  createVerifier,
  DEFAULT_CLOCK_SKEW_SECONDS,
  type Verifier,
  type VerifierOptions,
  type VerifyFailure,
  type VerifyResult,
} from './verifier.ts';
export {
  indexTrustLists,
  spkiFromJwk,
  type TrustIndex,
  type TrustList,
  type TrustListKey,
  type TrustedKey,
} from './trust-list.ts';
export { base64urlDecode, base64urlEncode } from '../domain/token/base64url.ts';
export { parseJkm1, JKM1_PREFIX, type ParsedToken } from '../domain/token/jkm1.ts';
export type { CodeKind, HcClaims } from '../domain/token/claims.ts';
export type { CoseAlg } from '../domain/token/cose-sign1.ts';
