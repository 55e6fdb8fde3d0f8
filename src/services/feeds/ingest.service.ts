/**
 * Ingestion of the four data sources (docs/DESIGN.md §5): one entry point per batch of records for
 * every feed, used by bulk files (`hc import`), the single-record API and the stream consumers.
 * After a batch commits, the persons with new facts are announced on the bus (a running worker
 * recomputes them) and, where no worker shares this process's bus (the CLI), recomputed here.
 */
import type { Logger } from 'pino';
import { checkDeclarationBody, declarationData } from '../../domain/feeds/declaration.feed.ts';
import type { HashedRows, PersonRow } from '../../domain/feeds/person-feeds.ts';
import type { PingColumns } from '../../domain/feeds/ping-rows.ts';
import type { RawRecord, RowError } from '../../domain/feeds/record.ts';
import type { Clock } from '../../ports/clock.port.ts';
import { Subjects, type EventBus } from '../../ports/event-bus.port.ts';
import type { PersonLookup } from '../../ports/feed-store.port.ts';
import type { CarrierStayStore, PingStore } from '../../ports/ping-store.port.ts';
import type { UnitOfWork } from '../../ports/unit-of-work.port.ts';
import type { FactService } from '../fact.service.ts';
import type { ResidentService } from '../resident.service.ts';
import type { StatusService } from '../status.service.ts';
import { AppError } from '../app-error.ts';
import {
  emptyResult,
  type BatchResult,
  type FeedDeps,
  type FeedName,
  type IngestItem,
} from './feed-types.ts';
import {
  ingestDeclarations,
  ingestKeyPopulation,
  ingestTrips,
  ingestVaccinations,
  overlaps,
  SELF_DECLARATION_SOURCE,
  tripRow,
  type BeforeWrite,
  type BlockKeys,
  type FeedInput,
} from './facts.ingest.ts';
import { ingestPersons } from './persons.ingest.ts';
import { PersonResolver } from './person-resolver.ts';
import { blockId, PingLoader } from './pings.ingest.ts';
import { StayService } from './stays.service.ts';

/** What ingestion works with (roles/feeds.feature.ts builds it from the context). */
export interface IngestPorts {
  /** a batch's writes in one transaction */
  uow: UnitOfWork;
  /** person lookups by document and phone hash */
  lookup: PersonLookup;
  pings: PingStore;
  carrierStays: CarrierStayStore;
  residents: ResidentService;
  facts: FactService;
  statuses: Pick<StatusService, 'recompute'>;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  /** the key a person-feed file's reader thread hashes the rows' persons with (never leaves the process) */
  lookupHashKey: Uint8Array;
  retentionDays: number;
}

export interface IngestOptions {
  /**
   * announce: publish fact events only (a worker shares the bus: server, stream consumers);
   * recompute: also recompute here after each batch (the CLI, whose bus no worker listens to).
   */
  followUp: 'announce' | 'recompute';
  /** condense new pings into stays after each batch (API, streams); the CLI does it once at the end */
  staysPerBatch?: boolean;
}

/** Lines per block when reading files, per feed: pings are cheap rows, persons costly ones. */
export const BLOCK_LINES: Record<FeedName, number> = {
  persons: 2000,
  declarations: 2000,
  pings: 50_000,
  trips: 5000,
  'key-population': 5000,
  vaccinations: 5000,
};

interface BulkSlot {
  keys: Promise<BlockKeys>;
  written: Promise<void>;
  recomputed: Promise<void>;
}

/** Persons per recompute statement batch. */
const RECOMPUTE_SLICE = 5000;

export interface SingleResult {
  status: 'accepted' | 'duplicate';
}

export class IngestService {
  readonly deps: FeedDeps;
  readonly pings: PingLoader;
  readonly stays: StayService;
  private readonly log: Logger;
  /** blocks of file imports in flight: the persons and source ids they touch (once known), and their stages */
  private readonly inflight = new Set<BulkSlot>();

  constructor(
    private readonly ctx: IngestPorts,
    private readonly opts: IngestOptions,
  ) {
    this.deps = {
      uow: ctx.uow,
      lookup: ctx.lookup,
      pings: ctx.pings,
      residents: ctx.residents,
      facts: ctx.facts,
      resolver: new PersonResolver(ctx.lookup, ctx.residents),
      clock: ctx.clock,
      retentionDays: ctx.retentionDays,
    };
    this.pings = new PingLoader(this.deps);
    this.stays = new StayService(ctx.pings, ctx.carrierStays);
    this.log = ctx.log;
  }

  /**
   * Ingests one batch of records of a feed; `blockKey` (pings) names the block for idempotency.
   * `bulk`: one block of a file import, which calls `finishBulk` when it is over. A person feed's
   * batch may come checked and hashed by a file reader thread (`readCheckedRecords`) instead.
   */
  async ingest(
    feed: FeedName,
    items: readonly IngestItem[] | HashedRows<PersonRow>,
    blockKey?: string,
    bulk = false,
  ): Promise<BatchResult> {
    if (!bulk || feed === 'pings' || feed === 'persons') {
      const r = await this.write(feed, items, blockKey, bulk);
      await this.followUp(r);
      return r;
    }
    // Blocks of a file import overlap. A block's checks and person lookups run ahead; its
    // transaction waits only for earlier blocks that touch one of its persons or source ids, and
    // so does its recompute for their recomputes. Entries and releases of one person therefore
    // apply in file order and a person's status is last computed after their last block, while
    // blocks of other persons are written and recomputed side by side (block k's recompute
    // beside block k+1's write). The slot is taken now, in call order.
    const earlier = [...this.inflight];
    let setKeys!: (keys: BlockKeys) => void;
    let written!: () => void;
    let recomputed!: () => void;
    const slot: BulkSlot = {
      keys: new Promise<BlockKeys>((r) => (setKeys = r)),
      written: new Promise<void>((r) => (written = r)),
      recomputed: new Promise<void>((r) => (recomputed = r)),
    };
    this.inflight.add(slot);
    let sharing: BulkSlot[] | undefined; // the earlier blocks that touch one of ours (found once)
    const after = async (keys: BlockKeys, stage: 'written' | 'recomputed'): Promise<void> => {
      if (!sharing) {
        sharing = [];
        for (const e of earlier) if (overlaps(await e.keys, keys)) sharing.push(e);
      }
      for (const e of sharing) await e[stage];
    };
    try {
      let r: BatchResult;
      try {
        r = await this.write(feed, items, blockKey, bulk, async (keys) => {
          setKeys(keys);
          await after(keys, 'written');
        });
      } finally {
        setKeys({ persons: new Set(), sources: new Set() }); // no-op if the batch named its keys
        written();
      }
      await after(await slot.keys, 'recomputed');
      await this.followUp(r);
      return r;
    } finally {
      recomputed();
      this.inflight.delete(slot);
    }
  }

  /**
   * One block of a pings file, already checked (`readCheckedPings`): loaded like a block of
   * `ingest('pings', items, blockKey, true)`. `errors`: its bad rows, in line order.
   */
  async ingestCheckedPings(cols: PingColumns, errors: RowError[], blockKey: string): Promise<BatchResult> {
    const r = await this.pings.loadChecked(cols, errors, blockKey, true);
    await this.followUp(r);
    return r;
  }

  /** The key a person-feed file's reader thread hashes the rows' persons with (never leaves the process). */
  get lookupHashKey(): Uint8Array {
    return this.ctx.lookupHashKey;
  }

  /** Ends a file import: builds what its blocks deferred (the person_id index of new ping days). */
  async finishBulk(): Promise<void> {
    await this.pings.finishBulk();
  }

  private async write(
    feed: FeedName,
    input: readonly IngestItem[] | HashedRows<PersonRow>,
    blockKey?: string,
    bulk = false,
    before?: BeforeWrite,
  ): Promise<BatchResult> {
    // A reader thread's rows were checked with the feed's own check (PERSON_FEED_CHECKS), so they
    // have the feed's record shape.
    const rows = input as FeedInput<never>;
    const items = (): readonly IngestItem[] => {
      if (!Array.isArray(input))
        throw new TypeError(`${feed} records come as records, not as a person feed's checked rows`);
      return input as readonly IngestItem[];
    };
    switch (feed) {
      case 'key-population':
        return ingestKeyPopulation(this.deps, rows, before);
      case 'vaccinations':
        return ingestVaccinations(this.deps, rows, before);
      case 'declarations':
        return ingestDeclarations(this.deps, rows, before);
      case 'trips':
        return ingestTrips(this.deps, rows, before);
      case 'persons':
        return ingestPersons(this.deps, items());
      case 'pings': {
        const pings = items();
        if (pings.length === 0) return emptyResult();
        return this.pings.load(
          pings,
          blockKey ?? `items:${JSON.stringify(pings.map((i) => i.record))}`,
          bulk,
        );
      }
    }
  }

  private async followUp(r: BatchResult): Promise<void> {
    if (r.personIds.length) {
      const ids = [...new Set(r.personIds)];
      if (this.opts.followUp === 'recompute') {
        // Disjoint slices of persons, recomputed side by side on separate connections.
        const slices: number[][] = [];
        for (let i = 0; i < ids.length; i += RECOMPUTE_SLICE) slices.push(ids.slice(i, i + RECOMPUTE_SLICE));
        await Promise.all(
          slices.map((slice) => this.ctx.statuses.recompute(slice, { shown: r.shown, written: r.written })),
        );
      }
      await this.ctx.facts.announce(ids);
    }
    if (r.tripPersonIds.length)
      await this.ctx.bus.publish(Subjects.tripsAdded, { personIds: [...new Set(r.tripPersonIds)] });
    if (r.pingDays && this.opts.staysPerBatch) await this.stays.rebuild(r.pingDays);
  }

  /**
   * One record through the API or a stream message. A ping message may carry many pings:
   * `{source_id, phone?, pings: [{phone?, ts, lat, lon, accuracy_m?}]}`.
   */
  async ingestRecord(feed: FeedName, record: RawRecord): Promise<BatchResult> {
    if (feed === 'pings') {
      const sid = record.source_id ?? record.sourceId;
      if (typeof sid !== 'string' && typeof sid !== 'number') {
        return {
          ...emptyResult(),
          errors: [
            {
              line: 1,
              field: 'source_id',
              code: 'ROW_MISSING_FIELD',
              group: 'ROW_INVALID',
              message: 'source_id is required',
            },
          ],
        };
      }
      const list = Array.isArray(record.pings) ? (record.pings as RawRecord[]) : [record];
      const items = list.map((p, i) => ({
        line: i + 1,
        record: { phone: record.phone ?? record.person_ref ?? record.personRef, ...p } as RawRecord,
      }));
      return this.ingest('pings', items, `msg:${String(sid)}`);
    }
    return this.ingest(feed, [{ line: 1, record }]);
  }

  /** A single API record: accepted or duplicate, or a 422 naming the field and code. */
  async one(
    feed: FeedName,
    record: RawRecord,
  ): Promise<SingleResult & { accepted: number; duplicates: number }> {
    const r = await this.ingestRecord(feed, record);
    if (r.accepted === 0 && r.duplicates === 0 && r.errors.length) throw rejected(r.errors);
    return {
      status: r.accepted > 0 ? 'accepted' : 'duplicate',
      accepted: r.accepted,
      duplicates: r.duplicates,
    };
  }

  /** A resident's own declaration (GB/T 38963): the person is the signed-in resident. */
  async selfDeclare(personId: number, clientId: string, body: RawRecord): Promise<SingleResult> {
    const c = checkDeclarationBody(body, this.ctx.clock.now());
    if (!c.ok) throw rejected([{ line: 1, ...c.problem, group: 'ROW_INVALID' }]);
    const sourceRecordId = `${personId}:${clientId}`;
    let duplicate = false;
    const fact = {
      personId,
      type: 'declaration' as const,
      source: SELF_DECLARATION_SOURCE,
      sourceRecordId,
      eventTime: c.value.declaredAt,
      data: declarationData(c.value),
    };
    this.ctx.facts.assertTypes([fact]);
    await this.ctx.uow.run(async (s) => {
      const known = await s.feeds.existingFactIds(SELF_DECLARATION_SOURCE, [sourceRecordId]);
      if (known.size) {
        duplicate = true;
        return;
      }
      await s.facts.insert(fact, this.ctx.clock.now());
      await s.feeds.insertTrips(
        c.value.trips.map((t, i) => tripRow(personId, t, SELF_DECLARATION_SOURCE, `${sourceRecordId}#${i}`)),
        this.ctx.clock.now(),
      );
    });
    if (!duplicate)
      await this.followUp({
        ...emptyResult(),
        personIds: [personId],
        tripPersonIds: c.value.trips.length ? [personId] : [],
      });
    return { status: duplicate ? 'duplicate' : 'accepted' };
  }

  /** Condenses collected ping days into stays (after a bulk pings import). */
  async condense(
    pingDays: ReadonlyMap<number, ReadonlySet<number>>,
    onProgress?: (n: number) => void,
  ): Promise<number> {
    const n = await this.stays.rebuild(pingDays, onProgress);
    this.log.debug({ stays: n }, 'stays condensed');
    return n;
  }
}

function rejected(errors: RowError[]): AppError {
  const e = errors[0] as RowError;
  return new AppError(
    e.code.startsWith('ROW_UNKNOWN') ? 'ROW_UNKNOWN_PERSON' : e.code,
    422,
    `${e.field}: ${e.message}`,
    errors,
  );
}

export { blockId };
