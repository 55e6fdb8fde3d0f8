/**
 * The recompute worker: consumes fact events, coalesces them for a few milliseconds and
 * recomputes each affected person once; a timer re-evaluates statuses whose nextReviewAt passed.
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../ports/clock.port.ts';
import { Subjects, type EventBus, type Subscription } from '../ports/event-bus.port.ts';
import type { FactAddedEvent } from './fact.service.ts';
import type { StatusService } from './status.service.ts';

export interface RecomputeWorkerOptions {
  coalesceMs?: number;
  reviewIntervalMs?: number;
  /** observed fact → status latency in seconds (metrics) */
  onLatency?: (seconds: number) => void;
  /** the clock facts are accepted by (HC_TEST_CLOCK in simulations); default the system clock */
  clock?: Clock;
}

export class RecomputeWorker {
  private sub: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending = new Map<number, number>();
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];

  constructor(
    private readonly bus: EventBus,
    private readonly statuses: StatusService,
    private readonly log: Logger,
    private readonly opts: RecomputeWorkerOptions = {},
  ) {}

  async start(): Promise<void> {
    const caught = await this.statuses.catchUp();
    if (caught) this.log.info({ persons: caught }, 'applied facts that arrived while no worker ran');
    // Many events at once: they coalesce into one recompute batch instead of queueing one by one.
    this.sub = await this.bus.subscribe(
      Subjects.factAdded,
      'recompute',
      (payload) => this.onEvent(payload as FactAddedEvent),
      { concurrency: 256 },
    );
    const every = this.opts.reviewIntervalMs ?? 1000;
    this.timer = setInterval(() => {
      this.statuses
        .reviewDue()
        .catch((err: unknown) => this.log.error({ err }, 'review of due statuses failed'));
    }, every);
    this.timer.unref();
  }

  /** Resolves once this event's persons are recomputed, so the bus acks only finished work. */
  private onEvent(e: FactAddedEvent): Promise<void> {
    for (const id of e.personIds ?? []) {
      const prev = this.pending.get(id);
      this.pending.set(id, prev === undefined ? e.acceptedAt : Math.min(prev, e.acceptedAt));
    }
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.flushTimer) this.flushTimer = setTimeout(() => void this.flush(), this.opts.coalesceMs ?? 5);
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) await this.flushing;
    this.flushTimer = undefined;
    const batch = this.pending;
    const waiters = this.waiters;
    this.pending = new Map();
    this.waiters = [];
    if (batch.size === 0) {
      for (const w of waiters) w.resolve();
      return;
    }
    this.flushing = (async () => {
      try {
        const ids = [...batch.keys()];
        for (let i = 0; i < ids.length; i += 2000) await this.statuses.recompute(ids.slice(i, i + 2000));
        const now = (this.opts.clock ?? systemClock).now();
        for (const at of batch.values()) this.opts.onLatency?.((now - at) / 1000);
        for (const w of waiters) w.resolve();
      } catch (err) {
        this.log.error({ err }, 'recompute failed; events will be redelivered');
        for (const w of waiters) w.reject(err);
      } finally {
        this.flushing = undefined;
      }
    })();
    await this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sub?.stop();
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      await this.flush();
    }
    await this.flushing;
  }
}
