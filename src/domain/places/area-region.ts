/**
 * Does a drawn risk area lie inside an officer's region? (docs/SECURITY.md §Risk-area geometry.)
 * The division data (data/gb2260-divisions.json) has names and codes but no boundaries, so every
 * sampled point of the shape (each vertex of every outer ring; a circle's centre and its four
 * extreme points) is placed with the reverse lookup that exists, the nearest prefecture centre of
 * city-centroids.ts: a point belongs to the officer's region when the nearest centre inside the
 * region is no more than `toleranceKm` farther than the nearest centre outside it, and at most
 * `maxKm` away. A region without a listed centre can't be checked and is refused (fail closed).
 * Pure: no I/O.
 */
import { degreesAround, haversineM, type AreaGeometry } from '../../geo/areas/area-geometry.ts';
import { CITY_CENTROIDS } from './city-centroids.ts';

export interface AreaRegionOptions {
  /** slack at a border between neighbouring centres (the lookup is coarse) */
  toleranceKm: number;
  /** a point farther than this from every centre of the region is outside it */
  maxKm: number;
}

export const AREA_REGION_DEFAULTS: AreaRegionOptions = { toleranceKm: 25, maxKm: 200 };

export type AreaRegionCheck =
  | { ok: true }
  | { ok: false; reason: 'outside'; lat: number; lon: number; nearest: string }
  | { ok: false; reason: 'unverifiable' };

/** The points of a shape the check places. */
export function samplePoints(g: AreaGeometry): Array<{ lat: number; lon: number }> {
  if (g.kind === 'circle') {
    const { dLat, dLon } = degreesAround(g.lat, g.radiusM);
    return [
      { lat: g.lat, lon: g.lon },
      { lat: g.lat + dLat, lon: g.lon },
      { lat: g.lat - dLat, lon: g.lon },
      { lat: g.lat, lon: g.lon + dLon },
      { lat: g.lat, lon: g.lon - dLon },
    ];
  }
  const out: Array<{ lat: number; lon: number }> = [];
  for (const rings of g.polygons) {
    const outer = rings[0];
    if (!outer) continue;
    for (let i = 0; i < outer.length; i += 2)
      out.push({ lon: outer[i] as number, lat: outer[i + 1] as number });
  }
  return out;
}

/**
 * Checks every sampled point of `g` against the region `regionPrefix` (2 to 6 digits; '' is the
 * whole platform and always passes). Regions are compared at prefecture level at most: the lookup
 * knows no finer unit.
 */
export function checkAreaInRegion(
  g: AreaGeometry,
  regionPrefix: string,
  opts: AreaRegionOptions = AREA_REGION_DEFAULTS,
): AreaRegionCheck {
  if (regionPrefix === '') return { ok: true };
  const prefix = regionPrefix.slice(0, 4);
  const inside = CITY_CENTROIDS.filter(([code]) => code.startsWith(prefix));
  if (inside.length === 0) return { ok: false, reason: 'unverifiable' };
  const outside = CITY_CENTROIDS.filter(([code]) => !code.startsWith(prefix));
  for (const { lat, lon } of samplePoints(g)) {
    const [inM] = nearest(inside, lat, lon);
    const [outM, outCode] = nearest(outside, lat, lon);
    if (inM > opts.maxKm * 1000 || inM > outM + opts.toleranceKm * 1000)
      return { ok: false, reason: 'outside', lat, lon, nearest: outCode };
  }
  return { ok: true };
}

function nearest(
  list: ReadonlyArray<readonly [string, number, number]>,
  lat: number,
  lon: number,
): [number, string] {
  let best = Infinity;
  let code = '';
  for (const [c, clat, clon] of list) {
    const d = haversineM(lat, lon, clat, clon);
    if (d < best) {
      best = d;
      code = c;
    }
  }
  return [best, code];
}
