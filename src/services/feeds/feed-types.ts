/** The feeds (docs/DESIGN.md §5) and what one batch of records comes back as. */
import type { Fact } from '../../domain/fact.ts';
import type { RawRecord, RowError } from '../../domain/feeds/record.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { PersonLookup } from '../../ports/feed-store.port.ts';
import type { PersonDisplay } from '../../ports/person-store.port.ts';
import type { PingStore } from '../../ports/ping-store.port.ts';
import type { UnitOfWork } from '../../ports/unit-of-work.port.ts';
import type { FactService } from '../fact.service.ts';
import type { ResidentService } from '../resident.service.ts';
import type { PersonResolver } from './person-resolver.ts';

export const FEED_NAMES = [
  'persons',
  'declarations',
  'pings',
  'trips',
  'key-population',
  'vaccinations',
] as const;
export type FeedName = (typeof FEED_NAMES)[number];

export function isFeedName(s: string): s is FeedName {
  return (FEED_NAMES as readonly string[]).includes(s);
}

/** One record to ingest and where it came from (file line; 1 for an API body or a message). */
export interface IngestItem {
  line: number;
  record: RawRecord;
}

export interface BatchResult {
  accepted: number;
  duplicates: number;
  errors: RowError[];
  /** persons with new facts (to recompute) */
  personIds: number[];
  /** what the codes of (some of) those persons show, when the batch looked them up */
  shown?: Map<number, PersonDisplay>;
  /** the facts the batch committed, with their ids, when it has them in hand (the recompute reads only the others) */
  written?: Fact[];
  /** persons with new trips (the places worker matches them: risk areas, co-travellers, cities with cases) */
  tripPersonIds: number[];
  /** persons and UTC days with new pings (to condense into stays) */
  pingDays?: Map<number, Set<number>>;
}

/** What every feed handler works with. */
export interface FeedDeps {
  /** a batch's writes, in one transaction (stores: facts, feeds, registrations) */
  uow: UnitOfWork;
  /** person lookups outside a transaction */
  lookup: PersonLookup;
  pings: PingStore;
  residents: ResidentService;
  facts: FactService;
  resolver: PersonResolver;
  clock: Clock;
  retentionDays: number;
}

export function emptyResult(): BatchResult {
  return { accepted: 0, duplicates: 0, errors: [], personIds: [], tripPersonIds: [] };
}
