/**
 * Keys derived from the one master key (docs/DESIGN.md §11): encryption of personal data, keyed
 * lookup hashes, access-token MACs. Services see this interface; adapters/crypto implements it.
 */
export type SecretPurpose = 'pii' | 'keywrap';

export interface Secrets {
  /** AES-256-GCM: iv(12) ‖ tag(16) ‖ ciphertext */
  encrypt(plain: string | Uint8Array, purpose?: SecretPurpose): Buffer;
  /** Opens a box made by `encrypt`; throws when it was altered. */
  decrypt(box: Uint8Array, purpose?: SecretPurpose): Buffer;
  /** `decrypt` as UTF-8 text. */
  decryptText(box: Uint8Array, purpose?: SecretPurpose): string;
  /** keyed hash for equality lookup of identifiers without storing them */
  lookupHash(value: string): Buffer;
  /**
   * The key of `lookupHash`, for a thread of this process that hashes in bulk (a feed file's
   * reader thread, `keyedHash`); it never leaves the process.
   */
  readonly lookupHashKey: Buffer;
  /** MAC key for access tokens */
  readonly tokenKey: Buffer;
}
