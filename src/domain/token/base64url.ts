/** Base64url without padding (RFC 4648 section 5), with no dependency on Node's Buffer. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

/** Encode bytes as base64url, no padding. */
export function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const x = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[x >> 18]! + ALPHABET[(x >> 12) & 63]! + ALPHABET[(x >> 6) & 63]! + ALPHABET[x & 63]!;
  }
  const rest = n - i;
  if (rest === 1) {
    const x = (bytes[i] as number) << 16;
    out += ALPHABET[x >> 18]! + ALPHABET[(x >> 12) & 63]!;
  } else if (rest === 2) {
    const x = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET[x >> 18]! + ALPHABET[(x >> 12) & 63]! + ALPHABET[(x >> 6) & 63]!;
  }
  return out;
}

/**
 * Decode base64url; trailing '=' padding is tolerated. Returns undefined for characters outside
 * the alphabet, an impossible length, or non-zero trailing bits (so each byte string has exactly
 * one accepted spelling).
 */
export function base64urlDecode(text: string): Uint8Array | undefined {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  if (text.length - end > 2 || (text.length !== end && text.length % 4 !== 0)) return undefined;
  if (end % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? (DECODE[code] as number) : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}
