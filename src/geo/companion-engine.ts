// The companion engine (时空伴随, DESIGN §6): pure, typed arrays, one pass over each person's
// presence intervals against the case index. No I/O, clock or randomness.
import { buildCaseIndex, type CaseIndex } from './case-index.ts';
import { defaultGridOrigin, gridCol, gridRow, gridSteps } from './companion-grid.ts';
import { DEG_TO_RAD, EARTH_RADIUS_M, haversineMeters } from './haversine.ts';
import { IntervalScratch, gatherByPerson, runsOfSorted, sortRun, type PersonRuns } from './presence.ts';
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
  const p = x.params;
  const G = p.gapS;
  const grid = p.mode === 'grid';
  const steps = gridSteps(p.gridOrigin, p.cellM);
  const radius = p.radiusM;
  const hr = (radius / (2 * EARTH_RADIUS_M)) ** 2;
  const fast = radius <= 20000;
  const hLo = hr * (1 - 1e-4);
  const hHi = hr * (1 + 1e-4);
  const res = p.residence;
  const { maxLen, nRows, nCols, offsets, items, starts, ciB, ciCase, casePersons } = x;
  const nCases = casePersons.length;
  const sec = new Float64Array(nCases);
  const first = new Float64Array(nCases);
  const last = new Float64Array(nCases);
  const stamp = new Int32Array(nCases).fill(-1);
  const touched = new Uint32Array(nCases);
  const scratch = new IntervalScratch();
  const cells = { person: -1, rows: new Float64Array(64), cols: new Float64Array(64) };
  const runs = pings.sortedByPerson
    ? runsOfSorted(pings, lo, hi, work?.runs)
    : gatherByPerson(pings, lo, hi, work?.runs);
  if (work && !pings.sortedByPerson) work.runs = runs;
  const { start, ts, lat, lon } = runs;
  const span = hi - lo;
  for (let q = 0; q < span; q++) {
    if (onProgress && (q & 0xffff) === 0) onProgress(q, span);
    const s = start[q]!;
    const e = start[q + 1]!;
    if (e === s) continue;
    const personId = lo + q;
    sortRun(ts, lat, lon, s, e);
    scratch.fill(ts, lat, lon, s, e, G);
    let nt = 0;
    for (let k = 0; k < scratch.count; k++) {
      const a = scratch.a[k]!;
      const b = scratch.b[k]!;
      const la = scratch.lat[k]!;
      const lg = scratch.lon[k]!;
      let row = 0;
      let col = 0;
      let ir: number;
      let ic: number;
      if (grid) {
        row = gridRow(la, p.gridOrigin.lat, steps.latStep);
        col = gridCol(lg, p.gridOrigin.lon, steps.lonStep);
        ir = Math.floor((row - x.rowBase) / x.factor);
        ic = Math.floor((col - x.colBase) / x.factor);
      } else {
        ir = Math.floor((la - x.oLat) / x.stepLat);
        ic = Math.floor((lg - x.oLon) / x.stepLon);
      }
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
      let cosP = NaN;
      let personResident = -1;
      for (; j < jEnd; j++) {
        if (starts[j]! >= b) break;
        if (starts[j]! <= from) continue;
        {
          const ci = items[j]!;
          const ca = starts[j]!;
          const cb = ciB[ci]!;
          const s0 = a > ca ? a : ca;
          const e0 = b < cb ? b : cb;
          if (e0 <= s0) continue;
          const c = ciCase[ci]!;
          if (casePersons[c] === personId) continue;
          if (grid) {
            if (x.ciRow[ci] !== row || x.ciCol[ci] !== col) continue;
            if (res && x.ciResident[ci] === 0) {
              if (personResident < 0)
                personResident = residentIn(scratch, row, col, p, cells, personId) ? 1 : 0;
              if (personResident === 0) continue;
            }
          } else {
            const qLat = x.ciLat[ci]!;
            const qLon = x.ciLon[ci]!;
            // Same subtraction as haversineMeters (of radians, not of degrees) so tiny distances agree.
            const dp = qLat * DEG_TO_RAD - la * DEG_TO_RAD;
            const dl = (qLon - lg) * DEG_TO_RAD;
            if (fast && dp < 0.01 && dp > -0.01 && dl < 0.01 && dl > -0.01) {
              if (cosP !== cosP) cosP = Math.cos(la * DEG_TO_RAD);
              const h = 0.25 * (dp * dp + cosP * x.ciCos[ci]! * dl * dl);
              if (h > hHi) continue;
              if (h >= hLo && haversineMeters(la, lg, qLat, qLon) > radius) continue;
            } else if (haversineMeters(la, lg, qLat, qLon) > radius) continue;
          }
          if (stamp[c] !== q) {
            stamp[c] = q;
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
    }
    if (nt === 0) continue;
    // Insertion sort: nt is small, and a typed-array sort with a comparator costs more per person.
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
    for (let t = 0; t < nt; t++) {
      const c = touched[t]!;
      if (sec[c]! >= p.minSeconds) out.push(personId, casePersons[c]!, sec[c]!, first[c]!, last[c]!);
    }
  }
  onProgress?.(span, span);
  return out.finish();
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
