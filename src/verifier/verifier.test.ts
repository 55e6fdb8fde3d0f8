import { encode } from 'cborg';
import { describe, expect, it, vi } from 'vitest';
import { createSigner, generateSigningKey, trustListEntry } from '../adapters/crypto/signing-key.ts';
import { base45Decode, base45Encode } from '../domain/token/base45.ts';
import { base64urlEncode } from '../domain/token/base64url.ts';
import { encodePayload } from '../domain/token/claims.ts';
import { assembleSign1, buildProtected, sigStructure } from '../domain/token/cose-sign1.ts';
import { issueToken, parseJkm1, toJkm1Text } from '../domain/token/jkm1.ts';
import { createVerifier } from './index.ts';
import { claimsFactory, issuerFactory, NOW } from './verifier.fixtures.ts';

const es = issuerFactory(-7);
const ed = issuerFactory(-8);
const verifier = createVerifier([es.list, ed.list]);

/** Re-sign arbitrary protected/payload bytes with a real key (to build tokens the issuer never would). */
function signRaw(issuer: typeof es, protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  const signature = issuer.signer.sign(sigStructure(protectedBytes, payload));
  return assembleSign1(protectedBytes, payload, signature);
}

describe.each([
  ['ES256', es],
  ['EdDSA', ed],
])('round trip %s', (_, issuer) => {
  it('verifies what the issuer signed and returns the claims', async () => {
    const token = issuer.issue({ hc: { c: 1, c5: 2, k: 'o', v: 3, t: 20_800 }, cti: Uint8Array.of(1, 2, 3) });
    const r = await verifier.verify(token, NOW + 5);
    expect(r).toEqual({
      valid: true,
      claims: claimsFactory({ hc: { c: 1, c5: 2, k: 'o', v: 3, t: 20_800 }, cti: Uint8Array.of(1, 2, 3) }),
      colour3: 1,
      colour5: 2,
      kind: 'o',
      issuer: 'CN-52',
      kid: base64urlEncode(issuer.key.kid),
      colourAsOf: NOW,
      colourAgeSeconds: 5,
      maxColourAgeSeconds: 86_400,
    });
  });

  it('signature is 64 raw bytes', () => {
    const parsed = parseJkm1(issuer.issue());
    expect(parsed.ok && parsed.signature.length).toBe(64);
  });
});

describe('rejections (docs/DESIGN.md §4)', () => {
  it('bad signature: one byte of the signature changed', async () => {
    const bytes = base45Decode(es.issue().slice(5))!;
    bytes[bytes.length - 10]! ^= 0x01;
    expect(await verifier.verify(toJkm1Text(bytes), NOW)).toEqual({
      valid: false,
      reason: 'TOKEN_BAD_SIGNATURE',
    });
  });

  it.each([
    ['ES256', es],
    ['EdDSA', ed],
  ])('bad signature (%s): one byte of the payload changed inside the Base45 text', async (_, issuer) => {
    const token = issuer.issue({ sub: 'AAAAAAAAAAAAAAAAAAAA' });
    const bytes = base45Decode(token.slice(5))!;
    const at = Buffer.from(bytes).indexOf('AAAAAAAAAAAAAAAAAAAA');
    bytes[at + 3] = 'B'.charCodeAt(0); // still a valid claims map, now with another subject
    const tampered = 'JKM1:' + base45Encode(bytes);
    const parsed = parseJkm1(tampered);
    expect(parsed.ok && parsed.claims.sub).toBe('AAABAAAAAAAAAAAAAAAA');
    expect(await verifier.verify(tampered, NOW)).toEqual({ valid: false, reason: 'TOKEN_BAD_SIGNATURE' });
  });

  it('bad signature: a colour raised from green to red by editing the payload', async () => {
    const bytes = base45Decode(es.issue().slice(5))!;
    const at = Buffer.from(bytes).indexOf(Buffer.from('616300', 'hex')); // "c": 0
    bytes[at + 2] = 0x02;
    expect(await verifier.verify('JKM1:' + base45Encode(bytes), NOW)).toEqual({
      valid: false,
      reason: 'TOKEN_BAD_SIGNATURE',
    });
  });

  it('bad signature: signed by another key carrying a trusted kid', async () => {
    const rogue = createSigner(generateSigningKey(-7));
    const token = issueToken({ alg: -7, kid: es.key.kid, sign: (d) => rogue.sign(d) }, claimsFactory());
    expect(await verifier.verify(token, NOW)).toEqual({ valid: false, reason: 'TOKEN_BAD_SIGNATURE' });
  });

  it('unknown kid', async () => {
    const stranger = issuerFactory(-7);
    expect(await verifier.verify(stranger.issue(), NOW)).toEqual({
      valid: false,
      reason: 'TOKEN_UNKNOWN_KID',
    });
  });

  it('revoked kid', async () => {
    const revoking = createVerifier([{ ...es.list, revokedKids: [base64urlEncode(es.key.kid)] }, ed.list]);
    expect(await revoking.verify(es.issue(), NOW)).toEqual({ valid: false, reason: 'TOKEN_REVOKED_KID' });
    expect((await revoking.verify(ed.issue(), NOW)).valid).toBe(true);
  });

  it('alg other than -7 / -8 (ES384, -35)', async () => {
    const prot = encode(
      new Map<number, unknown>([
        [1, -35],
        [4, es.key.kid],
      ]),
    );
    const token = toJkm1Text(signRaw(es, prot, encodePayload(claimsFactory())));
    expect(await verifier.verify(token, NOW)).toEqual({ valid: false, reason: 'TOKEN_BAD_ALG' });
  });

  it('alg that is not the listed key alg (EdDSA header on a P-256 kid)', async () => {
    const token = toJkm1Text(signRaw(es, buildProtected(-8, es.key.kid), encodePayload(claimsFactory())));
    expect(await verifier.verify(token, NOW)).toEqual({ valid: false, reason: 'TOKEN_BAD_ALG' });
  });

  it('expired beyond the 30 s skew, accepted within it', async () => {
    const token = es.issue({ iat: NOW, exp: NOW + 60 });
    expect((await verifier.verify(token, NOW + 59)).valid).toBe(true);
    expect((await verifier.verify(token, NOW + 60 + 29)).valid).toBe(true);
    const late = await verifier.verify(token, NOW + 60 + 30);
    expect(late).toMatchObject({ valid: false, reason: 'TOKEN_EXPIRED', claims: { exp: NOW + 60 } });
    expect((await verifier.verify(token, NOW + 3600)).valid).toBe(false);
  });

  it('skew is configurable', async () => {
    const strict = createVerifier(es.list, { clockSkewSeconds: 0 });
    expect(await strict.verify(es.issue({ exp: NOW + 60 }), NOW + 60)).toMatchObject({
      reason: 'TOKEN_EXPIRED',
    });
    expect(() => createVerifier(es.list, { clockSkewSeconds: -1 })).toThrow(RangeError);
  });

  it('not yet valid: iat in the future beyond the skew, accepted within it', async () => {
    const token = es.issue({ iat: NOW + 100, exp: NOW + 160 });
    expect((await verifier.verify(token, NOW + 70)).valid).toBe(true);
    expect(await verifier.verify(token, NOW + 69)).toMatchObject({
      valid: false,
      reason: 'TOKEN_NOT_YET_VALID',
    });
  });

  it('malformed CBOR', async () => {
    const token = 'JKM1:' + base45Encode(Uint8Array.of(0xd2, 0x84, 0x48, 0x01));
    expect(await verifier.verify(token, NOW)).toEqual({ valid: false, reason: 'TOKEN_MALFORMED' });
  });

  it('not tag 18 (the same message, correctly signed, untagged)', async () => {
    const bytes = base45Decode(es.issue().slice(5))!;
    expect(await verifier.verify(toJkm1Text(bytes.subarray(1)), NOW)).toEqual({
      valid: false,
      reason: 'TOKEN_MALFORMED',
    });
  });

  it('wrong prefix', async () => {
    expect(await verifier.verify('HC1:' + es.issue().slice(5), NOW)).toEqual({
      valid: false,
      reason: 'TOKEN_BAD_PREFIX',
    });
  });

  it('truncated text', async () => {
    const token = es.issue();
    for (const cut of [1, 2, 3, 30, token.length - 5]) {
      expect(await verifier.verify(token.slice(0, -cut), NOW)).toEqual({
        valid: false,
        reason: 'TOKEN_MALFORMED',
      });
    }
  });

  it('bad Base45 characters', async () => {
    const token = es.issue();
    for (const ch of ['a', '#', '\u00e9', '\n']) {
      const bad = token.slice(0, 12) + ch + token.slice(13);
      expect(await verifier.verify(bad, NOW)).toEqual({ valid: false, reason: 'TOKEN_MALFORMED' });
    }
  });

  it('issuer mismatch: iss is not the issuer that owns the kid', async () => {
    const token = es.issue({ iss: 'CN-11' });
    expect(await verifier.verify(token, NOW)).toMatchObject({
      valid: false,
      reason: 'TOKEN_ISSUER_MISMATCH',
      claims: { iss: 'CN-11' },
    });
  });

  it('key window: iat before notBefore or after notAfter', async () => {
    const before = Date.parse('2026-01-01T00:00:00Z') / 1000 - 1;
    const after = Date.parse('2028-01-01T00:00:00Z') / 1000 + 1;
    expect(await verifier.verify(es.issue({ iat: before, exp: before + 60 }), before)).toMatchObject({
      reason: 'TOKEN_NOT_YET_VALID',
    });
    expect(await verifier.verify(es.issue({ iat: after, exp: after + 60 }), after)).toMatchObject({
      reason: 'TOKEN_EXPIRED',
    });
  });
});

describe('trust lists', () => {
  it('accepts several issuers and checks each kid against its own issuer', async () => {
    const gd = issuerFactory(-8, 'CN-44');
    const v = createVerifier([es.list, gd.list]);
    expect(v.issuers).toEqual(['CN-44', 'CN-52']);
    expect(await v.verify(gd.issue(), NOW)).toMatchObject({ valid: true, issuer: 'CN-44' });
    expect(await v.verify(es.issue(), NOW)).toMatchObject({ valid: true, issuer: 'CN-52' });
    // CN-44's key signing a CN-52 code is not a CN-52 code.
    expect(await v.verify(gd.issue({ iss: 'CN-52' }), NOW)).toMatchObject({
      reason: 'TOKEN_ISSUER_MISMATCH',
    });
  });

  it('imports each key once and caches it', async () => {
    const v = createVerifier(es.list);
    const spy = vi.spyOn(globalThis.crypto.subtle, 'importKey');
    try {
      for (let i = 0; i < 5; i++) expect((await v.verify(es.issue(), NOW)).valid).toBe(true);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('does not trust a JWK listed under a kid that is not its hash', async () => {
    const other = generateSigningKey(-7);
    const lying = {
      ...es.list,
      keys: [{ ...trustListEntry(other, '2026-01-01', '2028-01-01'), kid: base64urlEncode(es.key.kid) }],
    };
    const v = createVerifier(lying);
    expect(await v.verify(es.issue(), NOW)).toEqual({ valid: false, reason: 'TOKEN_UNKNOWN_KID' });
  });

  it('drops a kid claimed by two issuers with different keys, and reports it', async () => {
    const entry = es.list.keys[0]!;
    const clash = {
      issuer: 'CN-44',
      keys: [{ ...entry, jwk: ed.list.keys[0]!.jwk, alg: -8 as const }],
      revokedKids: [],
      issuedAt: '2026-11-01T00:00:00Z',
    };
    const v = createVerifier([es.list, clash]);
    expect(v.problems.join()).toMatch(/claimed by CN-52 and CN-44/);
    expect(await v.verify(es.issue(), NOW)).toEqual({ valid: false, reason: 'TOKEN_UNKNOWN_KID' });
  });

  it('keeps the newer window when one issuer lists the same key twice', async () => {
    const entry = es.list.keys[0]!;
    const old = {
      ...es.list,
      issuedAt: '2026-01-01T00:00:00Z',
      keys: [{ ...entry, notAfter: '2026-02-01T00:00:00Z' }],
    };
    const v = createVerifier([es.list, old]);
    expect((await v.verify(es.issue(), NOW)).valid).toBe(true);
  });

  it('skips unusable entries, reports them and keeps the rest', async () => {
    const entry = es.list.keys[0]!;
    const v = createVerifier({
      ...es.list,
      keys: [
        { ...entry, kid: 'short' },
        { ...entry, alg: -35 as -7 },
        { ...entry, jwk: { ...entry.jwk, crv: 'P-384' } },
        { ...entry, jwk: { ...entry.jwk, d: 'secret' } },
        { ...entry, notBefore: 'yesterday' },
        entry,
      ],
    });
    expect(v.problems).toHaveLength(5);
    expect((await v.verify(es.issue(), NOW)).valid).toBe(true);
    await expect(v.warmUp()).resolves.toBeUndefined();
  });
});
