import { encode } from 'cborg';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleSign1, buildProtected, parseSign1, sigStructure } from './cose-sign1.ts';

const kid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const sig = new Uint8Array(64).fill(0xab);
const payload = Uint8Array.of(0xa0);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const tagged = (inner: unknown) => Uint8Array.from([0xd2, ...encode(inner)]);
const hdr = (entries: [number, unknown][]) => encode(new Map(entries));

describe('COSE_Sign1 building', () => {
  it('encodes the protected header {1: alg, 4: kid}', () => {
    expect(hex(buildProtected(-7, kid))).toBe('a201260448' + '0102030405060708');
    expect(hex(buildProtected(-8, kid))).toBe('a201270448' + '0102030405060708');
    expect(() => buildProtected(-7, kid.subarray(1))).toThrow(TypeError);
    expect(() => buildProtected(-35 as -7, kid)).toThrow(TypeError);
  });

  it('builds Sig_structure and the tagged message exactly as a generic CBOR encoder does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom<-7 | -8>(-7, -8), (p, alg) => {
        const prot = buildProtected(alg, kid);
        expect(hex(sigStructure(prot, p))).toBe(hex(encode(['Signature1', prot, new Uint8Array(0), p])));
        expect(hex(assembleSign1(prot, p, sig))).toBe(hex(tagged([prot, new Map(), p, sig])));
      }),
      { numRuns: 200 },
    );
  });

  it('parses what it builds', () => {
    const prot = buildProtected(-8, kid);
    const r = parseSign1(assembleSign1(prot, payload, sig));
    expect(r).toEqual({ ok: true, protectedBytes: prot, alg: -8, kid, payload, signature: sig });
  });
});

describe('parseSign1 rejects', () => {
  const prot = buildProtected(-7, kid);
  const good = [prot, new Map(), payload, sig];
  const untagged = encode(good);

  it.each<[string, Uint8Array]>([
    ['an untagged array (not tag 18)', untagged],
    ['tag 98 (COSE_Sign)', Uint8Array.from([0xd8, 0x62, ...untagged])],
    ['tag 18 in its two-byte form', Uint8Array.from([0xd8, 0x12, ...untagged])],
    ['a doubled tag 18', Uint8Array.from([0xd2, 0xd2, ...untagged])],
    ['a 3-element array', tagged([prot, new Map(), payload])],
    ['a map instead of an array', tagged(new Map([[1, 2]]))],
    ['protected as a map, not bytes', tagged([new Map([[1, -7]]), new Map(), payload, sig])],
    ['a non-empty unprotected header', tagged([prot, new Map([[4, kid]]), payload, sig])],
    ['a detached (null) payload', tagged([prot, new Map(), null, sig])],
    [
      'a protected header with an extra parameter',
      tagged([
        hdr([
          [1, -7],
          [4, kid],
          [3, 0],
        ]),
        new Map(),
        payload,
        sig,
      ]),
    ],
    ['a protected header without alg', tagged([hdr([[4, kid]]), new Map(), payload, sig])],
    [
      'a 7-byte kid',
      tagged([
        hdr([
          [1, -7],
          [4, kid.subarray(1)],
        ]),
        new Map(),
        payload,
        sig,
      ]),
    ],
    [
      'a text kid',
      tagged([
        hdr([
          [1, -7],
          [4, 'kid'],
        ]),
        new Map(),
        payload,
        sig,
      ]),
    ],
    ['a 63-byte signature', tagged([prot, new Map(), payload, sig.subarray(1)])],
    ['a DER-length (72-byte) signature', tagged([prot, new Map(), payload, new Uint8Array(72)])],
    ['trailing bytes', Uint8Array.from([...tagged(good), 0x00])],
    ['truncation', tagged(good).subarray(0, 40)],
    ['just the tag', Uint8Array.of(0xd2)],
    ['nothing', new Uint8Array(0)],
    ['an indefinite-length array', Uint8Array.from([0xd2, 0x9f, ...untagged.subarray(1), 0xff])],
    ['a non-minimal array length', Uint8Array.from([0xd2, 0x98, 0x04, ...untagged.subarray(1)])],
    ['an oversized message', tagged([prot, new Map(), new Uint8Array(2000), sig])],
  ])('%s as TOKEN_MALFORMED', (_, bytes) => {
    expect(parseSign1(bytes)).toEqual({ ok: false, code: 'TOKEN_MALFORMED' });
  });

  it.each<[string, unknown]>([
    ['ES384 (-35)', -35],
    ['RS256 (-257)', -257],
    ['HMAC 256/256 (5)', 5],
    ['a text alg', 'ES256'],
  ])('alg %s as TOKEN_BAD_ALG', (_, alg) => {
    expect(
      parseSign1(
        tagged([
          hdr([
            [1, alg],
            [4, kid],
          ]),
          new Map(),
          payload,
          sig,
        ]),
      ),
    ).toEqual({
      ok: false,
      code: 'TOKEN_BAD_ALG',
    });
  });
});
