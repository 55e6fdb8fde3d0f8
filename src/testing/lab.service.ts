/**
 * Labs (检测机构): receipt of tubes and results per tube. A result, its retest orders and its
 * outbox event are written in one transaction, so a result is published exactly when it is stored.
 * (lab, tube, version) identifies a result: re-sending it is a no-op, a different result under the
 * same version is refused, and a correction is sent as the next version.
 */
import type { Database, Queryable } from '../adapters/db/database.ts';
import type { Clock } from '../ports/clock.port.ts';
import { addToOutbox } from './outbox.repository.ts';
import { TestingSubjects, needsRetest, type ResultEvent, type TestResult } from './testing.domain.ts';

export interface ResultInput {
  tube: string;
  result: TestResult;
  /** default 1; a correction is the next version */
  version?: number;
}

export type LabOutcome =
  | { tube: string; status: 'recorded' | 'duplicate'; retestOrders?: number }
  | { tube: string; status: 'rejected'; code: string; message: string };

export class LabService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    /** called after a commit that wrote to the outbox */
    private readonly onOutbox: () => void = () => undefined,
  ) {}

  /** Records the lab's receipt of tubes; a tube received by another lab is refused. */
  async receive(lab: string, barcodes: readonly string[]): Promise<LabOutcome[]> {
    const now = new Date(this.clock.now());
    return this.db.transaction(async (tx) => {
      const rows = await this.lockTubes(tx, barcodes);
      const out: LabOutcome[] = [];
      for (const b of barcodes) {
        const t = rows.get(b);
        if (!t)
          out.push({
            tube: b,
            status: 'rejected',
            code: 'TUBE_UNKNOWN',
            message: `no swab was collected into tube ${b}`,
          });
        else if (t.lab !== null && t.lab !== lab)
          out.push({
            tube: b,
            status: 'rejected',
            code: 'TUBE_OTHER_LAB',
            message: `tube ${b} was received by another lab`,
          });
        else if (t.lab === lab) out.push({ tube: b, status: 'duplicate' });
        else {
          await tx.query('UPDATE testing.tubes SET lab = $2, received_at = $3 WHERE barcode = $1', [
            b,
            lab,
            now,
          ]);
          t.lab = lab;
          out.push({ tube: b, status: 'recorded' });
        }
      }
      return out;
    });
  }

  /** Records results (a plate at a time); each new one orders retests where needed and is published. */
  async report(lab: string, results: readonly ResultInput[]): Promise<LabOutcome[]> {
    const now = this.clock.now();
    const out = await this.db.transaction(async (tx) => {
      const tubes = await this.lockTubes(
        tx,
        results.map((r) => r.tube),
      );
      const res: LabOutcome[] = [];
      for (const r of results) res.push(await this.reportOne(tx, lab, r, tubes, now));
      return res;
    });
    if (out.some((o) => o.status === 'recorded')) this.onOutbox();
    return out;
  }

  private async reportOne(
    tx: Queryable,
    lab: string,
    r: ResultInput,
    tubes: Map<string, { lab: string | null; kind: string; members: number }>,
    now: number,
  ): Promise<LabOutcome> {
    const version = r.version ?? 1;
    const t = tubes.get(r.tube);
    if (!t || t.members === 0)
      return {
        tube: r.tube,
        status: 'rejected',
        code: 'TUBE_UNKNOWN',
        message: `no swab was collected into tube ${r.tube}`,
      };
    if (t.lab !== null && t.lab !== lab)
      return {
        tube: r.tube,
        status: 'rejected',
        code: 'TUBE_OTHER_LAB',
        message: `tube ${r.tube} was received by another lab`,
      };
    if (t.lab === null) {
      // A result implies receipt; labs that skip the receipt step are not refused.
      await tx.query('UPDATE testing.tubes SET lab = $2, received_at = $3 WHERE barcode = $1', [
        r.tube,
        lab,
        new Date(now),
      ]);
      t.lab = lab;
    }
    const ins = await tx.query(
      `INSERT INTO testing.results (lab, tube, version, result, reported_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (lab, tube, version) DO NOTHING RETURNING version`,
      [lab, r.tube, version, r.result, new Date(now)],
    );
    if (ins.rows.length === 0) {
      const prev = (
        await tx.query<{ result: string }>(
          'SELECT result FROM testing.results WHERE lab = $1 AND tube = $2 AND version = $3',
          [lab, r.tube, version],
        )
      ).rows[0];
      if (prev?.result === r.result) return { tube: r.tube, status: 'duplicate' };
      return {
        tube: r.tube,
        status: 'rejected',
        code: 'RESULT_VERSION_CONFLICT',
        message: `version ${version} of tube ${r.tube} is already ${prev?.result}; send a correction as version ${version + 1}`,
      };
    }
    const members = (
      await tx.query<{ person_ref: string; collected_at: Date }>(
        'SELECT person_ref, collected_at FROM testing.collections WHERE tube = $1 ORDER BY id',
        [r.tube],
      )
    ).rows;
    const pooled = t.kind !== 'single';
    const retest = needsRetest(r.result, pooled);
    if (retest) {
      await tx.query(
        `INSERT INTO testing.retest_orders (person_ref, lab, tube, version, reason, ordered_at)
         SELECT p, $2, $3, $4, $5, $6 FROM unnest($1::text[]) AS p ON CONFLICT DO NOTHING`,
        [
          members.map((m) => m.person_ref),
          lab,
          r.tube,
          version,
          r.result === 'invalid' ? 'invalid' : 'pooled_positive',
          new Date(now),
        ],
      );
    }
    const event: ResultEvent = {
      lab,
      tube: r.tube,
      version,
      result: r.result,
      pooled,
      reportedAt: new Date(now).toISOString(),
      members: members.map((m) => ({ personRef: m.person_ref, collectedAt: m.collected_at.toISOString() })),
      retestOrdered: retest,
    };
    await addToOutbox(tx, TestingSubjects.result, event);
    return retest
      ? { tube: r.tube, status: 'recorded', retestOrders: members.length }
      : { tube: r.tube, status: 'recorded' };
  }

  private async lockTubes(tx: Queryable, barcodes: readonly string[]) {
    const r = await tx.query<{ barcode: string; lab: string | null; kind: string; members: number }>(
      'SELECT barcode, lab, kind, members FROM testing.tubes WHERE barcode = ANY($1::text[]) ORDER BY barcode FOR UPDATE',
      [[...new Set(barcodes)]],
    );
    return new Map(r.rows.map((x) => [x.barcode, { lab: x.lab, kind: x.kind, members: x.members }]));
  }

  /** Open retest orders, oldest first (what a site should call back). */
  async openRetests(
    limit = 500,
  ): Promise<
    Array<{ id: number; personRef: string; lab: string; tube: string; reason: string; orderedAt: string }>
  > {
    const r = await this.db.query<{
      id: number;
      person_ref: string;
      lab: string;
      tube: string;
      reason: string;
      ordered_at: Date;
    }>(
      'SELECT id, person_ref, lab, tube, reason, ordered_at FROM testing.retest_orders WHERE fulfilled_at IS NULL ORDER BY id LIMIT $1',
      [limit],
    );
    return r.rows.map((x) => ({
      id: x.id,
      personRef: x.person_ref,
      lab: x.lab,
      tube: x.tube,
      reason: x.reason,
      orderedAt: x.ordered_at.toISOString(),
    }));
  }
}
