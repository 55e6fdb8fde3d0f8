/**
 * Cities with cases (有病例的城市, pure): presence in a listed city while it is listed — a stay
 * there, or a trip leaving from or arriving in it — records a `city_with_cases_stay` fact, the
 * input of the policy's yellow rule. Stable source record ids: matching again changes nothing.
 */
import type { PlaceFact, TripForMatch } from './trip-exposure.ts';

export const CITY_WITH_CASES_FACT_SOURCE = 'places.city-with-cases';

export interface CityEntry {
  id: number;
  /** 4-digit prefecture or 6-digit county */
  regionCode: string;
  since: number;
  /** Infinity while listed */
  until: number;
}

/** A moment or span of presence in a region (a stay, or one end of a trip). */
export interface Presence {
  personId: number;
  /** 6-digit region code, or a 4-digit prefecture when only that is known */
  region: string;
  start: number;
  end: number;
  /** stable key of the evidence, e.g. `stay:carrier:123@1700000000000` or `trip:9:to` */
  key: string;
}

/** Whether a region code lies in a listed region: a prefecture contains its counties; a trip naming only a prefecture or province lies in all of them. */
export function inListedRegion(region: string, listed: string): boolean {
  let r = region;
  if (r.length === 6 && r.endsWith('0000')) r = r.slice(0, 2);
  else if (r.length === 6 && r.endsWith('00')) r = r.slice(0, 4);
  return r.startsWith(listed) || listed.startsWith(r);
}

/** The presence of trips: the departure and the arrival, each a moment. */
export function tripPresence(trips: readonly TripForMatch[]): Presence[] {
  const out: Presence[] = [];
  for (const t of trips) {
    out.push({
      personId: t.personId,
      region: t.fromRegion,
      start: t.departedAt,
      end: t.departedAt,
      key: `trip:${t.id}:from`,
    });
    out.push({
      personId: t.personId,
      region: t.toRegion,
      start: t.arrivedAt,
      end: t.arrivedAt,
      key: `trip:${t.id}:to`,
    });
  }
  return out;
}

/**
 * Facts for presence in listed cities: overlapping the listing ([since, until)) and ending no
 * earlier than `lookbackFrom`. Event time: when the presence in the listing began.
 */
export function cityWithCasesFacts(
  presence: readonly Presence[],
  entries: readonly CityEntry[],
  lookbackFrom: number,
  names: (code: string) => string | undefined = () => undefined,
): PlaceFact[] {
  const out: PlaceFact[] = [];
  for (const p of presence) {
    if (p.end < lookbackFrom) continue;
    for (const e of entries) {
      if (p.start >= e.until || p.end < e.since || !inListedRegion(p.region, e.regionCode)) continue;
      const name = names(e.regionCode);
      out.push({
        personId: p.personId,
        type: 'city_with_cases_stay',
        source: CITY_WITH_CASES_FACT_SOURCE,
        sourceRecordId: `${e.id}:${p.key}`,
        eventTime: Math.max(p.start, e.since),
        data: {
          list: name ? `有病例城市 ${name}` : `有病例城市 ${e.regionCode}`,
          regionCode: e.regionCode,
          cityEntryId: String(e.id),
          lastExposureAt: Math.min(p.end, e.until),
        },
      });
    }
  }
  return out;
}
