/** Masked displays of personal data (docs/DESIGN.md §11): 张*三, 5201**********1234, 138****5678. */

export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return chars.join('') + '*';
  if (chars.length === 2) return `${chars[0]}*`;
  // Latin names: keep first and last letters of the whole string.
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

export function maskDocument(number: string): string {
  if (number.length <= 8)
    return number.slice(0, 2) + '*'.repeat(Math.max(0, number.length - 4)) + number.slice(-2);
  return number.slice(0, 4) + '*'.repeat(number.length - 8) + number.slice(-4);
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
