/** Staff password hashing (a slow, salted KDF; adapters/crypto/passwords.ts). */
export interface PasswordHasher {
  /** A new salted hash of the password, in a self-describing text form. */
  hash(password: string): Promise<string>;
  /** Whether the password matches a stored hash; the same work whatever the answer. */
  verify(password: string, stored: string): Promise<boolean>;
}
