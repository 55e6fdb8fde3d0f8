/**
 * Code-signing keys on Node's crypto: generation, a fast synchronous signer for the
 * code-display hot path, and the public forms (JWK, trust-list entry) scanners need.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
  type SignKeyObjectInput,
} from 'node:crypto';
import { base64urlEncode } from '../../domain/token/base64url.ts';
import { isCoseAlg, KID_LENGTH, type CoseAlg } from '../../domain/token/cose-sign1.ts';
import type { TokenSigner } from '../../domain/token/jkm1.ts';
import type { TrustListKey } from '../../verifier/trust-list.ts';

export interface SigningKey {
  alg: CoseAlg;
  /** First 8 bytes of SHA-256 of publicKeySpki. */
  kid: Uint8Array;
  privateKeyPkcs8: Uint8Array;
  publicKeySpki: Uint8Array;
}

/** The kid of a public key: the first 8 bytes of SHA-256 of its SPKI DER (docs/DESIGN.md §4). */
export function kidOf(publicKeySpki: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(publicKeySpki).digest().subarray(0, KID_LENGTH));
}

/** A fresh key pair: P-256 for ES256 (-7, the default) or Ed25519 for EdDSA (-8). */
export function generateSigningKey(alg: CoseAlg = -7): SigningKey {
  if (!isCoseAlg(alg)) throw new TypeError(`unsupported COSE alg ${String(alg)}`);
  const { privateKey, publicKey } =
    alg === -7 ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const publicKeySpki = toU8(publicKey.export({ type: 'spki', format: 'der' }));
  return {
    alg,
    kid: kidOf(publicKeySpki),
    privateKeyPkcs8: toU8(privateKey.export({ type: 'pkcs8', format: 'der' })),
    publicKeySpki,
  };
}

/**
 * A synchronous signer over a KeyObject parsed once. Checks that the private key, the alg, the
 * public key and the kid all belong together, so a mislabelled key fails at start-up, not in
 * every scanner.
 */
export function createSigner(key: SigningKey): TokenSigner {
  const keyObject = createPrivateKey({ key: Buffer.from(key.privateKeyPkcs8), format: 'der', type: 'pkcs8' });
  const expectedType = key.alg === -7 ? 'ec' : 'ed25519';
  if (keyObject.asymmetricKeyType !== expectedType) {
    throw new TypeError(
      `alg ${key.alg} needs an ${expectedType} key, got ${String(keyObject.asymmetricKeyType)}`,
    );
  }
  if (key.alg === -7 && keyObject.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new TypeError('ES256 needs a P-256 key');
  }
  const spki = toU8(createPublicKey(keyObject).export({ type: 'spki', format: 'der' }));
  if (!equalBytes(spki, key.publicKeySpki) || !equalBytes(kidOf(spki), key.kid)) {
    throw new TypeError('private key, public key and kid do not belong together');
  }
  const kid = new Uint8Array(key.kid);
  return key.alg === -7
    ? nodeSigner(-7, kid, 'sha256', { key: keyObject, dsaEncoding: 'ieee-p1363' })
    : nodeSigner(-8, kid, null, keyObject);
}

// signAsync: node's crypto.sign with a callback runs the signature on the libuv thread pool, so
// the event loop spends ~8 µs per code instead of the ~30 µs of a P-256 signature (bench/code-display).
function nodeSigner(
  alg: CoseAlg,
  kid: Uint8Array,
  digest: 'sha256' | null,
  key: SignKeyObjectInput | KeyObject,
): TokenSigner {
  return {
    alg,
    kid,
    sign: (data) => sign(digest, data, key),
    signAsync: (data) =>
      new Promise((resolve, reject) =>
        sign(digest, data, key, (err, sig) => (err ? reject(err) : resolve(sig))),
      ),
  };
}

/** The minimal public JWK of an SPKI DER key (kty, crv, x and, for P-256, y). */
export function publicJwk(publicKeySpki: Uint8Array): JsonWebKey {
  const jwk = createPublicKey({ key: Buffer.from(publicKeySpki), format: 'der', type: 'spki' }).export({
    format: 'jwk',
  });
  const out: JsonWebKey = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  if (jwk.y !== undefined) out.y = jwk.y;
  return out;
}

/** The trust-list entry for a key, valid for signing from notBefore to notAfter. */
export function trustListEntry(
  key: SigningKey,
  notBefore: Date | string,
  notAfter: Date | string,
): TrustListKey {
  return {
    kid: base64urlEncode(key.kid),
    alg: key.alg,
    jwk: publicJwk(key.publicKeySpki),
    notBefore: new Date(notBefore).toISOString(),
    notAfter: new Date(notAfter).toISOString(),
  };
}

function toU8(b: Buffer): Uint8Array {
  return new Uint8Array(b); // a copy: exported DER may sit in a shared pool
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
