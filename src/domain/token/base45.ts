/**
 * Base45 (RFC 9285), strict. Written here rather than using the `base45` npm package because that
 * package needs Node's Buffer (so it does not run in a browser scanner) and its decoder silently
 * accepts invalid input: characters outside the alphabet, triples above 65535 and a lone trailing
 * character all decode to garbage instead of failing.
 */

export const BASE45_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

// char code → value, -1 when the character is not in the alphabet.
const DECODE_TABLE: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < BASE45_ALPHABET.length; i++) t[BASE45_ALPHABET.charCodeAt(i)] = i;
  return t;
})();

const ALPHABET_CODES = Uint8Array.from(BASE45_ALPHABET, (ch) => ch.charCodeAt(0));
const ascii = new TextDecoder();

/** Base45-encode bytes: every 2 bytes become 3 characters, a trailing byte becomes 2. */
export function base45Encode(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = new Uint8Array(Math.floor(n / 2) * 3 + (n % 2) * 2);
  const a = ALPHABET_CODES;
  let o = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    let x = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    const c = x % 45;
    x = (x - c) / 45;
    const d = x % 45;
    out[o++] = a[c] as number;
    out[o++] = a[d] as number;
    out[o++] = a[(x - d) / 45] as number;
  }
  if (i < n) {
    const x = bytes[i] as number;
    out[o++] = a[x % 45] as number;
    out[o++] = a[Math.floor(x / 45)] as number;
  }
  return ascii.decode(out);
}

/**
 * Decode Base45; returns undefined for any invalid input (a character outside the alphabet, a
 * length ≡ 1 mod 3, a 3-character group above 65535 or a 2-character group above 255), as
 * RFC 9285 section 4.2 requires.
 */
export function base45Decode(text: string): Uint8Array | undefined {
  const n = text.length;
  if (n % 3 === 1) return undefined;
  const out = new Uint8Array(Math.floor(n / 3) * 2 + (n % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < n; i += 3) {
    const c = valueAt(text, i);
    const d = valueAt(text, i + 1);
    if (c < 0 || d < 0) return undefined;
    if (i + 2 < n) {
      const e = valueAt(text, i + 2);
      if (e < 0) return undefined;
      const x = c + d * 45 + e * 2025;
      if (x > 0xffff) return undefined;
      out[o++] = x >> 8;
      out[o++] = x & 0xff;
    } else {
      const x = c + d * 45;
      if (x > 0xff) return undefined;
      out[o++] = x;
    }
  }
  return out;
}

function valueAt(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code < 128 ? (DECODE_TABLE[code] as number) : -1;
}
