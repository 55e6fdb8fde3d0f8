/**
 * The Signer port on Node's crypto: key generation, signers (on the signing thread when the
 * process has one, else on the libuv pool) and public JWKs.
 */
import type { CoseAlg } from '../../domain/token/cose-sign1.ts';
import type { TokenSigner } from '../../domain/token/jkm1.ts';
import type { Signer, SigningKeyPair } from '../../ports/signer.port.ts';
import { createSigner, generateSigningKey, publicJwk } from './signing-key.ts';
import type { SigningThread } from './signing-thread.ts';

export class NodeSigner implements Signer {
  /** @param thread where signatures are made off the event loop (api processes); none: the libuv pool */
  constructor(private readonly thread?: SigningThread) {}

  generate(alg: CoseAlg): SigningKeyPair {
    return generateSigningKey(alg);
  }

  signerFor(key: SigningKeyPair): TokenSigner {
    const signer = createSigner(key);
    return this.thread ? this.thread.wrap(key, signer) : signer;
  }

  publicJwk(publicKeySpki: Uint8Array): JsonWebKey {
    return publicJwk(publicKeySpki);
  }
}
