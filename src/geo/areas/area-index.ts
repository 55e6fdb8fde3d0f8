/**
 * The risk-area index (风险区索引): candidates from a spatial index, then the exact accuracy-aware
 * test (area-geometry.ts), plus an admin-code table for areas drawn as administrative divisions
 * without a boundary. Built once per set of areas and shared.
 *
 * Candidates: each area's bounding box, grown by the accuracy cap, is cut into cells of
 * CELL_DEG (≈ 220 m) held in a hash grid, so a query is one map lookup and a short list (a
 * flatbush R-tree walk measured ~0.6 M queries/s over 10 000 areas, under the 1 M stays/s
 * target). Areas covering more than MAX_CELLS cells (districts, counties) go into a flatbush
 * R-tree instead, searched only when such areas exist. A position whose disc reaches an area lies
 * in the area's grown box, hence in one of its cells, so no match is missed.
 */
import Flatbush from 'flatbush';
import {
  M_PER_DEG,
  bboxOf,
  circleReaches,
  degreesAround,
  discIntersects,
  polygonsReach,
  type AreaGeometry,
  type PolygonRings,
} from './area-geometry.ts';

const RAD = Math.PI / 180;

export type AreaLevel = 'low' | 'medium' | 'high';

export interface IndexedArea {
  id: number;
  level: AreaLevel;
  /** active over [startsAt, liftedAt) in epoch ms; liftedAt Infinity while not lifted */
  startsAt: number;
  liftedAt: number;
  /** null: an admin-code area without boundary data, matched by code only */
  geometry: AreaGeometry | null;
  /** GB/T 2260 county (6), street (9) or community (12) code */
  adminCode: string | null;
}

export interface AreaIndexOptions {
  /**
   * Largest accuracy radius honoured, metres. A coarse position (a cell tower 2 km away) would
   * otherwise "touch" every shop in town; beyond this the position counts as accurate to this.
   */
  maxAccuracyM?: number;
}

export const DEFAULT_MAX_ACCURACY_M = 100;
/** grid cell size in degrees (≈ 220 m of latitude) */
export const CELL_DEG = 0.002;
/** areas spanning more cells than this go to the R-tree */
export const MAX_CELLS = 1024;

function cellKey(row: number, col: number): number {
  // rows and cols of ±90°/±180° at 0.002° fit in 2^18; the key stays a small integer.
  return (row + 131072) * 262144 + (col + 131072);
}

/** Stay interval [start, end] touches the active window [startsAt, liftedAt). */
export function activeDuring(a: IndexedArea, start: number, end: number): boolean {
  return start < a.liftedAt && end >= a.startsAt;
}

export class AreaIndex {
  readonly maxAccuracyM: number;
  /** cell key → positions in `areas` */
  private readonly grid = new Map<number, Int32Array>();
  private readonly tree: Flatbush | null;
  /** tree item → position in `areas` */
  private readonly treeToArea: Int32Array;
  private readonly byCode = new Map<string, number[]>();
  /** exact bounding boxes per area position (cheap reject before the exact test) */
  private readonly bx0: Float64Array;
  private readonly by0: Float64Array;
  private readonly bx1: Float64Array;
  private readonly by1: Float64Array;
  /** active window and shape per area position, flat so the hot loop reads typed arrays */
  private readonly starts: Float64Array;
  private readonly lifts: Float64Array;
  private readonly isCircle: Uint8Array;
  private readonly cLat: Float64Array;
  private readonly cLon: Float64Array;
  private readonly cR: Float64Array;
  private readonly cCos: Float64Array;
  private readonly polys: Array<PolygonRings[] | null>;
  // Current query, read by the tree filter (one bound function, no closure per query).
  private qLat = 0;
  private qLon = 0;
  private qR = 0;
  private qStart = 0;
  private qEnd = 0;
  private readonly filter: (i: number) => boolean;

  constructor(
    readonly areas: readonly IndexedArea[],
    opts: AreaIndexOptions = {},
  ) {
    this.maxAccuracyM = opts.maxAccuracyM ?? DEFAULT_MAX_ACCURACY_M;
    const large: number[] = [];
    const cells = new Map<number, number[]>();
    this.bx0 = new Float64Array(areas.length);
    this.by0 = new Float64Array(areas.length);
    this.bx1 = new Float64Array(areas.length);
    this.by1 = new Float64Array(areas.length);
    this.starts = Float64Array.from(areas, (a) => a.startsAt);
    this.lifts = Float64Array.from(areas, (a) => a.liftedAt);
    this.isCircle = Uint8Array.from(areas, (a) => (a.geometry?.kind === 'circle' ? 1 : 0));
    this.cLat = Float64Array.from(areas, (a) => (a.geometry?.kind === 'circle' ? a.geometry.lat : 0));
    this.cLon = Float64Array.from(areas, (a) => (a.geometry?.kind === 'circle' ? a.geometry.lon : 0));
    this.cR = Float64Array.from(areas, (a) => (a.geometry?.kind === 'circle' ? a.geometry.radiusM : 0));
    this.cCos = Float64Array.from(this.cLat, (x) => Math.cos(x * RAD));
    this.polys = areas.map((a) => (a.geometry?.kind === 'polygons' ? a.geometry.polygons : null));
    areas.forEach((a, i) => {
      if (a.geometry) [this.bx0[i], this.by0[i], this.bx1[i], this.by1[i]] = bboxOf(a.geometry);
      if (!a.geometry) {
        if (a.adminCode) {
          let list = this.byCode.get(a.adminCode);
          if (!list) this.byCode.set(a.adminCode, (list = []));
          list.push(i);
        }
        return;
      }
      const [x0, y0, x1, y1] = this.grownBox(a.geometry);
      const r0 = Math.floor(y0 / CELL_DEG);
      const r1 = Math.floor(y1 / CELL_DEG);
      const c0 = Math.floor(x0 / CELL_DEG);
      const c1 = Math.floor(x1 / CELL_DEG);
      if ((r1 - r0 + 1) * (c1 - c0 + 1) > MAX_CELLS) {
        large.push(i);
        return;
      }
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) {
          const k = cellKey(r, c);
          let list = cells.get(k);
          if (!list) cells.set(k, (list = []));
          list.push(i);
        }
      }
    });
    for (const [k, list] of cells) this.grid.set(k, Int32Array.from(list));
    this.treeToArea = Int32Array.from(large);
    if (large.length > 0) {
      const tree = new Flatbush(large.length);
      for (const i of large) {
        const [x0, y0, x1, y1] = bboxOf((areas[i] as IndexedArea).geometry as AreaGeometry);
        tree.add(x0, y0, x1, y1);
      }
      tree.finish();
      this.tree = tree;
    } else this.tree = null;
    this.filter = (t: number) => {
      const a = this.areas[this.treeToArea[t] as number] as IndexedArea;
      return (
        activeDuring(a, this.qStart, this.qEnd) &&
        discIntersects(a.geometry as AreaGeometry, this.qLat, this.qLon, this.qR)
      );
    };
  }

  get size(): number {
    return this.areas.length;
  }

  /** Effective radius for a reported accuracy: null/negative → 0, capped at maxAccuracyM. */
  radiusFor(accuracyM: number | null | undefined): number {
    if (accuracyM === null || accuracyM === undefined || !(accuracyM > 0)) return 0;
    return accuracyM < this.maxAccuracyM ? accuracyM : this.maxAccuracyM;
  }

  /**
   * Areas (positions in `areas`) that a position with this accuracy matches while present over
   * [start, end]; appended to `out`, returns how many were added.
   */
  matchPosition(
    lat: number,
    lon: number,
    accuracyM: number | null | undefined,
    start: number,
    end: number,
    out: number[],
  ): number {
    const r = this.radiusFor(accuracyM);
    let n = 0;
    const list = this.grid.get(cellKey(Math.floor(lat / CELL_DEG), Math.floor(lon / CELL_DEG)));
    if (list !== undefined) {
      // Inline degreesAround (no object per query on the hot path).
      const dLat = (r / M_PER_DEG) * 1.001;
      const dLon = dLat / Math.max(Math.cos(Math.min(89, Math.abs(lat) + dLat) * RAD), 1e-6);
      for (let j = 0; j < list.length; j++) {
        const i = list[j] as number;
        // Cheap rejects first: outside the box grown by r, or not active then.
        if (lat < (this.by0[i] as number) - dLat || lat > (this.by1[i] as number) + dLat) continue;
        if (lon < (this.bx0[i] as number) - dLon || lon > (this.bx1[i] as number) + dLon) continue;
        if (!(start < (this.lifts[i] as number) && end >= (this.starts[i] as number))) continue;
        const hit =
          this.isCircle[i] === 1
            ? circleReaches(
                this.cLat[i] as number,
                this.cLon[i] as number,
                this.cR[i] as number,
                lat,
                lon,
                r,
                this.cCos[i] as number,
              )
            : polygonsReach(this.polys[i] as PolygonRings[], lat, lon, r);
        if (hit) {
          out.push(i);
          n++;
        }
      }
    }
    if (this.tree) {
      const { dLat, dLon } = degreesAround(lat, r);
      this.qLat = lat;
      this.qLon = lon;
      this.qR = r;
      this.qStart = start;
      this.qEnd = end;
      const hits = this.tree.search(lon - dLon, lat - dLat, lon + dLon, lat + dLat, this.filter);
      for (const t of hits) out.push(this.treeToArea[t] as number);
      n += hits.length;
    }
    return n;
  }

  /** The area's bounding box grown by the accuracy cap. */
  private grownBox(g: AreaGeometry): [number, number, number, number] {
    const [x0, y0, x1, y1] = bboxOf(g);
    const { dLat, dLon } = degreesAround(Math.max(Math.abs(y0), Math.abs(y1)), this.maxAccuracyM);
    return [x0 - dLon, y0 - dLat, x1 + dLon, y1 + dLat];
  }

  /**
   * Admin-code areas containing a division code (a stay's 6-digit county, a venue's street or
   * community code): the area's code is a prefix at the county, street or community level.
   */
  matchCode(code: string | null | undefined, start: number, end: number, out: number[]): number {
    if (!code || this.byCode.size === 0) return 0;
    let n = 0;
    for (const len of [6, 9, 12]) {
      if (code.length < len) break;
      const list = this.byCode.get(code.slice(0, len));
      if (!list) continue;
      for (const i of list) {
        if (activeDuring(this.areas[i] as IndexedArea, start, end)) {
          out.push(i);
          n++;
        }
      }
    }
    return n;
  }
}
