/** SQL of the intermediate store, both sides (ports/intermediate-store.port.ts). */
import type { Queryable } from '../../db/database.ts';
import {
  parsePersonRef,
  type BookingEvent,
  type Relayed,
  type ResultEvent,
} from '../../../domain/nat/nat.ts';
import type {
  IntermediateStoreCounts,
  IntermediateStoreReader,
  IntermediateStoreWriter,
  StoredBooking,
  StoredResult,
} from '../../../ports/intermediate-store.port.ts';

export class IntermediateStoreRepository implements IntermediateStoreReader, IntermediateStoreWriter {
  constructor(private readonly db: Queryable) {}

  async addResult(e: ResultEvent, personIds: ReadonlyMap<string, number>): Promise<boolean> {
    const ins = await this.db.query(
      `INSERT INTO intermediate_results (lab, tube, version, result, pooled, reported_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (lab, tube, version) DO NOTHING RETURNING version`,
      [e.lab, e.tube, e.version, e.result, e.pooled, e.reportedAt],
    );
    if (ins.rows.length === 0) return false;
    await this.db.query(
      `INSERT INTO intermediate_result_members (lab, tube, version, person_ref, person_id, collected_at, result, pooled, reported_at, retest)
       SELECT $1, $2, $3, u.r, u.p, u.c, $4, $5, $6, $7 FROM unnest($8::text[], $9::bigint[], $10::timestamptz[]) AS u(r, p, c)
       ON CONFLICT DO NOTHING`,
      [
        e.lab,
        e.tube,
        e.version,
        e.result,
        e.pooled,
        e.reportedAt,
        e.retestOrdered,
        e.members.map((m) => m.personRef),
        e.members.map((m) => personIds.get(m.personRef) ?? null),
        e.members.map((m) => m.collectedAt),
      ],
    );
    return true;
  }

  async putBooking(e: BookingEvent & Relayed, personId: number): Promise<void> {
    await this.db.query(
      `INSERT INTO intermediate_bookings (booking_id, person_id, site_name, site_address, starts_at, ends_at, status, seq)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (booking_id) DO UPDATE SET status = EXCLUDED.status, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
         site_name = EXCLUDED.site_name, site_address = EXCLUDED.site_address, seq = EXCLUDED.seq, stored_at = now()
       WHERE intermediate_bookings.seq < EXCLUDED.seq`,
      [e.bookingId, personId, e.siteName, e.siteAddress, e.startsAt, e.endsAt, e.status, e.outboxId],
    );
  }

  async heard(heardAt: Date, upstreamAt: string): Promise<void> {
    await this.db.query(
      `INSERT INTO intermediate_watermark (source, heard_at, upstream_at) VALUES ('testing', $1, $2)
       ON CONFLICT (source) DO UPDATE SET heard_at = greatest(intermediate_watermark.heard_at, EXCLUDED.heard_at),
         upstream_at = greatest(intermediate_watermark.upstream_at, EXCLUDED.upstream_at)`,
      [heardAt, upstreamAt],
    );
  }

  async residentExists(personId: number): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM persons WHERE id = $1', [personId])).rows.length > 0;
  }

  async residentsOf(refs: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const byId: number[] = [];
    const bySub: string[] = [];
    const byDoc: Buffer[] = [];
    for (const r of refs) {
      const p = parsePersonRef(r);
      if (p?.kind === 'resident') byId.push(p.personId);
      else if (p?.kind === 'subject') bySub.push(p.subject);
      else if (p?.kind === 'document') byDoc.push(Buffer.from(p.hashHex, 'hex'));
    }
    if (byId.length) {
      for (const r of (
        await this.db.query<{ id: number }>('SELECT id FROM persons WHERE id = ANY($1::bigint[])', [byId])
      ).rows)
        out.set(`p:${r.id}`, r.id);
    }
    if (bySub.length) {
      const rows = await this.db.query<{ id: number; code_subject: string }>(
        'SELECT id, code_subject FROM persons WHERE code_subject = ANY($1::text[])',
        [bySub],
      );
      for (const r of rows.rows) out.set(`s:${r.code_subject}`, r.id);
    }
    if (byDoc.length) {
      const rows = await this.db.query<{ id: number; doc_type: number; doc_hash: Uint8Array }>(
        'SELECT id, doc_type, doc_hash FROM persons WHERE doc_hash = ANY($1::bytea[])',
        [byDoc],
      );
      for (const r of rows.rows) out.set(`d:${r.doc_type}:${Buffer.from(r.doc_hash).toString('hex')}`, r.id);
    }
    return out;
  }

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
