/**
 * Group commit for sample collection (采样登记): registrations from every concurrent request are
 * gathered while the previous commit is in flight and written together in one transaction, with
 * multi-row INSERTs. A caller's promise resolves only after COMMIT, so an acknowledgement always
 * means "durably stored"; if the commit fails, every caller in it gets the error and may retry.
 * Each device request leaves one audit row (device, site, counts) in the same transaction.
 */
import { TUBE_KINDS, type CollectionBatch, type ItemOutcome, type TubeKind } from '../../domain/nat/nat.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { CollectionSink } from '../../ports/nat.port.ts';
import type { Database, Queryable } from '../db/database.ts';
import { NatAuditRepository } from './audit.repository.ts';

interface Pending {
  batch: CollectionBatch;
  resolve: (o: ItemOutcome[]) => void;
  reject: (err: unknown) => void;
}

interface TubeState {
  capacity: number;
  members: number;
  closed: boolean;
  kind: string;
  changed: boolean;
}

export interface WriterOptions {
  /** registrations per commit at most (a single request bigger than this still goes alone) */
  maxBatch?: number;
}

const ACCEPTED: ItemOutcome = { status: 'accepted' };
const DUPLICATE: ItemOutcome = { status: 'duplicate' };

export class CollectionWriter implements CollectionSink {
  private queue: Pending[] = [];
  private queued = 0;
  private flushing = false;
  private readonly maxBatch: number;
  /** commits done and registrations written, for metrics and the bench */
  readonly stats = { commits: 0, registrations: 0 };

  constructor(
    private readonly db: Database,
    /** stamps tubes opened, retest orders fulfilled and audit rows (the injected clock, never the wall) */
    private readonly clock: Clock,
    opts: WriterOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 8000;
  }

  /** Queues one device batch; resolves with one outcome per item once they are committed. */
  submit(batch: CollectionBatch): Promise<ItemOutcome[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.queued += batch.items.length;
      if (!this.flushing) void this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const take: Pending[] = [];
        let n = 0;
        while (
          this.queue.length > 0 &&
          (take.length === 0 || n + (this.queue[0]?.batch.items.length ?? 0) <= this.maxBatch)
        ) {
          const p = this.queue.shift() as Pending;
          take.push(p);
          n += p.batch.items.length;
        }
        this.queued -= n;
        try {
          const outcomes = await this.db.transaction((tx) =>
            this.write(
              tx,
              take.map((p) => p.batch),
            ),
          );
          this.stats.commits++;
          take.forEach((p, i) => p.resolve(outcomes[i] as ItemOutcome[]));
        } catch (err) {
          for (const p of take) p.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async write(tx: Queryable, batches: readonly CollectionBatch[]): Promise<ItemOutcome[][]> {
    const now = new Date(this.clock.now());
    // 1. Open the tubes the devices declared (first declaration wins; an existing tube keeps its kind).
    const opens = new Map<string, { kind: TubeKind; site: number | null; device: number }>();
    for (const b of batches)
      for (const t of b.tubes)
        if (!opens.has(t.barcode)) opens.set(t.barcode, { kind: t.kind, site: b.siteId, device: b.deviceId });
    if (opens.size > 0) {
      const bc = [...opens.keys()];
      const v = [...opens.values()];
      await tx.query(
        `INSERT INTO testing.tubes (barcode, kind, capacity, site_id, opened_by, opened_at)
         SELECT u.b, u.k, u.c, u.s, u.d, $6::timestamptz FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::bigint[]) AS u(b, k, c, s, d)
         ON CONFLICT (barcode) DO NOTHING`,
        [
          bc,
          v.map((x) => x.kind),
          v.map((x) => TUBE_KINDS[x.kind]),
          v.map((x) => x.site),
          v.map((x) => x.device),
          now,
        ],
      );
    }
    // 2. Lock every tube the items name, in barcode order so concurrent writers cannot deadlock.
    const tubeNames = [...new Set(batches.flatMap((b) => b.items.map((i) => i.tube)))].sort();
    const tubes = new Map<string, TubeState>();
    if (tubeNames.length > 0) {
      const r = await tx.query<{
        barcode: string;
        capacity: number;
        members: number;
        received_at: Date | null;
        kind: string;
      }>(
        `SELECT barcode, capacity, members, received_at, kind FROM testing.tubes WHERE barcode = ANY($1::text[]) ORDER BY barcode FOR UPDATE`,
        [tubeNames],
      );
      for (const t of r.rows)
        tubes.set(t.barcode, {
          capacity: t.capacity,
          members: t.members,
          closed: t.received_at !== null,
          kind: t.kind,
          changed: false,
        });
    }
    // 3. Pairs already stored (only tubes that had members before this commit can hold any).
    const seen = new Set<string>();
    const probeT: string[] = [];
    const probeP: string[] = [];
    for (const b of batches) {
      for (const i of b.items) {
        if ((tubes.get(i.tube)?.members ?? 0) > 0) {
          probeT.push(i.tube);
          probeP.push(i.personRef);
        }
      }
    }
    if (probeT.length > 0) {
      const r = await tx.query<{ tube: string; person_ref: string }>(
        `SELECT c.tube, c.person_ref FROM testing.collections c
           JOIN unnest($1::text[], $2::text[]) AS u(t, p) ON c.tube = u.t AND c.person_ref = u.p`,
        [probeT, probeP],
      );
      for (const x of r.rows) seen.add(`${x.tube}\u0000${x.person_ref}`);
    }
    // 4. Decide each item in arrival order.
    const insT: string[] = [];
    const insP: string[] = [];
    const insS: Array<number | null> = [];
    const insD: number[] = [];
    const insAt: number[] = [];
    const singles: Array<[string, string]> = [];
    const out = batches.map((b) =>
      b.items.map((i): ItemOutcome => {
        const t = tubes.get(i.tube);
        if (!t)
          return {
            status: 'rejected',
            code: 'TUBE_UNKNOWN',
            message: `tube ${i.tube} was never opened; declare it in "tubes" with its kind`,
          };
        const key = `${i.tube}\u0000${i.personRef}`;
        if (seen.has(key)) return DUPLICATE;
        if (t.closed)
          return { status: 'rejected', code: 'TUBE_CLOSED', message: `tube ${i.tube} is already at the lab` };
        if (t.members >= t.capacity)
          return {
            status: 'rejected',
            code: 'TUBE_FULL',
            message: `tube ${i.tube} (${t.kind}) already holds ${t.capacity}`,
          };
        seen.add(key);
        t.members++;
        t.changed = true;
        insT.push(i.tube);
        insP.push(i.personRef);
        insS.push(b.siteId);
        insD.push(b.deviceId);
        insAt.push(i.collectedAt);
        if (t.capacity === 1) singles.push([i.personRef, i.tube]);
        return ACCEPTED;
      }),
    );
    if (insT.length > 0) {
      await tx.query(
        `INSERT INTO testing.collections (tube, person_ref, site_id, device_id, collected_at)
         SELECT u.t, u.p, u.s, u.d, to_timestamp(u.ms / 1000.0)
           FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::float8[]) AS u(t, p, s, d, ms)
         ON CONFLICT (tube, person_ref) DO NOTHING`,
        [insT, insP, insS, insD, insAt],
      );
      const changed = [...tubes.entries()].filter(([, t]) => t.changed);
      await tx.query(
        `UPDATE testing.tubes t SET members = u.m FROM unnest($1::text[], $2::int[]) AS u(b, m) WHERE t.barcode = u.b`,
        [changed.map(([b]) => b), changed.map(([, t]) => t.members)],
      );
      this.stats.registrations += insT.length;
    }
    // 5. A single-tube swab fulfils the person's open retest orders.
    if (singles.length > 0) {
      await tx.query(
        `UPDATE testing.retest_orders r SET fulfilled_tube = u.t, fulfilled_at = $3
           FROM unnest($1::text[], $2::text[]) AS u(p, t) WHERE r.person_ref = u.p AND r.fulfilled_at IS NULL`,
        [singles.map((s) => s[0]), singles.map((s) => s[1]), now],
      );
    }
    // 6. One audit row per device request, in the same transaction (who wrote what, when).
    await new NatAuditRepository(tx).append(
      batches.map((b, i) => {
        const o = out[i] ?? [];
        return {
          at: now,
          actor: `device:${b.deviceId}`,
          action: 'nat.collection',
          regionCode: null,
          detail: {
            siteId: b.siteId,
            tubesOpened: b.tubes.length,
            accepted: o.filter((x) => x.status === 'accepted').length,
            duplicates: o.filter((x) => x.status === 'duplicate').length,
            rejected: o.filter((x) => x.status === 'rejected').length,
          },
        };
      }),
    );
    return out;
  }

  /** Registrations waiting for the next commit. */
  get backlog(): number {
    return this.queued;
  }
}
