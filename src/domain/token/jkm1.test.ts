import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base45Decode, base45Encode } from './base45.ts';
import type { HcClaims } from './claims.ts';
import { assembleSign1, buildProtected, sigStructure } from './cose-sign1.ts';
import { issueToken, MAX_TOKEN_TEXT_LENGTH, parseJkm1, toJkm1Text, type TokenSigner } from './jkm1.ts';

const claims: HcClaims = {
  iss: 'CN-52',
  sub: 'AAECAwQFBgcICQ',
  iat: 1000,
  exp: 1060,
  hc: { c: 2, c5: 4, k: 'p', t: 20_000 },
};

/** A deterministic stand-in signer: the "signature" is SHA-512 of the signed bytes. */
function fakeSigner(alg: -7 | -8 = -7): TokenSigner & { seen: Uint8Array[] } {
  const seen: Uint8Array[] = [];
  return {
    alg,
    kid: Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2),
    seen,
    sign(data) {
      seen.push(data);
      return new Uint8Array(createHash('sha512').update(data).digest());
    },
  };
}

describe('issueToken / parseJkm1', () => {
  it('issues "JKM1:" + Base45 of a COSE_Sign1 whose signature covers the Sig_structure', () => {
    const signer = fakeSigner(-8);
    const text = issueToken(signer, claims);
    expect(text.startsWith('JKM1:')).toBe(true);
    const parsed = parseJkm1(text);
    if (!parsed.ok) throw new Error(parsed.code);
    expect(parsed.claims).toEqual(claims);
    expect(parsed.alg).toBe(-8);
    expect(parsed.kid).toEqual(signer.kid);
    expect(parsed.protectedBytes).toEqual(buildProtected(-8, signer.kid));
    expect(signer.seen[0]).toEqual(sigStructure(parsed.protectedBytes, parsed.payload));
    expect(toJkm1Text(assembleSign1(parsed.protectedBytes, parsed.payload, parsed.signature))).toBe(text);
  });

  it('gives equal texts for equal claims (deterministic encoding, cached layout)', () => {
    const signer = fakeSigner();
    expect(issueToken(signer, claims)).toBe(issueToken(signer, claims));
  });

  it('refuses a signer that returns a DER signature', () => {
    const signer: TokenSigner = { alg: -7, kid: new Uint8Array(8), sign: () => new Uint8Array(71) };
    expect(() => issueToken(signer, claims)).toThrow(/expected 64/);
  });

  const good = issueToken(fakeSigner(), claims);
  const body = good.slice(5);

  it.each<[string, string, string]>([
    ['lower-case prefix', 'jkm1:' + body, 'TOKEN_BAD_PREFIX'],
    ['other prefix', 'HC1:' + body, 'TOKEN_BAD_PREFIX'],
    ['no prefix', body, 'TOKEN_BAD_PREFIX'],
    ['leading space', ' ' + good, 'TOKEN_BAD_PREFIX'],
    ['empty', '', 'TOKEN_BAD_PREFIX'],
    ['prefix only', 'JKM1:', 'TOKEN_MALFORMED'],
    ['truncated by one character', good.slice(0, -1), 'TOKEN_MALFORMED'],
    ['truncated by a whole Base45 group', good.slice(0, -3), 'TOKEN_MALFORMED'],
    ['a character outside Base45', good.slice(0, 20) + 'a' + good.slice(21), 'TOKEN_MALFORMED'],
    ['trailing newline', good + '\n', 'TOKEN_MALFORMED'],
    ['too long', 'JKM1:' + '0'.repeat(MAX_TOKEN_TEXT_LENGTH), 'TOKEN_MALFORMED'],
    ['malformed CBOR', 'JKM1:' + base45Encode(Uint8Array.of(0xd2, 0x84, 0xff, 0x00)), 'TOKEN_MALFORMED'],
    ['not tag 18', 'JKM1:' + base45Encode(base45Decode(body)!.subarray(1)), 'TOKEN_MALFORMED'],
  ])('%s → %s', (_, text, code) => {
    expect(parseJkm1(text)).toEqual({ ok: false, code });
  });

  it('rejects a well-formed COSE_Sign1 whose payload is not claims', () => {
    const prot = buildProtected(-7, new Uint8Array(8));
    const text = toJkm1Text(assembleSign1(prot, Uint8Array.of(0x80), new Uint8Array(64)));
    expect(parseJkm1(text)).toEqual({ ok: false, code: 'TOKEN_MALFORMED' });
  });

  it('tolerates non-string input from untyped callers', () => {
    expect(parseJkm1(undefined as unknown as string)).toEqual({ ok: false, code: 'TOKEN_BAD_PREFIX' });
  });
});
