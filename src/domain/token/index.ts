/** The JKM1 code token (docs/DESIGN.md §4): pure encoding, decoding and structural parsing. */
export { base45Decode, base45Encode, BASE45_ALPHABET } from './base45.ts';
export { base64urlDecode, base64urlEncode } from './base64url.ts';
export {
  CLAIM,
  CLAIM_LIMITS,
  CODE_KINDS,
  checkClaims,
  decodeClaims,
  encodePayload,
  type CodeKind,
  type HcClaims,
} from './claims.ts';
export {
  COSE_ALG,
  KID_LENGTH,
  MAX_SIGN1_BYTES,
  SIGNATURE_LENGTH,
  assembleSign1,
  buildProtected,
  isCoseAlg,
  parseSign1,
  sigStructure,
  type CoseAlg,
  type ParsedSign1,
} from './cose-sign1.ts';
export {
  JKM1_PREFIX,
  MAX_TOKEN_TEXT_LENGTH,
  issueToken,
  issueTokenAsync,
  parseJkm1,
  toJkm1Text,
  type ParsedToken,
  type TokenErrorCode,
  type TokenSigner,
} from './jkm1.ts';
export { MIN_SUBJECT_RANDOM_BYTES, newCodeSubject } from './subject.ts';
