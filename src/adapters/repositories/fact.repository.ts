/** Facts: append-only, idempotent by (source, source record id). */
import type { Fact, FactData, FactType, NewFact } from '../../domain/fact.ts';
export { storedFact } from '../../domain/fact.ts';
import type { FactStore } from '../../ports/fact-store.port.ts';
import type { Queryable } from '../db/database.ts';
import { intArray, numArray, textArray, TS, type SqlArray } from '../db/pg-params.ts';

export type { NewFact };

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
 * row (its parser allocates per field; most of a key-population block's time), the arrays 1–2 µs;
 * parsing timestamp text was a good part of the server's time too, and toISOString of the
 * client's. Fact data repeats (a list's rows share theirs): each distinct JSON text is sent and
 * cast to jsonb once, and rows carry its number — a list block's data went from 440 kB of
 * parameters and 5 000 jsonb parses to 40 kB and a few dozen. Shared with the key-population block
 * statement (feed repository).
 */
export const FACT_INSERT_COLUMNS =
  '(person_id, type, source, source_record_id, event_time, arrival_time, valid_from, valid_until, data, author)';

/** Bulk facts as statement parameters: the FROM item `unnest(…) AS t(…)` and the SELECT list. */
export interface FactBulk {
  params: SqlArray[];
  /** `unnest(…) AS t(p, ty, s, sid, et, vf, vu, di, a, …more)` */
  from: string;
  /** the same with the row's position (1, 2, …) as a last column `i`: `unnest(…) WITH ORDINALITY AS t(…, i)` */
  fromOrdered: string;
  /** the SELECT list for FACT_INSERT_COLUMNS over alias t, given the arrival time's SQL (epoch ms) */
  values: (arrivalMs: string) => string;
  /** the next free parameter number */
  next: number;
}

/**
 * Facts (and `more` columns of the same rows) as parameters from $first. valid_from is left NULL
 * when it is the event time.
 */
export function factBulk(
  facts: readonly NewFact[],
  first = 1,
  more: ReadonlyArray<readonly [name: string, type: string, values: SqlArray]> = [],
): FactBulk {
  const n = facts.length;
  const p = new Array<number>(n);
  const ty = new Array<string>(n);
  const s = new Array<string>(n);
  const sid = new Array<string>(n);
  const et = new Array<number>(n);
  const vf = new Array<number | null>(n);
  const vu = new Array<number | null>(n);
  const di = new Array<number | null>(n);
  const a = new Array<string | null>(n);
  const dict = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const f = facts[i] as NewFact;
    p[i] = f.personId;
    ty[i] = f.type;
    s[i] = f.source;
    sid[i] = f.sourceRecordId;
    et[i] = f.eventTime;
    vf[i] = f.validFrom === undefined || f.validFrom === f.eventTime ? null : f.validFrom;
    vu[i] = f.validUntil ?? null;
    if (f.data === undefined || f.data === null) di[i] = null;
    else {
      const json = JSON.stringify(f.data);
      let k = dict.get(json);
      if (k === undefined) dict.set(json, (k = dict.size + 1));
      di[i] = k;
    }
    a[i] = f.author ?? null;
  }
  const cols: Array<readonly [string, string, SqlArray]> = [
    ['p', 'bigint', intArray(p)],
    ['ty', 'text', textArray(ty)],
    ['s', 'text', textArray(s)],
    ['sid', 'text', textArray(sid)],
    ['et', 'float8', numArray(et)],
    ['vf', 'float8', numArray(vf)],
    ['vu', 'float8', numArray(vu)],
    ['di', 'int', numArray(di, 'int4')],
    ['a', 'text', textArray(a)],
    ...more,
  ];
  const dictParam = first + cols.length;
  // the distinct data documents, cast once (an uncorrelated subquery: evaluated once per statement)
  const docs = `(SELECT array_agg(x::jsonb ORDER BY i) FROM unnest($${dictParam}::text[]) WITH ORDINALITY AS u(x, i))`;
  const unnested = cols.map(([, type], i) => `$${first + i}::${type}[]`).join(', ');
  const names = cols.map(([name]) => name).join(', ');
  return {
    params: [...cols.map(([, , v]) => v), textArray([...dict.keys()])],
    from: `unnest(${unnested}) AS t(${names})`,
    fromOrdered: `unnest(${unnested}) WITH ORDINALITY AS t(${names}, i)`,
    values: (arrivalMs) =>
      `t.p, t.ty, t.s, t.sid, ${TS('t.et')}, ${TS(arrivalMs)}, ${TS('coalesce(t.vf, t.et)')}, ${TS('t.vu')}, coalesce(${docs}[t.di], '{}'), t.a`,
    next: dictParam + 1,
  };
}

/** Over the database, or bound to one transaction (a unit of work). */
export class FactRepository implements FactStore {
  constructor(private readonly db: Queryable) {}

  /** Inserts one fact; returns its id, or null when that source record was already recorded. */
  async insert(f: NewFact, arrivalTime: number): Promise<number | null> {
    const r = await this.db.query<{ id: number }>(
      `INSERT INTO facts (person_id, type, source, source_record_id, event_time, arrival_time, valid_from, valid_until, data, author)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
       ON CONFLICT (source, source_record_id) DO NOTHING RETURNING id`,
      [
        f.personId,
        f.type,
        f.source,
        f.sourceRecordId,
        new Date(f.eventTime),
        new Date(arrivalTime),
        new Date(f.validFrom ?? f.eventTime),
        f.validUntil ? new Date(f.validUntil) : null,
        JSON.stringify(f.data ?? {}),
        f.author ?? null,
      ],
    );
    return r.rows[0]?.id ?? null;
  }

  /** Inserts many facts in one statement; returns the person ids of the rows that were new. */
  async insertMany(facts: readonly NewFact[], arrivalTime: number): Promise<number[]> {
    return (await this.insertBulk(facts, arrivalTime)).map((r) => r.person_id);
  }

  /**
   * Inserts many facts in one statement; returns the source record ids of the rows that were new
   * (the others were recorded before), so a bulk feed needs no separate look-up of known ids.
   */
  async insertManyNew(facts: readonly NewFact[], arrivalTime: number): Promise<Set<string>> {
    return new Set((await this.insertBulk(facts, arrivalTime)).map((r) => r.source_record_id));
  }

  private async insertBulk(
    facts: readonly NewFact[],
    arrivalTime: number,
  ): Promise<Array<{ person_id: number; source_record_id: string }>> {
    if (facts.length === 0) return [];
    const b = factBulk(facts);
    const res = await this.db.query<{ person_id: number; source_record_id: string }>(
      `INSERT INTO facts ${FACT_INSERT_COLUMNS}
       SELECT ${b.values(`$${b.next}::float8`)} FROM ${b.from}
       ON CONFLICT (source, source_record_id) DO NOTHING
       RETURNING person_id, source_record_id`,
      [...b.params, arrivalTime],
    );
    return res.rows;
  }

  /**
   * All facts of many persons, grouped by person id, each person's in event order. `except`: ids of
   * facts to leave out, which the caller has in hand (a list import has just written them).
   */
  async forPersons(ids: readonly number[], except?: readonly string[]): Promise<Map<number, Fact[]>> {
    const out = new Map<number, Fact[]>();
    if (ids.length === 0) return out;
    // Times come back as epoch milliseconds (float8, parsed as a number) rather than timestamptz
    // text, which the driver parses into a Date per column: a recompute of 5 000 persons spent
    // more time there than in the policy.
    const skip = except?.length ? ' AND NOT (id = ANY($2::bigint[]))' : '';
    const rows = await this.db.query<FactRow>(
      `SELECT id, person_id, type, source, ${MS('event_time')}, ${MS('arrival_time')}, ${MS('valid_from')}, ${MS('valid_until')}, data
         FROM facts WHERE person_id = ANY($1::bigint[])${skip} ORDER BY person_id, event_time, id`,
      except?.length ? [intArray(ids), intArray(except.map(Number))] : [intArray(ids)],
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

  bound(transaction: unknown): FactRepository {
    return new FactRepository(transaction as Queryable);
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
