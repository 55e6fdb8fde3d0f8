/**
 * Itinerary rows (DESIGN section 5): carrier signalling pings and rail / flight / road trips.
 * Pure checks; pings take a fast path because a province sends tens of millions a day.
 */
import { normalisePhone } from '../mask.ts';
import { regionLabel } from '../regions.ts';
import { bad, ok, oneOf, personRefOf, sourceIdOf, text, timeField, type Checked, type PersonRef, type RawRecord } from './record.ts';

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
}

export interface TripRecord extends TripFields {
  sourceId: string;
  person: PersonRef;
}

function region(r: RawRecord, key: string): Checked<string> {
  const s = text(r, key);
  if (s === undefined) return bad(key, 'ROW_MISSING_FIELD', `${key} is required`);
  if (!/^\d{6}$/.test(s) || regionLabel(s) === undefined) return bad(key, 'ROW_BAD_VALUE', `${key} must be a GB/T 2260 six-digit code`);
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
  if (a < d || a - d > 3 * 86400_000) return bad('arrived_at', 'ROW_BAD_TIME', 'arrival must be after departure and within 3 days');
  const t: TripFields = { mode: mode.value, fromRegion: from.value, toRegion: to.value, departedAt: d, arrivedAt: a };
  const carriage = text(r, 'carriage');
  if (carriage !== undefined) t.carriage = carriage.slice(0, 16);
  const seat = text(r, 'seat');
  if (seat !== undefined) t.seat = seat.slice(0, 16);
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
  if ((ts.value as number) < oldest) return bad('ts', 'ROW_OUT_OF_WINDOW', 'ping is older than the retention window');
  const lat = Number(r.lat);
  if (r.lat === '' || r.lat === undefined || !Number.isFinite(lat) || lat < -90 || lat > 90) return bad('lat', 'ROW_BAD_VALUE', 'lat must be −90…90');
  const lon = Number(r.lon);
  if (r.lon === '' || r.lon === undefined || !Number.isFinite(lon) || lon < -180 || lon > 180) return bad('lon', 'ROW_BAD_VALUE', 'lon must be −180…180');
  const p: PingRecord = { phone, ts: ts.value as number, lat, lon };
  const acc = r.accuracy_m;
  if (acc !== undefined && acc !== null && acc !== '') {
    const a = Number(acc);
    if (!Number.isFinite(a) || a < 0 || a > 100_000) return bad('accuracy_m', 'ROW_BAD_VALUE', 'accuracy_m must be 0…100000');
    p.accuracyM = a;
  }
  return ok(p);
}

/** Ping messages may carry their own source id (a carrier block); files get one per block. */
export function pingBlockSourceId(r: RawRecord): string | undefined {
  const s = sourceIdOf(r);
  return s.ok ? s.value : undefined;
}

export { personRefOf };
