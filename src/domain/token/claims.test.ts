import { encode } from 'cborg';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Colour3, Colour5 } from '../colour.ts';
import { CODE_KINDS, decodeClaims, encodePayload, type HcClaims } from './claims.ts';

const base: HcClaims = {
  iss: 'CN-52',
  sub: 'AAECAwQFBgcICQ',
  exp: 1_800_000_060,
  iat: 1_800_000_000,
  hc: { c: 1, c5: 2, k: 's' },
};
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The same claims through cborg's generic encoder, for comparison with the hand-written one. */
function viaCborg(c: HcClaims): Uint8Array {
  const hc: Record<string, unknown> = { c: c.hc.c, c5: c.hc.c5, k: c.hc.k };
  if (c.hc.v !== undefined) hc.v = c.hc.v;
  if (c.hc.t !== undefined) hc.t = c.hc.t;
  const m = new Map<unknown, unknown>([
    [1, c.iss],
    [2, c.sub],
    [4, c.exp],
    [6, c.iat],
  ]);
  if (c.cti !== undefined) m.set(7, c.cti);
  m.set('hc', hc);
  return encode(m);
}

const claimsArb: fc.Arbitrary<HcClaims> = fc.record(
  {
    iss: fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }),
    sub: fc.string({ minLength: 1, maxLength: 40 }),
    exp: fc.maxSafeNat(),
    iat: fc.oneof(fc.nat(), fc.maxSafeNat()),
    cti: fc.uint8Array({ maxLength: 64 }),
    hc: fc.record(
      {
        c: fc.constantFrom<Colour3>(0, 1, 2),
        c5: fc.constantFrom<Colour5>(0, 1, 2, 3, 4),
        k: fc.constantFrom(...CODE_KINDS),
        v: fc.integer({ min: 0, max: 255 }),
        t: fc.integer({ min: 0, max: 2_932_896 }),
      },
      { requiredKeys: ['c', 'c5', 'k'] },
    ),
  },
  { requiredKeys: ['iss', 'sub', 'exp', 'iat', 'hc'] },
);

describe('encodePayload', () => {
  it('writes the documented CWT layout', () => {
    // a6 map(6): 01 "CN-52", 02 sub, 04 exp, 06 iat, 07 h'0102', "hc" {c, k, t, v, c5}
    const bytes = encodePayload({
      ...base,
      cti: Uint8Array.of(1, 2),
      hc: { c: 1, c5: 2, k: 's', v: 3, t: 20_000 },
    });
    expect(hex(bytes)).toBe(
      'a6' +
        '0165434e2d3532' +
        '026e4141454341775146426763494351' +
        '041a6b49d23c' +
        '061a6b49d200' +
        '07420102' +
        '626863a5' +
        '616301' +
        '616b6173' +
        '6174194e20' +
        '617603' +
        '62633502',
    );
  });

  it('is byte-identical to cborg deterministic encoding', () => {
    fc.assert(
      fc.property(claimsArb, (c) => {
        expect(hex(encodePayload(c))).toBe(hex(viaCborg(c)));
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips through decodeClaims', () => {
    fc.assert(
      fc.property(claimsArb, (c) => {
        expect(decodeClaims(encodePayload(c))).toEqual(c);
      }),
      { numRuns: 300 },
    );
  });

  it.each<[string, Partial<HcClaims>]>([
    ['empty iss', { iss: '' }],
    ['fractional exp', { exp: 1.5 }],
    ['negative iat', { iat: -1 }],
    ['colour3 out of range', { hc: { c: 3 as Colour3, c5: 0, k: 's' } }],
    ['unknown kind', { hc: { c: 0, c5: 0, k: 'x' as 's' } }],
    ['too many doses', { hc: { c: 0, c5: 0, k: 's', v: 256 } }],
    ['sub too long', { sub: 'x'.repeat(129) }],
    ['cti too long', { cti: new Uint8Array(65) }],
  ])('throws on invalid claims: %s', (_, o) => {
    expect(() => encodePayload({ ...base, ...o })).toThrow(TypeError);
  });
});

describe('decodeClaims rejects', () => {
  const good = new Map<unknown, unknown>([
    [1, 'CN-52'],
    [2, 'abc'],
    [4, 100],
    [6, 40],
    [
      'hc',
      new Map<unknown, unknown>([
        ['c', 0],
        ['c5', 0],
        ['k', 's'],
      ]),
    ],
  ]);
  const withClaim = (k: unknown, v: unknown) => encode(new Map([...good, [k, v]]));
  const without = (k: unknown) => encode(new Map([...good].filter(([key]) => key !== k)));

  it.each<[string, Uint8Array]>([
    ['not a map', encode([1, 2])],
    ['iss as a number', withClaim(1, 52)],
    ['missing sub', without(2)],
    ['exp as text', withClaim(4, '100')],
    ['exp as float', withClaim(4, 1.5)],
    ['cti as text', withClaim(7, 'id')],
    ['hc not a map', withClaim('hc', [0, 0, 's'])],
    [
      'hc.c5 out of range',
      withClaim(
        'hc',
        new Map<unknown, unknown>([
          ['c', 0],
          ['c5', 5],
          ['k', 's'],
        ]),
      ),
    ],
    [
      'hc.v negative',
      withClaim(
        'hc',
        new Map<unknown, unknown>([
          ['c', 0],
          ['c5', 0],
          ['k', 's'],
          ['v', -1],
        ]),
      ),
    ],
    ['trailing bytes', Uint8Array.from([...encode(good), 0x00])],
    ['indefinite-length map', Uint8Array.from([0xbf, ...encode(good).subarray(1), 0xff])],
    ['non-minimal integer', Uint8Array.from([0xa1, 0x04, 0x18, 0x05])],
    ['duplicate key', Uint8Array.from([0xa2, 0x01, 0x61, 0x41, 0x01, 0x61, 0x42])],
    ['empty input', new Uint8Array(0)],
    ['integer beyond 2^53', withClaim(4, 2n ** 60n)],
  ])('%s', (_, bytes) => {
    expect(decodeClaims(bytes)).toBeUndefined();
  });

  it('accepts the good map and ignores unknown claims', () => {
    expect(decodeClaims(encode(good))?.sub).toBe('abc');
    expect(decodeClaims(withClaim(99, 'future'))?.sub).toBe('abc');
  });
});
