/**
 * A block of carrier ping rows checked into columns (no object per row). One implementation for
 * both bulk paths: the ping loader checks API and stream batches with it on the event loop, and
 * the pings file thread (adapters/feeds/ping-file-thread.ts) checks file blocks with it on another
 * core, sending the columns back as transferred buffers.
 */
import { checkPing, fastPing, type PingValues } from './itinerary.feed.ts';
import { normaliseKeys, rowError, type RawRecord, type ReadItem, type RowError } from './record.ts';

const DAY_MS = 86400_000;

/** The time window a ping must fall in; `now` comes from the caller's clock. */
export interface PingBounds {
  now: number;
  /** the first instant still inside retention */
  oldest: number;
}

/** Pings older than the first retained UTC day would be dropped at once: they are rejected. */
export function pingBounds(now: number, retentionDays: number): PingBounds {
  return { now, oldest: Math.floor(now / DAY_MS - retentionDays + 1) * DAY_MS };
}

/** The good rows of a block, a column each; rows [0, good) are filled. */
export interface PingColumns {
  good: number;
  lines: Int32Array;
  /**
   * The phones as numbers: a checked phone is always an 11-digit mainland mobile (exact in a
   * double), and a number column crosses threads as a transferred buffer where 50 000 strings
   * would be copied one by one (and looks up faster).
   */
  phones: Float64Array;
  /** epoch ms */
  ts: Float64Array;
  lat: Float64Array;
  lon: Float64Array;
  /** NaN: no accuracy */
  acc: Float64Array;
}

/** Columns with room for `n` rows. */
export function pingColumns(n: number): PingColumns {
  return {
    good: 0,
    lines: new Int32Array(n),
    phones: new Float64Array(n),
    ts: new Float64Array(n),
    lat: new Float64Array(n),
    lon: new Float64Array(n),
    acc: new Float64Array(n),
  };
}

const scratch: PingValues = { ts: 0, lat: 0, lon: 0, acc: NaN };

/**
 * Checks items[from, to): good rows into `cols`, bad and unreadable ones into `errors`, in line
 * order. A plain function (not async) so that V8 optimises its loop.
 */
export function checkPingRows(
  items: readonly ReadItem[],
  from: number,
  to: number,
  b: PingBounds,
  cols: PingColumns,
  errors: RowError[],
): void {
  for (let k = from; k < to; k++) {
    const it = items[k] as ReadItem;
    if ('problem' in it) errors.push(rowError(it.line, it.problem));
    else checkPingRow(it.line, it.record, b, cols, errors);
  }
}

/** Checks one row: into `cols` when good (growing them when full), else into `errors`. */
export function checkPingRow(
  line: number,
  record: RawRecord,
  b: PingBounds,
  cols: PingColumns,
  errors: RowError[],
): void {
  const v = scratch;
  let phone: number;
  if (fastPing(record, b.now, b.oldest, v)) phone = +(record.phone as string);
  else {
    const r = record.phone !== undefined && record.ts !== undefined ? record : normaliseKeys(record);
    const c = checkPing(r, b.now, b.oldest);
    if (!c.ok) {
      errors.push(rowError(line, c.problem));
      return;
    }
    phone = +c.value.phone;
    v.ts = c.value.ts;
    v.lat = c.value.lat;
    v.lon = c.value.lon;
    v.acc = c.value.accuracyM ?? NaN;
  }
  const g = cols.good++;
  if (g === cols.lines.length) grow(cols);
  cols.lines[g] = line;
  cols.phones[g] = phone;
  cols.ts[g] = v.ts;
  cols.lat[g] = v.lat;
  cols.lon[g] = v.lon;
  cols.acc[g] = v.acc;
}

function grow(cols: PingColumns): void {
  const n = Math.max(16, cols.lines.length * 2);
  const more = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
    const b = make(n);
    b.set(a);
    return b;
  };
  cols.lines = more(cols.lines, (k) => new Int32Array(k));
  cols.phones = more(cols.phones, (k) => new Float64Array(k));
  cols.ts = more(cols.ts, (k) => new Float64Array(k));
  cols.lat = more(cols.lat, (k) => new Float64Array(k));
  cols.lon = more(cols.lon, (k) => new Float64Array(k));
  cols.acc = more(cols.acc, (k) => new Float64Array(k));
}
