import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base45Decode, base45Encode } from './base45.ts';

const require = createRequire(import.meta.url);
const pkg = require('base45') as { encode(b: Buffer): string; decode(s: string): Buffer };
const text = (s: string) => new TextEncoder().encode(s);

describe('base45 (RFC 9285)', () => {
  it.each([
    ['AB', 'BB8'],
    ['Hello!!', '%69 VD92EX0'],
    ['base-45', 'UJCLQE7W581'],
    ['ietf!', 'QED8WEX0'],
    ['', ''],
  ])('RFC vector %j ↔ %j', (plain, encoded) => {
    expect(base45Encode(text(plain))).toBe(encoded);
    expect(base45Decode(encoded)).toEqual(text(plain));
  });

  it('encodes the extremes', () => {
    expect(base45Encode(Uint8Array.of(0xff, 0xff))).toBe('FGW');
    expect(base45Encode(Uint8Array.of(0xff))).toBe('U5');
    expect(base45Decode('FGW')).toEqual(Uint8Array.of(0xff, 0xff));
  });

  it('agrees with the base45 npm package on random bytes, both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const ours = base45Encode(bytes);
        expect(ours).toBe(pkg.encode(Buffer.from(bytes)));
        expect(base45Decode(ours)).toEqual(bytes);
        expect(new Uint8Array(pkg.decode(ours))).toEqual(bytes);
      }),
    );
  });

  it.each([
    ['GGW', 'triple above 65535 (RFC 9285 section 4.2 example)'],
    [':::', 'triple far above 65535'],
    ['::', 'pair above 255'],
    ['A', 'length 1 mod 3'],
    ['BB8A', 'length 1 mod 3 after a group'],
    ['bb8', 'lower case is not in the alphabet'],
    ['BB#', 'character outside the alphabet'],
    ['BB\u00e9', 'non-ASCII character'],
    ['BB\n', 'newline'],
  ])('rejects %j (%s)', (input) => {
    expect(base45Decode(input)).toBeUndefined();
  });

  it('shows why the npm package is not used: it decodes invalid input to garbage', () => {
    expect(() => pkg.decode('GGW')).not.toThrow();
    expect(() => pkg.decode('bb8')).not.toThrow();
  });
});
