/**
 * Self-declarations (自主申报, the GB/T 38963 declaration interfaces): body temperature, symptoms
 * and declared trips. Pure checks shared by the resident endpoint and the bulk declaration feed.
 */
import type { FactData } from '../fact.ts';
import {
  bad,
  numberField,
  ok,
  personRefOf,
  sourceIdOf,
  timeField,
  type Checked,
  type PersonRef,
  type RawRecord,
} from './record.ts';
import { checkTripFields, type TripFields } from './itinerary.feed.ts';

export interface DeclarationBody {
  temperature?: number;
  symptoms?: string[];
  trips: TripFields[];
  declaredAt: number;
}

export interface DeclarationRecord extends DeclarationBody {
  sourceId: string;
  person: PersonRef;
}

/** Symptoms as a list: an array, or text separated by ; | or spaces. Codes are lower snake case. */
function symptomsOf(r: RawRecord): Checked<string[] | undefined> {
  const v = r.symptoms;
  if (v === undefined || v === null || v === '') return ok(undefined);
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[;|\s]+/) : null;
  if (!list) return bad('symptoms', 'ROW_BAD_VALUE', 'symptoms must be a list');
  const out: string[] = [];
  for (const s of list) {
    if (typeof s !== 'string') return bad('symptoms', 'ROW_BAD_VALUE', 'symptoms must be text codes');
    const code = s.trim().toLowerCase();
    if (code === '' || code === 'none') continue;
    if (!/^[a-z][a-z_]{1,39}$/.test(code))
      return bad('symptoms', 'ROW_BAD_VALUE', `unknown symptom code ${code}`);
    if (!out.includes(code)) out.push(code);
  }
  if (out.length > 12) return bad('symptoms', 'ROW_BAD_VALUE', 'at most 12 symptoms');
  return ok(out);
}

/** The declaration content (no person, no source id): temperature, symptoms, trips. */
export function checkDeclarationBody(r: RawRecord, now: number): Checked<DeclarationBody> {
  const temperature = numberField(r, 'temperature', 34, 43);
  if (!temperature.ok) return temperature;
  const symptoms = symptomsOf(r);
  if (!symptoms.ok) return symptoms;
  const at = timeField(r, 'declared_at', { now });
  if (!at.ok) return at;
  const trips: TripFields[] = [];
  if (r.trips !== undefined && r.trips !== null) {
    if (!Array.isArray(r.trips) || r.trips.length > 20)
      return bad('trips', 'ROW_BAD_VALUE', 'trips must be a list of at most 20');
    for (const [i, t] of (r.trips as unknown[]).entries()) {
      if (typeof t !== 'object' || t === null)
        return bad(`trips[${i}]`, 'ROW_BAD_VALUE', 'a trip must be an object');
      const c = checkTripFields(t as RawRecord, now);
      if (!c.ok) return bad(`trips[${i}].${c.problem.field}`, c.problem.code, c.problem.message);
      trips.push(c.value);
    }
  }
  if (temperature.value === undefined && symptoms.value === undefined && trips.length === 0) {
    return bad('temperature', 'ROW_MISSING_FIELD', 'declare a temperature, symptoms or trips');
  }
  const body: DeclarationBody = { trips, declaredAt: at.value ?? now };
  if (temperature.value !== undefined) body.temperature = Math.round(temperature.value * 10) / 10;
  if (symptoms.value !== undefined) body.symptoms = symptoms.value;
  return ok(body);
}

/** A bulk declaration row (community paper forms, partner apps). */
export function checkDeclarationRecord(r: RawRecord, now: number): Checked<DeclarationRecord> {
  const sourceId = sourceIdOf(r);
  if (!sourceId.ok) return sourceId;
  const person = personRefOf(r, new Date(now).toISOString().slice(0, 10));
  if (!person.ok) return person;
  const body = checkDeclarationBody(r, now);
  if (!body.ok) return body;
  return ok({ ...body.value, sourceId: sourceId.value, person: person.value });
}

/** Fact data of a declaration (trips go to the trips table, not the fact). */
export function declarationData(d: DeclarationBody): FactData {
  const data: FactData = {};
  if (d.temperature !== undefined) data.temperature = d.temperature;
  if (d.symptoms !== undefined) data.symptoms = d.symptoms;
  if (d.trips.length) data.trips = d.trips.length;
  return data;
}
