// The companion grid of docs/DESIGN.md §6 (时空伴随网格). The formula is evaluated exactly as written there
// (a division by the step, never a multiplication by its inverse) so that every implementation
// puts a point on a cell border into the same cell.

/** Metres per degree of latitude used by the grid formula. */
export const METRES_PER_DEGREE = 111195;

export interface GridOrigin {
  lat: number;
  lon: number;
}

/** Steps in degrees of one cell of size `cellM` metres for a grid anchored at `origin`. */
export interface GridSteps {
  latStep: number;
  lonStep: number;
}

/** Cell size in degrees: s / 111 195 for rows and s / (111 195 · cos(lat₀·π/180)) for columns. */
export function gridSteps(origin: GridOrigin, cellM: number): GridSteps {
  return {
    latStep: cellM / METRES_PER_DEGREE,
    lonStep: cellM / (METRES_PER_DEGREE * Math.cos((origin.lat * Math.PI) / 180)),
  };
}

/** Row of a latitude: ⌊(lat − lat₀) / step⌋. */
export function gridRow(lat: number, lat0: number, latStep: number): number {
  return Math.floor((lat - lat0) / latStep);
}

/** Column of a longitude: ⌊(lon − lon₀) / step⌋. */
export function gridCol(lon: number, lon0: number, lonStep: number): number {
  return Math.floor((lon - lon0) / lonStep);
}

/** Cell (row, col) of a point, docs/DESIGN.md §6. */
export function gridCell(
  lat: number,
  lon: number,
  origin: GridOrigin,
  cellM: number,
): { row: number; col: number } {
  const s = gridSteps(origin, cellM);
  return { row: gridRow(lat, origin.lat, s.latStep), col: gridCol(lon, origin.lon, s.lonStep) };
}

/** Default grid origin: the minimum latitude and the minimum longitude over all pings. */
export function defaultGridOrigin(lat: ArrayLike<number>, lon: ArrayLike<number>): GridOrigin {
  let minLat = Infinity;
  let minLon = Infinity;
  for (let i = 0; i < lat.length; i++) {
    const a = lat[i]!;
    const o = lon[i]!;
    if (a < minLat) minLat = a;
    if (o < minLon) minLon = o;
  }
  if (minLat === Infinity) return { lat: 0, lon: 0 };
  return { lat: minLat, lon: minLon };
}
