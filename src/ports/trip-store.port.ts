/**
 * Rail, flight and road trips as the places feature reads them: the itinerary card, inbound
 * rules for trips into risk areas, co-travellers of cases. Written by the itinerary feed;
 * implemented by adapters/repositories/places/trip.repository.ts.
 */

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
}
