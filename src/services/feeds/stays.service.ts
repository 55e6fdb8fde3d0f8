/**
 * Stays from pings (source 'carrier'): for each person and UTC day with new pings, the day's pings
 * are condensed again (domain/feeds/stays.ts) and replace that day's carrier stays, so late and
 * out-of-order pings simply rebuild the day. Read by risk-area matching and the itinerary card.
 */
import type { Database } from '../../adapters/db/database.ts';
import { condenseStays, type StayOptions, type StayPing } from '../../domain/feeds/stays.ts';

const DAY_MS = 86400_000;

export class StayService {
  private readonly days = new Set<number>();

  constructor(
    private readonly db: Database,
    private readonly opts: StayOptions = {},
  ) {}

  /** Rebuilds the carrier stays of these persons on these days; returns stays written. */
  async rebuild(
    pingDays: ReadonlyMap<number, ReadonlySet<number>>,
    onProgress?: (persons: number) => void,
    chunk = 2000,
  ): Promise<number> {
    let written = 0;
    let done = 0;
    for (const [day, set] of pingDays) {
      const ids = [...set];
      for (let i = 0; i < ids.length; i += chunk) {
        written += await this.rebuildDay(day, ids.slice(i, i + chunk));
        done += Math.min(chunk, ids.length - i);
        onProgress?.(done);
      }
    }
    return written;
  }

  private async rebuildDay(day: number, ids: number[]): Promise<number> {
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
      [ids, from, to],
    );
    const byPerson = new Map<number, StayPing[]>();
    for (const p of r.rows) {
      let l = byPerson.get(p.person_id);
      if (!l) byPerson.set(p.person_id, (l = []));
      l.push({ ts: p.ts.getTime(), lat: p.lat, lon: p.lon, accuracyM: p.accuracy_m });
    }
    const cols = {
      p: [] as number[],
      s: [] as string[],
      e: [] as string[],
      lat: [] as number[],
      lon: [] as number[],
      acc: [] as number[],
      sid: [] as string[],
    };
    for (const [pid, pings] of byPerson) {
      for (const s of condenseStays(pings, this.opts)) {
        cols.p.push(pid);
        cols.s.push(new Date(s.startedAt).toISOString());
        cols.e.push(new Date(s.endedAt).toISOString());
        cols.lat.push(s.lat);
        cols.lon.push(s.lon);
        cols.acc.push(s.accuracyM);
        cols.sid.push(`${pid}:${s.startedAt}`);
      }
    }
    if (!this.days.has(day)) {
      await this.db.query('SELECT hc_ensure_day_partition($1, $2::date)', ['stays', from.slice(0, 10)]);
      this.days.add(day);
    }
    await this.db.transaction(async (tx) => {
      await tx.query(
        `DELETE FROM stays WHERE source = 'carrier' AND person_id = ANY($1::bigint[]) AND started_at >= $2 AND started_at < $3`,
        [ids, from, to],
      );
      if (cols.p.length === 0) return;
      await tx.query(
        `INSERT INTO stays (person_id, started_at, ended_at, lat, lon, accuracy_m, source, source_record_id)
         SELECT p, s, e, la, lo, a, 'carrier', sid
           FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::float8[], $5::float8[], $6::real[], $7::text[]) AS t(p, s, e, la, lo, a, sid)
         ON CONFLICT DO NOTHING`,
        [cols.p, cols.s, cols.e, cols.lat, cols.lon, cols.acc, cols.sid],
      );
    });
    return cols.p.length;
  }
}
