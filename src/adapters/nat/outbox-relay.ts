/**
 * Relays the outbox to the bus (NATS JetStream, or the in-process bus embedded): at least once,
 * in id order per claim; the consumer is idempotent, so a crash between publish and mark only
 * causes a redelivery. While the testing database is unreachable the relay keeps retrying, and
 * the backlog drains when it is back. A heartbeat tells the code service how fresh its copy is.
 */
import type { Logger } from 'pino';
import { TestingSubjects, type HeartbeatEvent } from '../../domain/nat/nat.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { EventBus } from '../../ports/event-bus.port.ts';
import type { Database } from '../db/database.ts';
import { claimPending, markPublished, pendingCount } from './outbox.repository.ts';

export interface RelayOptions {
  intervalMs?: number;
  batch?: number;
  heartbeatMs?: number;
  /**
   * On start, publish again what was published this long ago or less. For the in-process bus,
   * which loses events in flight when the process stops; the consumer ignores repeats.
   */
  replayOnStartMs?: number;
  /** published events are deleted after this long (default 7 days) */
  keepPublishedMs?: number;
}

export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private lastHeartbeat = 0;
  /** events published since start */
  published = 0;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: RelayOptions = {},
  ) {}

  /** Starts polling; `kick()` relays at once after a commit. */
  start(): void {
    this.stopped = false;
    const replay = this.opts.replayOnStartMs ?? 0;
    if (replay <= 0) return this.schedule(0);
    this.running = this.db
      .query('UPDATE testing.outbox SET published_at = NULL WHERE published_at > $1', [
        new Date(this.clock.now() - replay),
      ])
      .then(
        () => undefined,
        (err: unknown) =>
          this.log.warn({ err: (err as Error).message }, 'outbox relay: replay on start failed'),
      )
      .finally(() => {
        this.running = undefined;
        this.schedule(0);
      });
  }

  /** Asks for a relay pass now (called after a transaction that wrote to the outbox). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.pass().finally(() => {
        this.running = undefined;
        const next = this.again ? 0 : (this.opts.intervalMs ?? 250);
        this.again = false;
        this.schedule(next);
      });
    }, ms);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    try {
      while ((await this.relayOnce()) > 0) {
        if (this.stopped) return;
      }
      const now = this.clock.now();
      if (now - this.lastHeartbeat >= (this.opts.heartbeatMs ?? 5000)) {
        const hb: HeartbeatEvent = { at: new Date(now).toISOString(), pending: await pendingCount(this.db) };
        await this.bus.publish(TestingSubjects.heartbeat, hb);
        this.lastHeartbeat = now;
        await this.db.query('DELETE FROM testing.outbox WHERE published_at < $1', [
          new Date(now - (this.opts.keepPublishedMs ?? 7 * 86400_000)),
        ]);
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'outbox relay: will retry');
    }
  }

  /** Publishes one claim of pending events; returns how many. */
  async relayOnce(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await claimPending(tx, this.opts.batch ?? 500);
      // Publish in parallel chunks: order across results does not matter (each is keyed), and
      // bookings carry their own sequence number.
      for (let i = 0; i < rows.length; i += 64) {
        await Promise.all(
          rows.slice(i, i + 64).map((r) => this.bus.publish(r.subject, { ...r.payload, outboxId: r.id })),
        );
      }
      await markPublished(
        tx,
        rows.map((r) => r.id),
        new Date(this.clock.now()),
      );
      this.published += rows.length;
      return rows.length;
    });
  }

  /** Stops polling and waits for a pass in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
