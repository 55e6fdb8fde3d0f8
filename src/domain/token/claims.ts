/**
 * The JKM1 payload: a CBOR map of CWT claims (RFC 8392) plus the "hc" health-code map
 * (docs/DESIGN.md §4). Pure: no clock, no I/O.
 */
import { decode } from 'cborg';
import { isColour3, isColour5, type Colour3, type Colour5 } from '../colour.ts';

/** Code kind: screen, paper, offline, dependent (代办), vehicle. */
export type CodeKind = 's' | 'p' | 'o' | 'd' | 'v';
export const CODE_KINDS: readonly CodeKind[] = ['s', 'p', 'o', 'd', 'v'];

export interface HcClaims {
  /** Issuer region, e.g. "CN-52". */
  iss: string;
  /** Pseudonymous code id (≥ 80 random bits), never an ID number or a name. */
  sub: string;
  /** Expiry, integer seconds since the epoch. */
  exp: number;
  /** Issued at, integer seconds since the epoch. */
  iat: number;
  /** Token id. */
  cti?: Uint8Array;
  hc: {
    c: Colour3;
    c5: Colour5;
    k: CodeKind;
    /** Vaccine doses. */
    v?: number;
    /** Day of the last negative test, days since 1970-01-01. */
    t?: number;
  };
}

/** CWT claim keys (RFC 8392 section 9.1). */
export const CLAIM = { iss: 1, sub: 2, exp: 4, iat: 6, cti: 7, hc: 'hc' } as const;

export const CLAIM_LIMITS = {
  issMaxLength: 64,
  subMaxLength: 128,
  ctiMaxBytes: 64,
  maxDoses: 255,
  /** 9999-12-31 in days since 1970-01-01. */
  maxDay: 2_932_896,
} as const;

/** Strict cborg options used for every decode of token bytes. */
export const STRICT_CBOR = {
  strict: true,
  useMaps: true,
  rejectDuplicateMapKeys: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: false,
} as const;

/** Why claims are invalid, or undefined when they are fine. */
export function checkClaims(c: HcClaims): string | undefined {
  if (!isText(c.iss, CLAIM_LIMITS.issMaxLength)) return 'iss';
  if (!isText(c.sub, CLAIM_LIMITS.subMaxLength)) return 'sub';
  if (!isTime(c.exp)) return 'exp';
  if (!isTime(c.iat)) return 'iat';
  if (c.cti !== undefined && !(c.cti instanceof Uint8Array && c.cti.length <= CLAIM_LIMITS.ctiMaxBytes)) {
    return 'cti';
  }
  const hc = c.hc as HcClaims['hc'] | undefined;
  if (typeof hc !== 'object' || hc === null) return 'hc';
  if (!isColour3(hc.c)) return 'hc.c';
  if (!isColour5(hc.c5)) return 'hc.c5';
  if (!CODE_KINDS.includes(hc.k)) return 'hc.k';
  if (hc.v !== undefined && !isUint(hc.v, CLAIM_LIMITS.maxDoses)) return 'hc.v';
  if (hc.t !== undefined && !isUint(hc.t, CLAIM_LIMITS.maxDay)) return 'hc.t';
  return undefined;
}

/**
 * Encode claims as the deterministic CBOR payload. Throws TypeError on invalid claims (a bug).
 * Written by hand because it runs on every code display; keys are in RFC 8949 core deterministic
 * order (1, 2, 4, 6, 7, "hc"; inside hc "c", "k", "t", "v", "c5"), which is also what cborg's
 * default encoder produces; the tests compare the two.
 */
export function encodePayload(claims: HcClaims): Uint8Array {
  const bad = checkClaims(claims);
  if (bad !== undefined) throw new TypeError(`invalid health-code claim: ${bad}`);
  const { hc } = claims;
  const w = new Writer();
  w.head(5, claims.cti === undefined ? 5 : 6);
  w.byte(CLAIM.iss);
  w.text(claims.iss);
  w.byte(CLAIM.sub);
  w.text(claims.sub);
  w.byte(CLAIM.exp);
  w.head(0, claims.exp);
  w.byte(CLAIM.iat);
  w.head(0, claims.iat);
  if (claims.cti !== undefined) {
    w.byte(CLAIM.cti);
    w.head(2, claims.cti.length);
    w.bytes(claims.cti);
  }
  w.text(CLAIM.hc);
  w.head(5, 3 + (hc.t === undefined ? 0 : 1) + (hc.v === undefined ? 0 : 1));
  w.text('c');
  w.head(0, hc.c);
  w.text('k');
  w.text(hc.k);
  if (hc.t !== undefined) {
    w.text('t');
    w.head(0, hc.t);
  }
  if (hc.v !== undefined) {
    w.text('v');
    w.head(0, hc.v);
  }
  w.text('c5');
  w.head(0, hc.c5);
  return w.done();
}

const utf8 = new TextEncoder();

/** A minimal CBOR writer for the payload; checkClaims bounds the size, so 1 KiB always fits. */
class Writer {
  // One scratch buffer reused across calls (encoding is synchronous); done() returns a copy.
  private static readonly scratch = new Uint8Array(1024);
  private readonly buf = Writer.scratch;
  private pos = 0;

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  /** Major type and argument, shortest form. */
  head(major: number, n: number): void {
    const m = major << 5;
    if (n < 24) return this.byte(m | n);
    if (n < 0x100) {
      this.byte(m | 24);
    } else if (n < 0x10000) {
      this.byte(m | 25);
      this.byte(n >>> 8);
    } else {
      if (n < 0x100000000) {
        this.byte(m | 26);
      } else {
        this.byte(m | 27);
        this.uint32(Math.floor(n / 0x100000000));
      }
      return this.uint32(n >>> 0);
    }
    this.byte(n & 0xff);
  }

  private uint32(n: number): void {
    this.byte(n >>> 24);
    this.byte((n >>> 16) & 0xff);
    this.byte((n >>> 8) & 0xff);
    this.byte(n & 0xff);
  }

  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  text(s: string): void {
    let ascii = true;
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) ascii = false;
    if (!ascii) {
      const b = utf8.encode(s);
      this.head(3, b.length);
      this.bytes(b);
      return;
    }
    this.head(3, s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/**
 * Decode and type-check a payload. Returns undefined for anything that is not a well-formed
 * claims map. Claims this version does not know are ignored (CWT practice), so a later token
 * version can add claims without breaking deployed scanners; known claims must have their types.
 */
export function decodeClaims(payload: Uint8Array): HcClaims | undefined {
  let m: unknown;
  try {
    m = decode(payload, STRICT_CBOR);
  } catch {
    return undefined;
  }
  if (!(m instanceof Map)) return undefined;
  const hcMap: unknown = m.get(CLAIM.hc);
  if (!(hcMap instanceof Map)) return undefined;
  const claims: HcClaims = {
    iss: m.get(CLAIM.iss),
    sub: m.get(CLAIM.sub),
    exp: m.get(CLAIM.exp),
    iat: m.get(CLAIM.iat),
    hc: { c: hcMap.get('c'), c5: hcMap.get('c5'), k: hcMap.get('k') },
  };
  if (m.has(CLAIM.cti)) claims.cti = m.get(CLAIM.cti);
  if (hcMap.has('v')) claims.hc.v = hcMap.get('v');
  if (hcMap.has('t')) claims.hc.t = hcMap.get('t');
  return checkClaims(claims) === undefined ? claims : undefined;
}

function isText(s: unknown, max: number): s is string {
  return typeof s === 'string' && s.length > 0 && s.length <= max;
}

function isTime(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function isUint(n: unknown, max: number): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max;
}
