/**
 * The places side of stays (停留: carrier stays, check-ins, code-display positions) and trips:
 * writing check-in and code-display stays, reading stays for risk-area matching and the itinerary
 * card. Implemented by adapters/repositories/places/stay.repository.ts.
 */

export interface StayRow {
  person_id: number;
  started_at: Date;
  ended_at: Date;
  lat: number | null;
  lon: number | null;
  accuracy_m: number | null;
  region_code: string | null;
  venue_id: number | null;
  source: string;
  source_record_id: string;
}

/** A stay with the admin code of its venue (check-ins: street or community precision). */
export type StayWithVenue = StayRow & { venue_code: string | null };

/** An admin-code area matched inside the store (no geometry test needed). */
export interface DivisionMatch {
  areaId: number;
  level: 'high' | 'medium' | 'low';
  /** the fact type the policy gives this level */
  factType: string;
  name: string;
  regionCode: string;
  code: string;
  startsAt: Date;
  liftedAt: Date | null;
  from: Date;
  to: Date;
  lookback: Date;
  now: Date;
  factSource: string;
}

export interface StayStore {
  /** Inserts one stay (creating its day partition first); a repeat of the same record is ignored. */
  insert(s: StayRow): Promise<void>;
  /** Stays started in [from, to) with a position inside the box [minLon, minLat, maxLon, maxLat]. */
  inBox(box: readonly [number, number, number, number], from: Date, to: Date): Promise<StayRow[]>;
  /** Stays started in [from, to) whose region code, or whose venue's admin code, starts with `code`. */
  inDivision(code: string, from: Date, to: Date): Promise<StayWithVenue[]>;
  /**
   * Matches an admin-code area against the stays and writes its facts in one statement: per
   * person the stay in the division that ended last. Returns persons matched and new facts' persons.
   */
  matchDivisionIntoFacts(a: DivisionMatch): Promise<{ matched: number; personIds: number[] }>;
  /** All stays started in [from, to), with their venue's admin code (periodic sweep). */
  between(from: Date, to: Date): Promise<StayWithVenue[]>;
  /** One person's stays that ended after `from`, optionally of some sources only. */
  ofPerson(personId: number, from: Date, sources?: readonly string[]): Promise<StayRow[]>;
}
