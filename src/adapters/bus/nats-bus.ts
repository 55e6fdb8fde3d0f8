/**
 * NATS JetStream event bus: one stream holds every subject under the prefix; each group is a
 * durable pull consumer, so events survive restarts and are shared among a group's workers.
 */
import { connect, type JetStreamClient, type NatsConnection } from 'nats';
import { consumeDurably } from './jetstream-consume.ts';
import type { EventBus, SubscribeOptions, Subscription } from '../../ports/event-bus.port.ts';

export interface NatsBusOptions {
  url: string;
  /** stream name; tests use a unique one */
  stream?: string;
  /** prepended to every subject so several deployments or tests can share one server */
  prefix?: string;
}

export class NatsBus implements EventBus {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly stream: string,
    private readonly prefix: string,
  ) {}

  static async connect(opts: NatsBusOptions): Promise<NatsBus> {
    const nc = await connect({ servers: opts.url, name: 'health-code', maxReconnectAttempts: -1 });
    const stream = opts.stream ?? 'HC';
    const prefix = opts.prefix ?? '';
    const jsm = await nc.jetstreamManager();
    const subjects = [`${prefix}hc.>`];
    try {
      await jsm.streams.info(stream);
      await jsm.streams.update(stream, { subjects });
    } catch {
      await jsm.streams.add({ name: stream, subjects, max_age: 7 * 24 * 3600 * 1e9 });
    }
    return new NatsBus(nc, nc.jetstream(), stream, prefix);
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
    return consumeDurably(
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
