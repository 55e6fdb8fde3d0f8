/**
 * The hot status: what code display needs about one person, small enough to keep every resident's
 * in the cache (target ≤ 100 bytes each). Encoded as a compact JSON array.
 */
import { isColour5, type Colour5 } from './colour.ts';
import type { Status } from './status.ts';

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
  };
}

export function encodeHotStatus(h: HotStatus): string {
  return JSON.stringify([
    h.sub,
    h.colour5,
    h.vaccineDoses,
    h.lastNegativeTestDay ?? -1,
    h.maskedName,
    h.reasons,
    h.nextReviewAt,
  ]);
}

export function decodeHotStatus(s: string): HotStatus | undefined {
  try {
    const a = JSON.parse(s) as unknown;
    if (!Array.isArray(a) || a.length !== 7) return undefined;
    const [sub, c5, v, t, name, reasons, nr] = a as [
      string,
      number,
      number,
      number,
      string,
      HotStatus['reasons'],
      number,
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
    };
  } catch {
    return undefined;
  }
}
