/**
 * Itinerary rows (docs/DESIGN.md §5): carrier signalling pings and rail / flight / road trips.
 * Pure checks; pings take a fast path because a province sends tens of millions a day.
 */
import { normalisePhone } from '../mask.ts';
import { regionLabel } from '../regions.ts';
import {
  bad,
  ok,
  oneOf,
  personRefOf,
  sourceIdOf,
  text,
  timeField,
  type Checked,
  type PersonRef,
  type RawRecord,
} from './record.ts';

export const TRIP_MODES = ['rail', 'flight', 'road'] as const;
export type TripMode = (typeof TRIP_MODES)[number];

export interface TripFields {
  mode: TripMode;
  fromRegion: string;
  toRegion: string;
  departedAt: number;
  arrivedAt: number;
  carriage?: string;
  seat?: string;
  /** train or flight number (车次/航班号), upper case without spaces: G1234, CA1234 */
  service?: string;
}

export interface TripRecord extends TripFields {
  sourceId: string;
  person: PersonRef;
}

function region(r: RawRecord, key: string): Checked<string> {
  const s = text(r, key);
  if (s === undefined) return bad(key, 'ROW_MISSING_FIELD', `${key} is required`);
  if (!/^\d{6}$/.test(s) || regionLabel(s) === undefined)
    return bad(key, 'ROW_BAD_VALUE', `${key} must be a GB/T 2260 six-digit code`);
  return ok(s);
}

/** Mode, regions and times of a trip (arrival not before departure, at most 3 days long). */
export function checkTripFields(r: RawRecord, now: number): Checked<TripFields> {
  const mode = oneOf(r, 'mode', TRIP_MODES);
  if (!mode.ok) return mode;
  const from = region(r, 'from_region');
  if (!from.ok) return from;
  const to = region(r, 'to_region');
  if (!to.ok) return to;
  const dep = timeField(r, 'departed_at', { required: true, now: now + 3 * 86400_000 });
  if (!dep.ok) return dep;
  const arr = timeField(r, 'arrived_at', { required: true, now: now + 3 * 86400_000 });
  if (!arr.ok) return arr;
  const d = dep.value as number;
  const a = arr.value as number;
  if (a < d || a - d > 3 * 86400_000)
    return bad('arrived_at', 'ROW_BAD_TIME', 'arrival must be after departure and within 3 days');
  const t: TripFields = {
    mode: mode.value,
    fromRegion: from.value,
    toRegion: to.value,
    departedAt: d,
    arrivedAt: a,
  };
  const carriage = text(r, 'carriage');
  if (carriage !== undefined) t.carriage = carriage.slice(0, 16);
  const seat = text(r, 'seat');
  if (seat !== undefined) t.seat = seat.slice(0, 16);
  const service = text(r, 'service_no') ?? text(r, 'train_no') ?? text(r, 'flight_no');
  if (service !== undefined) {
    const s = service.replace(/\s+/g, '').toUpperCase();
    if (!/^[A-Z0-9]{2,10}$/.test(s))
      return bad(
        'service_no',
        'ROW_BAD_VALUE',
        'service_no must be a train or flight number (2–10 letters and digits)',
      );
    t.service = s;
  }
  return ok(t);
}

export function checkTripRecord(r: RawRecord, now: number): Checked<TripRecord> {
  const sourceId = sourceIdOf(r);
  if (!sourceId.ok) return sourceId;
  const person = personRefOf(r, new Date(now).toISOString().slice(0, 10));
  if (!person.ok) return person;
  const t = checkTripFields(r, now);
  if (!t.ok) return t;
  return ok({ ...t.value, sourceId: sourceId.value, person: person.value });
}

/** One carrier ping: the phone (the carrier's person id), epoch ms, position, accuracy in metres. */
export interface PingRecord {
  phone: string;
  ts: number;
  lat: number;
  lon: number;
  accuracyM?: number;
}

const MOBILE = /^1[3-9]\d{9}$/;

/** Columns of the ping CSV; `person_ref` is accepted for `phone`. */
export const PING_COLUMNS = ['phone', 'ts', 'lat', 'lon', 'accuracy_m'] as const;

/**
 * Checks one ping. `oldest` rejects pings already past retention (they would be dropped at once);
 * `now` rejects pings more than 10 minutes in the future.
 */
export function checkPing(r: RawRecord, now: number, oldest: number): Checked<PingRecord> {
  const rawPhone = text(r, 'phone') ?? text(r, 'person_ref');
  if (rawPhone === undefined) return bad('phone', 'ROW_MISSING_FIELD', 'phone is required');
  const phone = MOBILE.test(rawPhone) ? rawPhone : normalisePhone(rawPhone.replace(/^phone:/, ''));
  if (!phone) return bad('phone', 'ROW_BAD_PHONE', 'phone must be a mainland mobile number');
  const ts = timeField(r, 'ts', { required: true, now });
  if (!ts.ok) return ts;
  if ((ts.value as number) < oldest)
    return bad('ts', 'ROW_OUT_OF_WINDOW', 'ping is older than the retention window');
  const lat = Number(r.lat);
  if (r.lat === '' || r.lat === undefined || !Number.isFinite(lat) || lat < -90 || lat > 90)
    return bad('lat', 'ROW_BAD_VALUE', 'lat must be −90…90');
  const lon = Number(r.lon);
  if (r.lon === '' || r.lon === undefined || !Number.isFinite(lon) || lon < -180 || lon > 180)
    return bad('lon', 'ROW_BAD_VALUE', 'lon must be −180…180');
  const p: PingRecord = { phone, ts: ts.value as number, lat, lon };
  const acc = r.accuracy_m;
  if (acc !== undefined && acc !== null && acc !== '') {
    const a = Number(acc);
    if (!Number.isFinite(a) || a < 0 || a > 100_000)
      return bad('accuracy_m', 'ROW_BAD_VALUE', 'accuracy_m must be 0…100000');
    p.accuracyM = a;
  }
  return ok(p);
}

/** Where `fastPing` puts a row's values (one object reused for every row). */
export interface PingValues {
  ts: number;
  lat: number;
  lon: number;
  /** NaN when absent */
  acc: number;
}

/**
 * The common carrier row — a plain 11-digit mobile, a UTC time `YYYY-MM-DDTHH:MM:SS[.sss]Z`, plain
 * numbers — checked without allocating: true with the values in `out`; false when the row is in
 * another form or is not valid, and then `checkPing` decides (with the error). It accepts only
 * rows `checkPing` accepts, with the same values, so it changes speed, not results.
 */
export function fastPing(r: RawRecord, now: number, oldest: number, out: PingValues): boolean {
  const phone = r.phone;
  if (typeof phone !== 'string' || phone.length !== 11 || phone.charCodeAt(0) !== 49) return false;
  const c1 = phone.charCodeAt(1);
  if (c1 < 51 || c1 > 57) return false;
  for (let i = 2; i < 11; i++) {
    const c = phone.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const s = r.ts;
  if (typeof s !== 'string') return false;
  const t = isoUtcMs(s);
  if (t !== t || t > now + 10 * 60_000 || t < oldest) return false; // NaN: not this form
  const rl = r.lat;
  const rn = r.lon;
  if (rl === '' || rl === undefined || rn === '' || rn === undefined) return false;
  const lat = Number(rl);
  const lon = Number(rn);
  if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) return false; // also NaN, ±Infinity
  const ra = r.accuracy_m;
  let acc = NaN;
  if (ra !== undefined && ra !== null && ra !== '') {
    acc = Number(ra);
    if (!(acc >= 0 && acc <= 100_000)) return false;
  }
  out.ts = t;
  out.lat = lat;
  out.lon = lon;
  out.acc = acc;
  return true;
}

const digits2 = (s: string, i: number): number => {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
};

/** Epoch ms of exactly `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.sssZ` (year ≥ 1970), else NaN. */
export function isoUtcMs(s: string): number {
  const n = s.length;
  if (
    (n !== 20 && n !== 24) ||
    s.charCodeAt(n - 1) !== 90 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  )
    return NaN;
  const y = digits2(s, 0) * 100 + digits2(s, 2);
  const mo = digits2(s, 5);
  const d = digits2(s, 8);
  const h = digits2(s, 11);
  const mi = digits2(s, 14);
  const se = digits2(s, 17);
  let ms = 0;
  if (n === 24) {
    if (s.charCodeAt(19) !== 46) return NaN;
    ms = digits2(s, 20) * 10 + (s.charCodeAt(22) - 48);
    const c = s.charCodeAt(22);
    if (c < 48 || c > 57) return NaN;
  }
  if (!(y >= 1970 && mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && se <= 59 && ms >= 0)) return NaN; // NaN fails too
  const key = y * 10000 + mo * 100 + d;
  if (key !== lastDateKey) {
    // Rows of one file share a few dates: the date part is worked out once per date.
    if (d > 28 && d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return NaN;
    lastDateMs = Date.UTC(y, mo - 1, d);
    lastDateKey = key;
  }
  return lastDateMs + ((h * 60 + mi) * 60 + se) * 1000 + ms;
}

let lastDateKey = -1;
let lastDateMs = 0;

/** Ping messages may carry their own source id (a carrier block); files get one per block. */
export function pingBlockSourceId(r: RawRecord): string | undefined {
  const s = sourceIdOf(r);
  return s.ok ? s.value : undefined;
}

export { personRefOf };
