/**
 * The hot status: what code display needs about one person, small enough to keep every resident's
 * in the cache (target ≤ 100 bytes each). Encoded as a compact JSON array.
 */
import { isColour5, type Colour5 } from './colour.ts';
import type { Status, StatusVersion } from './status.ts';

export interface HotStatus {
  /** pseudonymous code subject (QR `sub`) */
  sub: string;
  colour5: Colour5;
  vaccineDoses: number;
  lastNegativeTestDay: number | null;
  maskedName: string;
  /** [rule id, since (s), until (s) or 0, key-population list names if any] */
  reasons: Array<[string, number, number] | [string, number, number, string[]]>;
  /** seconds; 0 = none */
  nextReviewAt: number;
  /** the status's version: caches keep the newest (compare-and-set, docs/DESIGN.md §3) */
  version: StatusVersion;
}

export function hotStatusOf(status: Status, sub: string, maskedName: string): HotStatus {
  return {
    sub,
    colour5: status.colour5,
    vaccineDoses: status.vaccineDoses,
    lastNegativeTestDay: status.lastNegativeTestDay,
    maskedName,
    reasons: status.reasons.map((r) => {
      const t: [string, number, number] = [
        r.rule,
        Math.floor(r.since / 1000),
        r.until === null ? 0 : Math.floor(r.until / 1000),
      ];
      return r.lists?.length ? [...t, r.lists] : t;
    }),
    nextReviewAt: status.nextReviewAt === null ? 0 : Math.floor(status.nextReviewAt / 1000),
    version: {
      factVersion: status.factVersion,
      factCount: status.factCount,
      policySeq: status.policySeq,
      computedAt: status.computedAt,
    },
  };
}

/** A version older than any computed status: what an entry written before versions existed has. */
const NO_VERSION: StatusVersion = Object.freeze({
  factVersion: 0,
  factCount: 0,
  policySeq: 0,
  computedAt: 0,
});

/**
 * The version as one short string, its four numbers in base 36 joined by dots in compare order:
 * "highest fact id.fact count.policy number.computed at (ms)", e.g. "ntc75.3.2.mwm0nk75" (18
 * characters instead of the 27 of a decimal array). Short enough that a typical green resident's
 * whole entry stays within Redis's 64-byte listpack value limit (bench/results/status-memory.md).
 * The parts are exact (integers, no rounding), so versions compare exactly as before.
 */
export function encodeStatusVersion(v: StatusVersion): string {
  return [v.factVersion, v.factCount, v.policySeq, v.computedAt].map(base36).join('.');
}

/** The version of encodeStatusVersion's string; undefined if it is not one. */
export function decodeStatusVersion(s: string): StatusVersion | undefined {
  // at most 10 digits a part (MAX_VERSION_PART), as the Redis script reads them
  const m = /^([0-9a-z]{1,10})\.([0-9a-z]{1,10})\.([0-9a-z]{1,10})\.([0-9a-z]{1,10})$/.exec(s);
  if (m === null) return undefined;
  const [factVersion, factCount, policySeq, computedAt] = m.slice(1).map((p) => parseInt(p, 36)) as [
    number,
    number,
    number,
    number,
  ];
  return { factVersion, factCount, policySeq, computedAt };
}

/** The largest version part: 10 base-36 digits (36^10 - 1 < 2^53, so exact in JS and in Redis's Lua). */
export const MAX_VERSION_PART = 36 ** 10 - 1;

function base36(n: number): string {
  // A fraction, a negative or a longer number would not survive the dotted form or the Lua reading.
  if (!Number.isInteger(n) || n < 0 || n > MAX_VERSION_PART)
    throw new RangeError(`status version part ${n} is not a whole number from 0 to 36^10 - 1`);
  return n.toString(36);
}

/**
 * [sub, colour5, doses, last negative test day (-1: none), masked name, version, reasons,
 * next review (s)], the last two left out while they are [] and 0 (most residents: green). The
 * version is 6th, a string (encodeStatusVersion): the Redis cache's compare-and-set script reads it
 * there (adapters/cache/redis-status-cache.ts).
 */
export function encodeHotStatus(h: HotStatus): string {
  const a: unknown[] = [
    h.sub,
    h.colour5,
    h.vaccineDoses,
    h.lastNegativeTestDay ?? -1,
    h.maskedName,
    encodeStatusVersion(h.version),
  ];
  if (h.reasons.length > 0 || h.nextReviewAt !== 0) a.push(h.reasons);
  if (h.nextReviewAt !== 0) a.push(h.nextReviewAt);
  return JSON.stringify(a);
}

/**
 * Reads the current form and the two earlier ones still found in a running Redis: 8 elements with
 * the version last as [highest fact id, fact count, computed at (ms), policy number?] (read with
 * its version, so compare-and-set keeps working across the upgrade), and 7 elements from before
 * statuses had versions (the oldest version: any versioned write replaces it).
 */
export function decodeHotStatus(s: string): HotStatus | undefined {
  try {
    const a = JSON.parse(s) as unknown;
    if (!Array.isArray(a) || a.length < 6 || a.length > 8) return undefined;
    const [sub, c5, v, t, name] = a as [unknown, unknown, number, number, string];
    if (typeof sub !== 'string' || !isColour5(c5)) return undefined;
    let reasons: HotStatus['reasons'];
    let nextReviewAt: number;
    let version: StatusVersion | undefined;
    if (typeof a[5] === 'string') {
      version = decodeStatusVersion(a[5]);
      reasons = (a[6] ?? []) as HotStatus['reasons'];
      nextReviewAt = (a[7] ?? 0) as number;
    } else {
      if (a.length < 7) return undefined;
      reasons = a[5] as HotStatus['reasons'];
      nextReviewAt = a[6] as number;
      const old = a[7] as [number, number, number, number?] | undefined;
      version = Array.isArray(old)
        ? { factVersion: old[0], factCount: old[1], policySeq: old[3] ?? 0, computedAt: old[2] }
        : { ...NO_VERSION };
    }
    if (version === undefined || !Array.isArray(reasons)) return undefined;
    return {
      sub,
      colour5: c5,
      vaccineDoses: v,
      lastNegativeTestDay: t < 0 ? null : t,
      maskedName: name,
      reasons,
      nextReviewAt,
      version,
    };
  } catch {
    return undefined;
  }
}
