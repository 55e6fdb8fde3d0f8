/** Test factories for tokens and trust lists (tests only: uses the Node signing adapter). */
import {
  createSigner,
  generateSigningKey,
  trustListEntry,
  type SigningKey,
} from '../adapters/crypto/signing-key.ts';
import type { HcClaims } from '../domain/token/claims.ts';
import type { CoseAlg } from '../domain/token/cose-sign1.ts';
import { issueToken, type TokenSigner } from '../domain/token/jkm1.ts';
import type { TrustList } from './trust-list.ts';

export const NOW = 1_800_000_000; // 2027-01-15T08:00:00Z

export function claimsFactory(overrides: Partial<HcClaims> = {}): HcClaims {
  return {
    iss: 'CN-52',
    sub: 'q2Zr7HkQ0mYxVw3tBf9L',
    iat: NOW,
    exp: NOW + 60,
    hc: { c: 0, c5: 0, k: 's' },
    ...overrides,
  };
}

export interface Issuer {
  key: SigningKey;
  signer: TokenSigner;
  list: TrustList;
  issue(overrides?: Partial<HcClaims>): string;
}

/** A key plus a one-key trust list for `issuer`, valid for signing through 2026–2028. */
export function issuerFactory(alg: CoseAlg = -7, issuer = 'CN-52', revokedKids: string[] = []): Issuer {
  const key = generateSigningKey(alg);
  const signer = createSigner(key);
  const list: TrustList = {
    issuer,
    keys: [trustListEntry(key, '2026-01-01T00:00:00Z', '2028-01-01T00:00:00Z')],
    revokedKids,
    issuedAt: '2026-11-01T00:00:00Z',
  };
  return { key, signer, list, issue: (o = {}) => issueToken(signer, claimsFactory({ iss: issuer, ...o })) };
}
