/**
 * Rail, flight and road trips as the places feature reads them: the itinerary card, inbound
 * rules for trips into risk areas, co-travellers of cases. Written by the itinerary feed;
 * implemented by adapters/repositories/places/trip.repository.ts.
 */
import type { TripForMatch } from '../domain/places/trip-exposure.ts';

export interface TripRow {
  mode: string;
  from_region: string;
  to_region: string;
  departed_at: Date;
  arrived_at: Date;
}

export interface TripStore {
  /** One person's trips that arrived or departed after `from`, in departure order. */
  tripsOf(personId: number, from: Date): Promise<TripRow[]>;
  /** These persons' trips that departed or arrived at or after `from`, for matching. */
  forPersons(personIds: readonly number[], from: Date): Promise<TripForMatch[]>;
  /** Trips on one service (mode and train or flight number) whose journey overlaps [from, to]. */
  onService(mode: string, service: string, from: Date, to: Date): Promise<TripForMatch[]>;
  /**
   * Trips that departed from or arrived in a region starting with `prefix4` (a prefecture), or
   * naming only its province, at a moment in [from, to] (re-matching a newly published area).
   */
  touchingPrefecture(prefix4: string, from: Date, to: Date): Promise<TripForMatch[]>;
  /** Persons with trips received (arrival_time) in [from, to) (the worker's catch-up pass). */
  personsReceived(from: Date, to: Date): Promise<number[]>;
}
