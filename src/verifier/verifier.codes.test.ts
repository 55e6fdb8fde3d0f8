/**
 * What a code may vouch for (docs/DESIGN.md §4): colour fields that agree, lifetimes per kind, single
 * revoked codes from the trust list, and the maximum colour age of codes other than screen codes.
 */
import { createHash } from 'node:crypto';
import { encode } from 'cborg';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Colour5 } from '../domain/colour.ts';
import { toColour3 } from '../domain/colour.ts';
import type { CodeKind, HcClaims } from '../domain/token/claims.ts';
import { codeIdOf, MAX_CODE_LIFETIME_SECONDS } from '../domain/token/code-kinds.ts';
import { assembleSign1, buildProtected, sigStructure } from '../domain/token/cose-sign1.ts';
import { toJkm1Text } from '../domain/token/jkm1.ts';
import { createVerifier } from './index.ts';
import { claimsFactory, issuerFactory, NOW } from './verifier.fixtures.ts';

const es = issuerFactory(-7);
const DAY = 86_400;
const codeId = (cti: Uint8Array) => codeIdOf(new Uint8Array(createHash('sha256').update(cti).digest()));
const cti = (n: number) => Uint8Array.from({ length: 16 }, (_, i) => (n * 31 + i) & 0xff);
const paper = (o: Partial<HcClaims> = {}) =>
  es.issue({ exp: NOW + 30 * DAY, cti: cti(1), hc: { c: 0, c5: 0, k: 'p' }, ...o });

describe('colour fields', () => {
  it('rejects a correctly signed token whose c is not the three-colour value of c5', async () => {
    // encodePayload is not used here on purpose: this is a token our issuer would never write.
    const payload = encode(
      new Map<unknown, unknown>([
        [1, 'CN-52'],
        [2, 'q2Zr7HkQ0mYxVw3tBf9L'],
        [4, NOW + 60],
        [6, NOW],
        ['hc', { c: 0, c5: 3, k: 's' }], // green on the 3-colour scale, red on the 5-colour one
      ]),
    );
    const prot = buildProtected(-7, es.key.kid);
    const token = toJkm1Text(assembleSign1(prot, payload, es.signer.sign(sigStructure(prot, payload))));
    expect(await createVerifier(es.list).verify(token, NOW)).toMatchObject({
      valid: false,
      reason: 'TOKEN_COLOUR_MISMATCH',
      claims: { hc: { c: 0, c5: 3 } },
    });
  });

  it('accepts every consistent pair', async () => {
    const v = createVerifier(es.list);
    for (const c5 of [0, 1, 2, 3, 4] as Colour5[]) {
      const r = await v.verify(es.issue({ hc: { c: toColour3(c5), c5, k: 's' } }), NOW);
      expect(r).toMatchObject({ valid: true, colour5: c5 });
    }
  });
});

describe('lifetime per kind', () => {
  const v = createVerifier(es.list);

  it.each(['s', 'd'] as const)(
    'kind %s: one hour accepted, one second more or 100 years rejected',
    async (k) => {
      const hc = { c: 0 as const, c5: 0 as const, k };
      expect((await v.verify(es.issue({ exp: NOW + 3600, hc }), NOW)).valid).toBe(true);
      for (const exp of [NOW + 3601, NOW + 100 * 366 * DAY]) {
        expect(await v.verify(es.issue({ exp, hc }), NOW)).toMatchObject({
          valid: false,
          reason: 'TOKEN_LIFETIME_TOO_LONG',
        });
      }
    },
  );

  it.each(['p', 'o', 'v'] as const)('kind %s: 366 days accepted, more rejected', async (k) => {
    const hc = { c: 0 as const, c5: 0 as const, k };
    expect((await v.verify(es.issue({ exp: NOW + 366 * DAY, hc, cti: cti(2) }), NOW)).valid).toBe(true);
    expect(await v.verify(es.issue({ exp: NOW + 366 * DAY + 1, hc, cti: cti(2) }), NOW)).toMatchObject({
      reason: 'TOKEN_LIFETIME_TOO_LONG',
    });
  });
});

describe('revoked codes', () => {
  it('a code whose id the issuer lists is rejected (with its claims); others are not', async () => {
    const v = createVerifier({ ...es.list, revokedCodes: [codeId(cti(1))] });
    expect(await v.verify(paper(), NOW)).toMatchObject({
      valid: false,
      reason: 'TOKEN_REVOKED',
      claims: { hc: { k: 'p' } },
    });
    expect((await v.verify(paper({ cti: cti(3) }), NOW)).valid).toBe(true);
    expect((await v.verify(es.issue(), NOW)).valid).toBe(true); // no cti: nothing to match
  });

  it('another issuer cannot revoke this issuer’s codes', async () => {
    const gd = issuerFactory(-8, 'CN-44');
    const v = createVerifier([es.list, { ...gd.list, revokedCodes: [codeId(cti(1))] }]);
    expect((await v.verify(paper(), NOW)).valid).toBe(true);
    expect(
      await v.verify(gd.issue({ cti: cti(1), exp: NOW + DAY, hc: { c: 0, c5: 0, k: 'p' } }), NOW),
    ).toMatchObject({
      reason: 'TOKEN_REVOKED',
    });
  });

  it('unreadable entries are reported and skipped', () => {
    const v = createVerifier({
      ...es.list,
      revokedCodes: ['short', 42 as unknown as string, codeId(cti(1))],
    });
    expect(v.problems).toHaveLength(2);
  });
});

describe('maximum colour age', () => {
  it('a paper code vouches for its colour up to 24 h after iat by default, then is refused with its claims', async () => {
    const v = createVerifier(es.list);
    const token = paper({ hc: { c: 0, c5: 0, k: 'p' } });
    expect(await v.verify(token, NOW + DAY)).toMatchObject({
      valid: true,
      colourAsOf: NOW,
      colourAgeSeconds: DAY,
      maxColourAgeSeconds: DAY,
    });
    expect(await v.verify(token, NOW + DAY + 1)).toEqual({
      valid: false,
      reason: 'TOKEN_COLOUR_TOO_OLD',
      claims: claimsFactory({ exp: NOW + 30 * DAY, cti: cti(1), hc: { c: 0, c5: 0, k: 'p' } }),
      colourAgeSeconds: DAY + 1,
      maxColourAgeSeconds: DAY,
    });
  });

  it('the issuer’s trust list sets the maximum; several lists of one issuer: the smallest', async () => {
    const token = paper();
    const strict = createVerifier({ ...es.list, maxColourAgeSeconds: 3600 });
    expect((await strict.verify(token, NOW + 3600)).valid).toBe(true);
    expect(await strict.verify(token, NOW + 3601)).toMatchObject({ reason: 'TOKEN_COLOUR_TOO_OLD' });
    const lenient = createVerifier({ ...es.list, maxColourAgeSeconds: 2 * DAY });
    expect((await lenient.verify(token, NOW + 2 * DAY)).valid).toBe(true);
    const both = createVerifier([
      { ...es.list, maxColourAgeSeconds: 2 * DAY },
      { ...es.list, maxColourAgeSeconds: 3600 },
    ]);
    expect(await both.verify(token, NOW + 3601)).toMatchObject({ reason: 'TOKEN_COLOUR_TOO_OLD' });
  });

  it('an unreadable maximum is reported and the default applies', async () => {
    const v = createVerifier({ ...es.list, maxColourAgeSeconds: -5 });
    expect(v.problems.join()).toMatch(/maxColourAgeSeconds/);
    expect(await v.verify(paper(), NOW + DAY + 1)).toMatchObject({ reason: 'TOKEN_COLOUR_TOO_OLD' });
  });

  it('expiry and revocation are reported before the colour age', async () => {
    const v = createVerifier({ ...es.list, revokedCodes: [codeId(cti(1))] });
    expect(await v.verify(paper(), NOW + 2 * DAY)).toMatchObject({ reason: 'TOKEN_REVOKED' });
    expect(await v.verify(paper({ exp: NOW + 2 * DAY }), NOW + 3 * DAY)).toMatchObject({
      reason: 'TOKEN_EXPIRED',
    });
  });

  it('property: a code other than a screen code is valid only while its colour is within the maximum', async () => {
    const v = createVerifier({ ...es.list, maxColourAgeSeconds: 6 * 3600 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<CodeKind>('s', 'p', 'o', 'd', 'v'),
        fc.integer({ min: 0, max: 40 * DAY }),
        fc.integer({ min: -60, max: 3 * DAY }),
        async (k, lifetime, elapsed) => {
          const life = Math.min(lifetime, MAX_CODE_LIFETIME_SECONDS[k]);
          const token = es.issue({ exp: NOW + life, cti: cti(9), hc: { c: 0, c5: 0, k } });
          const r = await v.verify(token, NOW + elapsed);
          if (r.valid && k !== 's') expect(NOW + elapsed - r.colourAsOf).toBeLessThanOrEqual(6 * 3600);
          if (!r.valid && r.reason === 'TOKEN_COLOUR_TOO_OLD') expect(elapsed).toBeGreaterThan(6 * 3600);
          // Within its lifetime and the maximum age, nothing else can reject it.
          if (elapsed >= 0 && elapsed < life && elapsed <= 6 * 3600) expect(r.valid).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
