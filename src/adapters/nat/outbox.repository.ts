/** The testing service's transactional outbox, `testing.outbox`: events are written in the transaction of the change. */
import type { NatOutbox } from '../../ports/nat.port.ts';
import type { Queryable } from '../db/database.ts';

export interface OutboxRow {
  id: number;
  subject: string;
  payload: Record<string, unknown>;
}

export class NatOutboxRepository implements NatOutbox {
  constructor(private readonly q: Queryable) {}

  async add(subject: string, payload: object): Promise<number> {
    const r = await this.q.query<{ id: number }>(
      'INSERT INTO testing.outbox (subject, payload) VALUES ($1, $2) RETURNING id',
      [subject, JSON.stringify(payload)],
    );
    return (r.rows[0] as { id: number }).id;
  }

  async pending(): Promise<number> {
    return pendingCount(this.q);
  }
}

/** Locks the oldest unpublished events (other relays skip them). */
export async function claimPending(tx: Queryable, limit: number): Promise<OutboxRow[]> {
  const r = await tx.query<OutboxRow>(
    `SELECT id, subject, payload FROM testing.outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return r.rows;
}

/** Marks events published at `at` (the injected clock's time: replay and clean-up compare with it). */
export async function markPublished(tx: Queryable, ids: readonly number[], at: Date): Promise<void> {
  if (ids.length)
    await tx.query('UPDATE testing.outbox SET published_at = $2 WHERE id = ANY($1::bigint[])', [ids, at]);
}

/** How many events wait to be published. */
export async function pendingCount(q: Queryable): Promise<number> {
  const r = await q.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM testing.outbox WHERE published_at IS NULL',
  );
  return r.rows[0]?.n ?? 0;
}
