/**
 * The code service's side of the testing boundary: consumes what the testing service published
 * (results, bookings, heartbeats) into the intermediate store (中间库) it owns, and turns each
 * result into `test_result` facts. It never calls the testing service. Exactly once: a result is
 * keyed by (lab, tube, version) and each fact's source record id is derived from that key and the
 * member, so replays and redeliveries change nothing.
 */
import type { Logger } from 'pino';
import type { Database, Queryable } from '../../adapters/db/database.ts';
import type { NewFact } from '../../domain/fact.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { EventBus, Subscription } from '../../ports/event-bus.port.ts';
import {
  TestingSubjects,
  parsePersonRef,
  type BookingEvent,
  type HeartbeatEvent,
  type Relayed,
  type ResultEvent,
} from '../../domain/nat/nat.ts';
import type { FactService } from '../fact.service.ts';

/** Facts from the testing system carry this source. */
export const TESTING_FACT_SOURCE = 'testing';

/** The fact source record id of one member of one result version. */
export function resultRecordId(lab: string, tube: string, version: number, personRef: string): string {
  return `${lab}/${tube}/v${version}/${personRef}`;
}

export class IntermediateStoreConsumer {
  private sub: Subscription | undefined;
  /** events applied (duplicates included), for tests and metrics */
  readonly stats = { results: 0, duplicates: 0, bookings: 0, heartbeats: 0 };

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly facts: FactService,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Subscribes as the durable group `code-intermediate-store`. */
  async start(): Promise<void> {
    this.sub = await this.bus.subscribe(TestingSubjects.all, 'code-intermediate-store', (payload, subject) =>
      this.handle(subject, payload),
    );
  }

  async stop(): Promise<void> {
    await this.sub?.stop();
  }

  /** Applies one event; throws (so the bus redelivers) only when the store could not be written. */
  async handle(subject: string, payload: unknown): Promise<void> {
    if (subject === TestingSubjects.result) return this.applyResult(payload as ResultEvent);
    if (subject === TestingSubjects.booking) return this.applyBooking(payload as BookingEvent & Relayed);
    if (subject === TestingSubjects.heartbeat) {
      this.stats.heartbeats++;
      await this.heard(this.db, (payload as HeartbeatEvent).at);
      return;
    }
    this.log.warn({ subject }, 'intermediate store: unknown testing event ignored');
  }

  /** Stores one result and its members' facts in one transaction, then announces the persons. */
  async applyResult(e: ResultEvent): Promise<void> {
    const ids = await this.resolve(e.members.map((m) => m.personRef));
    const fresh = await this.db.transaction(async (tx) => {
      const ins = await tx.query(
        `INSERT INTO intermediate_results (lab, tube, version, result, pooled, reported_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (lab, tube, version) DO NOTHING RETURNING version`,
        [e.lab, e.tube, e.version, e.result, e.pooled, e.reportedAt],
      );
      await this.heard(tx, e.reportedAt);
      if (ins.rows.length === 0) return false;
      await tx.query(
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
          e.members.map((m) => ids.get(m.personRef) ?? null),
          e.members.map((m) => m.collectedAt),
        ],
      );
      const facts: NewFact[] = [];
      for (const m of e.members) {
        const personId = ids.get(m.personRef);
        if (personId === undefined) continue;
        facts.push({
          personId,
          type: 'test_result',
          source: TESTING_FACT_SOURCE,
          sourceRecordId: resultRecordId(e.lab, e.tube, e.version, m.personRef),
          eventTime: Date.parse(m.collectedAt),
          data: { result: e.result, pooled: e.pooled, lab: e.lab, tube: e.tube, version: e.version },
        });
      }
      if (facts.length) await this.facts.recordMany(facts, tx);
      return true;
    });
    if (fresh) this.stats.results++;
    else this.stats.duplicates++;
    const unmatched = e.members.length - ids.size;
    if (fresh && unmatched > 0)
      this.log.warn(
        { lab: e.lab, tube: e.tube, unmatched },
        'intermediate store: members matching no resident',
      );
    // Announce even on a redelivery: a crash between commit and announce must not strand a colour.
    await this.facts.announce([...new Set(ids.values())]);
  }

  private async applyBooking(e: BookingEvent & Relayed): Promise<void> {
    const ref = parsePersonRef(e.personRef);
    const personId = ref?.kind === 'resident' ? ref.personId : undefined;
    this.stats.bookings++;
    if (
      personId === undefined ||
      (await this.db.query('SELECT 1 FROM persons WHERE id = $1', [personId])).rows.length === 0
    ) {
      this.log.warn({ bookingId: e.bookingId }, 'intermediate store: booking of an unknown resident ignored');
      return;
    }
    await this.db.query(
      `INSERT INTO intermediate_bookings (booking_id, person_id, site_name, site_address, starts_at, ends_at, status, seq)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (booking_id) DO UPDATE SET status = EXCLUDED.status, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
         site_name = EXCLUDED.site_name, site_address = EXCLUDED.site_address, seq = EXCLUDED.seq, stored_at = now()
       WHERE intermediate_bookings.seq < EXCLUDED.seq`,
      [e.bookingId, personId, e.siteName, e.siteAddress, e.startsAt, e.endsAt, e.status, e.outboxId],
    );
  }

  private async heard(q: Queryable, upstreamAt: string): Promise<void> {
    await q.query(
      `INSERT INTO intermediate_watermark (source, heard_at, upstream_at) VALUES ('testing', $1, $2)
       ON CONFLICT (source) DO UPDATE SET heard_at = greatest(intermediate_watermark.heard_at, EXCLUDED.heard_at),
         upstream_at = greatest(intermediate_watermark.upstream_at, EXCLUDED.upstream_at)`,
      [new Date(this.clock.now()), upstreamAt],
    );
  }

  /** Person references → resident ids (references matching nobody are left out). */
  private async resolve(refs: readonly string[]): Promise<Map<string, number>> {
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
}
