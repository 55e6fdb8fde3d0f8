/**
 * Risk-area geometry (风险区几何): polygons from GeoJSON, point + radius circles, and the one
 * accuracy-aware test every matcher uses. Pure: plain numbers and typed arrays, no I/O.
 *
 * The match rule (docs/PLACES.md §Matching): a position P with accuracy r matches an area A when
 * the closed disc of radius r around P intersects A, i.e. P is inside A (ray casting, holes
 * excluded) or the distance from P to A's boundary is at most r. Boundaries are inclusive, so a
 * point exactly on an edge matches even with r = 0. Distances to polygon edges use a local
 * equirectangular projection around P (error far below GPS error at the ≤ 1 km ranges used);
 * circles use the haversine distance.
 */

/** metres per degree of latitude on the sphere of radius 6 371 008.8 m (same as docs/DESIGN.md §6) */
export const M_PER_DEG = 111_195.08;
const R = 6_371_008.8;
const RAD = Math.PI / 180;

/** A ring as flat [lon0, lat0, lon1, lat1, …], closed (last point equals the first). */
export type Ring = Float64Array;
/** One polygon: the outer ring first, then holes. */
export type PolygonRings = Ring[];

export type AreaGeometry =
  | { kind: 'polygons'; polygons: PolygonRings[] }
  | { kind: 'circle'; lat: number; lon: number; radiusM: number };

/** [minLon, minLat, maxLon, maxLat] */
export type BBox = [number, number, number, number];

/** Even-odd ray casting; true strictly inside (edges are handled by the distance test). */
export function pointInRing(lon: number, lat: number, ring: Ring): boolean {
  let inside = false;
  const n = ring.length >> 1;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = ring[2 * i] as number;
    const yi = ring[2 * i + 1] as number;
    const xj = ring[2 * j] as number;
    const yj = ring[2 * j + 1] as number;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside the outer ring and outside every hole. */
export function pointInPolygon(lon: number, lat: number, rings: PolygonRings): boolean {
  const outer = rings[0];
  if (!outer || !pointInRing(lon, lat, outer)) return false;
  for (let h = 1; h < rings.length; h++) if (pointInRing(lon, lat, rings[h] as Ring)) return false;
  return true;
}

/**
 * Smallest distance in metres from (lat, lon) to any edge of the polygons, stopping early once an
 * edge within `stopBelowM` is found (the caller only needs to know "≤ r").
 */
export function distanceToEdgesM(lat: number, lon: number, polygons: PolygonRings[], stopBelowM = 0): number {
  const kx = Math.cos(lat * RAD) * M_PER_DEG;
  const ky = M_PER_DEG;
  const stop2 = stopBelowM * stopBelowM;
  let best = Infinity;
  for (const rings of polygons) {
    for (const ring of rings) {
      const n = ring.length >> 1;
      let ax = ((ring[0] as number) - lon) * kx;
      let ay = ((ring[1] as number) - lat) * ky;
      for (let i = 1; i < n; i++) {
        const bx = ((ring[2 * i] as number) - lon) * kx;
        const by = ((ring[2 * i + 1] as number) - lat) * ky;
        const d2 = segmentDistance2(ax, ay, bx, by);
        if (d2 < best) {
          best = d2;
          if (best <= stop2) return Math.sqrt(best);
        }
        ax = bx;
        ay = by;
      }
    }
  }
  return Math.sqrt(best);
}

/** Squared distance from the origin to segment AB in the plane. */
function segmentDistance2(ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
  if (t < 0) t = 0;
  else if (t > 1) t = 1;
  const px = ax + t * dx;
  const py = ay + t * dy;
  return px * px + py * py;
}

/** Great-circle distance in metres. */
export function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** The match rule: does the disc of radius r (metres) around (lat, lon) intersect the geometry? */
export function discIntersects(g: AreaGeometry, lat: number, lon: number, r: number): boolean {
  return g.kind === 'circle'
    ? circleReaches(g.lat, g.lon, g.radiusM, lat, lon, r)
    : polygonsReach(g.polygons, lat, lon, r);
}

/** Disc rule for a circle area: haversine distance between centres ≤ radius + r. */
export function circleReaches(
  cLat: number,
  cLon: number,
  radiusM: number,
  lat: number,
  lon: number,
  r: number,
  cosLat = Math.cos(cLat * RAD),
): boolean {
  // A planar estimate (cos of the centre's latitude, passed in precomputed on the hot path)
  // settles all but the borderline cases (within 1 %); those get the haversine.
  const dy = (lat - cLat) * M_PER_DEG;
  const dx = (lon - cLon) * M_PER_DEG * cosLat;
  const d2 = dx * dx + dy * dy;
  const reach = radiusM + r;
  if (d2 > reach * reach * 1.0201 + 1) return false;
  if (d2 < reach * reach * 0.9801 - 1 && reach > 1) return true;
  return haversineM(lat, lon, cLat, cLon) <= reach;
}

/** Disc rule for polygons: inside one, or an edge within r. */
export function polygonsReach(polygons: PolygonRings[], lat: number, lon: number, r: number): boolean {
  for (let i = 0; i < polygons.length; i++)
    if (pointInPolygon(lon, lat, polygons[i] as PolygonRings)) return true;
  return distanceToEdgesM(lat, lon, polygons, r) <= r;
}

/** Bounding box of a geometry in degrees. */
export function bboxOf(g: AreaGeometry): BBox {
  if (g.kind === 'circle') {
    const { dLat, dLon } = degreesAround(g.lat, g.radiusM);
    return [g.lon - dLon, g.lat - dLat, g.lon + dLon, g.lat + dLat];
  }
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const rings of g.polygons) {
    const outer = rings[0] as Ring;
    for (let i = 0; i < outer.length; i += 2) {
      const x = outer[i] as number;
      const y = outer[i + 1] as number;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return [minX, minY, maxX, maxY];
}

/** Degrees of latitude and longitude that are at least `m` metres around latitude `lat` (slightly generous). */
export function degreesAround(lat: number, m: number): { dLat: number; dLon: number } {
  const dLat = (m / M_PER_DEG) * 1.001;
  const cos = Math.max(Math.cos(Math.min(89, Math.abs(lat) + dLat) * RAD), 1e-6);
  return { dLat, dLon: dLat / cos };
}

/** A circle as a GeoJSON ring of n+1 [lon, lat] positions (for maps; matching uses the true circle). */
export function circleRing(lat: number, lon: number, radiusM: number, n = 32): number[][] {
  const out: number[][] = [];
  for (let i = 0; i <= n; i++) {
    const a = ((i % n) / n) * 2 * Math.PI;
    const dy = (radiusM * Math.cos(a)) / M_PER_DEG;
    const dx = (radiusM * Math.sin(a)) / (M_PER_DEG * Math.cos(lat * RAD));
    out.push([round7(lon + dx), round7(lat + dy)]);
  }
  return out;
}

function round7(x: number): number {
  return Math.round(x * 1e7) / 1e7;
}

export type GeoJsonPolygonal =
  { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };

export const MAX_VERTICES = 20_000;

/** Sign of the turn a → b → c: 1 left, -1 right, 0 collinear. */
function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

/** Whether c lies on segment a–b, given the three are collinear. */
function onSegment(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): boolean {
  return Math.min(ax, bx) <= cx && cx <= Math.max(ax, bx) && Math.min(ay, by) <= cy && cy <= Math.max(ay, by);
}

/**
 * Whether a closed ring (flat [x0, y0, …, x0, y0]) crosses or touches itself: two edges that are not
 * neighbours meet. Edges are swept in order of their smallest x, so only edges whose x-ranges
 * overlap are compared: near-linear for the shapes officers draw, quadratic only for pathological
 * ones (and rings are capped at MAX_VERTICES). Written here rather than taken from a library: it is
 * twenty lines over the ring format this module already uses.
 */
export function ringSelfIntersects(pts: ArrayLike<number>): boolean {
  const m = pts.length / 2 - 1; // edges
  if (m < 4) return false; // a triangle cannot cross itself
  const order = Array.from({ length: m }, (_, i) => i);
  const minX = (i: number) => Math.min(pts[2 * i] as number, pts[2 * i + 2] as number);
  const maxX = (i: number) => Math.max(pts[2 * i] as number, pts[2 * i + 2] as number);
  order.sort((a, b) => minX(a) - minX(b));
  for (let a = 0; a < m; a++) {
    const i = order[a] as number;
    const iMax = maxX(i);
    for (let b = a + 1; b < m; b++) {
      const j = order[b] as number;
      if (minX(j) > iMax) break;
      const d = Math.abs(i - j);
      if (d === 1 || d === m - 1) continue; // neighbours share a vertex
      const [ax, ay, bx, by] = [pts[2 * i], pts[2 * i + 1], pts[2 * i + 2], pts[2 * i + 3]] as number[];
      const [cx, cy, dx, dy] = [pts[2 * j], pts[2 * j + 1], pts[2 * j + 2], pts[2 * j + 3]] as number[];
      const o1 = orient(ax!, ay!, bx!, by!, cx!, cy!);
      const o2 = orient(ax!, ay!, bx!, by!, dx!, dy!);
      const o3 = orient(cx!, cy!, dx!, dy!, ax!, ay!);
      const o4 = orient(cx!, cy!, dx!, dy!, bx!, by!);
      if (o1 !== o2 && o3 !== o4) return true;
      if (o1 === 0 && onSegment(ax!, ay!, bx!, by!, cx!, cy!)) return true;
      if (o2 === 0 && onSegment(ax!, ay!, bx!, by!, dx!, dy!)) return true;
      if (o3 === 0 && onSegment(cx!, cy!, dx!, dy!, ax!, ay!)) return true;
      if (o4 === 0 && onSegment(cx!, cy!, dx!, dy!, bx!, by!)) return true;
    }
  }
  return false;
}

/**
 * Validates a GeoJSON Polygon or MultiPolygon (RFC 7946, [lon, lat]) into rings. Unclosed rings
 * are closed; fewer than 3 distinct positions, bad numbers, too many vertices or a ring that crosses
 * itself are refused.
 */
export function parsePolygonal(
  g: unknown,
): { ok: true; geometry: AreaGeometry } | { ok: false; reason: string } {
  if (typeof g !== 'object' || g === null) return { ok: false, reason: 'geometry must be a GeoJSON object' };
  const { type, coordinates } = g as { type?: unknown; coordinates?: unknown };
  let polys: unknown[];
  if (type === 'Polygon') polys = [coordinates];
  else if (type === 'MultiPolygon' && Array.isArray(coordinates)) polys = coordinates;
  else return { ok: false, reason: 'geometry.type must be Polygon or MultiPolygon' };
  if (polys.length === 0) return { ok: false, reason: 'no polygons' };
  let vertices = 0;
  const polygons: PolygonRings[] = [];
  for (const p of polys) {
    if (!Array.isArray(p) || p.length === 0)
      return { ok: false, reason: 'a polygon needs at least its outer ring' };
    const rings: PolygonRings = [];
    for (const ring of p as unknown[]) {
      if (!Array.isArray(ring)) return { ok: false, reason: 'a ring must be an array of positions' };
      const pts: number[] = [];
      for (const pos of ring as unknown[]) {
        if (!Array.isArray(pos) || pos.length < 2) return { ok: false, reason: 'a position is [lon, lat]' };
        const [x, y] = pos as unknown[];
        if (
          typeof x !== 'number' ||
          typeof y !== 'number' ||
          !Number.isFinite(x) ||
          !Number.isFinite(y) ||
          Math.abs(x) > 180 ||
          Math.abs(y) > 90
        ) {
          return { ok: false, reason: 'positions must be finite [lon, lat] in range' };
        }
        pts.push(x, y);
      }
      if (pts.length >= 2 && (pts[0] !== pts[pts.length - 2] || pts[1] !== pts[pts.length - 1]))
        pts.push(pts[0] as number, pts[1] as number);
      if (pts.length < 8) return { ok: false, reason: 'a ring needs at least 3 distinct positions' };
      vertices += pts.length / 2;
      if (vertices > MAX_VERTICES) return { ok: false, reason: `at most ${MAX_VERTICES} vertices` };
      if (ringSelfIntersects(pts)) return { ok: false, reason: 'a ring must not cross or touch itself' };
      rings.push(Float64Array.from(pts));
    }
    polygons.push(rings);
  }
  return { ok: true, geometry: { kind: 'polygons', polygons } };
}

/** Rings back to GeoJSON (Polygon when there is one polygon). */
export function toGeoJson(g: AreaGeometry): GeoJsonPolygonal {
  const polys =
    g.kind === 'circle'
      ? [[circleRing(g.lat, g.lon, g.radiusM)]]
      : g.polygons.map((rings) => rings.map(ringToPositions));
  return polys.length === 1
    ? { type: 'Polygon', coordinates: polys[0] as number[][][] }
    : { type: 'MultiPolygon', coordinates: polys };
}

function ringToPositions(r: Ring): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < r.length; i += 2) out.push([r[i] as number, r[i + 1] as number]);
  return out;
}
