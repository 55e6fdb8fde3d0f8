/**
 * The feeds whose rows name a person and become facts or trips (key populations, vaccinations,
 * declarations, trips), with their row checks, and the first step every batch of them takes:
 * check the rows, keep the first row of a repeated source id and report the rest. Pure: a bulk
 * import runs it on a reader thread (record-file-reader.ts), the API and the streams in line.
 */
import { checkDeclarationRecord } from './declaration.feed.ts';
import { checkKeyPopulationRecord, checkVaccinationRecord } from './health.feed.ts';
import { checkTripRecord } from './itinerary.feed.ts';
import {
  normaliseKeys,
  recordProblem,
  rowError,
  type Checked,
  type PersonRef,
  type RawRecord,
  type RowError,
  type RowProblem,
} from './record.ts';

export const PERSON_FEED_CHECKS = {
  'key-population': checkKeyPopulationRecord,
  vaccinations: checkVaccinationRecord,
  declarations: checkDeclarationRecord,
  trips: checkTripRecord,
} as const;

export type PersonFeed = keyof typeof PERSON_FEED_CHECKS;

export function isPersonFeed(feed: string): feed is PersonFeed {
  return Object.hasOwn(PERSON_FEED_CHECKS, feed);
}

/** What a row of a person feed checks into: a source id and the person it names. */
export interface PersonRow {
  sourceId: string;
  person: PersonRef;
}

export type RowCheck<R> = (r: RawRecord, now: number) => Checked<R>;

export interface CheckedRows<R> {
  /** good rows, in line order, each source id once */
  rows: Array<{ line: number; rec: R }>;
  /** bad rows, in line order */
  errors: RowError[];
  /** rows repeating a source id of an earlier row of the batch */
  duplicates: number;
}

/**
 * Checks rows one at a time as a reader reads them, into the current batch (`take` ends it): bad
 * rows are reported, and a source id is kept once per batch (later rows count as duplicates).
 */
export class RowChecker<R extends PersonRow> {
  private batch: CheckedRows<R> = { rows: [], errors: [], duplicates: 0 };
  private seen = new Set<string>();

  /** `now`: the time rows are checked against (set it before each batch). */
  constructor(
    private readonly check: RowCheck<R>,
    public now: number,
  ) {}

  record(line: number, record: RawRecord): void {
    const r = normaliseKeys(record);
    const p = recordProblem(r);
    if (p) {
      this.batch.errors.push(rowError(line, p, p.field === 'source_id' ? undefined : r.source_id));
      return;
    }
    const c = this.check(r, this.now);
    if (!c.ok) this.batch.errors.push(rowError(line, c.problem, r.source_id));
    else if (this.seen.has(c.value.sourceId)) this.batch.duplicates++;
    else {
      this.seen.add(c.value.sourceId);
      this.batch.rows.push({ line, rec: c.value });
    }
  }

  /** A row the reader could not read (bad CSV or JSON). */
  problem(line: number, problem: RowProblem): void {
    this.batch.errors.push(rowError(line, problem));
  }

  take(): CheckedRows<R> {
    const b = this.batch;
    this.batch = { rows: [], errors: [], duplicates: 0 };
    this.seen = new Set();
    return b;
  }
}

/** Checks a batch of records against `now`. */
export function checkRows<R extends PersonRow>(
  items: ReadonlyArray<{ line: number; record: RawRecord }>,
  check: RowCheck<R>,
  now: number,
): CheckedRows<R> {
  const c = new RowChecker(check, now);
  for (const it of items) c.record(it.line, it.record);
  return c.take();
}

/** Bytes of one keyed lookup hash (HMAC-SHA-256). */
export const LOOKUP_HASH_BYTES = 32;

/**
 * Checked rows with the keyed lookup hash of each row's person, `LOOKUP_HASH_BYTES` each in row
 * order (what a reader thread hands over, so the writing thread does not hash them).
 */
export interface HashedRows<R> extends CheckedRows<R> {
  hashes: Uint8Array;
}
