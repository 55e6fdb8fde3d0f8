/** Masked displays of personal data (docs/DESIGN.md §11): 张*三, 5****************4, 138****5678. */

export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return chars.join('') + '*';
  if (chars.length === 2) return `${chars[0]}*`;
  // Latin names: keep first and last letters of the whole string.
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/**
 * A document number's display mask: the first and the last character only. More would help rebuild
 * a resident ID from the plain columns stored beside the mask (county, birth year, sex): see
 * docs/SECURITY.md §Personal data at rest.
 */
export function maskDocument(number: string): string {
  if (number.length <= 2) return '*'.repeat(number.length);
  return number.slice(0, 1) + '*'.repeat(number.length - 2) + number.slice(-1);
}

export function maskPhone(phone: string): string {
  if (phone.length < 7) return '*'.repeat(phone.length);
  return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}

/** Mainland mobile numbers, optionally with +86. Returns the 11-digit form or undefined. */
export function normalisePhone(raw: string): string | undefined {
  const p = raw.replace(/[\s-]/g, '').replace(/^\+?86/, '');
  return /^1[3-9]\d{9}$/.test(p) ? p : undefined;
}
