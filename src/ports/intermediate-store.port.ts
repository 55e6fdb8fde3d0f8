/**
 * The read side of the intermediate store (中间库, docs/DESIGN.md §7): what the testing service
 * published, as the code service keeps it, for the resident's pages and the operators' view of
 * its freshness. Implemented by adapters/repositories/results/intermediate-store.repository.ts.
 */

/** One member's result of one tube version. */
export interface StoredResult {
  lab: string;
  tube: string;
  version: number;
  result: string;
  pooled: boolean;
  collectedAt: Date;
  reportedAt: Date;
  /** a single-tube retest was ordered */
  retest: boolean;
}

export interface StoredBooking {
  id: number;
  siteName: string;
  siteAddress: string;
  startsAt: Date;
  endsAt: Date;
  status: string;
  storedAt: Date;
}

/** How fresh and complete the store is. */
export interface IntermediateStoreCounts {
  heardAt: Date | null;
  upstreamAt: Date | null;
  results: number;
  positives: number;
  members: number;
  /** members whose reference matched no resident */
  unmatched: number;
}

export interface IntermediateStoreReader {
  /** A person's results, the latest version of each tube, newest sample first, at most `limit`. */
  resultsOf(personId: number, limit: number): Promise<StoredResult[]>;
  /** The last moment the store heard from the testing service; null = never. */
  heardAt(): Promise<Date | null>;
  /** Counts and watermarks of the whole store. */
  counts(): Promise<IntermediateStoreCounts>;
  /** A person's bookings as last published, newest first (at most 50). */
  bookingsOf(personId: number): Promise<StoredBooking[]>;
}
