/**
 * The risk-area index (风险区索引): every area's bounding box in a flatbush R-tree, then the exact
 * accuracy-aware test (area-geometry.ts) on the few candidates, plus an admin-code table for areas
 * drawn as administrative divisions without a boundary. Built once per set of areas and shared;
 * queries allocate nothing beyond flatbush's small result array.
 */
import Flatbush from 'flatbush';
import { bboxOf, degreesAround, discIntersects, type AreaGeometry } from './area-geometry.ts';

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

/** Stay interval [start, end] touches the active window [startsAt, liftedAt). */
export function activeDuring(a: IndexedArea, start: number, end: number): boolean {
  return start < a.liftedAt && end >= a.startsAt;
}

export class AreaIndex {
  readonly maxAccuracyM: number;
  private readonly tree: Flatbush | null;
  /** tree item → position in `areas` */
  private readonly treeToArea: Int32Array;
  private readonly byCode = new Map<string, number[]>();
  // Current query, read by the filter (one bound function, no closure per query).
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
    const geo: number[] = [];
    areas.forEach((a, i) => {
      if (a.geometry) geo.push(i);
      else if (a.adminCode) {
        let list = this.byCode.get(a.adminCode);
        if (!list) this.byCode.set(a.adminCode, (list = []));
        list.push(i);
      }
    });
    this.treeToArea = Int32Array.from(geo);
    if (geo.length > 0) {
      const tree = new Flatbush(geo.length);
      for (const i of geo) {
        const [x0, y0, x1, y1] = bboxOf((areas[i] as IndexedArea).geometry as AreaGeometry);
        tree.add(x0, y0, x1, y1);
      }
      tree.finish();
      this.tree = tree;
    } else this.tree = null;
    this.filter = (t: number) => {
      const a = this.areas[this.treeToArea[t] as number] as IndexedArea;
      return activeDuring(a, this.qStart, this.qEnd) && discIntersects(a.geometry as AreaGeometry, this.qLat, this.qLon, this.qR);
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
  matchPosition(lat: number, lon: number, accuracyM: number | null | undefined, start: number, end: number, out: number[]): number {
    if (!this.tree) return 0;
    const r = this.radiusFor(accuracyM);
    const { dLat, dLon } = degreesAround(lat, r);
    this.qLat = lat;
    this.qLon = lon;
    this.qR = r;
    this.qStart = start;
    this.qEnd = end;
    const hits = this.tree.search(lon - dLon, lat - dLat, lon + dLon, lat + dLat, this.filter);
    for (const t of hits) out.push(this.treeToArea[t] as number);
    return hits.length;
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
