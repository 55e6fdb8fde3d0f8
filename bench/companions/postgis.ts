// PostGIS baseline (the "obvious database query"): the same presence semantics in SQL (window LEAD
// for the gap rule), a GiST index on geography and an ST_DWithin join of case intervals against
// everyone's intervals. Runs in its own database so it never touches other schemas.
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { PingColumns } from '../../src/geo/companion-types.ts';

export interface PostgisResult {
  loadMs: number;
  presenceMs: number;
  indexMs: number;
  joinMs: number;
  /** Rows "person,case,seconds,first,last" as dense ids, sorted. */
  pairs: string[];
}

const ADMIN = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const BENCH_DB = 'hc_companion_bench';

async function ensureDatabase(): Promise<string> {
  const admin = new pg.Client(ADMIN);
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', [BENCH_DB]);
  if (exists.rowCount === 0) await admin.query(`create database ${BENCH_DB}`);
  await admin.end();
  return ADMIN.replace(/\/[^/]*$/, `/${BENCH_DB}`);
}

/** Companion pairs (radius mode) of the given pings and cases, computed by PostgreSQL + PostGIS. */
export async function postgisCompanions(
  pings: PingColumns,
  rows: ArrayLike<number>,
  cases: number[],
  p: { radiusM: number; gapS: number; minSeconds: number },
): Promise<PostgisResult> {
  const db = new pg.Client(await ensureDatabase());
  await db.connect();
  try {
    await db.query('create extension if not exists postgis');
    await db.query('drop table if exists pings, cases, presence, case_presence');
    await db.query('create unlogged table pings (person int, ts bigint, lat float8, lon float8)');
    await db.query('create unlogged table cases (person int primary key)');
    let t = performance.now();
    const lines = function* (): Generator<string> {
      let s = '';
      for (let k = 0; k < rows.length; k++) {
        const i = rows[k]!;
        s += `${pings.person[i]}\t${pings.ts[i]}\t${pings.lat[i]}\t${pings.lon[i]}\n`;
        if (s.length > 1 << 20) {
          yield s;
          s = '';
        }
      }
      yield s;
    };
    await pipeline(Readable.from(lines()), db.query(copyFrom('copy pings from stdin')));
    await db.query(`insert into cases select unnest($1::int[])`, [cases]);
    const loadMs = performance.now() - t;
    t = performance.now();
    // Presence: ping i covers [tᵢ, min(tᵢ₊₁, tᵢ + G)), ties ordered by (lat, lon) like the engine.
    await db.query(
      `
      create unlogged table presence as
      select person, ts as a, least(coalesce(lead(ts) over w, ts + $1), ts + $1) as b,
             st_setsrid(st_makepoint(lon, lat), 4326)::geography as g
      from pings window w as (partition by person order by ts, lat, lon)`,
      [p.gapS],
    );
    await db.query('delete from presence where b <= a');
    await db.query(
      'create unlogged table case_presence as select * from presence where person in (select person from cases)',
    );
    const presenceMs = performance.now() - t;
    t = performance.now();
    await db.query('create index on presence using gist (g)');
    await db.query('analyze presence; analyze case_presence');
    const indexMs = performance.now() - t;
    t = performance.now();
    const r = await db.query<{
      person: number;
      case_id: number;
      seconds: string;
      first_ts: string;
      last_ts: string;
    }>(
      `
      select p.person, c.person as case_id,
             sum(least(p.b, c.b) - greatest(p.a, c.a)) as seconds,
             min(greatest(p.a, c.a)) as first_ts, max(least(p.b, c.b)) as last_ts
      from case_presence c
      join presence p on p.person <> c.person and p.a < c.b and c.a < p.b
                     and st_dwithin(p.g, c.g, $1, false)
      group by p.person, c.person
      having sum(least(p.b, c.b) - greatest(p.a, c.a)) >= $2`,
      [p.radiusM, p.minSeconds],
    );
    const joinMs = performance.now() - t;
    const pairs = r.rows
      .map((x) => `${x.person},${x.case_id},${Number(x.seconds)},${Number(x.first_ts)},${Number(x.last_ts)}`)
      .sort();
    await db.query('drop table if exists pings, cases, presence, case_presence');
    return { loadMs, presenceMs, indexMs, joinMs, pairs };
  } finally {
    await db.end();
  }
}
