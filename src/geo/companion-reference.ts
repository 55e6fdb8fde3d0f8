// Naive reference of docs/DESIGN.md §6, written for obviousness, not speed: every person interval against
// every case interval. Used by the property tests (and small cross-checks) to pin the engine down.
import { defaultGridOrigin, gridCell } from './companion-grid.ts';
import { haversineMeters } from './haversine.ts';
import type { CompanionPair, CompanionParams } from './companion-types.ts';

export interface Ping {
  person: number;
  ts: number;
  lat: number;
  lon: number;
}

interface Interval {
  a: number;
  b: number;
  lat: number;
  lon: number;
}

function intervalsOf(pings: Ping[], gap: number): Interval[] {
  const s = [...pings].sort((x, y) => x.ts - y.ts || x.lat - y.lat || x.lon - y.lon);
  const out: Interval[] = [];
  s.forEach((p, i) => {
    const next = s[i + 1];
    const b = next === undefined ? p.ts + gap : Math.min(next.ts, p.ts + gap);
    if (b > p.ts) out.push({ a: p.ts, b, lat: p.lat, lon: p.lon });
  });
  return out;
}

/** Companion pairs by brute force, sorted by (person, caseId). */
export function referenceCompanions(
  pings: Ping[],
  cases: number[],
  params: CompanionParams,
): CompanionPair[] {
  const gap = params.gapS ?? 1800;
  const radius = params.radiusM ?? 800;
  const cell = params.cellM ?? 800;
  const min = params.minSeconds ?? 600;
  const origin =
    params.gridOrigin ??
    defaultGridOrigin(
      pings.map((p) => p.lat),
      pings.map((p) => p.lon),
    );
  const byPerson = new Map<number, Ping[]>();
  for (const p of pings) byPerson.set(p.person, [...(byPerson.get(p.person) ?? []), p]);
  const intervals = new Map<number, Interval[]>();
  for (const [person, list] of byPerson) intervals.set(person, intervalsOf(list, gap));
  const key = (iv: Interval): string => {
    const c = gridCell(iv.lat, iv.lon, origin, cell);
    return `${c.row},${c.col}`;
  };
  let residentOk: (person: number, cellKey: string) => boolean = () => true;
  if (params.residence) {
    const r = params.residence === true ? {} : params.residence;
    const asOf = r.asOf ?? Math.max(0, ...pings.map((p) => p.ts)) + gap;
    const w0 = asOf - (r.windowS ?? 14 * 86400);
    const need = r.minSeconds ?? 30 * 3600;
    residentOk = (person, cellKey) => {
      let total = 0;
      for (const iv of intervals.get(person) ?? []) {
        if (key(iv) !== cellKey) continue;
        total += Math.max(0, Math.min(iv.b, asOf) - Math.max(iv.a, w0));
      }
      return total > need;
    };
  }
  const out: CompanionPair[] = [];
  for (const c of new Set(cases)) {
    for (const [person, mine] of intervals) {
      if (person === c) continue;
      let seconds = 0;
      let firstTs = Infinity;
      let lastTs = -Infinity;
      for (const iv of mine) {
        for (const cv of intervals.get(c) ?? []) {
          const s = Math.max(iv.a, cv.a);
          const e = Math.min(iv.b, cv.b);
          if (e <= s) continue;
          if (params.mode === 'radius') {
            if (haversineMeters(iv.lat, iv.lon, cv.lat, cv.lon) > radius) continue;
          } else {
            if (key(iv) !== key(cv)) continue;
            if (!residentOk(person, key(iv)) && !residentOk(c, key(cv))) continue;
          }
          seconds += e - s;
          firstTs = Math.min(firstTs, s);
          lastTs = Math.max(lastTs, e);
        }
      }
      if (seconds > 0 && seconds >= min) out.push({ person, caseId: c, seconds, firstTs, lastTs });
    }
  }
  return out.sort((x, y) => x.person - y.person || x.caseId - y.caseId);
}
