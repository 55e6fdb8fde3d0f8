/**
 * Record ids (facts, persons) are PostgreSQL bigints carried as decimal strings. Ordering them as
 * strings is wrong ('9' > '10'), and as JS numbers loses precision past 2^53, so they compare here,
 * as numbers, by length and then digit by digit.
 */

/** Negative, zero or positive as id `a` is numerically below, equal to or above id `b`. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length || a.charCodeAt(0) === 48 || b.charCodeAt(0) === 48) {
    // Canonical ids have no leading zeros; tolerate them rather than misorder.
    const x = stripZeros(a);
    const y = stripZeros(b);
    if (x.length !== y.length) return x.length - y.length;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function stripZeros(s: string): string {
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i++;
  return i === 0 ? s : s.slice(i);
}
