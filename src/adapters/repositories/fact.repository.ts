/** Facts: append-only, idempotent by (source, source record id). */
import type { Fact, FactData, FactType } from '../../domain/fact.ts';
import type { Database, Queryable } from '../db/database.ts';
import { intArray, jsonArray, numArray, textArray, TS, type SqlArray } from '../db/pg-params.ts';

export interface NewFact {
  personId: number;
  type: FactType;
  source: string;
  sourceRecordId: string;
  eventTime: number;
  validFrom?: number;
  validUntil?: number | null;
  data?: FactData;
  author?: string | null;
}

interface FactRow {
  id: number;
  person_id: number;
  type: FactType;
  source: string;
  event_time: number;
  arrival_time: number;
  valid_from: number;
  valid_until: number | null;
  data: FactData;
}

/** A timestamptz column as epoch milliseconds, truncated like a JS Date of it. */
const MS = (col: string) => `floor(extract(epoch FROM ${col}) * 1000)::float8 AS ${col}`;

function toFact(r: FactRow): Fact {
  const f: Fact = {
    id: String(r.id),
    personId: String(r.person_id),
    type: r.type,
    source: r.source,
    eventTime: r.event_time,
    arrivalTime: r.arrival_time,
    validFrom: r.valid_from,
    data: r.data,
  };
  if (r.valid_until !== null) f.validUntil = r.valid_until;
  return f;
}

/*
 * Bulk fact rows travel as one typed array per column, read back by unnest, and times as epoch
 * milliseconds. Measured on a 5 000-fact block: json_to_recordset spent 25–35 µs of server CPU a
 * row (its parser allocates per field; most of a key-population block's time), the arrays 1–2 µs
 * plus the jsonb cast of `data`; parsing timestamp text was a good part of the server's time too,
 * and toISOString of the client's. Shared with the key-population block statement (feed repository).
 */
export const FACT_INSERT_COLUMNS = '(person_id, type, source, source_record_id, event_time, arrival_time, valid_from, valid_until, data, author)';
/** How many parameters factArrays fills. */
export const FACT_ARRAYS = 9;
/** `unnest(…) AS t(p, ty, s, sid, et, vf, vu, d, a` over factArrays' parameters from $first (more columns may follow). */
export const factUnnest = (first: number, more: ReadonlyArray<readonly [string, string]> = []): string => {
  const cols: Array<readonly [string, string]> = [
    ['p', 'bigint'], ['ty', 'text'], ['s', 'text'], ['sid', 'text'], ['et', 'float8'], ['vf', 'float8'], ['vu', 'float8'], ['d', 'text'], ['a', 'text'], ...more,
  ];
  return `unnest(${cols.map(([, type], i) => `$${first + i}::${type}[]`).join(', ')}) AS t(${cols.map(([name]) => name).join(', ')})`;
};
/** The SELECT list for FACT_INSERT_COLUMNS from a factUnnest alias. */
export const factInsertValues = (t: string, arrivalMs: string): string =>
  `${t}.p, ${t}.ty, ${t}.s, ${t}.sid, ${TS(`${t}.et`)}, ${TS(arrivalMs)}, ${TS(`coalesce(${t}.vf, ${t}.et)`)}, ${TS(`${t}.vu`)}, coalesce(${t}.d::jsonb, '{}'), ${t}.a`;

/** Facts as the FACT_ARRAYS parameters of factUnnest (valid_from left NULL when it is the event time). */
export function factArrays(facts: readonly NewFact[]): SqlArray[] {
  const n = facts.length;
  const p = new Array<number>(n);
  const ty = new Array<string>(n);
  const s = new Array<string>(n);
  const sid = new Array<string>(n);
  const et = new Array<number>(n);
  const vf = new Array<number | null>(n);
  const vu = new Array<number | null>(n);
  const d = new Array<unknown>(n);
  const a = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const f = facts[i] as NewFact;
    p[i] = f.personId;
    ty[i] = f.type;
    s[i] = f.source;
    sid[i] = f.sourceRecordId;
    et[i] = f.eventTime;
    vf[i] = f.validFrom === undefined || f.validFrom === f.eventTime ? null : f.validFrom;
    vu[i] = f.validUntil ?? null;
    d[i] = f.data ?? null;
    a[i] = f.author ?? null;
  }
  return [intArray(p), textArray(ty), textArray(s), textArray(sid), numArray(et), numArray(vf), numArray(vu), jsonArray(d), textArray(a)];
}

export class FactRepository {
  constructor(private readonly db: Database) {}

  /** Inserts one fact; returns its id, or null when that source record was already recorded. */
  async insert(f: NewFact, arrivalTime: number, q: Queryable = this.db): Promise<number | null> {
    const r = await q.query<{ id: number }>(
      `INSERT INTO facts (person_id, type, source, source_record_id, event_time, arrival_time, valid_from, valid_until, data, author)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
       ON CONFLICT (source, source_record_id) DO NOTHING RETURNING id`,
      [
        f.personId, f.type, f.source, f.sourceRecordId, new Date(f.eventTime), new Date(arrivalTime),
        new Date(f.validFrom ?? f.eventTime), f.validUntil ? new Date(f.validUntil) : null, JSON.stringify(f.data ?? {}), f.author ?? null,
      ],
    );
    return r.rows[0]?.id ?? null;
  }

  /** Inserts many facts in one statement; returns the person ids of the rows that were new. */
  async insertMany(facts: readonly NewFact[], arrivalTime: number, q: Queryable = this.db): Promise<number[]> {
    return (await this.insertBulk(facts, arrivalTime, q)).map((r) => r.person_id);
  }

  /**
   * Inserts many facts in one statement; returns the source record ids of the rows that were new
   * (the others were recorded before), so a bulk feed needs no separate look-up of known ids.
   */
  async insertManyNew(facts: readonly NewFact[], arrivalTime: number, q: Queryable = this.db): Promise<Set<string>> {
    return new Set((await this.insertBulk(facts, arrivalTime, q)).map((r) => r.source_record_id));
  }

  private async insertBulk(facts: readonly NewFact[], arrivalTime: number, q: Queryable): Promise<Array<{ person_id: number; source_record_id: string }>> {
    if (facts.length === 0) return [];
    const res = await q.query<{ person_id: number; source_record_id: string }>(
      `INSERT INTO facts ${FACT_INSERT_COLUMNS}
       SELECT ${factInsertValues('t', `$${FACT_ARRAYS + 1}::float8`)} FROM ${factUnnest(1)}
       ON CONFLICT (source, source_record_id) DO NOTHING
       RETURNING person_id, source_record_id`,
      [...factArrays(facts), arrivalTime],
    );
    return res.rows;
  }

  /** All facts of many persons, grouped by person id. */
  async forPersons(ids: readonly number[]): Promise<Map<number, Fact[]>> {
    const out = new Map<number, Fact[]>();
    if (ids.length === 0) return out;
    // Times come back as epoch milliseconds (float8, parsed as a number) rather than timestamptz
    // text, which the driver parses into a Date per column: a recompute of 5 000 persons spent
    // more time there than in the policy.
    const rows = await this.db.query<FactRow>(
      `SELECT id, person_id, type, source, ${MS('event_time')}, ${MS('arrival_time')}, ${MS('valid_from')}, ${MS('valid_until')}, data
         FROM facts WHERE person_id = ANY($1::bigint[]) ORDER BY person_id, event_time, id`,
      [intArray(ids)],
    );
    for (const r of rows.rows) {
      let list = out.get(r.person_id);
      if (!list) out.set(r.person_id, (list = []));
      list.push(toFact(r));
    }
    return out;
  }

  async forPerson(id: number): Promise<Fact[]> {
    return (await this.forPersons([id])).get(id) ?? [];
  }

  /** Persons with facts that arrived after their status was computed (catch-up after a crash). */
  async personsWithUnappliedFacts(limit: number): Promise<number[]> {
    const r = await this.db.query<{ person_id: number }>(
      `SELECT DISTINCT f.person_id FROM facts f LEFT JOIN statuses s ON s.person_id = f.person_id
        WHERE s.person_id IS NULL OR f.arrival_time > s.computed_at LIMIT $1`,
      [limit],
    );
    return r.rows.map((x) => x.person_id);
  }
}
