/** Venues (场所) and check-ins (扫码登记). Implemented by adapters/repositories/places/venue.repository.ts. */

export interface VenueRow {
  id: number;
  name: string;
  category: string;
  address: string;
  lat: number;
  lon: number;
  admin_code: string;
  region_code: string;
  poster_nonce: Uint8Array;
  operator_device_id: number | null;
  created_by: string;
  created_at: Date;
  active: boolean;
}

export type NewVenue = Omit<VenueRow, 'id' | 'operator_device_id' | 'active'>;

export interface CheckinRow {
  id: number;
  venue_id: number;
  person_id: number;
  at: Date;
  method: 'resident-scan' | 'venue-scan';
  device_id: number | null;
}

export interface VenueStore {
  /** Inserts a venue; returns it with its id. */
  insert(v: NewVenue): Promise<VenueRow>;
  /** One venue by id. */
  get(id: number): Promise<VenueRow | undefined>;
  /** Links the venue's operator device. */
  setOperatorDevice(id: number, deviceId: number): Promise<void>;
  /** Replaces the poster nonce (a re-print). */
  setNonce(id: number, nonce: Uint8Array): Promise<void>;
  /** Opens or closes a venue. */
  setActive(id: number, active: boolean): Promise<void>;
  /** Venues whose county starts with the prefix, newest first. */
  inRegion(prefix: string, limit: number): Promise<VenueRow[]>;
  /** Records a check-in; returns it with its id. */
  insertCheckin(c: Omit<CheckinRow, 'id'>): Promise<CheckinRow>;
  /** Check-ins at a venue in [from, to], oldest first. */
  checkinsAt(venueId: number, from: Date, to: Date): Promise<CheckinRow[]>;
  /** Check-ins at a venue in [from, to] by other persons who are cases (a `case` fact, or purple now). */
  caseCheckinsAt(venueId: number, from: Date, to: Date, exceptPerson: number): Promise<CheckinRow[]>;
  /** A person's check-ins since `from`. */
  checkinsOf(personId: number, from: Date): Promise<CheckinRow[]>;
  /** Check-in counts per day (UTC+8 calendar day) since `from`: what an operator may see. */
  dailyCounts(venueId: number, from: Date): Promise<Array<{ day: string; checkins: number; people: number }>>;
}
