/** SQL of the intermediate store's read side (ports/intermediate-store.port.ts). */
import type { Queryable } from '../../db/database.ts';
import type {
  IntermediateStoreCounts,
  IntermediateStoreReader,
  StoredBooking,
  StoredResult,
} from '../../../ports/intermediate-store.port.ts';

export class IntermediateStoreRepository implements IntermediateStoreReader {
  constructor(private readonly db: Queryable) {}

  async resultsOf(personId: number, limit: number): Promise<StoredResult[]> {
    const r = await this.db.query<{
      lab: string;
      tube: string;
      version: number;
      result: string;
      pooled: boolean;
      collected_at: Date;
      reported_at: Date;
      retest: boolean;
    }>(
      `SELECT * FROM (
         SELECT DISTINCT ON (lab, tube) lab, tube, version, result, pooled, collected_at, reported_at, retest
           FROM intermediate_result_members WHERE person_id = $1 ORDER BY lab, tube, version DESC) x
        ORDER BY collected_at DESC LIMIT $2`,
      [personId, limit],
    );
    return r.rows.map((x) => ({
      lab: x.lab,
      tube: x.tube,
      version: x.version,
      result: x.result,
      pooled: x.pooled,
      collectedAt: x.collected_at,
      reportedAt: x.reported_at,
      retest: x.retest,
    }));
  }

  async heardAt(): Promise<Date | null> {
    const w = (
      await this.db.query<{ heard_at: Date }>(
        "SELECT heard_at FROM intermediate_watermark WHERE source = 'testing'",
      )
    ).rows[0];
    return w?.heard_at ?? null;
  }

  async counts(): Promise<IntermediateStoreCounts> {
    const r = await this.db.query<{
      heard_at: Date | null;
      upstream_at: Date | null;
      results: number;
      positives: number;
      members: number;
      unmatched: number;
    }>(
      `SELECT w.heard_at, w.upstream_at,
              (SELECT count(*)::int FROM intermediate_results) AS results,
              (SELECT count(*)::int FROM intermediate_results WHERE result = 'positive') AS positives,
              (SELECT count(*)::int FROM intermediate_result_members) AS members,
              (SELECT count(*)::int FROM intermediate_result_members WHERE person_id IS NULL) AS unmatched
         FROM (SELECT 1) one LEFT JOIN intermediate_watermark w ON w.source = 'testing'`,
    );
    const x = r.rows[0];
    return {
      heardAt: x?.heard_at ?? null,
      upstreamAt: x?.upstream_at ?? null,
      results: x?.results ?? 0,
      positives: x?.positives ?? 0,
      members: x?.members ?? 0,
      unmatched: x?.unmatched ?? 0,
    };
  }

  async bookingsOf(personId: number): Promise<StoredBooking[]> {
    const r = await this.db.query<{
      booking_id: number;
      site_name: string;
      site_address: string;
      starts_at: Date;
      ends_at: Date;
      status: string;
      stored_at: Date;
    }>(
      'SELECT booking_id, site_name, site_address, starts_at, ends_at, status, stored_at FROM intermediate_bookings WHERE person_id = $1 ORDER BY starts_at DESC LIMIT 50',
      [personId],
    );
    return r.rows.map((b) => ({
      id: b.booking_id,
      siteName: b.site_name,
      siteAddress: b.site_address,
      startsAt: b.starts_at,
      endsAt: b.ends_at,
      status: b.status,
      storedAt: b.stored_at,
    }));
  }
}
