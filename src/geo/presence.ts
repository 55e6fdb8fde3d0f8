// Presence intervals (DESIGN §6): a person's pings sorted by time; ping i covers
// [tᵢ, min(tᵢ₊₁, tᵢ + G)). Ties in time are ordered by (lat, lon) so the result never depends on
// the input row order; a tied ping then covers an empty interval and drops out.

/** Order `idx[from..to)` (ping row numbers of one person) by (ts, lat, lon), in place. */
export function sortPersonPings(
  idx: Uint32Array,
  from: number,
  to: number,
  ts: ArrayLike<number>,
  lat: ArrayLike<number>,
  lon: ArrayLike<number>,
): void {
  const n = to - from;
  if (n < 2) return;
  if (n > 48) {
    idx.subarray(from, to).sort((x, y) => comparePings(x, y, ts, lat, lon));
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const v = idx[i]!;
    const tv = ts[v]!;
    let j = i - 1;
    while (j >= from) {
      const u = idx[j]!;
      const tu = ts[u]!;
      if (tu < tv || (tu === tv && comparePings(u, v, ts, lat, lon) <= 0)) break;
      idx[j + 1] = u;
      j--;
    }
    idx[j + 1] = v;
  }
}

/** Total order of pings of one person: time, then latitude, then longitude. */
export function comparePings(
  x: number,
  y: number,
  ts: ArrayLike<number>,
  lat: ArrayLike<number>,
  lon: ArrayLike<number>,
): number {
  return ts[x]! - ts[y]! || lat[x]! - lat[y]! || lon[x]! - lon[y]!;
}

/** Growable scratch for one person's presence intervals. */
export class IntervalScratch {
  count = 0;
  a = new Float64Array(64);
  b = new Float64Array(64);
  lat = new Float64Array(64);
  lon = new Float64Array(64);

  /** Fill from sorted ping rows idx[from..to); drops empty intervals. */
  fill(
    idx: Uint32Array,
    from: number,
    to: number,
    ts: ArrayLike<number>,
    lat: ArrayLike<number>,
    lon: ArrayLike<number>,
    gapS: number,
  ): void {
    if (to - from > this.a.length) this.grow(to - from);
    let c = 0;
    for (let k = from; k < to; k++) {
      const i = idx[k]!;
      const t = ts[i]!;
      let end = t + gapS;
      if (k + 1 < to) {
        const tn = ts[idx[k + 1]!]!;
        if (tn < end) end = tn;
      }
      if (end <= t) continue;
      this.a[c] = t;
      this.b[c] = end;
      this.lat[c] = lat[i]!;
      this.lon[c] = lon[i]!;
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

/**
 * Counting sort of ping rows by person, restricted to persons in [lo, hi). Returns the row numbers
 * grouped by person and `start`, where person p's rows are order[start[p−lo] .. start[p−lo+1]).
 */
export function groupByPerson(
  person: Uint32Array,
  lo: number,
  hi: number,
): { order: Uint32Array; start: Uint32Array } {
  const span = hi - lo;
  const start = new Uint32Array(span + 1);
  const n = person.length;
  for (let i = 0; i < n; i++) {
    const p = person[i]! - lo;
    if (p >= 0 && p < span) start[p + 1]!++;
  }
  for (let p = 0; p < span; p++) start[p + 1]! += start[p]!;
  const order = new Uint32Array(start[span]!);
  const pos = start.slice(0, span);
  for (let i = 0; i < n; i++) {
    const p = person[i]! - lo;
    if (p >= 0 && p < span) order[pos[p]!++] = i;
  }
  return { order, start };
}
