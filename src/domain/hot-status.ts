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

export function encodeHotStatus(h: HotStatus): string {
  return JSON.stringify([
    h.sub,
    h.colour5,
    h.vaccineDoses,
    h.lastNegativeTestDay ?? -1,
    h.maskedName,
    h.reasons,
    h.nextReviewAt,
    // The version last, as [highest fact id, fact count, computed at (ms), policy number]: the Redis
    // cache's compare-and-set script reads element 8 (adapters/cache/redis-status-cache.ts).
    [h.version.factVersion, h.version.factCount, h.version.computedAt, h.version.policySeq],
  ]);
}

export function decodeHotStatus(s: string): HotStatus | undefined {
  try {
    const a = JSON.parse(s) as unknown;
    // 7 elements: written before statuses had versions (any versioned write replaces it)
    if (!Array.isArray(a) || (a.length !== 7 && a.length !== 8)) return undefined;
    const [sub, c5, v, t, name, reasons, nr, ver] = a as [
      string,
      number,
      number,
      number,
      string,
      HotStatus['reasons'],
      number,
      [number, number, number, number?] | undefined,
    ];
    if (typeof sub !== 'string' || !isColour5(c5)) return undefined;
    return {
      sub,
      colour5: c5,
      vaccineDoses: v,
      lastNegativeTestDay: t < 0 ? null : t,
      maskedName: name,
      reasons,
      nextReviewAt: nr,
      version: Array.isArray(ver)
        ? { factVersion: ver[0], factCount: ver[1], policySeq: ver[3] ?? 0, computedAt: ver[2] }
        : { ...NO_VERSION },
    };
  } catch {
    return undefined;
  }
}
