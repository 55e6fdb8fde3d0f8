/**
 * The nucleic-acid testing service's stores (docs/DESIGN.md §7), one per aggregate: sites and
 * their slots, bookings, tubes and results at the lab, the transactional outbox and the service's
 * own audit log. Implemented over the `testing` schema by adapters/nat/. `NatUnitOfWork.run` hands
 * the stores bound to one transaction, so a change, its outbox event and its audit entry commit
 * together or not at all.
 */
import type { BookingEvent, CollectionBatch, ItemOutcome, PersonRef, TestResult } from '../domain/nat/nat.ts';

export interface NatSite {
  id: number;
  name: string;
  regionCode: string;
  address: string;
}

export interface NatSlotRow {
  id: number;
  siteId: number;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  booked: number;
}

export interface NatBookingRow {
  id: number;
  slotId: number;
  siteId: number;
  siteName: string;
  startsAt: Date;
  endsAt: Date;
  status: 'booked' | 'cancelled';
}

export interface NatSlotInput {
  startsAt: number;
  endsAt: number;
  capacity: number;
}

/** Sites (采样点) and their time slots. */
export interface NatSiteStore {
  /** Inserts a site; returns its id. */
  insert(site: Omit<NatSite, 'id'>): Promise<number>;
  /** One site, or undefined. */
  get(id: number): Promise<NatSite | undefined>;
  /** Sites whose region code starts with a prefix, by id. */
  list(regionPrefix: string): Promise<NatSite[]>;
  /** Adds slots or re-sizes existing ones (a slot is identified by its site and start). */
  upsertSlots(siteId: number, slots: readonly NatSlotInput[]): Promise<NatSlotRow[]>;
  /** A site's slots that end after `now`, by start. */
  openSlots(siteId: number, now: Date): Promise<NatSlotRow[]>;
  /** Locks a slot for booking (FOR UPDATE). */
  lockSlot(slotId: number): Promise<NatSlotRow | undefined>;
  /** Changes a slot's booked count by `delta` (never below 0). */
  addBooked(slotId: number, delta: number): Promise<void>;
}

/** Residents' bookings (预约). */
export interface NatBookingStore {
  /** The person's active booking of a slot, if any. */
  active(slotId: number, personRef: PersonRef): Promise<number | undefined>;
  /** Inserts an active booking; returns its id. */
  insert(slotId: number, personRef: PersonRef, at: Date): Promise<number>;
  /** Locks the person's booking (FOR UPDATE). */
  lockOwn(bookingId: number, personRef: PersonRef): Promise<{ slotId: number; status: string } | undefined>;
  /** Marks a booking cancelled. */
  cancel(bookingId: number, at: Date): Promise<void>;
  /** One booking with its slot and site. */
  byId(id: number): Promise<NatBookingRow | undefined>;
  /** A person's bookings, newest slot first. */
  forPerson(personRef: PersonRef): Promise<NatBookingRow[]>;
  /** The booking as the outbox event publishes it. */
  event(bookingId: number): Promise<BookingEvent | undefined>;
}

export interface NatTubeState {
  lab: string | null;
  kind: string;
  members: number;
}

export interface RetestOrder {
  id: number;
  personRef: PersonRef;
  lab: string;
  tube: string;
  reason: string;
  orderedAt: string;
}

/** Tubes at the lab, results per (lab, tube, version) and retest orders. */
export interface NatLabStore {
  /** Locks the named tubes (in barcode order, so concurrent writers cannot deadlock). */
  lockTubes(barcodes: readonly string[]): Promise<Map<string, NatTubeState>>;
  /** Records the lab's receipt of a tube. */
  receive(barcode: string, lab: string, at: Date): Promise<void>;
  /** Stores a result; false when (lab, tube, version) is already stored. */
  insertResult(lab: string, tube: string, version: number, result: TestResult, at: Date): Promise<boolean>;
  /** The stored result of (lab, tube, version). */
  resultOf(lab: string, tube: string, version: number): Promise<TestResult | undefined>;
  /** Every swab in a tube, in collection order. */
  members(tube: string): Promise<Array<{ personRef: PersonRef; collectedAt: Date }>>;
  /** Orders the persons back for a single tube (idempotent per lab, tube, version, person). */
  orderRetests(
    personRefs: readonly PersonRef[],
    o: { lab: string; tube: string; version: number; reason: string; at: Date },
  ): Promise<void>;
  /** Open retest orders, oldest first. */
  openRetests(limit: number): Promise<RetestOrder[]>;
}

/** The transactional outbox (relayed to the bus by adapters/nat/outbox-relay.ts). */
export interface NatOutbox {
  /** Adds one event in the caller's transaction; returns its id (its order). */
  add(subject: string, payload: object): Promise<number>;
  /** How many events wait to be published. */
  pending(): Promise<number>;
}

export interface NatAuditEntry {
  /** e.g. "officer:12", "device:7", "resident:42", "cli" */
  actor: string;
  /** e.g. "nat.site.add", "nat.slots.set" */
  action: string;
  /** the region the change is in, when it has one */
  regionCode: string | null;
  detail: Record<string, unknown>;
  at: Date;
}

/** The testing service's own audit log (schema `testing`, which may live in a database of its own). */
export interface NatAuditLog {
  /** Appends entries in the caller's transaction, hash-chained (domain/audit-chain.ts). */
  append(entries: readonly NatAuditEntry[]): Promise<void>;
}

/** One stored row of the testing service's chained audit log. */
export interface NatAuditRow {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  region_code: string | null;
  detail: Record<string, unknown>;
  prev_hash: Uint8Array;
  hash: Uint8Array;
}

/** Reading the testing service's audit chain back (verification). */
export interface NatAuditReader {
  /** The newest chained row's number and hash, or undefined when none is chained. */
  head(): Promise<{ seq: number; hash: Uint8Array } | undefined>;
  /** Chained rows with seq ≥ `fromSeq` in order, at most `limit`. */
  rowsFrom(fromSeq: number, limit: number): Promise<NatAuditRow[]>;
  /** Number of chained rows. */
  count(): Promise<number>;
  /** Rows written before the log was chained (migrations/testing/0010): never verifiable. */
  unchained(): Promise<number>;
}

export interface NatStores {
  sites: NatSiteStore;
  bookings: NatBookingStore;
  lab: NatLabStore;
  outbox: NatOutbox;
  audit: NatAuditLog;
}

export interface NatUnitOfWork {
  /** Runs `work` in one transaction of the testing database: committed when it resolves. */
  run<T>(work: (stores: NatStores) => Promise<T>): Promise<T>;
}

/** Group-committed collection writes (adapters/nat/collection.writer.ts). */
export interface CollectionSink {
  /** Queues one device batch; resolves with one outcome per item once they are committed. */
  submit(batch: CollectionBatch): Promise<ItemOutcome[]>;
  /** Registrations waiting for the next commit. */
  readonly backlog: number;
}
