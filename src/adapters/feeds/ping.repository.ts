/**
 * SQL of the carrier pings (ports/ping-store.port.ts): day partitions of `pings` and their person
 * index, block claims in `ping_blocks`, and the rows themselves with binary COPY (the bulk path:
 * hundreds of thousands of rows a second).
 */
import type { PingBlockWriter, PingRows, PingStore } from '../../ports/ping-store.port.ts';
import type { StayPing } from '../../domain/feeds/stays.ts';
import { BinaryCopyWriter, int8Bytes } from '../db/binary-copy.ts';
import type { Database, Transaction } from '../db/database.ts';

const DAY_MS = 86400_000;
/** `source` takes its default, 'carrier'. */
const COLUMNS = ['person_id', 'ts', 'lat', 'lon', 'accuracy_m', 'batch_id'] as const;
/** Rows per COPY chunk (~70 bytes a row): pg-copy-streams sends one while the next is encoded. */
const CHUNK_ROWS = 8192;

const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const partition = (day: number) => `pings_${isoDay(day).replace(/-/g, '')}`;

export class PingRepository implements PingStore {
  constructor(private readonly db: Database) {}

  async ensureDay(day: number, bulk: boolean): Promise<boolean> {
    if (!bulk) {
      await this.db.query('SELECT hc_ensure_day_partition($1, $2::date)', ['pings', isoDay(day)]);
      return false;
    }
    const r = await this.db.query<{ existed: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS existed, hc_ensure_day_partition($2, $3::date, false)',
      [partition(day), 'pings', isoDay(day)],
    );
    if (!r.rows[0]?.existed) return true;
    // Every writer builds an index a killed bulk load left out.
    await this.db.query('SELECT hc_ensure_day_index($1, $2::date)', ['pings', isoDay(day)]);
    return false;
  }

  async finishDay(day: number): Promise<void> {
    await this.db
      .query('SELECT hc_ensure_day_index($1, $2::date)', ['pings', isoDay(day)])
      .catch(async (err: unknown) => {
        // a concurrent load may have built it at the same moment
        const r = await this.db.query<{ i: string | null }>('SELECT to_regclass($1) AS i', [
          `${partition(day)}_person_idx`,
        ]);
        if (!r.rows[0]?.i) throw err;
      });
    await this.db.query(`ANALYZE ${partition(day)}`);
  }

  inTransaction<T>(work: (block: PingBlockWriter) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(new TxPingBlockWriter(tx)));
  }

  async pingsOfDay(day: number, personIds: readonly number[]): Promise<Map<number, StayPing[]>> {
    const from = new Date(day * DAY_MS).toISOString();
    const to = new Date((day + 1) * DAY_MS).toISOString();
    const r = await this.db.query<{
      person_id: number;
      ts: Date;
      lat: number;
      lon: number;
      accuracy_m: number | null;
    }>(
      `SELECT person_id, ts, lat, lon, accuracy_m FROM pings WHERE person_id = ANY($1::bigint[]) AND ts >= $2 AND ts < $3 ORDER BY person_id, ts`,
      [personIds, from, to],
    );
    const byPerson = new Map<number, StayPing[]>();
    for (const p of r.rows) {
      let l = byPerson.get(p.person_id);
      if (!l) byPerson.set(p.person_id, (l = []));
      l.push({ ts: p.ts.getTime(), lat: p.lat, lon: p.lon, accuracyM: p.accuracy_m });
    }
    return byPerson;
  }
}

class TxPingBlockWriter implements PingBlockWriter {
  constructor(private readonly tx: Transaction) {}

  async claim(blockId: string, rows: number, lastDay: number, written: Uint8Array): Promise<boolean> {
    const claim = await this.tx.query(
      'INSERT INTO ping_blocks (batch_id, rows, last_day, written) VALUES ($1, $2, $3::date, $4) ON CONFLICT DO NOTHING RETURNING 1',
      [blockId, rows, isoDay(lastDay), written],
    );
    return claim.rows.length === 1;
  }

  async writtenBefore(blockId: string): Promise<Uint8Array | null> {
    // The lock orders racing loaders of the block; the later one sees what the earlier wrote.
    const prev = await this.tx.query<{ written: Uint8Array | null }>(
      'SELECT written FROM ping_blocks WHERE batch_id = $1 FOR UPDATE',
      [blockId],
    );
    return prev.rows[0]?.written ?? null;
  }

  copy(days: readonly number[], rows: PingRows, blockId: string): Promise<number> {
    // A one-day block goes straight into its partition (no routing); a block spanning days goes
    // through the parent so it is still one statement, all or nothing.
    const table = days.length === 1 ? partition(days[0] as number) : 'pings';
    return this.tx.copyBinary(table, COLUMNS, encode(rows, int8Bytes(blockId)));
  }

  async extendClaim(blockId: string, added: number, lastDay: number, written: Uint8Array): Promise<void> {
    await this.tx.query(
      'UPDATE ping_blocks SET rows = rows + $2, last_day = greatest(last_day, $3::date), written = $4 WHERE batch_id = $1',
      [blockId, added, isoDay(lastDay), written],
    );
  }
}

/** The rows in binary COPY format, a chunk at a time (encoded while the previous one is sent). */
function* encode({ cols, persons }: PingRows, batch: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < cols.good; i += CHUNK_ROWS)
    yield encodeRows(cols, persons, i, Math.min(cols.good, i + CHUNK_ROWS), batch);
}

function encodeRows(
  cols: PingRows['cols'],
  persons: Float64Array,
  from: number,
  to: number,
  batch: Uint8Array,
): Uint8Array {
  const w = new BinaryCopyWriter((to - from) * 70 + 16);
  for (let i = from; i < to; i++) {
    const person = persons[i] as number;
    if (person !== person) continue; // NaN: unknown phone, or written before
    w.row(6)
      .int8(person)
      .timestamptz(cols.ts[i] as number)
      .float8(cols.lat[i] as number)
      .float8(cols.lon[i] as number);
    const a = cols.acc[i] as number;
    if (a !== a) w.null();
    else w.float4(a);
    w.int8Bytes(batch);
  }
  return w.take();
}
