import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64urlDecode, base64urlEncode } from './base64url.ts';
import { MIN_SUBJECT_RANDOM_BYTES, newCodeSubject } from './subject.ts';

describe('base64url', () => {
  it('matches Node Buffer base64url on random bytes and round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const s = base64urlEncode(bytes);
        expect(s).toBe(Buffer.from(bytes).toString('base64url'));
        expect(base64urlDecode(s)).toEqual(bytes);
      }),
    );
  });

  it('accepts correct padding', () => {
    expect(base64urlDecode('QQ==')).toEqual(Uint8Array.of(0x41));
    expect(base64urlDecode('QUI=')).toEqual(Uint8Array.of(0x41, 0x42));
  });

  it.each(['Q', 'QQ=', 'QQ===', 'Q+==', 'QQ/A', 'QR', 'a b', 'QQ=A'])('rejects %j', (s) => {
    expect(base64urlDecode(s)).toBeUndefined();
  });
});

describe('newCodeSubject', () => {
  it('base64url-encodes at least 80 random bits', () => {
    const bytes = Uint8Array.from({ length: 10 }, (_, i) => i * 25);
    const sub = newCodeSubject(bytes);
    expect(sub).toBe(Buffer.from(bytes).toString('base64url'));
    expect(sub).toMatch(/^[A-Za-z0-9_-]{14}$/);
  });

  it('refuses fewer than 10 bytes', () => {
    expect(() => newCodeSubject(new Uint8Array(MIN_SUBJECT_RANDOM_BYTES - 1))).toThrow(RangeError);
  });

  it('is injective on its input', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 10, maxLength: 32 }),
        fc.uint8Array({ minLength: 10, maxLength: 32 }),
        (a, b) => {
          fc.pre(Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0);
          expect(newCodeSubject(a)).not.toBe(newCodeSubject(b));
        },
      ),
    );
  });
});
