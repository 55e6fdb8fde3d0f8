/**
 * The feeds' event streams on NATS JetStream: subjects `feeds.<feed>` (e.g. `feeds.key-population`,
 * where the carrier's companion engine publishes) in their own stream FEEDS, one durable pull
 * consumer per feed so every worker shares the load and nothing is lost across restarts.
 * Rejected records are republished to `feeds.rejected.<feed>` for the operators.
 */
import { AckPolicy, DeliverPolicy, connect, type JetStreamClient, type NatsConnection } from 'nats';
import type { EventBus, Subscription } from '../../ports/event-bus.port.ts';

export interface FeedStreamOptions {
  url: string;
  /** stream name (tests use their own) */
  stream?: string;
  /** prepended to every subject */
  prefix?: string;
}

export class NatsFeedStream implements EventBus {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    readonly stream: string,
    readonly prefix: string,
  ) {}

  /** Connects and makes sure the stream holding `feeds.>` exists (producers may publish first). */
  static async connect(o: FeedStreamOptions): Promise<NatsFeedStream> {
    const nc = await connect({ servers: o.url, name: 'health-code-feeds', maxReconnectAttempts: -1 });
    const stream = o.stream ?? 'FEEDS';
    const prefix = o.prefix ?? '';
    const jsm = await nc.jetstreamManager();
    const subjects = [`${prefix}feeds.>`];
    try {
      await jsm.streams.info(stream);
    } catch {
      await jsm.streams.add({ name: stream, subjects, max_age: 7 * 24 * 3600 * 1e9 });
    }
    return new NatsFeedStream(nc, nc.jetstream(), stream, prefix);
  }

  async publish(subject: string, payload: unknown): Promise<void> {
    await this.js.publish(this.prefix + subject, JSON.stringify(payload));
  }

  async subscribe(subject: string, group: string, handler: (payload: unknown, subject: string) => Promise<void>): Promise<Subscription> {
    const jsm = await this.nc.jetstreamManager();
    const durable = group.replace(/[^A-Za-z0-9_-]/g, '_');
    try {
      await jsm.consumers.info(this.stream, durable);
    } catch {
      await jsm.consumers.add(this.stream, {
        durable_name: durable,
        filter_subject: this.prefix + subject,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: 60e9,
        max_deliver: 50,
      });
    }
    const consumer = await this.js.consumers.get(this.stream, durable);
    const messages = await consumer.consume({ max_messages: 512 });
    const loop = (async () => {
      for await (const m of messages) {
        let payload: unknown;
        try {
          payload = m.json();
        } catch {
          payload = { __unreadable: m.string().slice(0, 2000) };
        }
        try {
          await handler(payload, m.subject.slice(this.prefix.length));
          m.ack();
        } catch {
          m.nak(250 * Math.min(m.info.redeliveryCount, 40));
        }
      }
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
