/**
 * Feeds that become facts (key populations, vaccinations, declarations) and trips. A batch is one
 * transaction: facts, trips, list membership and response tasks commit together or not at all.
 * Persons are announced (or recomputed) by the caller after the commit.
 */
import { storedFact, type NewFact } from '../../domain/fact.ts';
import {
  checkDeclarationRecord,
  declarationData,
  type DeclarationRecord,
} from '../../domain/feeds/declaration.feed.ts';
import {
  checkKeyPopulationRecord,
  checkVaccinationRecord,
  keyPopulationFact,
  vaccinationFact,
  type FactDraft,
  type KeyPopulationRecord,
  type VaccinationRecord,
} from '../../domain/feeds/health.feed.ts';
import { checkTripRecord, type TripFields, type TripRecord } from '../../domain/feeds/itinerary.feed.ts';
import {
  checkRows,
  LOOKUP_HASH_BYTES,
  type CheckedRows,
  type HashedRows,
  type PersonRow,
  type RowCheck,
} from '../../domain/feeds/person-feeds.ts';
import { personRefKey, rowError } from '../../domain/feeds/record.ts';
import type { ResolvedPerson, TripRow } from '../../ports/feed-store.port.ts';
import type { PersonDisplay } from '../../ports/person-store.port.ts';
import type { Stores } from '../../ports/unit-of-work.port.ts';
import { emptyResult, type BatchResult, type FeedDeps, type IngestItem } from './feed-types.ts';

/**
 * Called by a batch once its rows are known, right before its transaction, with the persons and
 * source ids it writes: a file import makes it wait for earlier blocks that touch any of them.
 */
export type BeforeWrite = (keys: BlockKeys) => Promise<void>;

/** The persons and source ids a batch writes. */
export interface BlockKeys {
  persons: ReadonlySet<number>;
  sources: ReadonlySet<string>;
}

function keysOf(personIds: Iterable<number>, sourceIds: Iterable<string>): BlockKeys {
  return { persons: new Set(personIds), sources: new Set(sourceIds) };
}

/** Whether two batches write a common person or source id. */
export function overlaps(a: BlockKeys, b: BlockKeys): boolean {
  return intersects(a.persons, b.persons) || intersects(a.sources, b.sources);
}

function intersects<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  for (const k of small) if (large.has(k)) return true;
  return false;
}

interface Row<R> {
  line: number;
  rec: R;
  person: ResolvedPerson;
}

/**
 * A batch of a person feed: records to check (API, streams), or rows a file reader thread has
 * checked and hashed already (`hc import`).
 */
export type FeedInput<R> = readonly IngestItem[] | HashedRows<R>;

/** Checks rows (unless checked already), resolves their persons and drops repeats of a source id within the batch. */
async function prepare<R extends PersonRow>(
  d: FeedDeps,
  input: FeedInput<R>,
  check: RowCheck<R>,
  out: BatchResult,
): Promise<Array<Row<R>>> {
  const c: CheckedRows<R> & { hashes?: Uint8Array } = isItems(input)
    ? checkRows(input, check, d.clock.now())
    : input;
  for (const e of c.errors) out.errors.push(e);
  out.duplicates += c.duplicates;
  const hashes = c.hashes;
  const persons = await d.resolver.resolve(
    c.rows.map((x) => x.rec.person),
    hashes && ((i) => hashes.subarray(i * LOOKUP_HASH_BYTES, (i + 1) * LOOKUP_HASH_BYTES)),
  );
  const rows: Array<Row<R>> = [];
  for (const x of c.rows) {
    const p = persons.get(personRefKey(x.rec.person));
    if (!p) {
      const field = x.rec.person.kind === 'phone' ? 'phone' : 'doc_number';
      out.errors.push(
        rowError(
          x.line,
          { field, code: 'ROW_UNKNOWN_PERSON', message: 'no registered person with this document or phone' },
          x.rec.sourceId,
        ),
      );
    } else rows.push({ line: x.line, rec: x.rec, person: p });
  }
  return rows;
}

function isItems<R>(input: FeedInput<R>): input is readonly IngestItem[] {
  return Array.isArray(input);
}

/** What the codes of the rows' persons show, as their lookup read it (the recompute needs it). */
function shownOf(rows: ReadonlyArray<{ person: ResolvedPerson }>): Map<number, PersonDisplay> {
  const m = new Map<number, PersonDisplay>();
  for (const { person } of rows) m.set(person.id, person);
  return m;
}

function toNewFact(f: FactDraft, personId: number): NewFact {
  const n: NewFact = {
    personId,
    type: f.type,
    source: f.source,
    sourceRecordId: f.sourceRecordId,
    eventTime: f.eventTime,
    data: f.data,
  };
  if (f.validFrom !== undefined) n.validFrom = f.validFrom;
  return n;
}

/** Key-population lists: facts, membership, and a response task per entry. */
export async function ingestKeyPopulation(
  d: FeedDeps,
  items: FeedInput<KeyPopulationRecord>,
  before?: BeforeWrite,
): Promise<BatchResult> {
  const out = emptyResult();
  const rows = await prepare<KeyPopulationRecord>(d, items, checkKeyPopulationRecord, out);
  if (rows.length === 0) return out;
  const rowsOut = rows.map(({ rec, person }) => ({
    fact: toNewFact(keyPopulationFact(rec), person.id),
    kp: {
      personId: person.id,
      regionCode: person.regionCode,
      list: rec.list,
      category: rec.category,
      tier: rec.tier,
      action: rec.action,
      eventTime: rec.eventTime,
      sourceId: rec.sourceId,
    },
  }));
  // The facts are written by the block statement below, not through FactService: same check.
  d.facts.assertTypes(rowsOut.map((r) => r.fact));
  await before?.(
    keysOf(
      rows.map((r) => r.person.id),
      rows.map((r) => r.rec.sourceId),
    ),
  );
  await d.uow.run(async (s) => {
    // Facts, membership and tasks in one statement; the insert itself tells which rows are new
    // (ON CONFLICT DO NOTHING … RETURNING). When only some are, membership and tasks are applied
    // here for those alone; duplicates change nothing.
    const now = d.clock.now();
    const w = await s.feeds.writeKeyPopulationBlock(rowsOut, now);
    const fresh = w.every ? rowsOut : rowsOut.filter((x) => w.fresh.has(x.fact.sourceRecordId));
    out.duplicates += rowsOut.length - fresh.length;
    if (fresh.length === 0) return;
    if (w.every) {
      const ids = w.ids;
      if (ids.length !== rowsOut.length)
        throw new Error(`key-population block: ${ids.length} fact ids for ${rowsOut.length} new facts`);
      out.written = rowsOut.map((x, i) => storedFact(x.fact, ids[i] as string, now));
    } else {
      const kp = fresh.map((x) => x.kp);
      const entered = await s.feeds.applyKeyPopulation(kp);
      const region = new Map(kp.map((k) => [k.sourceId, k.regionCode]));
      await s.feeds.openTasks(
        entered.map((e) => ({ ...e, regionCode: region.get(e.sourceId) ?? null })),
        now,
      );
    }
    out.accepted += fresh.length;
    for (const x of fresh) out.personIds.push(x.kp.personId);
  });
  out.shown = shownOf(rows);
  return out;
}

/** Vaccinations: one `vaccination` fact each (dose count on the code). */
export async function ingestVaccinations(
  d: FeedDeps,
  items: FeedInput<VaccinationRecord>,
  before?: BeforeWrite,
): Promise<BatchResult> {
  const out = emptyResult();
  const rows = await prepare(d, items, checkVaccinationRecord, out);
  out.shown = shownOf(rows);
  return storeFacts(
    d,
    rows.map((r) => toNewFact(vaccinationFact(r.rec), r.person.id)),
    out,
    before,
  );
}

async function storeFacts(
  d: FeedDeps,
  facts: NewFact[],
  out: BatchResult,
  before?: BeforeWrite,
  extra?: (fresh: Set<string>, stores: Stores) => Promise<void>,
): Promise<BatchResult> {
  if (facts.length === 0) return out;
  await before?.(
    keysOf(
      facts.map((f) => f.personId),
      facts.map((f) => f.sourceRecordId),
    ),
  );
  d.facts.assertTypes(facts);
  await d.uow.run(async (s) => {
    const isNew = await s.facts.insertManyNew(facts, d.clock.now());
    const fresh = facts.filter((f) => isNew.has(f.sourceRecordId));
    out.duplicates += facts.length - fresh.length;
    await extra?.(new Set(fresh.map((f) => f.sourceRecordId)), s);
    out.accepted += fresh.length;
    out.personIds.push(...fresh.map((f) => f.personId));
  });
  return out;
}

export const DECLARATION_SOURCE = 'declarations';
export const SELF_DECLARATION_SOURCE = 'self-declaration';

/** A trip of a person as stored, from its checked fields. */
export function tripRow(personId: number, t: TripFields, source: string, sourceRecordId: string): TripRow {
  return {
    personId,
    mode: t.mode,
    fromRegion: t.fromRegion,
    toRegion: t.toRegion,
    departedAt: t.departedAt,
    arrivedAt: t.arrivedAt,
    carriage: t.carriage ?? null,
    seat: t.seat ?? null,
    service: t.service ?? null,
    source,
    sourceRecordId,
  };
}

/** Declarations in bulk (community forms, partner apps): a `declaration` fact plus its trips. */
export async function ingestDeclarations(
  d: FeedDeps,
  items: FeedInput<DeclarationRecord>,
  before?: BeforeWrite,
  source = DECLARATION_SOURCE,
): Promise<BatchResult> {
  const out = emptyResult();
  const rows = await prepare<DeclarationRecord>(d, items, checkDeclarationRecord, out);
  out.shown = shownOf(rows);
  const facts = rows.map((r) => ({
    personId: r.person.id,
    type: 'declaration' as const,
    source,
    sourceRecordId: r.rec.sourceId,
    eventTime: r.rec.declaredAt,
    data: declarationData(r.rec),
  }));
  return storeFacts(d, facts, out, before, async (fresh, s) => {
    const trips = rows
      .filter((r) => fresh.has(r.rec.sourceId))
      .flatMap((r) => r.rec.trips.map((t, i) => tripRow(r.person.id, t, source, `${r.rec.sourceId}#${i}`)));
    await s.feeds.insertTrips(trips, d.clock.now());
    for (const t of trips) out.tripPersonIds.push(t.personId);
  });
}

export const TRIP_SOURCE = 'trips';

/** Rail, flight and road trips from transport operators (read by the itinerary card). */
export async function ingestTrips(
  d: FeedDeps,
  items: FeedInput<TripRecord>,
  before?: BeforeWrite,
): Promise<BatchResult> {
  const out = emptyResult();
  const rows = await prepare<TripRecord>(d, items, checkTripRecord, out);
  if (rows.length === 0) return out;
  await before?.(
    keysOf(
      rows.map((r) => r.person.id),
      rows.map((r) => r.rec.sourceId),
    ),
  );
  await d.uow.run(async (s) => {
    const fresh = await s.feeds.insertTrips(
      rows.map((r) => tripRow(r.person.id, r.rec, `${TRIP_SOURCE}.${r.rec.mode}`, r.rec.sourceId)),
      d.clock.now(),
    );
    out.accepted += fresh.size;
    out.duplicates += rows.length - fresh.size;
    for (const r of rows) if (fresh.has(r.rec.sourceId)) out.tripPersonIds.push(r.person.id);
  });
  return out;
}
