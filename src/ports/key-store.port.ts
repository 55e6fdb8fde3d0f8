/**
 * Code-signing keys at rest (docs/DESIGN.md §4): the private key sealed under the master key,
 * the window in which it signs, retirement and revocation. Implemented by
 * adapters/repositories/signing-key.repository.ts.
 */
import type { CoseAlg } from '../domain/token/cose-sign1.ts';

export interface StoredSigningKey {
  kid: Uint8Array;
  alg: CoseAlg;
  publicKeySpki: Uint8Array;
  /** PKCS#8 DER sealed by Secrets.encrypt(…, 'keywrap') */
  privateKeySealed: Uint8Array;
  /** epoch ms: signs from here */
  notBefore: number;
  /** epoch ms: the last moment a token it signed may be valid */
  notAfter: number;
  /** epoch ms: stopped signing (stays listed until notAfter), or null */
  retiredAt: number | null;
  revoked: boolean;
}

export interface KeyStore {
  /** Every key, newest notBefore first. */
  all(): Promise<StoredSigningKey[]>;
  /** Adds a key. */
  insert(key: StoredSigningKey): Promise<void>;
  /** Retires every active key (retiredAt = at, notAfter = retiredUntil) and adds `next`, atomically. */
  rotate(at: number, retiredUntil: number, next: StoredSigningKey): Promise<void>;
  /** Revokes a key; false when there is no such key or it was revoked already. */
  revoke(kid: Uint8Array): Promise<boolean>;
}
