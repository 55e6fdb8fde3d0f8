/**
 * NATS JetStream event bus: one stream holds every subject under the prefix; each group is a
 * durable pull consumer, so events survive restarts and are shared among a group's workers.
 */
import { AckPolicy, DeliverPolicy, connect, type JetStreamClient, type NatsConnection } from 'nats';
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
    const jsm = await this.nc.jetstreamManager();
    const durable = `${group}`.replace(/[^A-Za-z0-9_-]/g, '_');
    try {
      await jsm.consumers.info(this.stream, durable);
    } catch {
      await jsm.consumers.add(this.stream, {
        durable_name: durable,
        filter_subject: this.prefix + subject,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: 30e9,
        max_deliver: 20,
      });
    }
    const consumer = await this.js.consumers.get(this.stream, durable);
    const messages = await consumer.consume({ max_messages: 256 });
    const limit = Math.max(1, opts.concurrency ?? 1);
    const inflight = new Set<Promise<void>>();
    const loop = (async () => {
      for await (const m of messages) {
        const p: Promise<void> = (async () => {
          try {
            await handler(m.json(), m.subject.slice(this.prefix.length));
            m.ack();
          } catch {
            m.nak(200 * Math.min(m.info.redeliveryCount, 20));
          }
        })().finally(() => inflight.delete(p));
        inflight.add(p);
        // With the default limit of 1 this waits for each message in turn, as before.
        if (inflight.size >= limit) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    })();
    return {
      stop: async () => {
        await messages.close();
        await loop.catch(() => undefined);
      },
    };
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
