/**
 * The itinerary card rule (行程卡, docs/PLACES.md §Itinerary): the prefecture-level cities where a
 * person stayed at least 4 h in the last 14 days, from carrier stays and rail/flight trips, each
 * starred when the city has an active medium or high risk area now. Pure: `now` is an argument.
 *
 * - Evidence: every stay is (city, start, end). A trip's arrival opens a presence in the
 *   destination from the arrival until the next evidence in another city (a stay elsewhere or the
 *   next departure), or now: the destination counts once the time after arrival reaches 4 h.
 * - Visits: evidence sorted by start; consecutive evidence in the same city joins into one visit
 *   when the gap is at most `joinGapMs` (a phone quiet for an hour has not left town). Evidence in
 *   another city ends the visit.
 * - A city is listed when one of its visits, clipped to [now − 14 d, now], lasts ≥ `minStayMs`.
 *   Cities are ordered by their latest qualifying visit, most recent first (as the card shows).
 */
export interface ItineraryStay {
  /** 4-digit prefecture code */
  city: string;
  start: number;
  end: number;
}

export interface ItineraryTrip {
  fromCity: string;
  toCity: string;
  departedAt: number;
  arrivedAt: number;
}

export interface ItineraryRules {
  lookbackMs: number;
  minStayMs: number;
  joinGapMs: number;
}

export const DEFAULT_ITINERARY_RULES: ItineraryRules = {
  lookbackMs: 14 * 86_400_000,
  minStayMs: 4 * 3_600_000,
  joinGapMs: 2 * 3_600_000,
};

export interface ItineraryCity {
  code: string;
  /** longest visit in the window, ms */
  longestMs: number;
  /** end of the latest qualifying visit (clipped to now) */
  lastSeenAt: number;
  starred: boolean;
}

interface Evidence {
  city: string;
  start: number;
  end: number;
}

/** Cities of the itinerary card; `starred` says which 4-digit codes have a medium/high area now. */
export function itineraryCities(
  stays: readonly ItineraryStay[],
  trips: readonly ItineraryTrip[],
  now: number,
  starred: ReadonlySet<string>,
  rules: ItineraryRules = DEFAULT_ITINERARY_RULES,
): ItineraryCity[] {
  const from = now - rules.lookbackMs;
  const ev: Evidence[] = stays.filter((s) => s.end >= s.start && s.start <= now).map((s) => ({ ...s }));
  const sortedTrips = [...trips].sort((a, b) => a.arrivedAt - b.arrivedAt);
  for (const t of sortedTrips) {
    if (t.arrivedAt > now) continue;
    // Presence in the destination runs until evidence elsewhere: another city's stay or a departure.
    let end = now;
    for (const s of stays) if (s.city !== t.toCity && s.start >= t.arrivedAt && s.start < end) end = s.start;
    for (const u of sortedTrips)
      if (u !== t && u.departedAt >= t.arrivedAt && u.departedAt < end) end = u.departedAt;
    ev.push({ city: t.toCity, start: t.arrivedAt, end });
  }
  ev.sort((a, b) => a.start - b.start || a.end - b.end);

  const out = new Map<string, ItineraryCity>();
  const close = (v: Evidence | undefined) => {
    if (!v) return;
    const len = Math.min(v.end, now) - Math.max(v.start, from);
    if (len < rules.minStayMs) return;
    const seen = out.get(v.city);
    const last = Math.min(v.end, now);
    if (!seen)
      out.set(v.city, { code: v.city, longestMs: len, lastSeenAt: last, starred: starred.has(v.city) });
    else {
      seen.longestMs = Math.max(seen.longestMs, len);
      seen.lastSeenAt = Math.max(seen.lastSeenAt, last);
    }
  };
  let visit: Evidence | undefined;
  for (const e of ev) {
    if (visit && visit.city === e.city && e.start - visit.end <= rules.joinGapMs) {
      if (e.end > visit.end) visit.end = e.end;
      continue;
    }
    // Overlapping evidence in another city cuts the current visit where the new one begins.
    if (visit && e.start < visit.end) visit.end = e.start;
    close(visit);
    visit = { ...e };
  }
  close(visit);
  return [...out.values()].sort((a, b) => b.lastSeenAt - a.lastSeenAt || a.code.localeCompare(b.code));
}
