/**
 * Labs (检测机构): receipt of tubes and results per tube. A result, its retest orders and its
 * outbox event are written in one transaction, so a result is published exactly when it is stored.
 * (lab, tube, version) identifies a result: re-sending it is a no-op, a different result under the
 * same version is refused, and a correction is sent as the next version.
 */
import { TestingSubjects, needsRetest, type ResultEvent, type TestResult } from '../../domain/nat/nat.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { NatStores, NatTubeState, NatUnitOfWork, RetestOrder } from '../../ports/nat.port.ts';

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
    private readonly uow: NatUnitOfWork,
    private readonly stores: NatStores,
    private readonly clock: Clock,
    /** called after a commit that wrote to the outbox */
    private readonly onOutbox: () => void = () => undefined,
  ) {}

  /** Records the lab's receipt of tubes; a tube received by another lab is refused. Audited as `actor`. */
  async receive(lab: string, barcodes: readonly string[], actor = lab): Promise<LabOutcome[]> {
    const now = new Date(this.clock.now());
    return this.uow.run(async (s) => {
      const rows = await s.lab.lockTubes(barcodes);
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
          await s.lab.receive(b, lab, now);
          t.lab = lab;
          out.push({ tube: b, status: 'recorded' });
        }
      }
      await s.audit.append([
        {
          at: now,
          actor,
          action: 'nat.lab.receipt',
          regionCode: null,
          detail: { lab, ...counts(out) },
        },
      ]);
      return out;
    });
  }

  /** Records results (a plate at a time); each new one orders retests where needed and is published. */
  async report(lab: string, results: readonly ResultInput[], actor = lab): Promise<LabOutcome[]> {
    const now = this.clock.now();
    const out = await this.uow.run(async (s) => {
      const tubes = await s.lab.lockTubes(results.map((r) => r.tube));
      const res: LabOutcome[] = [];
      for (const r of results) res.push(await this.reportOne(s, lab, r, tubes, now));
      await s.audit.append([
        {
          at: new Date(now),
          actor,
          action: 'nat.lab.results',
          regionCode: null,
          detail: {
            lab,
            ...counts(res),
            tubes: res.filter((o) => o.status === 'recorded').map((o) => o.tube),
          },
        },
      ]);
      return res;
    });
    if (out.some((o) => o.status === 'recorded')) this.onOutbox();
    return out;
  }

  private async reportOne(
    s: NatStores,
    lab: string,
    r: ResultInput,
    tubes: Map<string, NatTubeState>,
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
      await s.lab.receive(r.tube, lab, new Date(now));
      t.lab = lab;
    }
    if (!(await s.lab.insertResult(lab, r.tube, version, r.result, new Date(now)))) {
      const prev = await s.lab.resultOf(lab, r.tube, version);
      if (prev === r.result) return { tube: r.tube, status: 'duplicate' };
      return {
        tube: r.tube,
        status: 'rejected',
        code: 'RESULT_VERSION_CONFLICT',
        message: `version ${version} of tube ${r.tube} is already ${prev}; send a correction as version ${version + 1}`,
      };
    }
    const members = await s.lab.members(r.tube);
    const pooled = t.kind !== 'single';
    const retest = needsRetest(r.result, pooled);
    if (retest) {
      await s.lab.orderRetests(
        members.map((m) => m.personRef),
        {
          lab,
          tube: r.tube,
          version,
          reason: r.result === 'invalid' ? 'invalid' : 'pooled_positive',
          at: new Date(now),
        },
      );
    }
    const event: ResultEvent = {
      lab,
      tube: r.tube,
      version,
      result: r.result,
      pooled,
      reportedAt: new Date(now).toISOString(),
      members: members.map((m) => ({ personRef: m.personRef, collectedAt: m.collectedAt.toISOString() })),
      retestOrdered: retest,
    };
    await s.outbox.add(TestingSubjects.result, event);
    return retest
      ? { tube: r.tube, status: 'recorded', retestOrders: members.length }
      : { tube: r.tube, status: 'recorded' };
  }

  /** Open retest orders, oldest first (what a site should call back). */
  async openRetests(limit = 500): Promise<RetestOrder[]> {
    return this.stores.lab.openRetests(limit);
  }
}

function counts(out: readonly LabOutcome[]): { recorded: number; duplicates: number; rejected: number } {
  return {
    recorded: out.filter((o) => o.status === 'recorded').length,
    duplicates: out.filter((o) => o.status === 'duplicate').length,
    rejected: out.filter((o) => o.status === 'rejected').length,
  };
}
