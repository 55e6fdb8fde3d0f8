/**
 * The reference for the places sources of `hc simulate`: which facts the trips, check-ins, risk
 * areas and cities with cases of a simulated city should give each resident, written from
 * docs/PLACES.md ("Trips", "Co-travellers", "Cities with cases", "Venues", "Matching") and the
 * default policy's `sources` (docs/POLICY.md) — not from src/services/places or
 * src/domain/places, which it checks. The facts go to ./reference-evaluator.ts like any other.
 */
import type { RefFact } from './reference-evaluator.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** A rail or flight trip as the simulation sent it; `seq` = when it reached the platform. */
export interface RefTrip {
  resident: number;
  mode: 'rail' | 'flight';
  service: string;
  carriage?: string;
  /** county codes (6 digits, never a prefecture or province code in the simulation) */
  from: string;
  to: string;
  departed: number;
  arrived: number;
  seq: number;
}

/** A risk area: active over [start, lift); its county; `seq` = when it was published. */
export interface RefArea {
  id: number;
  level: 'high' | 'medium';
  county: string;
  start: number;
  /** Infinity while not lifted */
  lift: number;
  seq: number;
  /** when the lift reached the platform */
  liftSeq?: number;
}

/** A check-in at a venue (a stay [at, at + 60 min] at the venue's position). */
export interface RefCheckin {
  resident: number;
  at: number;
  /** ids of the areas whose shape holds the venue */
  inAreas: readonly number[];
  seq: number;
}

/** A listed city with cases (prefecture 4 digits or county 6), listed over [since, until). */
export interface RefCity {
  code: string;
  since: number;
  until: number;
  seq: number;
}

/** A resident's case and the health authority's releases of it (event and arrival). */
export interface RefCase {
  resident: number;
  event: number;
  seq: number;
  releases: ReadonlyArray<{ event: number; seq: number }>;
}

export interface PlacesWorld {
  trips: readonly RefTrip[];
  areas: readonly RefArea[];
  checkins: readonly RefCheckin[];
  cities: readonly RefCity[];
  cases: readonly RefCase[];
}

/** The default policy's `sources` numbers the reference needs (docs/POLICY.md). */
export interface RefSources {
  /** sources.coTravellers.windowDays */
  windowDays: number;
  /** the stay of a check-in (docs/PLACES.md "Venues": [at, at + 60 min]) */
  checkinStayMs: number;
}

export const DEFAULT_REF_SOURCES: RefSources = { windowDays: 4, checkinStayMs: 60 * MIN };

/** A carriage compares without spaces, case or leading zeros ('05' = '5'). */
const carriageKey = (c: string | undefined) =>
  c === undefined
    ? undefined
    : c
        .replace(/\s+/g, '')
        .toUpperCase()
        .replace(/^0+(?=\d)/, '');

function areaFact(
  a: RefArea,
  event: number,
  lastExposure: number,
  seq: number,
): Extract<RefFact, { kind: 'inbound_high_risk' | 'medium_risk_stay' }> {
  // sources.tripLevels and .stayLevels, default: high → inbound_high_risk, medium → medium_risk_stay
  return a.level === 'high'
    ? { kind: 'inbound_high_risk', event, lastExposure, seq }
    : { kind: 'medium_risk_stay', event, seq };
}

/** Every resident's places facts (resident index → facts), from the world the simulation built. */
export function placeFacts(w: PlacesWorld, s: RefSources = DEFAULT_REF_SOURCES): Map<number, RefFact[]> {
  const out = new Map<number, RefFact[]>();
  const add = (i: number, f: RefFact) => {
    const xs = out.get(i);
    if (xs) xs.push(f);
    else out.set(i, [f]);
  };

  // Trips: each end is a moment in a region; an area of that county active then applies the inbound
  // rules; a listed city holding the region while listed gives a city-with-cases stay.
  for (const t of w.trips) {
    for (const [region, at] of [
      [t.from, t.departed],
      [t.to, t.arrived],
    ] as const) {
      for (const a of w.areas)
        if (a.county === region && a.start <= at && at < a.lift)
          add(t.resident, areaFact(a, at, at, Math.max(t.seq, a.seq)));
      for (const c of w.cities)
        if (region.startsWith(c.code) && c.since <= at && at < c.until)
          add(t.resident, { kind: 'city_with_cases_stay', event: at, seq: Math.max(t.seq, c.seq) });
    }
  }

  // Check-ins: the stay [at, at + dwell] matches an area holding the venue when it starts before the
  // lift and ends at or after the start; event = max(stay start, area start), last exposure =
  // min(stay end, lift). A check-in is matched when it is written, against the area as it is then,
  // and again whenever the area changes; a match is never withdrawn, so a lift set back to the
  // moment of a check-in already matched keeps its fact.
  for (const k of w.checkins) {
    const end = k.at + s.checkinStayMs;
    for (const a of w.areas) {
      const lift = a.liftSeq !== undefined && a.liftSeq < k.seq ? a.lift : Infinity;
      if (k.inAreas.includes(a.id) && k.at < lift && end >= a.start)
        add(k.resident, areaFact(a, Math.max(k.at, a.start), Math.min(end, lift), Math.max(k.seq, a.seq)));
    }
  }

  // Co-travellers: passengers whose journey on the same service overlapped a case's, the overlap
  // ending no earlier than windowDays before the case's event time; found when the case and both
  // trips are known, if the case was not released by then. Event and last exposure: the overlap's end.
  const tripsOf = new Map<number, RefTrip[]>();
  const onService = new Map<string, RefTrip[]>();
  for (const t of w.trips) {
    (tripsOf.get(t.resident) ?? tripsOf.set(t.resident, []).get(t.resident)!).push(t);
    const key = `${t.mode}:${t.service}`;
    (onService.get(key) ?? onService.set(key, []).get(key)!).push(t);
  }
  for (const c of w.cases) {
    for (const ct of tripsOf.get(c.resident) ?? []) {
      for (const o of onService.get(`${ct.mode}:${ct.service}`) ?? []) {
        if (o.resident === c.resident) continue;
        const start = Math.max(ct.departed, o.departed);
        const end = Math.min(ct.arrived, o.arrived);
        if (start > end || end < c.event - s.windowDays * DAY) continue;
        const known = Math.max(c.seq, ct.seq, o.seq);
        if (c.releases.some((r) => r.event >= c.event && r.seq < known)) continue;
        // sameFlight and sameCarriage: close contacts; another (or an unknown) carriage: secondary
        const close =
          ct.mode === 'flight' ||
          (ct.carriage !== undefined && carriageKey(ct.carriage) === carriageKey(o.carriage));
        add(
          o.resident,
          close
            ? { kind: 'close_contact', event: end, lastExposure: end, seq: known }
            : { kind: 'secondary_contact', event: end, seq: known },
        );
      }
    }
  }
  return out;
}
