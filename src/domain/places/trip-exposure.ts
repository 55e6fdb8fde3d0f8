/**
 * What a rail, flight or road trip tells the policy (pure): a departure from or an arrival in a
 * region with an active risk area (the inbound rules), and the passengers who shared a flight or
 * a train carriage with a case (co-travellers). The fact types come from the policy's `sources`
 * section; every fact has a stable source record id, so matching again changes nothing.
 */
import type { FactData } from '../fact.ts';

export const TRIP_AREA_FACT_SOURCE = 'places.risk-area';
export const CO_TRAVEL_FACT_SOURCE = 'places.co-travel';
const DAY = 86_400_000;

export interface TripForMatch {
  id: number;
  personId: number;
  mode: string;
  fromRegion: string;
  toRegion: string;
  departedAt: number;
  arrivedAt: number;
  service: string | null;
  carriage: string | null;
}

export interface AreaForTrips {
  id: number;
  name: string;
  level: 'high' | 'medium' | 'low';
  /** the county the area lies in */
  regionCode: string;
  startsAt: number;
  /** Infinity while active */
  liftedAt: number;
}

/** A fact a places source records (the fact service checks its type). */
export interface PlaceFact {
  personId: number;
  type: string;
  source: string;
  sourceRecordId: string;
  eventTime: number;
  validFrom?: number;
  data: FactData;
}

export type LevelFacts = Record<'high' | 'medium' | 'low', string | null>;

/**
 * How many leading digits of a trip's region code must equal the area's county: a county code
 * matches its county (or its prefecture when the policy says so); a trip that names only a
 * prefecture (xxyy00) or a province (xx0000) matches any area inside it.
 */
export function tripRegionPrefix(code: string, match: 'county' | 'prefecture'): string {
  if (code.endsWith('0000')) return code.slice(0, 2);
  if (code.endsWith('00') || match === 'prefecture') return code.slice(0, 4);
  return code;
}

/**
 * The inbound facts of trips: each end of a trip (departure from `fromRegion`, arrival in
 * `toRegion`) inside a region with an area active at that moment and no older than `since`.
 * One fact per (area, trip, end); the fact type is the policy's for the area's level.
 */
export function tripAreaFacts(
  trips: readonly TripForMatch[],
  areas: readonly AreaForTrips[],
  levels: LevelFacts,
  match: 'county' | 'prefecture',
  since: number,
): PlaceFact[] {
  const out: PlaceFact[] = [];
  for (const t of trips) {
    const ends = [
      { end: 'from', region: t.fromRegion, at: t.departedAt },
      { end: 'to', region: t.toRegion, at: t.arrivedAt },
    ] as const;
    for (const e of ends) {
      if (e.at < since) continue;
      const prefix = tripRegionPrefix(e.region, match);
      for (const a of areas) {
        const type = levels[a.level];
        if (!type || !a.regionCode.startsWith(prefix) || e.at < a.startsAt || e.at >= a.liftedAt) continue;
        out.push({
          personId: t.personId,
          type,
          source: TRIP_AREA_FACT_SOURCE,
          sourceRecordId: `${a.id}:${a.level}:trip:${t.id}:${e.end}`,
          eventTime: e.at,
          data: {
            areaId: String(a.id),
            list: a.name,
            tier: a.level === 'high' ? 'high' : 'medium',
            regionCode: a.regionCode,
            lastExposureAt: e.at,
            staySource: 'trip',
            tripEnd: e.end,
          },
        });
      }
    }
  }
  return out;
}

export interface CoTravelRules {
  /** a case's trips count from this many days before the case's event time */
  windowDays: number;
  sameFlight: string | null;
  sameCarriage: string | null;
  sameTrainOtherCarriage: string | null;
}

/** The same carriage: both named, equal once spaces, case and leading zeros are set aside. */
function sameCarriage(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  const norm = (s: string) =>
    s
      .replace(/\s+/g, '')
      .toUpperCase()
      .replace(/^0+(?=\d)/, '');
  return norm(a) === norm(b);
}

/** The fact type a passenger of `other` gets for sharing `caseTrip`'s service, or null. */
export function coTravelType(
  caseTrip: TripForMatch,
  other: TripForMatch,
  rules: CoTravelRules,
): string | null {
  if (caseTrip.service === null || other.service !== caseTrip.service || other.mode !== caseTrip.mode)
    return null;
  if (caseTrip.mode === 'flight') return rules.sameFlight;
  if (caseTrip.mode === 'rail')
    return sameCarriage(caseTrip.carriage, other.carriage)
      ? rules.sameCarriage
      : rules.sameTrainOtherCarriage;
  return null;
}

/**
 * Co-travellers of one case trip: other persons whose journey on the same service overlapped it
 * (they were on board together), when the overlap ends no earlier than `windowDays` before the
 * case's event time. Event time and last exposure: the end of the overlap.
 */
export function coTravelFacts(
  caseTrip: TripForMatch,
  caseEventTime: number,
  others: readonly TripForMatch[],
  rules: CoTravelRules,
): PlaceFact[] {
  const out: PlaceFact[] = [];
  for (const o of others) {
    if (o.personId === caseTrip.personId) continue;
    const start = Math.max(o.departedAt, caseTrip.departedAt);
    const end = Math.min(o.arrivedAt, caseTrip.arrivedAt);
    if (start > end || end < caseEventTime - rules.windowDays * DAY) continue;
    const type = coTravelType(caseTrip, o, rules);
    if (!type) continue;
    out.push({
      personId: o.personId,
      type,
      source: CO_TRAVEL_FACT_SOURCE,
      sourceRecordId: `${caseTrip.id}:${o.id}`,
      eventTime: end,
      data: {
        list:
          caseTrip.mode === 'flight'
            ? '同航班 same flight'
            : sameCarriage(caseTrip.carriage, o.carriage)
              ? '同车厢 same carriage'
              : '同车次 same train',
        lastExposureAt: end,
        service: caseTrip.service,
        mode: caseTrip.mode,
        caseTripId: String(caseTrip.id),
      },
    });
  }
  return out;
}
