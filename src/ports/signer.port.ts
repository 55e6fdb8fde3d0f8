/**
 * The cryptography of code-signing keys (docs/DESIGN.md §4): generating key pairs, signing with
 * them, and their public form for trust lists. Services see this interface; adapters/crypto/
 * node-signer.ts implements it on Node's crypto (and the signing thread).
 */
import type { CoseAlg } from '../domain/token/cose-sign1.ts';
import type { TokenSigner } from '../domain/token/jkm1.ts';

/** A code-signing key pair; its private half is stored only sealed under the master key. */
export interface SigningKeyPair {
  alg: CoseAlg;
  /** First 8 bytes of SHA-256 of publicKeySpki. */
  kid: Uint8Array;
  publicKeySpki: Uint8Array;
  privateKeyPkcs8: Uint8Array;
}

export interface Signer {
  /** A fresh key pair: P-256 for ES256 (-7) or Ed25519 for EdDSA (-8). */
  generate(alg: CoseAlg): SigningKeyPair;
  /** A signer for the key; throws when private key, public key, alg and kid do not belong together. */
  signerFor(key: SigningKeyPair): TokenSigner;
  /** The public JWK of an SPKI DER key (kty, crv, x and, for P-256, y), as trust lists carry it. */
  publicJwk(publicKeySpki: Uint8Array): JsonWebKey;
}
