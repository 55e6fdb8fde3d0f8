/**
 * SQL for the feeds: person lookups in bulk, source-id records, trips, key-population membership
 * and community response tasks. Array parameters are `SqlArray`s (pg-params.ts), which each
 * database adapter sends its own way; document hashes go as bytea, phone hashes as hex text.
 */
import { TASK_STATES, type ResponseTask, type TaskState } from '../../domain/feeds/response-task.ts';
import type {
  FeedStore,
  KeyPopulationBlockWrite,
  KeyPopulationRow,
  ResolvedPerson,
  ResponseTaskStore,
  TripRow,
} from '../../ports/feed-store.port.ts';
import type { Queryable } from '../db/database.ts';
import { boolArray, byteaArray, hexArray, intArray, numArray, textArray, TS } from '../db/pg-params.ts';
import { FACT_INSERT_COLUMNS, factBulk, type NewFact } from '../repositories/fact.repository.ts';

export type { KeyPopulationBlockWrite, KeyPopulationRow, ResolvedPerson, TripRow };
export { TASK_STATES, type ResponseTask, type TaskState };

interface TaskRow {
  id: number;
  person_id: number;
  region_code: string;
  list: string;
  category: string;
  tier: string;
  state: TaskState;
  note: string | null;
  created_at: Date;
  updated_at: Date;
  updated_by: string | null;
}

const toTask = (r: TaskRow): ResponseTask => ({
  id: r.id,
  personId: r.person_id,
  regionCode: r.region_code,
  list: r.list,
  category: r.category,
  tier: r.tier,
  state: r.state,
  note: r.note,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  updatedBy: r.updated_by,
});

/** On the pool, or bound to a transaction (a unit of work's): every method then runs in it. */
export class FeedRepository implements FeedStore, ResponseTaskStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Persons by keyed document hash, in one query: the i-th result is the i-th key's person, or
   * undefined. One probe of the (doc_type, doc_hash) key per document (LIMIT 1 keeps the lateral
   * join a nested loop over the unique index): a plain join was planned as a hash of the whole
   * registry, whose cost grows with the registry, not the batch. Hashes travel as bytea and rows
   * come back by position, so neither side converts them to hex.
   */
  async personsByDocHash(
    keys: ReadonlyArray<{ docType: number; hash: Uint8Array }>,
  ): Promise<Array<ResolvedPerson | undefined>> {
    const out = new Array<ResolvedPerson | undefined>(keys.length);
    if (keys.length === 0) return out;
    const r = await this.db.query<{ i: number } & PersonRow>(
      `SELECT k.i::int AS i, p.id, p.region_code, p.code_subject, p.name_masked
         FROM unnest($1::smallint[], $2::bytea[]) WITH ORDINALITY AS k(t, h, i)
         CROSS JOIN LATERAL (SELECT id, region_code, code_subject, name_masked FROM persons WHERE doc_type = k.t AND doc_hash = k.h LIMIT 1) p`,
      [
        intArray(
          keys.map((k) => k.docType),
          'int2',
        ),
        byteaArray(keys.map((k) => k.hash)),
      ],
    );
    for (const row of r.rows) out[row.i - 1] = resolved(row);
    return out;
  }

  /**
   * Persons by keyed phone hash (lowercase hex); a shared phone resolves to its holder (no
   * guardian, lowest id).
   */
  async personsByPhoneHash(hashes: readonly string[]): Promise<Map<string, ResolvedPerson>> {
    const out = new Map<string, ResolvedPerson>();
    if (hashes.length === 0) return out;
    // The holder is picked here rather than with DISTINCT ON … ORDER BY, whose sort of a 50 000-phone
    // carrier block spilled to disk.
    const r = await this.db.query<{ h: string; g: boolean } & PersonRow>(
      `SELECT p.id, encode(p.phone_hash, 'hex') AS h, p.region_code, p.code_subject, p.name_masked, p.guardian_id IS NOT NULL AS g
         FROM persons p WHERE p.phone_hash IN (SELECT decode(x, 'hex') FROM unnest($1::text[]) AS x)`,
      [hexArray(hashes)],
    );
    const best = new Map<string, { id: number; g: boolean }>();
    for (const row of r.rows) {
      const b = best.get(row.h);
      // the holder: someone without a guardian before a ward, then the lowest id
      if (b && (b.g !== row.g ? row.g : b.id < row.id)) continue;
      best.set(row.h, { id: row.id, g: row.g });
      out.set(row.h, resolved(row));
    }
    return out;
  }

  /** Records source ids; returns those that were new (the rest were seen before). */
  async claimSourceIds(
    feed: string,
    entries: ReadonlyArray<{ sourceId: string; personId: number | null }>,
    q: Queryable = this.db,
  ): Promise<Set<string>> {
    if (entries.length === 0) return new Set();
    const r = await q.query<{ source_id: string }>(
      `INSERT INTO feed_records (feed, source_id, person_id)
       SELECT $1, s, p FROM unnest($2::text[], $3::bigint[]) AS t(s, p)
       ON CONFLICT (feed, source_id) DO NOTHING RETURNING source_id`,
      [feed, entries.map((e) => e.sourceId), entries.map((e) => e.personId)],
    );
    return new Set(r.rows.map((x) => x.source_id));
  }

  async setSourcePersons(
    feed: string,
    pairs: ReadonlyArray<{ sourceId: string; personId: number }>,
    q: Queryable = this.db,
  ): Promise<void> {
    if (pairs.length === 0) return;
    await q.query(
      `UPDATE feed_records f SET person_id = t.p FROM unnest($2::text[], $3::bigint[]) AS t(s, p) WHERE f.feed = $1 AND f.source_id = t.s`,
      [feed, pairs.map((p) => p.sourceId), pairs.map((p) => p.personId)],
    );
  }

  async knownSourceIds(feed: string, ids: readonly string[], q: Queryable = this.db): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const r = await q.query<{ source_id: string }>(
      'SELECT source_id FROM feed_records WHERE feed = $1 AND source_id = ANY($2::text[])',
      [feed, ids],
    );
    return new Set(r.rows.map((x) => x.source_id));
  }

  /** Source record ids of facts already stored for one source. */
  async existingFactIds(
    source: string,
    ids: readonly string[],
    q: Queryable = this.db,
  ): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const r = await q.query<{ source_record_id: string }>(
      'SELECT source_record_id FROM facts WHERE source = $1 AND source_record_id = ANY($2::text[])',
      [source, ids],
    );
    return new Set(r.rows.map((x) => x.source_record_id));
  }

  /** Inserts trips; returns the source record ids that were new with their persons. */
  async insertTrips(rows: readonly TripRow[], arrival: number, q: Queryable = this.db): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const iso = (t: number) => new Date(t).toISOString();
    const r = await q.query<{ source_record_id: string }>(
      `INSERT INTO trips (person_id, mode, from_region, to_region, departed_at, arrived_at, carriage, seat, source, source_record_id, service_no, arrival_time)
       SELECT * , $12::timestamptz FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[],
                              $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
       ON CONFLICT (source, source_record_id) DO NOTHING RETURNING source_record_id`,
      [
        rows.map((t) => t.personId),
        rows.map((t) => t.mode),
        rows.map((t) => t.fromRegion),
        rows.map((t) => t.toRegion),
        rows.map((t) => iso(t.departedAt)),
        rows.map((t) => iso(t.arrivedAt)),
        rows.map((t) => t.carriage),
        rows.map((t) => t.seat),
        rows.map((t) => t.source),
        rows.map((t) => t.sourceRecordId),
        rows.map((t) => t.service),
        iso(arrival),
      ],
    );
    return new Set(r.rows.map((x) => x.source_record_id));
  }

  /**
   * Applies list rows to current membership, newest event wins (late rows do not undo newer ones).
   * Returns the rows that were entries into a list the person was not (or no longer) in.
   */
  async applyKeyPopulation(
    rows: readonly KeyPopulationRow[],
    q: Queryable = this.db,
  ): Promise<KeyPopulationRow[]> {
    if (rows.length === 0) return [];
    const plan = replayMembership(rows, await this.currentMemberships(rows, q));
    await q.query(
      `INSERT INTO key_population ${KP_COLUMNS}
       SELECT ${KP_VALUES} FROM json_to_recordset($1::json) AS t(p bigint, l text, c text, kt text, ke float8, et float8, rel boolean, sid text)
       ${KP_CONFLICT}`,
      [
        JSON.stringify(
          plan.finals.map((f) => ({
            p: f.row.personId,
            l: f.row.list,
            c: f.row.category,
            kt: f.tier,
            ke: f.enteredAt,
            et: f.row.eventTime,
            rel: f.row.action === 'release',
            sid: f.row.sourceId,
          })),
        ),
      ],
    );
    return plan.entered;
  }

  /**
   * A whole key-population block in one statement from one set of column arrays: its facts, and — when
   * every fact is new — the membership rows and the response tasks of its entries, and then the
   * facts' ids in row order (the recompute that follows has the facts in hand and reads only the
   * persons' others). When some facts were recorded before (a re-import, an overlap), it returns
   * the source ids of the new ones, and membership and tasks are left to the caller, who applies
   * them for those rows only (applyKeyPopulation, openTasks). One parse of the rows on the server
   * instead of three, and one statement instead of four.
   *
   * The facts are inserted in row order (ORDER BY the row's position), so their identity values
   * are drawn in row order and the ids sorted ascending are the rows' ids in order: no join of the
   * inserted rows back to the block's source ids (two sorts of 5 000 texts and a merge join per
   * block, next to the four foreign-key checks per row that migration 0500 brought back).
   */
  async writeKeyPopulationBlock(
    rows: ReadonlyArray<{ fact: NewFact; kp: KeyPopulationRow & { regionCode: string | null } }>,
    arrival: number,
    q: Queryable = this.db,
  ): Promise<KeyPopulationBlockWrite> {
    if (rows.length === 0) return { every: true, ids: [] };
    const kps = rows.map((r) => r.kp);
    const plan = replayMembership(kps, await this.currentMemberships(kps, q));
    const final = new Map(plan.finals.map((f) => [f.row, f]));
    const opens = new Set<KeyPopulationRow>(plan.entered);
    // The fact's columns, then the list row's; the list row's person, source id and event time are
    // its fact's (one row of a list is one fact), so they travel once.
    const n = rows.length;
    const l = new Array<string>(n);
    const c = new Array<string>(n);
    const rel = new Array<boolean>(n);
    const kf = new Array<boolean>(n);
    const kt = new Array<string | null>(n);
    const ke = new Array<number | null>(n);
    const tk = new Array<boolean>(n);
    const tt = new Array<string | null>(n);
    const rc = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const { fact, kp } = rows[i] as (typeof rows)[number];
      if (
        fact.personId !== kp.personId ||
        fact.sourceRecordId !== kp.sourceId ||
        fact.eventTime !== kp.eventTime
      ) {
        throw new Error(`key-population row ${kp.sourceId} and its fact disagree`);
      }
      const f = final.get(kp);
      const open = opens.has(kp);
      l[i] = kp.list;
      c[i] = kp.category;
      rel[i] = kp.action === 'release';
      kf[i] = f !== undefined;
      kt[i] = f?.tier ?? null;
      ke[i] = f?.enteredAt ?? null;
      tk[i] = open;
      tt[i] = open ? kp.tier : null;
      rc[i] = open ? kp.regionCode : null;
    }
    const b = factBulk(
      rows.map((x) => x.fact),
      1,
      [
        ['l', 'text', textArray(l)],
        ['c', 'text', textArray(c)],
        ['rel', 'boolean', boolArray(rel)],
        ['kf', 'boolean', boolArray(kf)],
        ['kt', 'text', textArray(kt)],
        ['ke', 'float8', numArray(ke)],
        ['tk', 'boolean', boolArray(tk)],
        ['tt', 'text', textArray(tt)],
        ['rc', 'text', textArray(rc)],
      ],
    );
    const arrivalP = `$${b.next}::float8`;
    const r = await q.query<{ every: boolean; fresh: string[] | null; ids: string | null }>(
      `WITH t AS MATERIALIZED (SELECT * FROM ${b.fromOrdered}),
       f AS (INSERT INTO facts ${FACT_INSERT_COLUMNS} SELECT ${b.values(arrivalP)} FROM t ORDER BY t.i
             ON CONFLICT (source, source_record_id) DO NOTHING RETURNING id, source_record_id),
       every AS (SELECT count(*) = $${b.next + 1} AS yes FROM f),
       k AS (INSERT INTO key_population ${KP_COLUMNS}
             SELECT ${KP_VALUES} FROM (SELECT t.p, t.l, t.c, t.kt, t.ke, t.et, t.rel, t.sid FROM t WHERE t.kf AND (SELECT yes FROM every)) t
             ${KP_CONFLICT}),
       o AS (INSERT INTO response_tasks (person_id, region_code, list, category, tier, source_id, created_at, updated_at)
             SELECT t.p, coalesce(t.rc, '000000'), t.l, t.c, t.tt, t.sid, ${TS(arrivalP)}, ${TS(arrivalP)} FROM t
              WHERE t.tk AND (SELECT yes FROM every)
             ON CONFLICT (source_id) DO NOTHING)
       SELECT yes AS every, CASE WHEN NOT yes THEN (SELECT array_agg(source_record_id) FROM f) END AS fresh,
              CASE WHEN yes THEN (SELECT string_agg(f.id::text, ',' ORDER BY f.id) FROM f) END AS ids
         FROM every`,
      [...b.params, arrival, n],
    );
    const row = r.rows[0];
    if (row?.every) return { every: true, ids: row.ids ? row.ids.split(',') : [] };
    return { every: false, fresh: new Set(row?.fresh ?? []) };
  }

  /**
   * The open memberships of the rows' persons, read through the primary key's leading column (a
   * join with the batch's (person, list, category) triples showed in the server profile as a hash
   * build and a sequential scan of the table); other lists of the same persons come along and are
   * never asked about.
   */
  private async currentMemberships(rows: readonly KeyPopulationRow[], q: Queryable): Promise<Set<string>> {
    const prev = await q.query<{ person_id: number; list: string; category: string }>(
      `SELECT person_id, list, category FROM key_population WHERE person_id = ANY($1::bigint[]) AND released_at IS NULL`,
      [intArray([...new Set(rows.map((r) => r.personId))])],
    );
    return new Set(prev.rows.map((r) => membershipKey(r.person_id, r.list, r.category)));
  }

  /** Opens one task per entry (idempotent on the entry's source id). */
  async openTasks(
    rows: ReadonlyArray<KeyPopulationRow & { regionCode: string | null }>,
    now: number,
    q: Queryable = this.db,
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const r = await q.query(
      `INSERT INTO response_tasks (person_id, region_code, list, category, tier, source_id, created_at, updated_at)
       SELECT t.p, coalesce(t.rc, '000000'), t.l, t.c, t.ti, t.s, $2::timestamptz, $2::timestamptz
         FROM json_to_recordset($1::json) AS t(p bigint, rc text, l text, c text, ti text, s text)
       ON CONFLICT (source_id) DO NOTHING`,
      [
        JSON.stringify(
          rows.map((x) => ({
            p: x.personId,
            rc: x.regionCode,
            l: x.list,
            c: x.category,
            ti: x.tier,
            s: x.sourceId,
          })),
        ),
        new Date(now).toISOString(),
      ],
    );
    return r.rowCount ?? 0;
  }

  /** The newest fact id (0 when there is none): where a watch of new facts starts. */
  async latestFactId(): Promise<number> {
    return (await this.db.query<{ m: number | null }>('SELECT max(id) AS m FROM facts')).rows[0]?.m ?? 0;
  }

  /** The distinct persons of the facts after `afterId` (at most `limit` facts, by id) and the last id read. */
  async factPersonsAfter(afterId: number, limit: number): Promise<{ lastId?: number; personIds: number[] }> {
    const r = await this.db.query<{ id: number; person_id: number }>(
      'SELECT id, person_id FROM facts WHERE id > $1 ORDER BY id LIMIT $2',
      [afterId, limit],
    );
    const last = r.rows[r.rows.length - 1];
    if (!last) return { personIds: [] };
    return { lastId: last.id, personIds: [...new Set(r.rows.map((x) => x.person_id))] };
  }

  /** Tasks whose region starts with the prefix, newest first, optionally by state. */
  async listTasks(
    regionPrefix: string,
    o: { state?: TaskState; limit: number; beforeId?: number },
  ): Promise<ResponseTask[]> {
    const r = await this.db.query<TaskRow>(
      `SELECT * FROM response_tasks
        WHERE region_code LIKE $1 || '%' AND ($2::text IS NULL OR state = $2) AND ($3::bigint IS NULL OR id < $3)
        ORDER BY id DESC LIMIT $4`,
      [regionPrefix, o.state ?? null, o.beforeId ?? null, o.limit],
    );
    return r.rows.map(toTask);
  }

  async task(id: number): Promise<ResponseTask | undefined> {
    const r = (await this.db.query<TaskRow>('SELECT * FROM response_tasks WHERE id = $1', [id])).rows[0];
    return r ? toTask(r) : undefined;
  }

  /** Moves a task if it is still in `from` (no lost updates between two officers). */
  async moveTask(
    id: number,
    from: TaskState,
    to: TaskState,
    note: string | null,
    by: string,
    now: number,
  ): Promise<ResponseTask | undefined> {
    const r = await this.db.query<TaskRow>(
      `UPDATE response_tasks SET state = $3, note = coalesce($4, note), updated_by = $5, updated_at = $6
        WHERE id = $1 AND state = $2 RETURNING *`,
      [id, from, to, note, by, new Date(now).toISOString()],
    );
    return r.rows[0] ? toTask(r.rows[0]) : undefined;
  }
}

interface PersonRow {
  id: number;
  region_code: string | null;
  code_subject: string;
  name_masked: string;
}

const resolved = (r: PersonRow): ResolvedPerson => ({
  id: r.id,
  regionCode: r.region_code,
  sub: r.code_subject,
  maskedName: r.name_masked,
});

const membershipKey = (personId: number, list: string, category: string) =>
  `${personId}\u0000${list}\u0000${category}`;

const KP_COLUMNS = '(person_id, list, category, tier, entered_at, changed_at, released_at, last_source_id)';
/** From a row source t(p, l, c, kt: final tier, ke: entered at, et: event time, rel: a release, sid). */
const KP_VALUES = `t.p, t.l, t.c, t.kt, ${TS('t.ke')}, ${TS('t.et')}, CASE WHEN t.rel THEN ${TS('t.et')} END, t.sid`;
const KP_CONFLICT = `ON CONFLICT (person_id, list, category) DO UPDATE SET
         tier = EXCLUDED.tier,
         entered_at = CASE WHEN key_population.released_at IS NOT NULL AND EXCLUDED.released_at IS NULL THEN EXCLUDED.entered_at ELSE key_population.entered_at END,
         changed_at = EXCLUDED.changed_at, released_at = EXCLUDED.released_at, last_source_id = EXCLUDED.last_source_id
       WHERE key_population.changed_at <= EXCLUDED.changed_at`;

/**
 * Replays list rows in event order per (person, list, category) over the open memberships: entries
 * into a list one was not in open tasks, and one final row per key is written (a bulk statement
 * cannot touch a row twice). `inList` is consumed.
 */
function replayMembership(
  rows: readonly KeyPopulationRow[],
  inList: Set<string>,
): {
  entered: KeyPopulationRow[];
  finals: Array<{ row: KeyPopulationRow; tier: string; enteredAt: number }>;
} {
  const entered: KeyPopulationRow[] = [];
  const last = new Map<string, { row: KeyPopulationRow; tier: string; enteredAt: number }>();
  for (const r of [...rows].sort((a, b) => a.eventTime - b.eventTime)) {
    const key = membershipKey(r.personId, r.list, r.category);
    const release = r.action === 'release';
    const before = last.get(key);
    if (release) inList.delete(key);
    else if (!inList.has(key)) {
      inList.add(key);
      entered.push(r);
    }
    last.set(key, {
      row: r,
      tier: release ? (before?.tier ?? r.tier) : r.tier,
      enteredAt:
        !release && (entered[entered.length - 1] === r || !before)
          ? r.eventTime
          : (before?.enteredAt ?? r.eventTime),
    });
  }
  return { entered, finals: [...last.values()] };
}
