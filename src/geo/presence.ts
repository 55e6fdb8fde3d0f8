// Presence intervals (docs/DESIGN.md §6): a person's pings sorted by time; ping i covers
// [tᵢ, min(tᵢ₊₁, tᵢ + G)). Ties in time are ordered by (lat, lon) so the result never depends on
// the input row order; a tied ping then covers an empty interval and drops out.

/** Pings of a range of persons, copied out grouped by person (a counting sort on person id). */
export interface PersonRuns {
  /** Person p's rows are [start[p − lo], start[p − lo + 1]). */
  start: Uint32Array;
  ts: Uint32Array;
  lat: Float64Array;
  lon: Float64Array;
}

/**
 * Counting sort of the pings of persons in [lo, hi) by person, gathering their columns into
 * private arrays so the per-person work reads memory sequentially.
 */
export function gatherByPerson(
  pings: { person: Uint32Array; ts: Uint32Array; lat: Float64Array; lon: Float64Array },
  lo: number,
  hi: number,
  reuse?: PersonRuns,
): PersonRuns {
  const { person, ts, lat, lon } = pings;
  const span = hi - lo;
  const start = fit(reuse?.start, span + 1, (k) => new Uint32Array(k));
  start.fill(0);
  const n = person.length;
  for (let i = 0; i < n; i++) {
    const p = person[i]! - lo;
    if (p >= 0 && p < span) start[p + 1]!++;
  }
  for (let p = 0; p < span; p++) start[p + 1]! += start[p]!;
  const m = start[span]!;
  const gTs = fit(reuse?.ts, m, (k) => new Uint32Array(k));
  const gLat = fit(reuse?.lat, m, (k) => new Float64Array(k));
  const gLon = fit(reuse?.lon, m, (k) => new Float64Array(k));
  // Scatter with start[] as the moving cursor, then shift it back: no extra array.
  for (let i = 0; i < n; i++) {
    const p = person[i]! - lo;
    if (p >= 0 && p < span) {
      const k = start[p]!++;
      gTs[k] = ts[i]!;
      gLat[k] = lat[i]!;
      gLon[k] = lon[i]!;
    }
  }
  for (let p = span; p > 0; p--) start[p] = start[p - 1]!;
  start[0] = 0;
  return { start, ts: gTs, lat: gLat, lon: gLon };
}

/** First row whose person id is ≥ id, in rows grouped by person in ascending order (binary search). */
export function firstRowOf(person: Uint32Array, id: number): number {
  let a = 0;
  let b = person.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (person[m]! < id) a = m + 1;
    else b = m;
  }
  return a;
}

/**
 * Person runs of [lo, hi) read in place from rows already grouped by person in ascending order;
 * throws if they are not.
 */
export function runsOfSorted(
  pings: { person: Uint32Array; ts: Uint32Array; lat: Float64Array; lon: Float64Array },
  lo: number,
  hi: number,
  reuse?: PersonRuns,
): PersonRuns {
  const { person } = pings;
  const r0 = firstRowOf(person, lo);
  const r1 = firstRowOf(person, hi);
  const span = hi - lo;
  const start = fit(reuse?.start, span + 1, (k) => new Uint32Array(k));
  let q = 0;
  for (let i = r0; i < r1; i++) {
    const p = person[i]! - lo;
    if (p < q - 1) throw new Error('pings flagged as sorted by person are not');
    while (q <= p) start[q++] = i - r0;
  }
  while (q <= span) start[q++] = r1 - r0;
  return {
    start,
    ts: pings.ts.subarray(r0, r1),
    lat: pings.lat.subarray(r0, r1),
    lon: pings.lon.subarray(r0, r1),
  };
}

/**
 * Thread-pool form of runsOfSorted: for rows already grouped by person, sets start[p] (global row
 * index) for p in [lo, hi), and start[hi] when hi is the last person; throws if the rows are not
 * grouped in ascending person order.
 */
export function startsOfSorted(
  pings: { person: Uint32Array; personCount: number },
  lo: number,
  hi: number,
  start: Uint32Array,
): void {
  const { person } = pings;
  const r0 = firstRowOf(person, lo);
  const r1 = firstRowOf(person, hi);
  let q = lo;
  for (let i = r0; i < r1; i++) {
    const p = person[i]!;
    if (p < q - 1) throw new Error('pings flagged as sorted by person are not');
    while (q <= p) start[q++] = i;
  }
  while (q < hi) start[q++] = r1;
  if (hi >= pings.personCount) start[hi] = r1;
}

/**
 * Parallel grouping by person, step 1 of 3, for rows [r0, r1) (one share of the rows per thread):
 * counts[p] = number of those rows of person p (counts is zeroed first); also returns the rows of
 * case persons (`isCase`, a bit set over person ids), so nobody scans the rows for them again.
 */
export function countRows(
  person: Uint32Array,
  r0: number,
  r1: number,
  counts: Uint32Array,
  isCase: Uint8Array,
): number[] {
  counts.fill(0);
  const caseRows: number[] = [];
  for (let i = r0; i < r1; i++) {
    const p = person[i]!;
    counts[p]!++;
    if ((isCase[p >>> 3]! & (1 << (p & 7))) !== 0) caseRows.push(i);
  }
  return caseRows;
}

/**
 * Step 2 of 3, for persons [lo, hi), whose rows start at global row `base` (the number of rows of
 * persons below lo): sets start[p] (and start[hi] when hi is the last person) and turns each
 * share's counts into that share's write cursors, shares in row order so that a person's rows keep
 * their input order.
 */
export function placeRuns(
  counts: Uint32Array[],
  lo: number,
  hi: number,
  base: number,
  start: Uint32Array,
): void {
  let pos = base;
  for (let p = lo; p < hi; p++) {
    start[p] = pos;
    for (let t = 0; t < counts.length; t++) {
      const c = counts[t]!;
      const n = c[p]!;
      c[p] = pos;
      pos += n;
    }
  }
  if (hi >= start.length - 1) start[hi] = pos;
}

/** Step 3 of 3: copy rows [r0, r1) to their places, advancing this share's cursors. */
export function scatterRows(
  pings: { person: Uint32Array; ts: Uint32Array; lat: Float64Array; lon: Float64Array },
  r0: number,
  r1: number,
  cursor: Uint32Array,
  dest: PersonRuns,
): void {
  const { person, ts, lat, lon } = pings;
  const gTs = dest.ts;
  const gLat = dest.lat;
  const gLon = dest.lon;
  for (let i = r0; i < r1; i++) {
    const k = cursor[person[i]!]!++;
    gTs[k] = ts[i]!;
    gLat[k] = lat[i]!;
    gLon[k] = lon[i]!;
  }
}

/** A reusable array when it is large enough, else a new one (views are cut to length). */
function fit<T extends Uint32Array | Float64Array>(a: T | undefined, n: number, make: (n: number) => T): T {
  if (a !== undefined && a.buffer.byteLength >= n * a.BYTES_PER_ELEMENT) {
    return new (a.constructor as new (b: ArrayBufferLike, o: number, l: number) => T)(a.buffer, 0, n);
  }
  return make(Math.ceil(n * 1.25) + 16).subarray(0, n) as T;
}

/** Rows [from, to) are already in (ts, lat, lon) order (the usual case: inputs arrive in time order). */
export function isSortedRun(
  ts: Uint32Array,
  lat: Float64Array,
  lon: Float64Array,
  from: number,
  to: number,
): boolean {
  for (let i = from + 1; i < to; i++) {
    const t0 = ts[i - 1]!;
    const t1 = ts[i]!;
    if (t1 > t0) continue;
    if (t1 < t0) return false;
    const a0 = lat[i - 1]!;
    const a1 = lat[i]!;
    if (a1 > a0) continue;
    if (a1 < a0 || lon[i]! < lon[i - 1]!) return false;
  }
  return true;
}

/** Sort rows [from, to) of gathered columns by (ts, lat, lon), in place. */
export function sortRun(
  ts: Uint32Array,
  lat: Float64Array,
  lon: Float64Array,
  from: number,
  to: number,
): void {
  if (to - from > 64) return sortLongRun(ts, lat, lon, from, to);
  for (let i = from + 1; i < to; i++) {
    const t = ts[i]!;
    const a = lat[i]!;
    const o = lon[i]!;
    let j = i - 1;
    while (j >= from) {
      const tj = ts[j]!;
      if (tj < t || (tj === t && (lat[j]! < a || (lat[j]! === a && lon[j]! <= o)))) break;
      ts[j + 1] = tj;
      lat[j + 1] = lat[j]!;
      lon[j + 1] = lon[j]!;
      j--;
    }
    ts[j + 1] = t;
    lat[j + 1] = a;
    lon[j + 1] = o;
  }
}

function sortLongRun(ts: Uint32Array, lat: Float64Array, lon: Float64Array, from: number, to: number): void {
  const idx = Array.from({ length: to - from }, (_, k) => from + k);
  idx.sort((x, y) => ts[x]! - ts[y]! || lat[x]! - lat[y]! || lon[x]! - lon[y]!);
  const t = idx.map((i) => ts[i]!);
  const a = idx.map((i) => lat[i]!);
  const o = idx.map((i) => lon[i]!);
  ts.set(t, from);
  lat.set(a, from);
  lon.set(o, from);
}

/** Growable scratch for one person's presence intervals. */
export class IntervalScratch {
  count = 0;
  a = new Float64Array(64);
  b = new Float64Array(64);
  lat = new Float64Array(64);
  lon = new Float64Array(64);

  /** Fill from rows [from, to) sorted by sortRun; drops empty intervals. */
  fill(ts: Uint32Array, lat: Float64Array, lon: Float64Array, from: number, to: number, gapS: number): void {
    if (to - from > this.a.length) this.grow(to - from);
    let c = 0;
    for (let k = from; k < to; k++) {
      const t = ts[k]!;
      let end = t + gapS;
      if (k + 1 < to) {
        const tn = ts[k + 1]!;
        if (tn < end) end = tn;
      }
      if (end <= t) continue;
      this.a[c] = t;
      this.b[c] = end;
      this.lat[c] = lat[k]!;
      this.lon[c] = lon[k]!;
      c++;
    }
    this.count = c;
  }

  private grow(n: number): void {
    let size = this.a.length;
    while (size < n) size *= 2;
    this.a = new Float64Array(size);
    this.b = new Float64Array(size);
    this.lat = new Float64Array(size);
    this.lon = new Float64Array(size);
  }
}
