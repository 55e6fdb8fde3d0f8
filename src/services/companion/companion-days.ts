/**
 * Companion days: the province's calendar days (China Standard Time, UTC+8, no daylight saving),
 * the unit of a companion run (docs/COMPANIONS.md "Platform runs"). Pure.
 */

export const DAY_MS = 86_400_000;
const CST_MS = 8 * 3_600_000;

/** The day (`YYYY-MM-DD`, UTC+8) holding the moment `ms`. */
export function dayOf(ms: number): string {
  return new Date(ms + CST_MS).toISOString().slice(0, 10);
}

/** The first moment (epoch ms) of a day. */
export function dayStart(day: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)))
    throw new RangeError(`not a day: ${day} (expected YYYY-MM-DD)`);
  const t = Date.parse(`${day}T00:00:00Z`) - CST_MS;
  if (dayOf(t) !== day) throw new RangeError(`not a day: ${day}`);
  return t;
}

/** The day `n` days after `day` (n may be negative). */
export function addDays(day: string, n: number): string {
  return dayOf(dayStart(day) + n * DAY_MS);
}

/** Days from `first` to `last`, both included, in order. */
export function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) out.push(d);
  return out;
}

/**
 * The days whose daily run is due at `now`: day D is due from `hour` o'clock (UTC+8) of D + 1.
 * Returns the latest due day and the `catchUp` − 1 days before it, oldest first.
 */
export function dueDays(now: number, hour: number, catchUp: number): string[] {
  const today = dayOf(now);
  const latest = now >= dayStart(today) + hour * 3_600_000 ? addDays(today, -1) : addDays(today, -2);
  return daysBetween(addDays(latest, 1 - Math.max(1, catchUp)), latest);
}
