/**
 * Bearer access tokens as services see them: issue and check the signature and expiry. The
 * composition root wires adapters/crypto/access-token.ts (HMAC under a key from the master key).
 */
import type { Principal } from '../domain/principal.ts';

export type TokenSubject = Extract<Principal, { kind: 'resident' | 'staff' }>;

export interface AccessTokenCodec {
  /** A token for the principal (its sessionId included), valid `ttlSeconds` from `nowSeconds`. */
  issue(p: TokenSubject, ttlSeconds: number, nowSeconds: number): string;
  /** The principal the token names, or undefined when it is malformed, forged or expired. */
  verify(token: string, nowSeconds: number): Principal | undefined;
}
