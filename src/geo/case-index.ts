// The case trajectory index: every case's presence intervals, bucketed by (cell, time bucket) so a
// person interval only meets the case intervals that can possibly be near it. Built once per day
// (a few thousand intervals), cloned to worker threads and broadcast to tile workers.
import { DEG_TO_RAD, EARTH_RADIUS_M } from './haversine.ts';
import { gridCol, gridRow, gridSteps } from './companion-grid.ts';
import { IntervalScratch, firstRowOf, sortRun } from './presence.ts';
import type { PingColumns, ResolvedParams } from './companion-types.ts';

/** Upper bound on dense index cells; past it the cells are coarsened. */
const MAX_CELLS = 1 << 22;

/** Numbers per case interval in `CaseIndex.rec` (8 × 8 bytes: one cache line). */
export const REC = 8;

export interface CaseIndex {
  params: ResolvedParams;
  /** Person ids of the cases, in case order. */
  casePersons: Uint32Array;
  /** Bit set over person ids: is this person a case. */
  isCase: Uint8Array;
  /** Case intervals as columns. */
  count: number;
  ciCase: Uint32Array;
  ciA: Float64Array;
  ciB: Float64Array;
  ciLat: Float64Array;
  ciLon: Float64Array;
  /** Grid mode: exact docs/DESIGN.md §6 cell of each interval. */
  ciRow: Float64Array;
  ciCol: Float64Array;
  /** Grid mode + residence rule: 1 when the case resided > 30 h in that interval's cell. */
  ciResident: Uint8Array;
  /** Longest case interval (≤ G): a case interval meeting [a, b) starts in (a − maxLen, b). */
  maxLen: number;
  /** Spatial cells of the index (radius: degree boxes; grid: exact cells ÷ factor). */
  oLat: number;
  oLon: number;
  stepLat: number;
  stepLon: number;
  /** Radius mode: 1 / step. An index row is ⌊(lat − oLat) · invLat⌋ on both sides (monotone in lat). */
  invLat: number;
  invLon: number;
  /**
   * Radius mode: each case interval as one record of REC numbers (one cache line), what the sweep
   * needs after the time test: [start, end, lat, lon, lat·π/180, case person, cos(lat), case].
   */
  rec: Float64Array;
  rowBase: number;
  colBase: number;
  factor: number;
  nRows: number;
  nCols: number;
  /**
   * Per index cell (row · nCols + col), the case intervals listed there sorted by start:
   * items[offsets[cell] .. offsets[cell + 1]), with their starts copied into `starts` for a binary
   * search. The whole index stays small (cells × 4 bytes + entries × 12 bytes) and cache-resident.
   */
  offsets: Uint32Array;
  items: Uint32Array;
  starts: Uint32Array;
  /**
   * Radius mode (which leaves offsets/items/starts empty): per index cell [block, n, activity
   * bits 0–31, 32–63] (see actW), one read per lookup; the cell's n entries sit in `blk` from `block` as (start, interval) pairs of u32,
   * sorted by start. A cell with more than DIR_MIN entries has a time directory in front of its
   * entries: blk[block + s] (s = 0 … dirSlots) is the number of its entries starting before
   * dirT0 + s · dirW, so the scan for intervals starting after `from` begins at entry
   * blk[block + ⌊(from − dirT0) / dirW⌋] instead of a binary search (dirW is a power of two, so
   * the slot is exact), and the entries follow at block + dirSlots + 1. One lookup touches three
   * cache lines in all: the cell, its directory slot, its entries.
   */
  cellTab: Uint32Array;
  blk: Uint32Array;
  dirT0: number;
  dirW: number;
  dirSlots: number;
  /**
   * Radius mode: cellTab[4·cell + 2 … 3] are 64 activity bits of the cell, bit s set when one of
   * its case intervals covers a second of slot s = clamp(⌊(t − actT0) / actW⌋, 0, 63). A person
   * interval whose seconds fall only in clear slots meets none of the cell's case intervals, so
   * the lookup stops at the cell (exact: integer seconds, power-of-two actW, the same clamp).
   */
  actT0: number;
  actW: number;
}

/** Bit set over person ids [0, personCount): bit p is set when p is one of `ids`. */
export function caseBits(personCount: number, ids: ArrayLike<number>): Uint8Array {
  const bits = new Uint8Array((personCount >>> 3) + 1);
  for (let i = 0; i < ids.length; i++) {
    const p = ids[i]!;
    if (p < personCount) bits[p >>> 3]! |= 1 << (p & 7);
  }
  return bits;
}

/**
 * Build the case intervals and their index from the pings (one pass over all rows, or none when
 * the rows are grouped by person or the caller found the case rows: `caseRows`, all rows of the
 * case persons in any order, e.g. collected by the threads while they count rows).
 */
export function buildCaseIndex(
  pings: PingColumns,
  casePersonIds: ArrayLike<number>,
  params: ResolvedParams,
  caseRows?: ArrayLike<number>,
): CaseIndex {
  const { person, ts, lat, lon } = pings;
  const caseOf = new Map<number, number>();
  const casePersons: number[] = [];
  for (let i = 0; i < casePersonIds.length; i++) {
    const p = casePersonIds[i]!;
    if (caseOf.has(p) || p >= pings.personCount) continue;
    caseOf.set(p, casePersons.length);
    casePersons.push(p);
  }
  const isCase = caseBits(pings.personCount, casePersons);
  let rows: number[] = [];
  if (caseRows) {
    rows = Array.from(caseRows);
  } else if (pings.sortedByPerson) {
    // Rows grouped by person in ascending order: each case's rows by two binary searches.
    for (const p of [...casePersons].sort((u, v) => u - v)) {
      for (let i = firstRowOf(person, p), e = firstRowOf(person, p + 1); i < e; i++) rows.push(i);
    }
  } else {
    for (let i = 0; i < person.length; i++) {
      const p = person[i]!;
      if ((isCase[p >>> 3]! & (1 << (p & 7))) !== 0) rows.push(i);
    }
  }
  rows.sort((x, y) => person[x]! - person[y]! || x - y);
  const cTs = Uint32Array.from(rows, (i) => ts[i]!);
  const cLat = Float64Array.from(rows, (i) => lat[i]!);
  const cLon = Float64Array.from(rows, (i) => lon[i]!);
  const scratch = new IntervalScratch();
  const ci = {
    c: [] as number[],
    a: [] as number[],
    b: [] as number[],
    lat: [] as number[],
    lon: [] as number[],
  };
  for (let s = 0; s < rows.length;) {
    const p = person[rows[s]!]!;
    let e = s + 1;
    while (e < rows.length && person[rows[e]!]! === p) e++;
    sortRun(cTs, cLat, cLon, s, e);
    scratch.fill(cTs, cLat, cLon, s, e, params.gapS);
    for (let k = 0; k < scratch.count; k++) {
      ci.c.push(caseOf.get(p)!);
      ci.a.push(scratch.a[k]!);
      ci.b.push(scratch.b[k]!);
      ci.lat.push(scratch.lat[k]!);
      ci.lon.push(scratch.lon[k]!);
    }
    s = e;
  }
  const count = ci.c.length;
  const index: CaseIndex = {
    params,
    casePersons: Uint32Array.from(casePersons),
    isCase,
    count,
    ciCase: Uint32Array.from(ci.c),
    ciA: Float64Array.from(ci.a),
    ciB: Float64Array.from(ci.b),
    ciLat: Float64Array.from(ci.lat),
    ciLon: Float64Array.from(ci.lon),
    ciRow: new Float64Array(count),
    ciCol: new Float64Array(count),
    ciResident: new Uint8Array(count),
    maxLen: 0,
    oLat: 0,
    oLon: 0,
    stepLat: 1,
    stepLon: 1,
    invLat: 1,
    invLon: 1,
    rec: new Float64Array(0),
    rowBase: 0,
    colBase: 0,
    factor: 1,
    nRows: 0,
    nCols: 0,
    offsets: new Uint32Array(1),
    items: new Uint32Array(0),
    starts: new Uint32Array(0),
    cellTab: new Uint32Array(0),
    blk: new Uint32Array(0),
    dirT0: 0,
    dirW: 1,
    dirSlots: 0,
    actT0: 0,
    actW: 1,
  };
  if (count > 0) fillIndex(index);
  return index;
}

function fillIndex(x: CaseIndex): void {
  const p = x.params;
  let keep: (i: number, row: number, col: number) => boolean = () => true;
  for (let i = 0; i < x.count; i++) x.maxLen = Math.max(x.maxLen, x.ciB[i]! - x.ciA[i]!);
  // Per interval: inclusive box of index rows/cols it must be listed in.
  const r0 = new Float64Array(x.count);
  const r1 = new Float64Array(x.count);
  const c0 = new Float64Array(x.count);
  const c1 = new Float64Array(x.count);
  if (p.mode === 'grid') {
    const s = gridSteps(p.gridOrigin, p.cellM);
    for (let i = 0; i < x.count; i++) {
      x.ciRow[i] = gridRow(x.ciLat[i]!, p.gridOrigin.lat, s.latStep);
      x.ciCol[i] = gridCol(x.ciLon[i]!, p.gridOrigin.lon, s.lonStep);
    }
    if (p.residence) markResidentCases(x);
    x.rowBase = minOf(x.ciRow);
    x.colBase = minOf(x.ciCol);
    const rows = maxOf(x.ciRow) - x.rowBase + 1;
    const cols = maxOf(x.ciCol) - x.colBase + 1;
    while (Math.ceil(rows / x.factor) * Math.ceil(cols / x.factor) > MAX_CELLS) x.factor *= 2;
    x.nRows = Math.ceil(rows / x.factor);
    x.nCols = Math.ceil(cols / x.factor);
    for (let i = 0; i < x.count; i++) {
      r0[i] = r1[i] = Math.floor((x.ciRow[i]! - x.rowBase) / x.factor);
      c0[i] = c1[i] = Math.floor((x.ciCol[i]! - x.colBase) / x.factor);
    }
  } else {
    keep = radiusBoxes(x, r0, r1, c0, c1);
    x.rec = new Float64Array(x.count * REC);
    for (let i = 0; i < x.count; i++) {
      const o = i * REC;
      x.rec[o] = x.ciA[i]!;
      x.rec[o + 1] = x.ciB[i]!;
      x.rec[o + 2] = x.ciLat[i]!;
      x.rec[o + 3] = x.ciLon[i]!;
      x.rec[o + 4] = x.ciLat[i]! * DEG_TO_RAD;
      x.rec[o + 5] = x.casePersons[x.ciCase[i]!]!;
      x.rec[o + 6] = Math.cos(x.rec[o + 4]!);
      x.rec[o + 7] = x.ciCase[i]!;
    }
  }
  const cells = x.nRows * x.nCols;
  // One pass over the intervals in order of start time lists each in its cells (keep() is the
  // costly part, so it runs once per cell); a stable counting sort by cell then leaves every
  // cell's list sorted by start.
  const byStart = Array.from({ length: x.count }, (_, i) => i).sort((u, v) => x.ciA[u]! - x.ciA[v]! || u - v);
  let pCell: Uint32Array = new Uint32Array(4 * x.count + 64);
  let pItem: Uint32Array = new Uint32Array(pCell.length);
  let m = 0;
  for (const i of byStart) {
    for (let r = r0[i]!; r <= r1[i]!; r++) {
      for (let c = c0[i]!; c <= c1[i]!; c++) {
        if (!keep(i, r, c)) continue;
        if (m === pCell.length) {
          pCell = doubled(pCell);
          pItem = doubled(pItem);
        }
        pCell[m] = r * x.nCols + c;
        pItem[m++] = i;
      }
    }
  }
  const offsets = new Uint32Array(cells + 1);
  for (let j = 0; j < m; j++) offsets[pCell[j]! + 1]!++;
  for (let c = 0; c < cells; c++) offsets[c + 1]! += offsets[c]!;
  const items = new Uint32Array(m);
  const starts = new Uint32Array(m);
  const pos = offsets.slice(0, cells);
  for (let j = 0; j < m; j++) {
    const k = pos[pCell[j]!]!++;
    const i = pItem[j]!;
    items[k] = i;
    starts[k] = x.ciA[i]!;
  }
  x.offsets = offsets;
  x.items = items;
  x.starts = starts;
  if (p.mode === 'radius') fillDirectory(x);
}

/** Cells with more entries than this get a time directory. */
export const DIR_MIN = 8;

/** Radius mode: the per-cell table and the entry blocks with their time directories (see CaseIndex). */
function fillDirectory(x: CaseIndex): void {
  const cells = x.nRows * x.nCols;
  const { offsets, starts, items } = x;
  let t0 = Infinity;
  let t1 = -Infinity;
  let long = 0;
  for (let i = 0; i < starts.length; i++) {
    if (starts[i]! < t0) t0 = starts[i]!;
    if (starts[i]! > t1) t1 = starts[i]!;
  }
  for (let c = 0; c < cells; c++) if (offsets[c + 1]! - offsets[c]! > DIR_MIN) long++;
  // Smallest power-of-two slot (≥ 64 s) that keeps the directories about the size of the entries.
  const budget = Math.max(1 << 20, 2 * starts.length);
  let w = 64;
  while (long * (Math.floor((t1 - t0) / w) + 2) > budget) w *= 2;
  const slots = long > 0 ? Math.floor((t1 - t0) / w) + 1 : 0;
  const tab = new Uint32Array(cells * 4);
  // Activity bits: 64 slots of actW seconds (a power of two) from t0 over the whole span.
  let actW = 1;
  while ((t1 + x.maxLen - t0) / actW > 64) actW *= 2;
  const actSlot = (t: number): number => Math.min(63, Math.max(0, Math.floor((t - t0) / actW)));
  const blk = new Uint32Array(long * (slots + 1) + 2 * starts.length);
  let k = 0;
  for (let c = 0; c < cells; c++) {
    const lo = offsets[c]!;
    const hi = offsets[c + 1]!;
    tab[4 * c] = k;
    tab[4 * c + 1] = hi - lo;
    for (let j = lo; j < hi; j++) {
      const i = items[j]!;
      for (let sl = actSlot(x.ciA[i]!), e = actSlot(x.ciB[i]! - 1); sl <= e; sl++) {
        tab[4 * c + 2 + (sl >>> 5)]! |= 1 << (sl & 31);
      }
    }
    if (hi - lo > DIR_MIN) {
      let j = lo;
      for (let sl = 0; sl <= slots; sl++) {
        const edge = t0 + sl * w;
        while (j < hi && starts[j]! < edge) j++;
        blk[k++] = j - lo;
      }
    }
    for (let j = lo; j < hi; j++) {
      blk[k++] = starts[j]!;
      blk[k++] = items[j]!;
    }
  }
  x.cellTab = tab;
  x.blk = blk;
  x.dirT0 = long > 0 ? t0 : 0;
  x.dirW = w;
  x.actT0 = t0;
  x.actW = actW;
  x.dirSlots = slots;
  // The sweep reads only the blocks; no need to carry the flat lists to the threads.
  x.offsets = new Uint32Array(1);
  x.items = new Uint32Array(0);
  x.starts = new Uint32Array(0);
}

/**
 * Radius mode: index cells are boxes of about radius/2 in degrees. Each case interval is listed in
 * every cell its disc's bounding box touches, so a person only looks in its own cell. The box
 * bounds hold because haversine d ≥ R·|Δφ| and d ≥ 2R·asin(cos φ_min · |sin(Δλ/2)|).
 */
function radiusBoxes(
  x: CaseIndex,
  r0: Float64Array,
  r1: Float64Array,
  c0: Float64Array,
  c1: Float64Array,
): (i: number, row: number, col: number) => boolean {
  const rM = x.params.radiusM;
  const dLat = (rM / EARTH_RADIUS_M) * (180 / Math.PI) * (1 + 1e-9) + 1e-9;
  const latLo = new Float64Array(x.count);
  const latHi = new Float64Array(x.count);
  const lonLo = new Float64Array(x.count);
  const lonHi = new Float64Array(x.count);
  const semiLon = new Float64Array(x.count);
  for (let i = 0; i < x.count; i++) {
    const la = x.ciLat[i]!;
    const lo = x.ciLon[i]!;
    latLo[i] = Math.max(-90, la - dLat);
    latHi[i] = Math.min(90, la + dLat);
    const maxAbs = Math.max(Math.abs(latLo[i]!), Math.abs(latHi[i]!));
    const cMin = Math.cos(maxAbs * (Math.PI / 180));
    const q = rM / (2 * EARTH_RADIUS_M * cMin);
    const dLon = q >= 1 || cMin < 1e-6 ? 360 : 2 * Math.asin(q) * (180 / Math.PI) * (1 + 1e-9) + 1e-9;
    // Near a pole or across the antimeridian the box is the whole band of longitudes.
    const wraps = lo - dLon < -180 || lo + dLon > 180;
    // Ellipse semi-axes for pruning the box's corner cells; 0 = keep the whole box.
    semiLon[i] = wraps || cMin < 0.2 || rM > 20000 ? 0 : dLon * (1 + 1e-6);
    lonLo[i] = wraps ? -180 : lo - dLon;
    lonHi[i] = wraps ? 180 : lo + dLon;
  }
  const minLat = minOf(latLo);
  const maxLat = maxOf(latHi);
  const minLon = minOf(lonLo);
  const maxLon = maxOf(lonHi);
  const midCos = Math.max(0.01, Math.cos(((minLat + maxLat) / 2) * (Math.PI / 180)));
  x.stepLat = dLat / 4;
  x.stepLon = dLat / 4 / midCos;
  x.oLat = minLat;
  x.oLon = minLon;
  const dims = (): void => {
    x.invLat = 1 / x.stepLat;
    x.invLon = 1 / x.stepLon;
    x.nRows = Math.floor((maxLat - x.oLat) * x.invLat) + 1;
    x.nCols = Math.floor((maxLon - x.oLon) * x.invLon) + 1;
  };
  dims();
  while (x.nRows * x.nCols > MAX_CELLS) {
    x.stepLat *= 2;
    x.stepLon *= 2;
    dims();
  }
  for (let i = 0; i < x.count; i++) {
    r0[i] = Math.floor((latLo[i]! - x.oLat) * x.invLat);
    r1[i] = Math.floor((latHi[i]! - x.oLat) * x.invLat);
    c0[i] = Math.floor((lonLo[i]! - x.oLon) * x.invLon);
    c1[i] = Math.floor((lonHi[i]! - x.oLon) * x.invLon);
  }
  // Within the radius, (Δlat/A)² + (Δlon/B)² ≤ 1 with A = dLat, B = dLon (sin x ≥ x(1 − x²/6) and
  // cos φ ≥ cos φ_max; the 10⁻⁶ margin covers x²/3 for radii up to 20 km). A cell is kept when its
  // rectangle, padded for rounding, meets that ellipse: the clamped nearest point decides.
  const semiLat = dLat * (1 + 1e-6);
  const pad = 1e-9;
  return (i, row, col) => {
    const b = semiLon[i]!;
    if (b === 0) return true;
    const latA = x.oLat + row * x.stepLat - pad;
    const latB = x.oLat + (row + 1) * x.stepLat + pad;
    const lonA = x.oLon + col * x.stepLon - pad;
    const lonB = x.oLon + (col + 1) * x.stepLon + pad;
    const q = x.ciLat[i]!;
    const o = x.ciLon[i]!;
    const dy = q < latA ? latA - q : q > latB ? q - latB : 0;
    const dx = o < lonA ? lonA - o : o > lonB ? o - lonB : 0;
    return (dy / semiLat) ** 2 + (dx / b) ** 2 <= 1;
  };
}

/** Residence rule for the case side: total presence in the interval's cell within the window. */
function markResidentCases(x: CaseIndex): void {
  const r = x.params.residence!;
  const w0 = r.asOf - r.windowS;
  const total = new Map<string, number>();
  const key = (i: number): string => `${x.ciCase[i]}:${x.ciRow[i]}:${x.ciCol[i]}`;
  for (let i = 0; i < x.count; i++) {
    const s = Math.min(x.ciB[i]!, r.asOf) - Math.max(x.ciA[i]!, w0);
    if (s > 0) total.set(key(i), (total.get(key(i)) ?? 0) + s);
  }
  for (let i = 0; i < x.count; i++) x.ciResident[i] = (total.get(key(i)) ?? 0) > r.minSeconds ? 1 : 0;
}

/** A copy of `a` in an array twice as long. */
function doubled(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

function minOf(a: Float64Array): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) if (a[i]! < m) m = a[i]!;
  return m;
}

function maxOf(a: Float64Array): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}
