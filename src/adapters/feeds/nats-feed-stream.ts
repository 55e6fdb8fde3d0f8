/**
 * The feeds' event streams on NATS JetStream: subjects `feeds.<feed>` (e.g. `feeds.key-population`,
 * where the carrier's companion engine publishes) in their own stream FEEDS, one durable pull
 * consumer per feed so every worker shares the load and nothing is lost across restarts.
 * Rejected records are republished to `feeds.rejected.<feed>` for the operators.
 */
import type { JetStreamClient, NatsConnection } from 'nats';
import { connectStream, consumeDurably } from '../bus/jetstream-consume.ts';
import { natsNames } from '../bus/nats-names.ts';
import type { EventBus, Subscription } from '../../ports/event-bus.port.ts';

export interface FeedStreamOptions {
  url: string;
  /** stream name (tests use their own) */
  stream?: string;
  /** prepended to every subject */
  prefix?: string;
}

/** A deployment's feed stream (HC_NATS_PREFIX): `<prefix>_FEEDS` holding `<prefix>.feeds.>`. */
export function feedStreamOptions(url: string, deploymentPrefix: string): FeedStreamOptions {
  const n = natsNames(deploymentPrefix);
  return { url, stream: `${n.streamPrefix}FEEDS`, prefix: n.subjectPrefix };
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
    const stream = o.stream ?? 'FEEDS';
    const prefix = o.prefix ?? '';
    const { nc, js } = await connectStream({
      url: o.url,
      clientName: 'health-code-feeds',
      stream,
      subjects: [`${prefix}feeds.>`],
      updateSubjects: false,
    });
    return new NatsFeedStream(nc, js, stream, prefix);
  }

  async publish(subject: string, payload: unknown): Promise<void> {
    await this.js.publish(this.prefix + subject, JSON.stringify(payload));
  }

  async subscribe(
    subject: string,
    group: string,
    handler: (payload: unknown, subject: string) => Promise<void>,
  ): Promise<Subscription> {
    return consumeDurably(
      this.nc,
      this.js,
      {
        stream: this.stream,
        prefix: this.prefix,
        subject,
        group,
        ackWaitSeconds: 60,
        maxDeliver: 50,
        maxMessages: 512,
        backoffMs: 250,
        maxBackoffSteps: 40,
        // An unparsable record still reaches the handler, which reports it as rejected.
        decode: (m) => {
          try {
            return m.json();
          } catch {
            return { __unreadable: m.string().slice(0, 2000) };
          }
        },
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
