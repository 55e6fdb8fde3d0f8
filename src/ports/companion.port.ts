/**
 * What the platform's companion runs (时空伴随, docs/COMPANIONS.md "Platform runs") read and
 * record: the retained carrier pings, the cases, who has been run, and the phone a companion
 * record names so that the key-population feed resolves the same holder the pings came from.
 */
import type { CompanionParams, PingColumns } from '../geo/companion-types.ts';

/** Pings as columns; `person` holds platform person ids, `ts` epoch seconds. */
export interface PingRows {
  person: Float64Array;
  ts: Uint32Array;
  lat: Float64Array;
  lon: Float64Array;
}

/** A latitude/longitude box (degrees, inclusive). */
export interface GeoBox {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}

/** A person the companion runs treat as a case, and the fact that made them one. */
export interface CompanionCase {
  personId: number;
  factId: number;
  /** epoch ms */
  eventTime: number;
}

/** One recorded run: a day (`YYYY-MM-DD`, China Standard Time) or a case (its fact id). */
export interface CompanionRun {
  kind: 'day' | 'case';
  key: string;
  claimedAt: number;
  finishedAt: number | null;
  pairs: number | null;
}

export interface CompanionStore {
  /** Pings with from ≤ ts < to (epoch ms), of the given persons only when `persons` is set. */
  pings(from: number, to: number, persons?: readonly number[]): Promise<PingRows>;
  /** Distinct persons with a ping in the box with from ≤ ts < to. */
  personsIn(box: GeoBox, from: number, to: number): Promise<number[]>;
  /**
   * Cases that were cases at some moment of [from, to): a case fact (or a positive individual
   * test) with since ≤ eventTime < to, not released at or before `from`.
   */
  casesDuring(from: number, to: number, since: number): Promise<CompanionCase[]>;
  /** Case facts of these persons (eventTime ≥ since) that no companion run has claimed yet. */
  unrunCases(personIds: readonly number[], since: number): Promise<CompanionCase[]>;
  /**
   * Claims a run; true when this caller may do it (never claimed, or claimed more than `staleMs`
   * ago and never finished: its process died).
   */
  claim(kind: CompanionRun['kind'], key: string, at: number, staleMs: number): Promise<boolean>;
  /** Marks a claimed run finished with the number of companion records it produced. */
  finish(kind: CompanionRun['kind'], key: string, at: number, pairs: number): Promise<void>;
  /** The latest runs, newest claim first. */
  recentRuns(limit: number): Promise<CompanionRun[]>;
  /** The phone each person is registered with (the carrier's identifier of their pings). */
  phonesOf(personIds: readonly number[]): Promise<Map<number, string>>;
}

/** One day's pings and cases, ready for the engine. */
export interface CompanionDayJob {
  day: string;
  columns: PingColumns;
  /** person names by dense id: `p<personId>|<phone>` */
  names: string[];
  /** dense ids of the cases */
  cases: number[];
  params: CompanionParams;
  /** epoch seconds the run looked at the data */
  asOf: number;
  list: string;
}

/** Runs a day elsewhere (JetStream tile workers), which publish the records themselves. */
export interface CompanionDayRunner {
  /** Queues the day's work; returns the number of jobs queued. */
  runDay(job: CompanionDayJob): Promise<number>;
}
