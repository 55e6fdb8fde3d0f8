/**
 * The companion rule (docs/DESIGN.md §6, radius mode) on the positions a resident sent with code
 * display (亮码即定位) against a case's recent positions (docs/PLACES.md §Code-display companions).
 * A code position at t covers [t, min(t_next, t + G)) like a ping; a case position is a stay: it
 * covers [start, end), or [start, start + G) when it is a single moment. Each pair of intervals
 * whose positions are within the radius (haversine, inclusive) adds its overlap; the resident is a
 * companion of the case when the sum reaches the threshold (inclusive). Pure: epoch milliseconds in,
 * numbers out.
 */
import { haversineM } from './areas/area-geometry.ts';

export interface TimedPosition {
  /** epoch ms */
  start: number;
  /** epoch ms; equal to start for a single moment */
  end: number;
  lat: number;
  lon: number;
}

export interface CompanionRule {
  radiusM: number;
  thresholdSeconds: number;
  presenceGapSeconds: number;
}

export interface CodeCompanionMatch {
  /** co-located seconds */
  seconds: number;
  /** epoch ms: the first and the last co-located moment */
  first: number;
  last: number;
}

/** Presence intervals of code-display positions: each covers [t, min(next t, t + G)). */
export function codePresence(points: readonly TimedPosition[], gapMs: number): TimedPosition[] {
  const sorted = [...points].sort((a, b) => a.start - b.start || a.lat - b.lat || a.lon - b.lon);
  return sorted
    .map((p, i) => {
      const next = sorted[i + 1]?.start ?? Infinity;
      return { start: p.start, end: Math.min(next, p.start + gapMs), lat: p.lat, lon: p.lon };
    })
    .filter((p) => p.end > p.start);
}

/** Co-location of a resident's code positions with one case's positions, or undefined under the threshold. */
export function codeCompanion(
  code: readonly TimedPosition[],
  casePositions: readonly TimedPosition[],
  rule: CompanionRule,
): CodeCompanionMatch | undefined {
  const gapMs = rule.presenceGapSeconds * 1000;
  const mine = codePresence(code, gapMs);
  const theirs = casePositions.map((c) => (c.end > c.start ? c : { ...c, end: c.start + gapMs }));
  let ms = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const a of mine)
    for (const b of theirs) {
      const from = Math.max(a.start, b.start);
      const to = Math.min(a.end, b.end);
      if (to <= from || haversineM(a.lat, a.lon, b.lat, b.lon) > rule.radiusM) continue;
      ms += to - from;
      first = Math.min(first, from);
      last = Math.max(last, to);
    }
  const seconds = Math.floor(ms / 1000);
  return seconds >= rule.thresholdSeconds && seconds > 0 ? { seconds, first, last } : undefined;
}
