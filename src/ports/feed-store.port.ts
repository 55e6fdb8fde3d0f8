/**
 * The feeds' stores (docs/DESIGN.md §5): person lookups in bulk, source-id records, trips,
 * key-population membership with its response tasks, and persons registered in bulk. Inside a
 * unit of work (ports/unit-of-work.port.ts) they come bound to its transaction. Implemented by
 * adapters/feeds/feed.repository.ts and adapters/repositories/person.repository.ts.
 */
import type { NewFact } from '../domain/fact.ts';
import type { ResponseTask, TaskState } from '../domain/feeds/response-task.ts';
import type { NewPersonRow, PersonDisplay } from './person-store.port.ts';

/** A person a feed row names, with what their code shows (the recompute needs it). */
export interface ResolvedPerson extends PersonDisplay {
  id: number;
  regionCode: string | null;
}

export interface TripRow {
  personId: number;
  mode: string;
  fromRegion: string;
  toRegion: string;
  departedAt: number;
  arrivedAt: number;
  carriage: string | null;
  seat: string | null;
  /** train or flight number */
  service: string | null;
  source: string;
  sourceRecordId: string;
}

export interface KeyPopulationRow {
  personId: number;
  list: string;
  category: string;
  tier: string;
  action: 'enter' | 'change' | 'release';
  eventTime: number;
  sourceId: string;
}

/**
 * What a key-population block statement did: wrote every row (facts with these ids in row order,
 * membership and tasks), or only the facts of the `fresh` source ids (nothing else).
 */
export type KeyPopulationBlockWrite = { every: true; ids: string[] } | { every: false; fresh: Set<string> };

/** Persons by their keyed document or phone hash, in bulk. */
export interface PersonLookup {
  /** The i-th result is the person of the i-th document hash, or undefined. */
  personsByDocHash(
    keys: ReadonlyArray<{ docType: number; hash: Uint8Array }>,
  ): Promise<Array<ResolvedPerson | undefined>>;
  /** Persons by keyed phone hash (lowercase hex); a shared phone resolves to its holder. */
  personsByPhoneHash(hashes: readonly string[]): Promise<Map<string, ResolvedPerson>>;
}

export interface FeedStore extends PersonLookup {
  /** Records source ids of a feed; returns those that were new (the rest were seen before). */
  claimSourceIds(
    feed: string,
    entries: ReadonlyArray<{ sourceId: string; personId: number | null }>,
  ): Promise<Set<string>>;
  /** Notes which person each source record of a feed became. */
  setSourcePersons(feed: string, pairs: ReadonlyArray<{ sourceId: string; personId: number }>): Promise<void>;
  /** Source record ids of facts already stored for one source. */
  existingFactIds(source: string, ids: readonly string[]): Promise<Set<string>>;
  /** Inserts trips arriving at `arrival`; returns the source record ids that were new. */
  insertTrips(rows: readonly TripRow[], arrival: number): Promise<Set<string>>;
  /** Applies list rows to membership, newest event wins; returns the rows that were entries. */
  applyKeyPopulation(rows: readonly KeyPopulationRow[]): Promise<KeyPopulationRow[]>;
  /** A whole key-population block (facts, and membership and tasks when every fact is new) in one statement. */
  writeKeyPopulationBlock(
    rows: ReadonlyArray<{ fact: NewFact; kp: KeyPopulationRow & { regionCode: string | null } }>,
    arrival: number,
  ): Promise<KeyPopulationBlockWrite>;
  /** Opens one response task per entry (idempotent on the entry's source id); returns how many. */
  openTasks(
    rows: ReadonlyArray<KeyPopulationRow & { regionCode: string | null }>,
    now: number,
  ): Promise<number>;
}

/** Persons registered in bulk (the identity feed). */
export interface PersonBatchStore {
  /** Inserts persons; the i-th id, or undefined where that document was registered before. */
  insertMany(rows: readonly NewPersonRow[]): Promise<Array<number | undefined>>;
}

/** Response tasks as officers list and move them. */
export interface ResponseTaskStore {
  /** Tasks whose region starts with the prefix, newest first, optionally by state. */
  listTasks(
    regionPrefix: string,
    o: { state?: TaskState; limit: number; beforeId?: number },
  ): Promise<ResponseTask[]>;
  /** One task. */
  task(id: number): Promise<ResponseTask | undefined>;
  /** Moves a task if it is still in `from` (no lost updates between two officers). */
  moveTask(
    id: number,
    from: TaskState,
    to: TaskState,
    note: string | null,
    by: string,
    now: number,
  ): Promise<ResponseTask | undefined>;
}
