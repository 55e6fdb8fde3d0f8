/**
 * The intermediate store (中间库, docs/DESIGN.md §7): what the testing service published, as the
 * code service keeps it. The read side serves the resident's pages and the operators' view of its
 * freshness; the write side is filled by its consumer (services/results/intermediate-store.consumer.ts).
 * Implemented by adapters/repositories/results/intermediate-store.repository.ts.
 */
import type { BookingEvent, Relayed, ResultEvent } from '../domain/nat/nat.ts';

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

/**
 * The write side, as the consumer fills it from the testing service's events (exactly once: a
 * result version is stored once, a booking change only when newer than the stored one).
 */
export interface IntermediateStoreWriter {
  /** Stores a result version and its members unless that (lab, tube, version) is stored; true when new. */
  addResult(e: ResultEvent, personIds: ReadonlyMap<string, number>): Promise<boolean>;
  /** Stores a booking change unless a later change of the same booking (higher outbox id) is stored. */
  putBooking(e: BookingEvent & Relayed, personId: number): Promise<void>;
  /** Moves the watermark: heard from the testing service at `heardAt`, its clock at `upstreamAt`; neither goes back. */
  heard(heardAt: Date, upstreamAt: string): Promise<void>;
  /** Residents of person references (resident id, code subject or document hash), by reference; references matching nobody are left out. */
  residentsOf(refs: readonly string[]): Promise<Map<string, number>>;
  /** Whether a resident with this id exists. */
  residentExists(personId: number): Promise<boolean>;
}
