/** Tubes at the lab, results and retest orders over the `testing` schema (docs/DESIGN.md §7). */
import type { PersonRef, TestResult } from '../../domain/nat/nat.ts';
import type { NatLabStore, NatTubeState, RetestOrder } from '../../ports/nat.port.ts';
import type { Queryable } from '../db/database.ts';

export class NatLabRepository implements NatLabStore {
  constructor(private readonly q: Queryable) {}

  async lockTubes(barcodes: readonly string[]): Promise<Map<string, NatTubeState>> {
    const r = await this.q.query<{ barcode: string; lab: string | null; kind: string; members: number }>(
      'SELECT barcode, lab, kind, members FROM testing.tubes WHERE barcode = ANY($1::text[]) ORDER BY barcode FOR UPDATE',
      [[...new Set(barcodes)]],
    );
    return new Map(r.rows.map((x) => [x.barcode, { lab: x.lab, kind: x.kind, members: x.members }]));
  }

  async receive(barcode: string, lab: string, at: Date): Promise<void> {
    await this.q.query('UPDATE testing.tubes SET lab = $2, received_at = $3 WHERE barcode = $1', [
      barcode,
      lab,
      at,
    ]);
  }

  async insertResult(
    lab: string,
    tube: string,
    version: number,
    result: TestResult,
    at: Date,
  ): Promise<boolean> {
    const r = await this.q.query(
      `INSERT INTO testing.results (lab, tube, version, result, reported_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (lab, tube, version) DO NOTHING RETURNING version`,
      [lab, tube, version, result, at],
    );
    return r.rows.length > 0;
  }

  async resultOf(lab: string, tube: string, version: number): Promise<TestResult | undefined> {
    const r = await this.q.query<{ result: TestResult }>(
      'SELECT result FROM testing.results WHERE lab = $1 AND tube = $2 AND version = $3',
      [lab, tube, version],
    );
    return r.rows[0]?.result;
  }

  async members(tube: string): Promise<Array<{ personRef: PersonRef; collectedAt: Date }>> {
    const r = await this.q.query<{ person_ref: string; collected_at: Date }>(
      'SELECT person_ref, collected_at FROM testing.collections WHERE tube = $1 ORDER BY id',
      [tube],
    );
    return r.rows.map((m) => ({ personRef: m.person_ref, collectedAt: m.collected_at }));
  }

  async orderRetests(
    personRefs: readonly PersonRef[],
    o: { lab: string; tube: string; version: number; reason: string; at: Date },
  ): Promise<void> {
    await this.q.query(
      `INSERT INTO testing.retest_orders (person_ref, lab, tube, version, reason, ordered_at)
       SELECT p, $2, $3, $4, $5, $6 FROM unnest($1::text[]) AS p ON CONFLICT DO NOTHING`,
      [personRefs, o.lab, o.tube, o.version, o.reason, o.at],
    );
  }

  async openRetests(limit: number): Promise<RetestOrder[]> {
    const r = await this.q.query<{
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
