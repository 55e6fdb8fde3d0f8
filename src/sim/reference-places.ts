/**
 * The reference for the places sources of `hc simulate`: which facts the trips, check-ins, risk
 * areas and cities with cases of a simulated city should give each resident, written from
 * docs/PLACES.md ("Trips", "Co-travellers", "Cities with cases", "Venues", "Matching"), the default
 * policy's `sources` (docs/POLICY.md) and the companion rule of the platform's companion runs
 * (docs/COMPANIONS.md "Semantics" and "Platform runs", radius mode) — not from src/services,
 * src/domain/places or src/geo, which it checks. The facts go to ./reference-evaluator.ts like any other.
 */
import type { RefFact } from './reference-evaluator.ts';
import { MIN, DAY } from './time.ts';

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

/** A carrier's pings of one resident (the pings feed); `ts` in ms. */
export interface RefPings {
  resident: number;
  pings: ReadonlyArray<{ ts: number; lat: number; lon: number }>;
  seq: number;
}

export interface PlacesWorld {
  pings?: readonly RefPings[];
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
  /** the platform's companion runs (HC_COMPANION_*): radius, gap G, threshold, days before a case */
  companion: { radiusM: number; gapMs: number; minMs: number; caseDays: number };
}

export const DEFAULT_REF_SOURCES: RefSources = {
  windowDays: 4,
  checkinStayMs: 60 * MIN,
  companion: { radiusM: 800, gapMs: 30 * MIN, minMs: 10 * MIN, caseDays: 4 },
};

/** Great-circle distance, R = 6 371 008.8 m (docs/DESIGN.md §6). */
function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** The UTC+8 calendar day of a moment (a run covers one such day). */
const dayOf = (t: number) => Math.floor((t + 8 * 60 * MIN) / DAY);

/**
 * Presence: pings sorted by (ts, lat, lon), each covering [tᵢ, min(tᵢ₊₁, tᵢ + G)), the last
 * [tₙ, tₙ + G); built within each UTC+8 day.
 */
function presence(p: RefPings['pings'], gapMs: number) {
  const xs = [...p].sort((a, b) => a.ts - b.ts || a.lat - b.lat || a.lon - b.lon);
  return xs.map((x, i) => {
    const next = xs[i + 1];
    const end = next && dayOf(next.ts) === dayOf(x.ts) ? Math.min(next.ts, x.ts + gapMs) : x.ts + gapMs;
    return { ...x, end, day: dayOf(x.ts) };
  });
}

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

  // Companions 时空伴随 (the platform's companion runs): a case's pings from the UTC+8 day
  // caseDays before its event time on, against every other person's pings of the same day; each
  // overlap of presence within the radius counts; at the threshold the person gets a `companion`
  // fact whose event time is the end of the latest co-located overlap.
  const c = s.companion;
  // a person's presence is built from all their pings
  const byResident = new Map<number, { pings: RefPings['pings'][number][]; seq: number }>();
  for (const p of w.pings ?? []) {
    const x =
      byResident.get(p.resident) ?? byResident.set(p.resident, { pings: [], seq: 0 }).get(p.resident)!;
    x.pings.push(...p.pings);
    x.seq = Math.max(x.seq, p.seq);
  }
  const tracks = [...byResident].map(([resident, p]) => ({
    resident,
    seq: p.seq,
    at: presence(p.pings, c.gapMs),
  }));
  for (const cs of w.cases) {
    const from = dayOf(cs.event - c.caseDays * DAY);
    for (const ct of tracks.filter((t) => t.resident === cs.resident)) {
      for (const o of tracks) {
        if (o.resident === cs.resident) continue;
        // one record per (day, person, case)
        const days = new Map<number, { ms: number; last: number }>();
        for (const a of ct.at) {
          if (a.day < from) continue;
          for (const b of o.at) {
            if (b.day !== a.day) continue;
            const overlap = Math.min(a.end, b.end) - Math.max(a.ts, b.ts);
            if (overlap <= 0 || haversineM(b.lat, b.lon, a.lat, a.lon) > c.radiusM) continue;
            const d = days.get(a.day) ?? days.set(a.day, { ms: 0, last: -Infinity }).get(a.day)!;
            d.ms += overlap;
            d.last = Math.max(d.last, Math.min(a.end, b.end));
          }
        }
        const known = Math.max(cs.seq, ct.seq, o.seq);
        if (cs.releases.some((r) => r.event >= cs.event && r.seq < known)) continue;
        for (const d of days.values())
          if (d.ms >= c.minMs) add(o.resident, { kind: 'companion', event: d.last, seq: known });
      }
    }
  }
  return out;
}
