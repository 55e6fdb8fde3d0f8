/**
 * Bearer access tokens: `v1.<payload>.<mac>`, payload base64url JSON, mac HMAC-SHA-256 truncated
 * to 16 bytes. Stateless so code display needs no database round trip to authenticate.
 */
import crypto from 'node:crypto';

import type { Principal } from '../../domain/principal.ts';
import type { AccessTokenCodec } from '../../ports/access-token.port.ts';

export type { DeviceRole, Principal } from '../../domain/principal.ts';

/** `sid`: the session the token was issued for (sessions are checked by SessionService). */
type TokenPayload =
  | { t: 'r'; id: number; exp: number; sid?: string }
  | { t: 's'; id: number; role: 'officer' | 'admin'; rp: string; exp: number; sid?: string };

const SID = /^[A-Za-z0-9_-]{16,64}$/;

/** Verified tokens remembered (token text → principal): code display checks the same bearer every refresh. */
const VERIFIED_MAX = 50_000;

export class AccessTokens implements AccessTokenCodec {
  private readonly verified = new Map<string, { principal: Principal; exp: number }>();

  constructor(private readonly key: Buffer) {}

  issue(
    p: Extract<Principal, { kind: 'resident' | 'staff' }>,
    ttlSeconds: number,
    nowSeconds: number,
  ): string {
    const exp = nowSeconds + ttlSeconds;
    const sid = p.sessionId !== undefined ? { sid: p.sessionId } : {};
    const payload: TokenPayload =
      p.kind === 'resident'
        ? { t: 'r', id: p.personId, exp, ...sid }
        : { t: 's', id: p.staffId, role: p.role, rp: p.regionPrefix, exp, ...sid };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `v1.${body}.${this.mac(body)}`;
  }

  /**
   * The principal, or undefined when the token is malformed, forged or expired. Only tokens whose
   * MAC checked are remembered, and each only until its own expiry.
   */
  verify(token: string, nowSeconds: number): Principal | undefined {
    const known = this.verified.get(token);
    if (known !== undefined) {
      if (known.exp > nowSeconds) return known.principal;
      this.verified.delete(token);
      return undefined;
    }
    const checked = this.check(token, nowSeconds);
    if (checked === undefined) return undefined;
    if (this.verified.size >= VERIFIED_MAX) this.verified.clear();
    this.verified.set(token, checked);
    return checked.principal;
  }

  private check(token: string, nowSeconds: number): { principal: Principal; exp: number } | undefined {
    const dot2 = token.lastIndexOf('.');
    if (!token.startsWith('v1.') || dot2 <= 3) return undefined;
    const body = token.slice(3, dot2);
    // The MAC is compared as text, not as decoded bytes: Node's base64url decoder also takes '='
    // padding, the standard alphabet and stray characters, which would give one token many
    // accepted spellings. Only the canonical base64url text the issuer wrote is accepted.
    const mac = Buffer.from(token.slice(dot2 + 1), 'latin1');
    const expected = Buffer.from(this.mac(body), 'latin1');
    if (mac.length !== expected.length || !crypto.timingSafeEqual(mac, expected)) return undefined;
    let p: TokenPayload;
    try {
      p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
    } catch {
      return undefined;
    }
    if (typeof p.exp !== 'number' || p.exp <= nowSeconds || typeof p.id !== 'number') return undefined;
    if (p.sid !== undefined && (typeof p.sid !== 'string' || !SID.test(p.sid))) return undefined;
    const sid = p.sid !== undefined ? { sessionId: p.sid } : {};
    if (p.t === 'r')
      return { principal: Object.freeze({ kind: 'resident', personId: p.id, ...sid }), exp: p.exp };
    if (p.t === 's' && (p.role === 'officer' || p.role === 'admin')) {
      return {
        principal: Object.freeze({
          kind: 'staff',
          staffId: p.id,
          role: p.role,
          regionPrefix: String(p.rp ?? ''),
          ...sid,
        }),
        exp: p.exp,
      };
    }
    return undefined;
  }

  private mac(body: string): string {
    return crypto.createHmac('sha256', this.key).update(body).digest().subarray(0, 16).toString('base64url');
  }
}
