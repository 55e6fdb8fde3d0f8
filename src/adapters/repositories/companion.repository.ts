/**
 * SQL of the platform's companion runs (CompanionStore): reads retained pings and case facts,
 * records runs in companion_runs, and decrypts the phones companion records name.
 */
import type { Secrets } from '../crypto/secrets.ts';
import type { Database } from '../db/database.ts';
import { intArray } from '../db/pg-params.ts';
import type {
  CompanionCase,
  CompanionRun,
  CompanionStore,
  GeoBox,
  PingRows,
} from '../../ports/companion.port.ts';

/** Facts that make someone a case for companion runs: a case, or a positive individual test. */
const IS_CASE = `(f.type = 'case' OR (f.type = 'test_result' AND f.data->>'result' = 'positive'
  AND NOT coalesce((f.data->>'pooled')::boolean, false)))`;

const caseOf = (r: { id: number; person_id: number; t: number }): CompanionCase => ({
  factId: Number(r.id),
  personId: Number(r.person_id),
  eventTime: Number(r.t),
});

export class CompanionRepository implements CompanionStore {
  constructor(
    private readonly db: Database,
    private readonly secrets: Secrets,
  ) {}

  async pings(from: number, to: number, persons?: readonly number[]): Promise<PingRows> {
    const params: unknown[] = [from, to];
    let where = 'ts >= to_timestamp($1 / 1000.0) AND ts < to_timestamp($2 / 1000.0)';
    if (persons) {
      params.push(intArray([...persons]));
      where += ' AND person_id = ANY($3::bigint[])';
    }
    const r = await this.db.query<{ p: number; t: number; lat: number; lon: number }>(
      `SELECT person_id AS p, floor(extract(epoch FROM ts))::bigint AS t, lat, lon FROM pings WHERE ${where}`,
      params,
    );
    const n = r.rows.length;
    const out: PingRows = {
      person: new Float64Array(n),
      ts: new Uint32Array(n),
      lat: new Float64Array(n),
      lon: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) {
      const row = r.rows[i]!;
      out.person[i] = Number(row.p);
      out.ts[i] = Number(row.t);
      out.lat[i] = row.lat;
      out.lon[i] = row.lon;
    }
    return out;
  }

  async personsIn(box: GeoBox, from: number, to: number): Promise<number[]> {
    const r = await this.db.query<{ p: number }>(
      `SELECT DISTINCT person_id AS p FROM pings
        WHERE ts >= to_timestamp($1 / 1000.0) AND ts < to_timestamp($2 / 1000.0)
          AND lat BETWEEN $3 AND $4 AND lon BETWEEN $5 AND $6`,
      [from, to, box.minLat, box.maxLat, box.minLon, box.maxLon],
    );
    return r.rows.map((x) => Number(x.p));
  }

  async casesDuring(from: number, to: number, since: number): Promise<CompanionCase[]> {
    const r = await this.db.query<{ id: number; person_id: number; t: number }>(
      `SELECT f.id, f.person_id, floor(extract(epoch FROM f.event_time) * 1000)::bigint AS t
         FROM facts f
        WHERE ${IS_CASE}
          AND f.event_time >= to_timestamp($3 / 1000.0) AND f.event_time < to_timestamp($2 / 1000.0)
          AND NOT EXISTS (
            SELECT 1 FROM facts r
             WHERE r.person_id = f.person_id AND r.type = 'release' AND r.data->'types' ? f.type
               AND r.event_time >= f.event_time AND r.event_time <= to_timestamp($1 / 1000.0))
        ORDER BY f.person_id, f.id`,
      [from, to, since],
    );
    // one entry per person: the earliest fact that made them a case
    const seen = new Set<number>();
    return r.rows.map(caseOf).filter((c) => !seen.has(c.personId) && seen.add(c.personId));
  }

  async unrunCases(personIds: readonly number[], since: number): Promise<CompanionCase[]> {
    const r = await this.db.query<{ id: number; person_id: number; t: number }>(
      `SELECT f.id, f.person_id, floor(extract(epoch FROM f.event_time) * 1000)::bigint AS t
         FROM facts f
        WHERE f.person_id = ANY($1::bigint[]) AND ${IS_CASE} AND f.event_time >= to_timestamp($2 / 1000.0)
          AND NOT EXISTS (SELECT 1 FROM companion_runs c WHERE c.kind = 'case' AND c.key = f.id::text)
        ORDER BY f.id`,
      [intArray([...personIds]), since],
    );
    return r.rows.map(caseOf);
  }

  async claim(kind: CompanionRun['kind'], key: string, at: number, staleMs: number): Promise<boolean> {
    const r = await this.db.query(
      `INSERT INTO companion_runs (kind, key, claimed_at) VALUES ($1, $2, to_timestamp($3 / 1000.0))
       ON CONFLICT (kind, key) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
        WHERE companion_runs.finished_at IS NULL
          AND companion_runs.claimed_at < to_timestamp(($3 - $4) / 1000.0)
       RETURNING key`,
      [kind, key, at, staleMs],
    );
    return r.rows.length === 1;
  }

  async finish(kind: CompanionRun['kind'], key: string, at: number, pairs: number): Promise<void> {
    await this.db.query(
      `INSERT INTO companion_runs (kind, key, claimed_at, finished_at, pairs)
       VALUES ($1, $2, to_timestamp($3 / 1000.0), to_timestamp($3 / 1000.0), $4)
       ON CONFLICT (kind, key) DO UPDATE SET finished_at = EXCLUDED.finished_at, pairs = EXCLUDED.pairs`,
      [kind, key, at, pairs],
    );
  }

  async recentRuns(limit: number): Promise<CompanionRun[]> {
    const r = await this.db.query<{
      kind: CompanionRun['kind'];
      key: string;
      c: number;
      f: number | null;
      pairs: number | null;
    }>(
      `SELECT kind, key, floor(extract(epoch FROM claimed_at) * 1000)::bigint AS c,
              floor(extract(epoch FROM finished_at) * 1000)::bigint AS f, pairs
         FROM companion_runs ORDER BY claimed_at DESC, kind, key LIMIT $1`,
      [limit],
    );
    return r.rows.map((x) => ({
      kind: x.kind,
      key: x.key,
      claimedAt: Number(x.c),
      finishedAt: x.f === null ? null : Number(x.f),
      pairs: x.pairs,
    }));
  }

  async phonesOf(personIds: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (let i = 0; i < personIds.length; i += 10_000) {
      const r = await this.db.query<{ id: number; phone_enc: Uint8Array | null }>(
        'SELECT id, phone_enc FROM persons WHERE id = ANY($1::bigint[])',
        [intArray(personIds.slice(i, i + 10_000))],
      );
      for (const row of r.rows)
        if (row.phone_enc) out.set(Number(row.id), this.secrets.decryptText(row.phone_enc));
    }
    return out;
  }
}
