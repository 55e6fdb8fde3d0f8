/**
 * Stays (停留): a person's pings condensed into (place, from, to). Consecutive pings within
 * `radiusM` of the stay's running centre belong to one stay; a stay counts when it lasts at least
 * `minMs`. A gap longer than `maxGapMs` between pings ends a stay (the phone was off or away).
 * Pure: the itinerary card and risk-area matching read the result from the `stays` table.
 */
import { haversineMeters as haversineMetres } from '../../geo/haversine.ts';

export interface StayPing {
  ts: number;
  lat: number;
  lon: number;
  accuracyM?: number | null;
}

export interface Stay {
  startedAt: number;
  endedAt: number;
  lat: number;
  lon: number;
  /** spread of the pings around the centre (max distance, metres), at least the best ping accuracy */
  accuracyM: number;
  pings: number;
}

export interface StayOptions {
  radiusM?: number;
  minMs?: number;
  maxGapMs?: number;
}

/** Condenses one person's pings (any order) into stays, in time order. */
export function condenseStays(pings: readonly StayPing[], o: StayOptions = {}): Stay[] {
  const radius = o.radiusM ?? 500;
  const minMs = o.minMs ?? 15 * 60_000;
  const maxGap = o.maxGapMs ?? 2 * 3600_000;
  const sorted = [...pings].sort((a, b) => a.ts - b.ts);
  const out: Stay[] = [];
  let cur:
    | { start: number; end: number; sumLat: number; sumLon: number; n: number; members: StayPing[] }
    | undefined;
  const close = () => {
    if (cur && cur.end - cur.start >= minMs) {
      const lat = cur.sumLat / cur.n;
      const lon = cur.sumLon / cur.n;
      let spread = 0;
      let best = Infinity;
      for (const p of cur.members) {
        spread = Math.max(spread, haversineMetres(lat, lon, p.lat, p.lon));
        if (p.accuracyM !== undefined && p.accuracyM !== null && p.accuracyM < best) best = p.accuracyM;
      }
      out.push({
        startedAt: cur.start,
        endedAt: cur.end,
        lat,
        lon,
        accuracyM: Math.round(Math.max(spread, best === Infinity ? 0 : best)),
        pings: cur.n,
      });
    }
    cur = undefined;
  };
  for (const p of sorted) {
    if (cur) {
      const d = haversineMetres(cur.sumLat / cur.n, cur.sumLon / cur.n, p.lat, p.lon);
      if (d <= radius && p.ts - cur.end <= maxGap) {
        cur.end = p.ts;
        cur.sumLat += p.lat;
        cur.sumLon += p.lon;
        cur.n++;
        cur.members.push(p);
        continue;
      }
      close();
    }
    cur = { start: p.ts, end: p.ts, sumLat: p.lat, sumLon: p.lon, n: 1, members: [p] };
  }
  close();
  return out;
}
