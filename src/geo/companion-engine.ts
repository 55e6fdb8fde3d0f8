// The companion engine (时空伴随, docs/DESIGN.md §6): pure, typed arrays, one pass over each person's
// presence intervals against the case index. No I/O, clock or randomness.
import { DIR_MIN, REC, buildCaseIndex, type CaseIndex } from './case-index.ts';
import { defaultGridOrigin, gridCol, gridRow, gridSteps } from './companion-grid.ts';
import { DEG_TO_RAD, EARTH_RADIUS_M, haversineMeters } from './haversine.ts';
import {
  IntervalScratch,
  gatherByPerson,
  isSortedRun,
  runsOfSorted,
  sortRun,
  type PersonRuns,
} from './presence.ts';
import { PairBuilder } from './pair-builder.ts';
import type { CompanionPairs, CompanionParams, PingColumns, ResolvedParams } from './companion-types.ts';

export const COMPANION_DEFAULTS = {
  radiusM: 800,
  cellM: 800,
  gapS: 1800,
  minSeconds: 600,
  residenceWindowS: 14 * 86400,
  residenceMinSeconds: 30 * 3600,
} as const;

/** Fill defaults that depend on the whole data set (grid origin, residence window end). */
export function resolveParams(pings: PingColumns, params: CompanionParams): ResolvedParams {
  const d = COMPANION_DEFAULTS;
  const r: ResolvedParams = {
    mode: params.mode,
    radiusM: params.radiusM ?? d.radiusM,
    cellM: params.cellM ?? d.cellM,
    gapS: params.gapS ?? d.gapS,
    minSeconds: params.minSeconds ?? d.minSeconds,
    gridOrigin: params.gridOrigin ?? { lat: 0, lon: 0 },
    residence: null,
  };
  if (r.mode !== 'radius' && r.mode !== 'grid') throw new RangeError(`unknown mode ${String(r.mode)}`);
  for (const k of ['radiusM', 'cellM', 'gapS'] as const) {
    if (!(r[k] > 0) || !Number.isFinite(r[k])) throw new RangeError(`${k} must be a positive number`);
  }
  if (!(r.minSeconds >= 0)) throw new RangeError('minSeconds must be ≥ 0');
  if (r.mode === 'grid' && !params.gridOrigin) r.gridOrigin = defaultGridOrigin(pings.lat, pings.lon);
  if (params.residence) {
    if (r.mode !== 'grid') throw new RangeError('the residence rule applies to grid mode only');
    const o = params.residence === true ? {} : params.residence;
    let maxTs = 0;
    for (let i = 0; i < pings.ts.length; i++) if (pings.ts[i]! > maxTs) maxTs = pings.ts[i]!;
    r.residence = {
      asOf: o.asOf ?? maxTs + r.gapS,
      windowS: o.windowS ?? d.residenceWindowS,
      minSeconds: o.minSeconds ?? d.residenceMinSeconds,
    };
  }
  return r;
}

/**
 * Buffers a long-lived engine (a worker thread) keeps between runs so that a warm run touches no
 * fresh memory. The returned pairs are views into `pairs`, valid until the next run.
 */
export interface EngineWork {
  runs?: PersonRuns;
  pairs: PairBuilder;
}

/** All companion pairs of the given cases, single thread. */
export function findCompanions(
  pings: PingColumns,
  casePersonIds: ArrayLike<number>,
  params: CompanionParams,
  onProgress?: (done: number, total: number) => void,
): CompanionPairs {
  const index = buildCaseIndex(pings, casePersonIds, resolveParams(pings, params));
  return findCompanionsInRange(pings, index, 0, pings.personCount, onProgress);
}

/**
 * Companion pairs of the persons with ids in [lo, hi) against a prepared case index. Ranges
 * partition the work exactly: a pair belongs to the range of its person.
 */
export function findCompanionsInRange(
  pings: PingColumns,
  x: CaseIndex,
  lo: number,
  hi: number,
  onProgress?: (done: number, total: number) => void,
  work?: EngineWork,
): CompanionPairs {
  const out = work?.pairs ?? new PairBuilder();
  out.reset();
  if (x.count === 0 || hi <= lo) return out.finish();
  const runs = pings.sortedByPerson
    ? runsOfSorted(pings, lo, hi, work?.runs)
    : gatherByPerson(pings, lo, hi, work?.runs);
  if (work && !pings.sortedByPerson) work.runs = runs;
  sweepRuns(runs, lo, x, lo, hi, out, onProgress);
  onProgress?.(hi - lo, hi - lo);
  return out.finish();
}

/**
 * Appends to `out` the pairs of persons [lo, hi), whose time-sorted or unsorted rows are
 * runs.start[p − runBase] … runs.start[p − runBase + 1] (each person's rows are sorted in place
 * if they are not yet in (ts, lat, lon) order). Used by the thread pool on chunks of persons.
 */
export function sweepRuns(
  runs: PersonRuns,
  runBase: number,
  x: CaseIndex,
  lo: number,
  hi: number,
  out: PairBuilder,
  onProgress?: (done: number, total: number) => void,
): void {
  if (x.count === 0 || hi <= lo) return;
  if (x.params.mode === 'radius') sweepRadius(runs, runBase, x, lo, hi, out, onProgress);
  else sweepGrid(runs, runBase, x, lo, hi, out, onProgress);
}

/** Grid mode (with or without the residence rule). */
function sweepGrid(
  runs: PersonRuns,
  runBase: number,
  x: CaseIndex,
  lo: number,
  hi: number,
  out: PairBuilder,
  onProgress: ((done: number, total: number) => void) | undefined,
): void {
  const p = x.params;
  const G = p.gapS;
  const steps = gridSteps(p.gridOrigin, p.cellM);
  const res = p.residence;
  const { maxLen, nRows, nCols, offsets, items, starts, ciB, ciCase, casePersons } = x;
  const tally = new CaseTally(casePersons.length);
  const { sec, first, last, stamp, touched } = tally;
  const scratch = new IntervalScratch();
  const cells = { person: -1, rows: new Float64Array(64), cols: new Float64Array(64) };
  const { start, ts, lat, lon } = runs;
  for (let personId = lo; personId < hi; personId++) {
    if (onProgress && ((personId - lo) & 0xffff) === 0) onProgress(personId - lo, hi - lo);
    const q = personId - runBase;
    const s = start[q]!;
    const e = start[q + 1]!;
    if (e === s) continue;
    sortRun(ts, lat, lon, s, e);
    scratch.fill(ts, lat, lon, s, e, G);
    let nt = 0;
    for (let k = 0; k < scratch.count; k++) {
      const a = scratch.a[k]!;
      const b = scratch.b[k]!;
      const la = scratch.lat[k]!;
      const lg = scratch.lon[k]!;
      const row = gridRow(la, p.gridOrigin.lat, steps.latStep);
      const col = gridCol(lg, p.gridOrigin.lon, steps.lonStep);
      const ir = Math.floor((row - x.rowBase) / x.factor);
      const ic = Math.floor((col - x.colBase) / x.factor);
      if (ir < 0 || ir >= nRows || ic < 0 || ic >= nCols) continue;
      const cell = ir * nCols + ic;
      let j = offsets[cell]!;
      const jEnd = offsets[cell + 1]!;
      if (j === jEnd) continue;
      // Case intervals are at most maxLen long, so one meeting [a, b) starts in (a − maxLen, b).
      const from = a - maxLen;
      let hiJ = jEnd;
      while (hiJ - j > 8) {
        const mid = (j + hiJ) >>> 1;
        if (starts[mid]! <= from) j = mid + 1;
        else hiJ = mid;
      }
      let personResident = -1;
      for (; j < jEnd; j++) {
        if (starts[j]! >= b) break;
        if (starts[j]! <= from) continue;
        const ci = items[j]!;
        const ca = starts[j]!;
        const cb = ciB[ci]!;
        const s0 = a > ca ? a : ca;
        const e0 = b < cb ? b : cb;
        if (e0 <= s0) continue;
        const c = ciCase[ci]!;
        if (casePersons[c] === personId) continue;
        if (x.ciRow[ci] !== row || x.ciCol[ci] !== col) continue;
        if (res && x.ciResident[ci] === 0) {
          if (personResident < 0) personResident = residentIn(scratch, row, col, p, cells, personId) ? 1 : 0;
          if (personResident === 0) continue;
        }
        if (stamp[c] !== personId) {
          stamp[c] = personId;
          touched[nt++] = c;
          sec[c] = 0;
          first[c] = s0;
          last[c] = e0;
        }
        sec[c]! += e0 - s0;
        if (s0 < first[c]!) first[c] = s0;
        if (e0 > last[c]!) last[c] = e0;
      }
    }
    if (nt > 0) tally.flush(personId, nt, casePersons, p.minSeconds, out);
  }
}

/**
 * Residence rule, person side: presence in the cell within the window exceeds the minimum. The
 * person's cells are computed once per person (`cells.person` marks whose they are).
 */
function residentIn(
  s: IntervalScratch,
  row: number,
  col: number,
  p: ResolvedParams,
  cells: { person: number; rows: Float64Array; cols: Float64Array },
  personId: number,
): boolean {
  const r = p.residence!;
  if (cells.person !== personId) {
    const steps = gridSteps(p.gridOrigin, p.cellM);
    if (cells.rows.length < s.count) {
      cells.rows = new Float64Array(s.a.length);
      cells.cols = new Float64Array(s.a.length);
    }
    for (let k = 0; k < s.count; k++) {
      cells.rows[k] = gridRow(s.lat[k]!, p.gridOrigin.lat, steps.latStep);
      cells.cols[k] = gridCol(s.lon[k]!, p.gridOrigin.lon, steps.lonStep);
    }
    cells.person = personId;
  }
  const w0 = r.asOf - r.windowS;
  let total = 0;
  for (let k = 0; k < s.count; k++) {
    if (cells.rows[k] !== row || cells.cols[k] !== col) continue;
    const d = Math.min(s.b[k]!, r.asOf) - Math.max(s.a[k]!, w0);
    if (d > 0) total += d;
  }
  return total > r.minSeconds;
}

/**
 * Radius mode, the hot path: a person's presence intervals are read straight off their time-sorted
 * rows (no scratch copy), each interval looks up its index cell, scans that cell's case intervals
 * in its time window and tests the distance on one cache line of case data.
 */
function sweepRadius(
  runs: PersonRuns,
  runBase: number,
  x: CaseIndex,
  lo: number,
  hi: number,
  out: PairBuilder,
  onProgress: ((done: number, total: number) => void) | undefined,
): void {
  const p = x.params;
  const G = p.gapS;
  const radius = p.radiusM;
  const hr = (radius / (2 * EARTH_RADIUS_M)) ** 2;
  const fast = radius <= 20000;
  const hLo = hr * (1 - 1e-4);
  const hHi = hr * (1 + 1e-4);
  const minSeconds = p.minSeconds;
  const {
    maxLen,
    nRows,
    nCols,
    cellTab,
    blk,
    dirT0,
    dirSlots,
    rec,
    casePersons,
    oLat,
    oLon,
    invLat,
    invLon,
  } = x;
  const invW = 1 / x.dirW;
  const invAct = 1 / x.actW;
  const actT0 = x.actT0;
  const tally = new CaseTally(casePersons.length);
  const { sec, first, last, stamp, touched } = tally;
  const { start, ts, lat, lon } = runs;
  for (let personId = lo; personId < hi; personId++) {
    if (onProgress !== undefined && ((personId - lo) & 0xffff) === 0) onProgress(personId - lo, hi - lo);
    const q = personId - runBase;
    const s = start[q]!;
    const e = start[q + 1]!;
    if (e === s) continue;
    if (!isSortedRun(ts, lat, lon, s, e)) sortRun(ts, lat, lon, s, e);
    let nt = 0;
    for (let k = s; k < e; k++) {
      // Presence interval of ping k: [ts_k, min(ts_k+1, ts_k + G)); empty ones drop out.
      const a = ts[k]!;
      let b = a + G;
      if (k + 1 < e) {
        const tn = ts[k + 1]!;
        if (tn < b) b = tn;
      }
      if (b <= a) continue;
      const la = lat[k]!;
      const lg = lon[k]!;
      const ir = Math.floor((la - oLat) * invLat);
      const ic = Math.floor((lg - oLon) * invLon);
      if (ir < 0 || ir >= nRows || ic < 0 || ic >= nCols) continue;
      const t = (ir * nCols + ic) * 4;
      const n = cellTab[t + 1]!;
      if (n === 0) continue;
      // Activity bits of the slots of seconds a … b − 1 (see CaseIndex.actW).
      let sa = Math.floor((a - actT0) * invAct);
      let sb = Math.floor((b - 1 - actT0) * invAct);
      sa = sa < 0 ? 0 : sa > 63 ? 63 : sa;
      sb = sb < 0 ? 0 : sb > 63 ? 63 : sb;
      let act = 0;
      if (sa < 32) act |= cellTab[t + 2]! & bitRange(sa, sb < 31 ? sb : 31);
      if (sb >= 32) act |= cellTab[t + 3]! & bitRange(sa > 32 ? sa - 32 : 0, sb - 32);
      if (act === 0) continue;
      let base = cellTab[t]!;
      // Case intervals are at most maxLen long, so one meeting [a, b) starts in (a − maxLen, b).
      const from = a - maxLen;
      let j = 0;
      if (n > DIR_MIN) {
        // Exact: dirW is a power of two and the times are integers.
        const sl = Math.floor((from - dirT0) * invW);
        if (sl > 0) j = blk[base + (sl < dirSlots ? sl : dirSlots)]!;
        base += dirSlots + 1;
      }
      while (j < n && blk[base + 2 * j]! <= from) j++;
      if (j === n || blk[base + 2 * j]! >= b) continue;
      const laR = la * DEG_TO_RAD;
      const cosP = Math.cos(laR);
      for (; j < n; j++) {
        const ca = blk[base + 2 * j]!;
        if (ca >= b) break;
        const o = blk[base + 2 * j + 1]! * REC;
        const cb = rec[o + 1]!;
        if (cb <= a) continue;
        const s0 = a > ca ? a : ca;
        const e0 = b < cb ? b : cb;
        const c = rec[o + 7]!;
        if (rec[o + 5] === personId) continue;
        // Same subtractions as haversineMeters (latitudes in radians, longitudes in degrees, then
        // converted) so that tiny distances agree with it exactly.
        const dp = rec[o + 4]! - laR;
        const dl = (rec[o + 3]! - lg) * DEG_TO_RAD;
        if (fast && dp < 0.01 && dp > -0.01 && dl < 0.01 && dl > -0.01) {
          const h = 0.25 * (dp * dp + cosP * rec[o + 6]! * dl * dl);
          if (h > hHi) continue;
          if (h >= hLo && haversineMeters(la, lg, rec[o + 2]!, rec[o + 3]!) > radius) continue;
        } else if (haversineMeters(la, lg, rec[o + 2]!, rec[o + 3]!) > radius) continue;
        if (stamp[c] !== personId) {
          stamp[c] = personId;
          touched[nt++] = c;
          sec[c] = e0 - s0;
          first[c] = s0;
          last[c] = e0;
        } else {
          sec[c]! += e0 - s0;
          if (s0 < first[c]!) first[c] = s0;
          if (e0 > last[c]!) last[c] = e0;
        }
      }
    }
    if (nt > 0) tally.flush(personId, nt, casePersons, minSeconds, out);
  }
}

/** Bits lo … hi (0 ≤ lo ≤ hi ≤ 31) of a 32-bit word. */
function bitRange(lo: number, hi: number): number {
  return (-1 >>> (31 - hi + lo)) << lo;
}

/**
 * One person's meeting time per case during a sweep. The sweeps accumulate into these arrays
 * inline (a call per match would cost in the hottest loop); a case is counted for the current
 * person when stamp[c] is that person, and touched[0 … nt) lists those cases.
 */
class CaseTally {
  readonly sec: Float64Array;
  readonly first: Float64Array;
  readonly last: Float64Array;
  readonly stamp: Int32Array;
  readonly touched: Uint32Array;

  constructor(nCases: number) {
    this.sec = new Float64Array(nCases);
    this.first = new Float64Array(nCases);
    this.last = new Float64Array(nCases);
    this.stamp = new Int32Array(nCases).fill(-1);
    this.touched = new Uint32Array(nCases);
  }

  /** Appends the person's pairs of at least minSeconds to `out`, in case person order. */
  flush(personId: number, nt: number, casePersons: Uint32Array, minSeconds: number, out: PairBuilder): void {
    const { sec, first, last, touched } = this;
    if (nt > 1) sortTouched(touched, nt, casePersons);
    for (let t = 0; t < nt; t++) {
      const c = touched[t]!;
      if (sec[c]! >= minSeconds) out.push(personId, casePersons[c]!, sec[c]!, first[c]!, last[c]!);
    }
  }
}

/** Insertion sort of touched case indexes by case person id (nt is small). */
function sortTouched(touched: Uint32Array, nt: number, casePersons: Uint32Array): void {
  for (let i = 1; i < nt; i++) {
    const v = touched[i]!;
    const key = casePersons[v]!;
    let j = i - 1;
    while (j >= 0 && casePersons[touched[j]!]! > key) {
      touched[j + 1] = touched[j]!;
      j--;
    }
    touched[j + 1] = v;
  }
}
