import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASE45_ALPHABET, base45Decode, base45Encode } from '../domain/token/base45.ts';
import { parseJkm1 } from '../domain/token/jkm1.ts';
import { createVerifier } from './index.ts';
import { claimsFactory, issuerFactory, NOW } from './verifier.fixtures.ts';

const es = issuerFactory(-7);
const ed = issuerFactory(-8);
const verifier = createVerifier([es.list, ed.list]);
const claims = claimsFactory({ hc: { c: 0, c5: 1, k: 's', v: 3 } });
const tokens = { ES256: es.issue(claims), EdDSA: ed.issue(claims) };

type Mutation =
  | { op: 'replace'; at: number; ch: string }
  | { op: 'insert'; at: number; ch: string }
  | { op: 'delete'; at: number }
  | { op: 'flip'; at: number; mask: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constant('replace' as const),
    at: fc.nat(),
    ch: fc.constantFrom(...BASE45_ALPHABET, 'a', '#'),
  }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), ch: fc.constantFrom(...BASE45_ALPHABET) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  // byte-level: decode, flip bits in one byte of the COSE message, re-encode as valid Base45
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
);

function apply(token: string, m: Mutation): string {
  const i = m.at % token.length;
  switch (m.op) {
    case 'replace':
      return token.slice(0, i) + m.ch + token.slice(i + 1);
    case 'insert':
      return token.slice(0, i) + m.ch + token.slice(i);
    case 'delete':
      return token.slice(0, i) + token.slice(i + 1);
    case 'flip': {
      const bytes = base45Decode(token.slice(5));
      if (bytes === undefined || bytes.length === 0) return token;
      bytes[m.at % bytes.length]! ^= m.mask;
      return 'JKM1:' + base45Encode(bytes);
    }
  }
}

describe.each(Object.entries(tokens))('mutations of a valid %s token', (_, token) => {
  it('never verify as valid with different claims', async () => {
    expect((await verifier.verify(token, NOW)).valid).toBe(true);
    let rejected = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
        const mutated = ms.reduce(apply, token);
        fc.pre(mutated !== token);
        runs++;
        const r = await verifier.verify(mutated, NOW);
        if (r.valid) expect(r.claims).toEqual(claims);
        else rejected++;
      }),
      { numRuns: 1000 },
    );
    // Almost every mutation must be caught (a valid one can only re-spell the same message).
    expect(rejected).toBeGreaterThan(runs * 0.99);
  });

  it('payload-only bit flips are caught by the signature, not just by the parser', async () => {
    const bytes = base45Decode(token.slice(5))!;
    const parsed = parseJkm1(token);
    if (!parsed.ok) throw new Error(parsed.code);
    const start = Buffer.from(bytes).indexOf(Buffer.from(parsed.payload));
    const reasons = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(parsed.payload.length - 1),
        fc.integer({ min: 1, max: 255 }),
        async (at, mask) => {
          const copy = bytes.slice();
          copy[start + at]! ^= mask;
          const r = await verifier.verify('JKM1:' + base45Encode(copy), NOW);
          expect(r.valid).toBe(false);
          if (!r.valid) reasons.add(r.reason);
        },
      ),
      { numRuns: 300 },
    );
    expect(reasons).toContain('TOKEN_BAD_SIGNATURE');
  });
});
