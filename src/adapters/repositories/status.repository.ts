/** Computed statuses, one row per person, written in batches. */
import type { Colour5 } from '../../domain/colour.ts';
import type { Status, StatusReason, StoredReason } from '../../domain/status.ts';
import type { StatusStore, StoredStatus } from '../../ports/status-store.port.ts';
import type { Queryable } from '../db/database.ts';
import { intArray, jsonArray, numArray, textArray, TS } from '../db/pg-params.ts';

export type { StoredStatus };

export class StatusRepository implements StatusStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Upserts many statuses in one statement. Columns travel as arrays (times as epoch milliseconds,
   * each person's reasons as JSON text cast once): one JSON document per batch made the server's
   * generic JSON parser the largest part of this statement's time. Reasons are stored without the
   * rule's words (StoredReason), which would otherwise be most of every row's reasons.
   *
   * Compare-and-set (docs/DESIGN.md §3): a row is replaced only when the stored status's version
   * (fact_version, fact_count, policy_seq, computed_at) is not newer than the one written; the
   * others are returned as `refused` and keep the newer status another writer stored. A status
   * computed under a policy that is no longer the active one is not written at all (`stalePolicy`:
   * another process published a version this one has not reloaded yet; it reloads and recomputes).
   */
  async upsertMany(
    entries: ReadonlyArray<readonly [number, Status]>,
  ): Promise<{ changed: number; refused: number[]; stalePolicy: boolean }> {
    if (entries.length === 0) return { changed: 0, refused: [], stalePolicy: false };
    const n = entries.length;
    const ids = new Array<number>(n);
    const colours = new Array<number>(n);
    const reasons = new Array<unknown>(n);
    const review = new Array<number | null>(n);
    const version = new Array<string>(n);
    const doses = new Array<number>(n);
    const negative = new Array<number | null>(n);
    const computed = new Array<number>(n);
    const factVersion = new Array<number>(n);
    const factCount = new Array<number>(n);
    const policySeq = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const [id, s] = entries[i] as readonly [number, Status];
      ids[i] = id;
      colours[i] = s.colour5;
      reasons[i] = s.reasons.length ? s.reasons.map(stored) : s.reasons;
      review[i] = s.nextReviewAt;
      version[i] = s.policyVersion;
      doses[i] = s.vaccineDoses;
      negative[i] = s.lastNegativeTestDay;
      computed[i] = s.computedAt;
      factVersion[i] = s.factVersion;
      factCount[i] = s.factCount;
      policySeq[i] = s.policySeq;
    }
    // `old` reads the colours as they were before this statement (every part of a statement sees
    // one snapshot), so the count of changed colours needs no read of its own. Rows the WHERE
    // refused are not in `up`; they are usually none, so the answer stays one small row.
    // `active` is the policy version active when this statement runs: a status computed under
    // another one (an older version this process has not reloaded yet) is neither inserted nor
    // updated. With no active policy (a bare store) every version is accepted.
    const r = await this.db.query<{
      changed: number;
      refused: Array<number | string> | null;
      stale: boolean;
    }>(
      `WITH active AS (SELECT (SELECT version FROM policies WHERE active) AS version),
       old AS (SELECT person_id, colour5 FROM statuses WHERE person_id = ANY($1::bigint[])),
       up AS (INSERT INTO statuses (person_id, colour5, reasons, next_review_at, policy_version, vaccine_doses, last_negative_day, computed_at, fact_version, fact_count, policy_seq)
       SELECT p, c, r::jsonb, ${TS('n')}, v, d, l, ${TS('a')}, fv, fc, ps
         FROM unnest($1::bigint[], $2::smallint[], $3::text[], $4::float8[], $5::text[], $6::smallint[], $7::int[], $8::float8[], $9::bigint[], $10::int[], $11::bigint[])
           AS t(p, c, r, n, v, d, l, a, fv, fc, ps), active
        WHERE t.v = coalesce(active.version, t.v)
       ON CONFLICT (person_id) DO UPDATE SET colour5 = EXCLUDED.colour5, reasons = EXCLUDED.reasons,
         next_review_at = EXCLUDED.next_review_at, policy_version = EXCLUDED.policy_version,
         vaccine_doses = EXCLUDED.vaccine_doses, last_negative_day = EXCLUDED.last_negative_day, computed_at = EXCLUDED.computed_at,
         fact_version = EXCLUDED.fact_version, fact_count = EXCLUDED.fact_count, policy_seq = EXCLUDED.policy_seq
       WHERE (statuses.fact_version, statuses.fact_count, statuses.policy_seq, statuses.computed_at)
          <= (EXCLUDED.fact_version, EXCLUDED.fact_count, EXCLUDED.policy_seq, EXCLUDED.computed_at)
       RETURNING person_id, colour5)
       SELECT (SELECT count(*)::int FROM up LEFT JOIN old USING (person_id) WHERE old.colour5 IS DISTINCT FROM up.colour5) AS changed,
              (SELECT array_agg(t.p) FROM unnest($1::bigint[]) AS t(p) WHERE NOT EXISTS (SELECT 1 FROM up WHERE up.person_id = t.p)) AS refused,
              EXISTS (SELECT 1 FROM unnest($5::text[]) AS t(v), active WHERE t.v <> coalesce(active.version, t.v)) AS stale`,
      [
        intArray(ids),
        intArray(colours, 'int2'),
        jsonArray(reasons),
        numArray(review),
        textArray(version),
        intArray(doses, 'int2'),
        numArray(negative, 'int4'),
        numArray(computed),
        intArray(factVersion),
        intArray(factCount, 'int4'),
        intArray(policySeq),
      ],
    );
    const row = r.rows[0];
    return {
      changed: row?.changed ?? 0,
      refused: (row?.refused ?? []).map(Number),
      stalePolicy: row?.stale === true,
    };
  }

  async get(personId: number): Promise<StoredStatus | undefined> {
    const r = (
      await this.db.query<{
        person_id: number;
        colour5: number;
        reasons: StoredReason[];
        next_review_at: Date | null;
        policy_version: string;
        vaccine_doses: number;
        last_negative_day: number | null;
        computed_at: Date;
        fact_version: number;
        fact_count: number;
        policy_seq: number | string;
      }>('SELECT * FROM statuses WHERE person_id = $1', [personId])
    ).rows[0];
    if (!r) return undefined;
    return {
      personId: r.person_id,
      colour5: r.colour5 as Colour5,
      reasons: r.reasons,
      nextReviewAt: r.next_review_at ? r.next_review_at.getTime() : null,
      policyVersion: r.policy_version,
      vaccineDoses: r.vaccine_doses,
      lastNegativeTestDay: r.last_negative_day,
      computedAt: r.computed_at.getTime(),
      factVersion: Number(r.fact_version),
      factCount: r.fact_count,
      policySeq: Number(r.policy_seq),
    };
  }

  /** Current colours of many persons (to count changes). */
  async coloursOf(ids: readonly number[]): Promise<Map<number, number>> {
    const r = await this.db.query<{ person_id: number; colour5: number }>(
      'SELECT person_id, colour5 FROM statuses WHERE person_id = ANY($1::bigint[])',
      [intArray(ids)],
    );
    return new Map(r.rows.map((x) => [x.person_id, x.colour5]));
  }

  /** Persons whose status may have changed on its own by `now`. */
  async dueForReview(now: number, limit: number): Promise<number[]> {
    const r = await this.db.query<{ person_id: number }>(
      'SELECT person_id FROM statuses WHERE next_review_at <= $1 ORDER BY next_review_at LIMIT $2',
      [new Date(now), limit],
    );
    return r.rows.map((x) => x.person_id);
  }

  /** Residents per colour, optionally within a region prefix. */
  async countsByColour(regionPrefix = ''): Promise<Record<number, number>> {
    const r = await this.db.query<{ colour5: number; n: number }>(
      `SELECT s.colour5, count(*)::int AS n FROM statuses s JOIN persons p ON p.id = s.person_id
        WHERE coalesce(p.region_code, '') LIKE $1 GROUP BY s.colour5`,
      [regionPrefix + '%'],
    );
    const out: Record<number, number> = { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0 };
    for (const row of r.rows) out[row.colour5] = row.n;
    return out;
  }
}

/** The stored form of a reason (a rule's words are the policy's, not each row's). */
function stored(r: StatusReason): StoredReason {
  const o: StoredReason = { rule: r.rule, factIds: r.factIds, since: r.since, until: r.until };
  if (r.lists) o.lists = r.lists;
  return o;
}
