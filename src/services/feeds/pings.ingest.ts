/**
 * Carrier pings into the day-partitioned `pings` table with COPY (the bulk path: hundreds of
 * thousands of rows a second). Idempotency is per block, the unit carriers send: a file block of
 * fixed line count or one stream message. The block's rows carry its id and one COPY statement
 * writes them all or none, so a block whose first row is present is present in full.
 */
import crypto from 'node:crypto';
import { checkPing, type PingRecord } from '../../domain/feeds/itinerary.feed.ts';
import { normaliseKeys } from '../../domain/feeds/record.ts';
import { emptyResult, rowError, type BatchResult, type FeedDeps, type IngestItem } from './feed-types.ts';

const DAY_MS = 86400_000;
const COLUMNS = ['person_id', 'ts', 'lat', 'lon', 'accuracy_m', 'source', 'batch_id'] as const;

/** A signed 64-bit id from a block key (file block content hash, or message source id). */
export function blockId(key: string): string {
  return crypto.createHash('sha256').update(key).digest().readBigInt64BE(0).toString();
}

export class PingLoader {
  private readonly days = new Set<number>();

  constructor(private readonly d: FeedDeps) {}

  /** Creates the day partitions `pings` needs for these days (UTC), once per process. */
  async ensureDays(days: Iterable<number>, table = 'pings'): Promise<void> {
    for (const day of days) {
      const key = table === 'pings' ? day : -day - 1;
      if (this.days.has(key)) continue;
      await this.d.db.query('SELECT hc_ensure_day_partition($1, $2::date)', [table, new Date(day * DAY_MS).toISOString().slice(0, 10)]);
      this.days.add(key);
    }
  }

  /** Loads one block of pings; `blockKey` identifies the block for idempotency. */
  async load(items: readonly IngestItem[], blockKey: string): Promise<BatchResult> {
    const out = emptyResult();
    const now = this.d.clock.now();
    const oldest = Math.floor(now / DAY_MS - this.d.retentionDays + 1) * DAY_MS;
    const good: Array<{ line: number; p: PingRecord }> = [];
    const phones = new Map<string, { kind: 'phone'; phone: string }>();
    for (const it of items) {
      const r = it.record.phone !== undefined && it.record.ts !== undefined ? it.record : normaliseKeys(it.record);
      const c = checkPing(r, now, oldest);
      if (!c.ok) {
        out.errors.push(rowError(it.line, c.problem));
        continue;
      }
      good.push({ line: it.line, p: c.value });
      if (!phones.has(c.value.phone)) phones.set(c.value.phone, { kind: 'phone', phone: c.value.phone });
    }
    if (good.length === 0) return out;
    const persons = await this.d.resolver.resolve(phones.values());
    const id = blockId(blockKey);
    const lines: string[] = [];
    const pingDays = new Map<number, Set<number>>();
    let first: { personId: number; ts: number } | undefined;
    for (const g of good) {
      const person = persons.get(`p:${g.p.phone}`);
      if (!person) {
        out.errors.push(rowError(g.line, { field: 'phone', code: 'ROW_UNKNOWN_PERSON', message: 'no registered person with this phone' }));
        continue;
      }
      first ??= { personId: person.id, ts: g.p.ts };
      lines.push(`${person.id},${new Date(g.p.ts).toISOString()},${g.p.lat},${g.p.lon},${g.p.accuracyM ?? ''},carrier,${id}\n`);
      const day = Math.floor(g.p.ts / DAY_MS);
      let set = pingDays.get(day);
      if (!set) pingDays.set(day, (set = new Set()));
      set.add(person.id);
    }
    if (!first) return out;
    const seen = await this.d.db.query('SELECT 1 FROM pings WHERE person_id = $1 AND ts = $2 AND batch_id = $3 LIMIT 1', [
      first.personId, new Date(first.ts).toISOString(), id,
    ]);
    if (seen.rows.length > 0) {
      out.duplicates = lines.length;
      return out;
    }
    await this.ensureDays(pingDays.keys());
    // A one-day block goes straight into its partition (no routing); a block spanning days goes
    // through the parent so it is still one statement, all or nothing.
    const days = [...pingDays.keys()];
    const table = days.length === 1 ? `pings_${new Date((days[0] as number) * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '')}` : 'pings';
    // Chunks of ~64 KiB let pg-copy-streams write while the rest is still joined.
    const chunks: string[] = [];
    for (let i = 0; i < lines.length; i += 1000) chunks.push(lines.slice(i, i + 1000).join(''));
    out.accepted = await this.d.db.copyCsv(table, COLUMNS, chunks);
    out.pingDays = pingDays;
    return out;
  }
}
