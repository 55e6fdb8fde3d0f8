// Great-circle distance used by the companion engine (docs/DESIGN.md §6). Every implementation that must
// agree "to the second" calls this one function, so boundary cases are decided identically.

/** Mean Earth radius in metres, as fixed by docs/DESIGN.md §6. */
export const EARTH_RADIUS_M = 6371008.8;

export const DEG_TO_RAD = Math.PI / 180;

/** Haversine distance in metres between two WGS84 points given in degrees. */
export function haversineMeters(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const p1 = lat1 * DEG_TO_RAD;
  const p2 = lat2 * DEG_TO_RAD;
  const s1 = Math.sin((p2 - p1) / 2);
  const s2 = Math.sin(((lon2 - lon1) * DEG_TO_RAD) / 2);
  const h = s1 * s1 + Math.cos(p1) * Math.cos(p2) * s2 * s2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}
