import { createHash, createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64urlEncode } from '../../domain/token/base64url.ts';
import { createSigner, generateSigningKey, kidOf, publicJwk, trustListEntry } from './signing-key.ts';

describe.each([
  [-7, 'ec', { kty: 'EC', crv: 'P-256' }],
  [-8, 'ed25519', { kty: 'OKP', crv: 'Ed25519' }],
] as const)('alg %i', (alg, type, jwkShape) => {
  const key = generateSigningKey(alg);

  it('generates a key whose kid is the first 8 bytes of SHA-256 of the SPKI DER', () => {
    expect(key.alg).toBe(alg);
    expect(key.kid).toEqual(
      new Uint8Array(createHash('sha256').update(key.publicKeySpki).digest().subarray(0, 8)),
    );
    expect(kidOf(key.publicKeySpki)).toEqual(key.kid);
    expect(
      createPublicKey({ key: Buffer.from(key.publicKeySpki), format: 'der', type: 'spki' }).asymmetricKeyType,
    ).toBe(type);
  });

  it('signs synchronously with 64-byte raw signatures that node:crypto verifies', () => {
    const signer = createSigner(key);
    expect(signer.alg).toBe(alg);
    expect(signer.kid).toEqual(key.kid);
    const data = new TextEncoder().encode('Signature1 test');
    const sig = signer.sign(data);
    expect(sig).toHaveLength(64);
    const pub = createPublicKey({ key: Buffer.from(key.publicKeySpki), format: 'der', type: 'spki' });
    const ok =
      alg === -7
        ? verify('sha256', data, { key: pub, dsaEncoding: 'ieee-p1363' }, sig)
        : verify(null, data, pub, sig);
    expect(ok).toBe(true);
  });

  it('signs off the event loop (signAsync) with signatures that verify, and a wrong key does not', async () => {
    const signer = createSigner(key);
    const data = new TextEncoder().encode('Signature1 async');
    const sig = await signer.signAsync!(data);
    expect(sig).toHaveLength(64);
    const check = (spki: Uint8Array) => {
      const pub = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      return alg === -7
        ? verify('sha256', data, { key: pub, dsaEncoding: 'ieee-p1363' }, sig)
        : verify(null, data, pub, sig);
    };
    expect(check(key.publicKeySpki)).toBe(true);
    expect(check(generateSigningKey(alg).publicKeySpki)).toBe(false);
  });

  it('exports a minimal public JWK and a trust-list entry', () => {
    const jwk = publicJwk(key.publicKeySpki);
    expect(jwk).toMatchObject(jwkShape);
    expect(jwk.d).toBeUndefined();
    expect(Object.keys(jwk).sort()).toEqual(alg === -7 ? ['crv', 'kty', 'x', 'y'] : ['crv', 'kty', 'x']);
    expect(trustListEntry(key, new Date('2026-01-01T00:00:00Z'), '2027-01-01')).toEqual({
      kid: base64urlEncode(key.kid),
      alg,
      jwk,
      notBefore: '2026-01-01T00:00:00.000Z',
      notAfter: '2027-01-01T00:00:00.000Z',
    });
  });
});

describe('createSigner refuses keys that do not belong together', () => {
  const es = generateSigningKey(-7);
  const ed = generateSigningKey(-8);

  it.each([
    ['alg does not match the key type', { ...es, alg: -8 as const }],
    ['kid of another key', { ...es, kid: ed.kid }],
    ['public key of another key', { ...es, publicKeySpki: generateSigningKey(-7).publicKeySpki }],
  ])('%s', (_, key) => {
    expect(() => createSigner(key)).toThrow(TypeError);
  });

  it('rejects unsupported algs at generation', () => {
    expect(() => generateSigningKey(-35 as -7)).toThrow(TypeError);
  });
});
