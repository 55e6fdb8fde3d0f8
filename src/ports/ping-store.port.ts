/**
 * Carrier pings and the stays condensed from them (docs/DESIGN.md §5), as the ingest services
 * write and read them; day partitions, their indexes and retention are the adapters' business.
 * Implemented by adapters/feeds/ping.repository.ts, carrier-stay.repository.ts and
 * retention.repository.ts.
 */
import type { PingColumns } from '../domain/feeds/ping-rows.ts';
import type { StayPing } from '../domain/feeds/stays.ts';

/** Checked ping rows and each row's person (NaN: the row is not written). */
export interface PingRows {
  cols: PingColumns;
  persons: Float64Array;
}

/** Writes of one block of pings, all in one transaction. */
export interface PingBlockWriter {
  /** Claims the block; true when it is new (this transaction writes it), false when claimed before. */
  claim(blockId: string, rows: number, lastDay: number, written: Uint8Array): Promise<boolean>;
  /**
   * Locks an earlier claim and returns the bitmap of the rows its loads wrote; null when the claim
   * predates the bitmap (which rows it wrote is unknown).
   */
  writtenBefore(blockId: string): Promise<Uint8Array | null>;
  /** Copies the rows with a person, all on these UTC days (sorted), in one statement; rows copied. */
  copy(days: readonly number[], rows: PingRows, blockId: string): Promise<number>;
  /** Adds rows written by a later load to the block's claim. */
  extendClaim(blockId: string, added: number, lastDay: number, written: Uint8Array): Promise<void>;
}

export interface PingStore {
  /**
   * Makes the day partition of pings for a UTC day ready. `bulk`: a file load, which leaves out a
   * new partition's person index (returns true then) to build it once at the end (`finishDay`).
   */
  ensureDay(day: number, bulk: boolean): Promise<boolean>;
  /** Builds the index a bulk load left out of a day partition (a concurrent build is fine) and analyses it. */
  finishDay(day: number): Promise<void>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  inTransaction<T>(work: (block: PingBlockWriter) => Promise<T>): Promise<T>;
  /** The pings of these persons on one UTC day, each person's in time order. */
  pingsOfDay(day: number, personIds: readonly number[]): Promise<Map<number, StayPing[]>>;
}

/** A stay condensed from a person's carrier pings. */
export interface CarrierStay {
  personId: number;
  startedAt: number;
  endedAt: number;
  lat: number;
  lon: number;
  accuracyM: number;
  sourceRecordId: string;
}

export interface CarrierStayStore {
  /** Makes the day partition of stays for a UTC day ready. */
  ensureDay(day: number): Promise<void>;
  /** Replaces the carrier stays these persons started on a UTC day by `stays`, in one transaction. */
  replaceDay(day: number, personIds: readonly number[], stays: readonly CarrierStay[]): Promise<void>;
}

/** A day partition of pings or stays. */
export interface DayPartition {
  name: string;
  /** UTC day number (days since the epoch) */
  day: number;
}

export interface RetentionStore {
  /** The day partitions of pings and stays. */
  dayPartitions(): Promise<DayPartition[]>;
  /** Drops one day partition (its rows go with it). */
  dropPartition(p: DayPartition): Promise<void>;
  /**
   * Deletes facts whose validity ended before `cutoff` and, in the same statement, resets the fact
   * version of their persons' statuses; how many facts, and the persons whose status was reset.
   */
  deleteFactsExpiredBefore(cutoff: Date): Promise<{ deleted: number; personIds: number[] }>;
  /** Deletes trips that arrived before `cutoff`; how many. */
  deleteTripsArrivedBefore(cutoff: Date): Promise<number>;
  /** Forgets ping blocks whose newest day is before `cutoff` (their pings went with the partitions). */
  forgetPingBlocksBefore(cutoff: Date): Promise<void>;
}
