/**
 * NATS JetStream event bus: one stream holds every subject under the prefix; each group is a
 * durable pull consumer, so events survive restarts and are shared among a group's workers.
 */
import type { JetStreamClient, NatsConnection } from 'nats';
import { connectStream, consumeDurably, durableName } from './jetstream-consume.ts';
import type { EventBus, SubscribeOptions, Subscription } from '../../ports/event-bus.port.ts';

export interface NatsBusOptions {
  url: string;
  /** stream name; tests use a unique one */
  stream?: string;
  /** prepended to every subject so several deployments or tests can share one server */
  prefix?: string;
}

export class NatsBus implements EventBus {
  /** durable consumers this process subscribes to, with how many live subscriptions each */
  private readonly live = new Map<string, number>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly stream: string,
    private readonly prefix: string,
  ) {}

  static async connect(opts: NatsBusOptions): Promise<NatsBus> {
    const stream = opts.stream ?? 'HC';
    const prefix = opts.prefix ?? '';
    const { nc, js } = await connectStream({
      url: opts.url,
      clientName: 'health-code',
      stream,
      subjects: [`${prefix}hc.>`],
      updateSubjects: true,
    });
    return new NatsBus(nc, js, stream, prefix);
  }

  async publish(subject: string, payload: unknown): Promise<void> {
    await this.js.publish(this.prefix + subject, JSON.stringify(payload));
  }

  async subscribe(
    subject: string,
    group: string,
    handler: (payload: unknown, subject: string) => Promise<void>,
    opts: SubscribeOptions = {},
  ): Promise<Subscription> {
    const durable = durableName(group);
    const sub = await consumeDurably(
      this.nc,
      this.js,
      {
        stream: this.stream,
        prefix: this.prefix,
        subject,
        group,
        ackWaitSeconds: 30,
        maxDeliver: 20,
        maxMessages: 256,
        backoffMs: 200,
        maxBackoffSteps: 20,
        concurrency: opts.concurrency,
      },
      handler,
    );
    this.live.set(durable, (this.live.get(durable) ?? 0) + 1);
    return {
      stop: async () => {
        const n = (this.live.get(durable) ?? 1) - 1;
        if (n > 0) this.live.set(durable, n);
        else this.live.delete(durable);
        await sub.stop();
      },
    };
  }

  /**
   * Resolves once every consumer group this process subscribes to has nothing left: no message
   * waiting and none delivered but unacknowledged (handlers ack when they finish, so a handler's
   * own publications are already counted). For tests that need the bus settled: a condition on
   * the server's counters, not a sleep.
   */
  async idle(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    for (;;) {
      let busy = false;
      for (const durable of this.live.keys()) {
        const info = await jsm.consumers.info(this.stream, durable).catch(() => undefined);
        if (info && info.num_pending + info.num_ack_pending > 0) {
          busy = true;
          break;
        }
      }
      if (!busy) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Deletes the stream (tests). */
  async destroy(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    await jsm.streams.delete(this.stream).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
  }
}
