/**
 * Proof that JKM1 tokens are standard COSE_Sign1 messages, checked by code that shares nothing
 * with ours: cose-js (its own CBOR library `cbor` and the `elliptic` ECDSA implementation).
 * cose-js has no EdDSA, so Ed25519 tokens are checked with the `cbor` package (cose-js's own
 * dependency) and node:crypto instead of cborg and WebCrypto.
 */
import {
  createPrivateKey,
  createPublicKey,
  verify as nodeVerify,
  type JsonWebKey as NodeJwk,
} from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { base45Decode } from '../domain/token/base45.ts';
import { encodePayload } from '../domain/token/claims.ts';
import { toJkm1Text } from '../domain/token/jkm1.ts';
import { createVerifier } from './index.ts';
import { claimsFactory, issuerFactory, NOW } from './verifier.fixtures.ts';

const require = createRequire(import.meta.url);
interface CoseJs {
  sign: {
    verify(msg: Buffer, verifier: { key: { x: Buffer; y: Buffer } }): Promise<Buffer>;
    create(
      headers: { p: Record<string, unknown>; u: Record<string, unknown> },
      payload: Buffer,
      signer: { key: { d: Buffer } },
    ): Promise<Buffer>;
  };
}
interface CborLib {
  decodeFirstSync(b: Buffer): unknown;
  encode(v: unknown): Buffer;
  Tagged: new (tag: number, value: unknown) => { tag: number; value: unknown };
}
const cose = require('cose-js') as CoseJs;
const cbor = require('cbor') as CborLib;

const bytesOf = (token: string) => Buffer.from(base45Decode(token.slice(5))!);
const b64 = (s: string | undefined) => Buffer.from(s!, 'base64url');

describe('independent COSE implementations', () => {
  it('cose-js verifies an ES256 JKM1 token with the JWK x/y and returns our payload', async () => {
    const es = issuerFactory(-7);
    const claims = claimsFactory({ hc: { c: 2, c5: 3, k: 's', v: 2 } });
    const token = es.issue(claims);
    const jwk = es.list.keys[0]!.jwk;
    const payload = await cose.sign.verify(bytesOf(token), { key: { x: b64(jwk.x), y: b64(jwk.y) } });
    expect(new Uint8Array(payload)).toEqual(encodePayload(claims));
  });

  it('cose-js rejects the token under another key', async () => {
    const es = issuerFactory(-7);
    const jwk = issuerFactory(-7).list.keys[0]!.jwk;
    await expect(
      cose.sign.verify(bytesOf(es.issue()), { key: { x: b64(jwk.x), y: b64(jwk.y) } }),
    ).rejects.toThrow(/missmatch|mismatch/i);
  });

  it('our verifier accepts a COSE_Sign1 that cose-js created', async () => {
    const es = issuerFactory(-7);
    const d = b64(createKeyD(es.key.privateKeyPkcs8));
    const payload = Buffer.from(encodePayload(claimsFactory()));
    const msg = await cose.sign.create(
      { p: { alg: 'ES256', kid: Buffer.from(es.key.kid) }, u: {} },
      payload,
      { key: { d } },
    );
    const r = await createVerifier(es.list).verify(toJkm1Text(new Uint8Array(msg)), NOW);
    expect(r).toMatchObject({ valid: true, claims: claimsFactory() });
  });

  it('an Ed25519 token decodes with the `cbor` package and verifies with node:crypto', () => {
    const ed = issuerFactory(-8);
    const token = ed.issue();
    const tagged = cbor.decodeFirstSync(bytesOf(token)) as {
      tag: number;
      value: [Buffer, object, Buffer, Buffer];
    };
    expect(tagged.tag).toBe(18);
    const [prot, unprot, payload, sig] = tagged.value;
    expect(unprot instanceof Map ? unprot.size : Object.keys(unprot).length).toBe(0); // `cbor` gives {} for an empty map
    const header = cbor.decodeFirstSync(prot) as Map<number, unknown>;
    expect(header.get(1)).toBe(-8);
    expect(new Uint8Array(header.get(4) as Buffer)).toEqual(ed.key.kid);
    const toBeSigned = cbor.encode(['Signature1', prot, Buffer.alloc(0), payload]);
    const pub = createPublicKey({ key: ed.list.keys[0]!.jwk as NodeJwk, format: 'jwk' });
    expect(nodeVerify(null, toBeSigned, pub, sig)).toBe(true);
    const claims = cbor.decodeFirstSync(payload) as Map<unknown, unknown>;
    expect(claims.get(1)).toBe('CN-52');
    expect(claims.get(6)).toBe(NOW);
  });
});

/** The private scalar d of a PKCS#8 P-256 key, via node:crypto's JWK export. */
function createKeyD(pkcs8: Uint8Array): string {
  return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }).export({ format: 'jwk' })
    .d!;
}
