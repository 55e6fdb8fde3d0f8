/**
 * Carrier pings into the day-partitioned `pings` table with binary COPY (the bulk path: hundreds
 * of thousands of rows a second). Idempotency is per block, the unit carriers send: a file block of
 * fixed line count or one stream message. A block is claimed in `ping_blocks` (its id from the
 * block key) in the same transaction as its one COPY statement, so it is written in full or not at
 * all, exactly once, even when a load is killed midway or two loaders race. The claim records which
 * rows of the block it wrote: a block loaded again writes only the rows that were not good before
 * (a phone registered since, a carrier clock no longer ahead), in the same all-or-nothing way.
 *
 * A bulk load (`hc import`) that creates a day partition leaves out its person_id index and
 * builds it once at the end (`finishBulk`): a sorted build is several times cheaper than inserting
 * every row into the index. Partitions that already exist keep their index; every other writer
 * builds a missing one (a killed load's) before writing.
 */
import crypto from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import {
  checkPingRows,
  pingBounds,
  pingColumns,
  type PingBounds,
  type PingColumns,
} from '../../domain/feeds/ping-rows.ts';
import { rowError, type RowError } from '../../domain/feeds/record.ts';
import { emptyResult, type BatchResult, type FeedDeps, type IngestItem } from './feed-types.ts';

const DAY_MS = 86400_000;
const YIELD_ROWS = 4096;

/** A signed 64-bit id from a block key (file block content hash, or message source id). */
export function blockId(key: string): string {
  return crypto.createHash('sha256').update(key).digest().readBigInt64BE(0).toString();
}

export class PingLoader {
  /** day partitions of pings made ready by this process */
  private readonly days = new Map<number, Promise<void>>();
  /** days whose partition a bulk load created without its index */
  private readonly deferred = new Set<number>();
  /** phone → person id, for the phones of this process's loads (unknown phones are not kept) */
  private readonly phones = new Map<number, number>();
  private lookups: Promise<void> = Promise.resolve();

  constructor(
    private readonly d: FeedDeps,
    private readonly maxPhones = 2_000_000,
  ) {}

  /** Creates the day partitions of `pings` for these days (UTC), once per process. */
  private async ensureDays(days: Iterable<number>, bulk: boolean): Promise<void> {
    for (const day of days) {
      let ready = this.days.get(day);
      if (!ready) {
        // Memoised as a promise: two blocks in flight for one new day create it once.
        ready = this.createDay(day, bulk);
        this.days.set(day, ready);
        ready.catch(() => this.days.delete(day));
      }
      await ready;
    }
  }

  private async createDay(day: number, bulk: boolean): Promise<void> {
    if (await this.d.pings.ensureDay(day, bulk)) this.deferred.add(day);
  }

  /** Builds the indexes a bulk load left out (call once the load is over, also after a failure). */
  async finishBulk(): Promise<void> {
    for (const day of [...this.deferred]) {
      await this.d.pings.finishDay(day);
      this.deferred.delete(day);
    }
  }

  /**
   * Finds person ids for phones, from the cache or the registry (one query for the misses).
   * Lookups run one after the other, so two blocks in flight naming the same new phones look
   * them up once.
   */
  private personIds(phones: readonly number[]): Promise<void> {
    const run = this.lookups.then(() => this.lookUp(phones));
    this.lookups = run.catch(() => undefined);
    return run;
  }

  private async lookUp(phones: readonly number[]): Promise<void> {
    const misses = new Set<number>();
    for (const p of phones) if (!this.phones.has(p)) misses.add(p);
    if (misses.size === 0) return;
    if (this.phones.size + misses.size > this.maxPhones) this.phones.clear();
    const found = await this.d.resolver.resolve(
      [...misses].map((phone) => ({ kind: 'phone' as const, phone: String(phone) })),
    );
    for (const phone of misses) {
      const person = found.get(`p:${String(phone)}`);
      if (person) this.phones.set(phone, person.id);
    }
  }

  /** The check window of pings now (by this process's clock and the retention setting). */
  bounds(): PingBounds {
    return pingBounds(this.d.clock.now(), this.d.retentionDays);
  }

  /**
   * Loads one block of pings; `blockKey` identifies the block for idempotency. `bulk`: part of a
   * file load, which may defer a new partition's index until `finishBulk`.
   */
  async load(items: readonly IngestItem[], blockKey: string, bulk = false): Promise<BatchResult> {
    const b = this.bounds();
    const n = items.length;
    const cols = pingColumns(n);
    const errors: RowError[] = [];
    // Checking a block takes tens of milliseconds: the COPY of the previous block (and anything
    // else on this event loop) runs in between slices.
    for (let k = 0; k < n; k += YIELD_ROWS) {
      if (k > 0) await setImmediate();
      checkPingRows(items, k, Math.min(n, k + YIELD_ROWS), b, cols, errors);
    }
    return this.loadChecked(cols, errors, blockKey, bulk);
  }

  /**
   * Loads one block of pings already checked (`checkPingRows`, here or on the pings file thread);
   * `errors` are its bad rows, in line order. Unknown phones are added to the errors.
   */
  async loadChecked(
    cols: PingColumns,
    errors: RowError[],
    blockKey: string,
    bulk = false,
  ): Promise<BatchResult> {
    const out = emptyResult();
    out.errors = errors;
    if (cols.good === 0) return out;
    // Taken before unknown phones join the errors: the block's first row, good or bad, whatever
    // its line in the file (a block is recognised by its content).
    const first = Math.min(cols.lines[0] as number, errors[0]?.line ?? Infinity);
    const persons = new Float64Array(cols.good);
    const newPhones: number[] = [];
    for (let k = 0; k < cols.good; k += YIELD_ROWS) {
      if (k > 0) await setImmediate();
      cachedPersons(cols, k, Math.min(cols.good, k + YIELD_ROWS), this.phones, persons, newPhones);
    }
    if (newPhones.length) await this.personIds(newPhones);
    const accepted = mapPersons(cols, persons, this.phones, out.errors);
    if (accepted === 0) return out;
    const pingDays = pingDaysOf(cols, persons);
    const id = blockId(blockKey);
    await this.ensureDays(pingDays.keys(), bulk);
    const days = [...pingDays.keys()].sort((a, b) => a - b);
    const mine = rowBitmap(cols, persons, first);
    const loaded = await this.d.pings.inTransaction(
      async (block): Promise<{ n: number; pingDays: Map<number, Set<number>> } | null> => {
        if (await block.claim(id, accepted, days[days.length - 1] as number, mine))
          return { n: await block.copy(days, { cols, persons }, id), pingDays };
        // Claimed before: write the rows no earlier load of the block wrote (rows not good then).
        const before = await block.writtenBefore(id);
        if (!before) return null; // a claim older than the bitmap: which rows it wrote is unknown
        const rest = unwritten(cols, persons, first, before);
        if (rest.accepted === 0) return null;
        const restPingDays = pingDaysOf(cols, rest.persons);
        const restDays = [...restPingDays.keys()].sort((a, b) => a - b);
        const n = await block.copy(restDays, { cols, persons: rest.persons }, id);
        await block.extendClaim(id, n, restDays[restDays.length - 1] as number, orBitmaps(before, mine));
        return { n, pingDays: restPingDays };
      },
    );
    out.accepted = loaded?.n ?? 0;
    out.duplicates = accepted - out.accepted;
    if (loaded) out.pingDays = loaded.pingDays;
    return out;
  }
}

/** The bitmap of the rows with a person (the ones a COPY writes), by position in the block. */
function rowBitmap(cols: PingColumns, persons: Float64Array, first: number): Buffer {
  const bits = Buffer.alloc(((cols.lines[cols.good - 1] as number) - first + 8) >> 3);
  for (let i = 0; i < cols.good; i++) {
    if (persons[i] !== persons[i]) continue;
    const p = (cols.lines[i] as number) - first;
    bits[p >> 3] = (bits[p >> 3] as number) | (1 << (p & 7));
  }
  return bits;
}

function orBitmaps(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(Math.max(a.length, b.length));
  out.set(a.length >= b.length ? a : b);
  const short = a.length >= b.length ? b : a;
  for (let i = 0; i < short.length; i++) out[i] = (out[i] as number) | (short[i] as number);
  return out;
}

/** The rows with a person whose bit is not set in `written`: their person ids (NaN for the others) and count. */
function unwritten(
  cols: PingColumns,
  persons: Float64Array,
  first: number,
  written: Uint8Array,
): { persons: Float64Array; accepted: number } {
  const rest = new Float64Array(cols.good).fill(NaN);
  let accepted = 0;
  for (let i = 0; i < cols.good; i++) {
    const person = persons[i] as number;
    if (person !== person) continue;
    const p = (cols.lines[i] as number) - first;
    if (((written[p >> 3] ?? 0) >> (p & 7)) & 1) continue;
    rest[i] = person;
    accepted++;
  }
  return { persons: rest, accepted };
}

/**
 * Person ids of rows [from, to) from the phone cache (plain loops, optimised by V8); NaN and the
 * phone in `newPhones` where the cache does not know it yet.
 */
function cachedPersons(
  cols: PingColumns,
  from: number,
  to: number,
  known: ReadonlyMap<number, number>,
  persons: Float64Array,
  newPhones: number[],
): void {
  for (let i = from; i < to; i++) {
    const phone = cols.phones[i] as number;
    const person = known.get(phone);
    if (person === undefined) {
      persons[i] = NaN;
      newPhones.push(phone);
    } else persons[i] = person;
  }
}

/**
 * Person ids for the rows whose phone was new; rows whose phone nobody registered become errors,
 * merged into `errors` in line order. Returns how many rows have a person.
 */
function mapPersons(
  cols: PingColumns,
  persons: Float64Array,
  known: ReadonlyMap<number, number>,
  errors: RowError[],
): number {
  let accepted = 0;
  let unknown = false;
  for (let i = 0; i < cols.good; i++) {
    let person = persons[i] as number;
    if (person !== person) person = known.get(cols.phones[i] as number) ?? NaN; // looked up after the check
    if (person !== person) {
      errors.push(
        rowError(cols.lines[i] as number, {
          field: 'phone',
          code: 'ROW_UNKNOWN_PERSON',
          message: 'no registered person with this phone',
        }),
      );
      unknown = true;
      continue; // stays NaN: encodeRows skips it
    }
    persons[i] = person;
    accepted++;
  }
  if (unknown) errors.sort((a, b) => a.line - b.line); // stable: a line keeps its one error
  return accepted;
}

/** The UTC days of the rows with a person (NaN: none), each with its persons (stays are rebuilt per day). */
function pingDaysOf(cols: PingColumns, persons: Float64Array): Map<number, Set<number>> {
  const pingDays = new Map<number, Set<number>>();
  let lastDay = -Infinity;
  let lastSet: Set<number> | undefined;
  for (let i = 0; i < cols.good; i++) {
    const person = persons[i] as number;
    if (person !== person) continue;
    const day = Math.floor((cols.ts[i] as number) / DAY_MS);
    if (day !== lastDay) {
      lastDay = day;
      lastSet = pingDays.get(day);
      if (!lastSet) pingDays.set(day, (lastSet = new Set()));
    }
    (lastSet as Set<number>).add(person);
  }
  return pingDays;
}
