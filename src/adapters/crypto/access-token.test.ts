import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AccessTokens } from './access-token.ts';

const NOW = 1_800_000_000;
const tokens = new AccessTokens(crypto.randomBytes(32));
const resident = { kind: 'resident', personId: 42 } as const;

/** Standard base64 (RFC 4648 §4) spelling of base64url text, with padding. */
function standardBase64(url: string): string {
  return Buffer.from(url, 'base64url').toString('base64');
}

describe('access tokens', () => {
  it('round trip: a resident and a staff member', () => {
    const t = tokens.issue(resident, 3600, NOW);
    expect(tokens.verify(t, NOW)).toEqual(resident);
    const staff = { kind: 'staff', staffId: 7, role: 'officer', regionPrefix: '5201' } as const;
    expect(new AccessTokens(Buffer.alloc(32, 1)).verify(tokens.issue(staff, 60, NOW), NOW)).toBeUndefined();
    expect(tokens.verify(tokens.issue(staff, 60, NOW), NOW)).toEqual(staff);
  });

  it('carries the session id', () => {
    const withSid = {
      kind: 'staff',
      staffId: 7,
      role: 'admin',
      regionPrefix: '',
      sessionId: 'AbCdEfGhIjKlMnOpQrStUv',
    } as const;
    expect(tokens.verify(tokens.issue(withSid, 60, NOW), NOW)).toEqual(withSid);
    const r = { ...resident, sessionId: 'AbCdEfGhIjKlMnOpQrStUv' };
    expect(tokens.verify(tokens.issue(r, 60, NOW), NOW)).toEqual(r);
  });

  it('refuses an expired token and a token under another key', () => {
    const t = tokens.issue(resident, 60, NOW);
    expect(tokens.verify(t, NOW + 60)).toBeUndefined();
    expect(new AccessTokens(crypto.randomBytes(32)).verify(t, NOW)).toBeUndefined();
  });

  // Exactly one spelling of a token is accepted: its canonical base64url text.
  it.each([
    ['a trailing "=" after the MAC', (t: string) => t + '='],
    ['"==" after the MAC', (t: string) => t + '=='],
    ['the MAC in the standard base64 alphabet', (t: string) => respellMac(t, standardBase64)],
    ['the MAC with non-zero trailing bits', (t: string) => respellMac(t, flipLastBits)],
    ['a space inside the MAC', (t: string) => respellMac(t, (m) => m.slice(0, 5) + ' ' + m.slice(5))],
    ['a line break at the end', (t: string) => t + '\n'],
  ])('refuses %s', (_, respell) => {
    // A fresh instance each time: nothing remembered from an earlier check.
    const key = crypto.randomBytes(32);
    const fresh = new AccessTokens(key);
    for (let id = 1; id <= 64; id++) {
      const t = fresh.issue({ kind: 'resident', personId: id }, 3600, NOW);
      const variant = respell(t);
      if (variant === t) continue;
      expect(new AccessTokens(key).verify(variant, NOW)).toBeUndefined();
    }
  });
});

function respellMac(token: string, f: (mac: string) => string): string {
  const dot = token.lastIndexOf('.');
  return token.slice(0, dot + 1) + f(token.slice(dot + 1));
}

/** The MAC is 16 bytes = 22 base64url characters; the last one carries 4 unused bits. */
function flipLastBits(mac: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const i = alphabet.indexOf(mac.at(-1)!);
  return mac.slice(0, -1) + alphabet[i ^ 1]!;
}
