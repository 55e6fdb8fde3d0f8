import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareIds } from './id.ts';

describe('compareIds: bigint ids as decimal strings compare as numbers', () => {
  it.each<[string, string, number]>([
    ['9', '10', -1],
    ['10', '9', 1],
    ['10', '10', 0],
    ['99', '100', -1],
    ['9007199254740993', '9007199254740992', 1], // beyond 2^53: Number() would call them equal
    ['007', '7', 0],
    ['0', '1', -1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareIds(a, b))).toBe(sign);
  });
  it('agrees with BigInt for any pair', () => {
    const id = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n });
    fc.assert(
      fc.property(id, id, (a, b) => {
        const expected = a < b ? -1 : a > b ? 1 : 0;
        expect(Math.sign(compareIds(String(a), String(b)))).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
  it('sorts as numbers', () => {
    expect(['10', '9', '100', '1'].sort(compareIds)).toEqual(['1', '9', '10', '100']);
  });
});
