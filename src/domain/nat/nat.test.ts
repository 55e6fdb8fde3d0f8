import { describe, expect, it } from 'vitest';
import { inRegion, isSubject, needsRetest, parsePersonRef } from './nat.ts';

describe('nucleic-acid testing vocabulary', () => {
  it('parses the three kinds of person reference and refuses malformed ones', () => {
    expect(parsePersonRef('p:42')).toEqual({ kind: 'resident', personId: 42 });
    expect(parsePersonRef('s:subjectsubject0001')).toEqual({
      kind: 'subject',
      subject: 'subjectsubject0001',
    });
    const hash = 'ab'.repeat(32);
    expect(parsePersonRef(`d:10:${hash}`)).toEqual({ kind: 'document', docType: 10, hashHex: hash });
    for (const bad of ['p:0', 'p:-1', 'p:1.5', 'p:1e400', 's:short', 'd:10:abc', `d:100:${hash}`, 'x:1', ''])
      expect(parsePersonRef(bad), bad).toBeUndefined();
    expect(isSubject('a'.repeat(65))).toBe(false);
  });

  it('orders a retest for a pooled positive and an invalid tube, not for a single positive or a negative', () => {
    expect(needsRetest('positive', true)).toBe(true);
    expect(needsRetest('invalid', false)).toBe(true);
    expect(needsRetest('positive', false)).toBe(false);
    expect(needsRetest('negative', true)).toBe(false);
  });

  it('scopes a region code by prefix; the empty prefix is the whole province', () => {
    expect(inRegion('520102', '5201')).toBe(true);
    expect(inRegion('110101', '5201')).toBe(false);
    expect(inRegion('110101', '')).toBe(true);
  });
});
