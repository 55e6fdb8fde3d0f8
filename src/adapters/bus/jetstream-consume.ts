/**
 * One durable JetStream consumption loop for every bus on NATS (platform events, feed streams):
 * creates the durable pull consumer if missing, hands each message to the handler, acks on
 * success and naks with a growing delay on failure, with at most `concurrency` in flight; and the
 * connection with its stream that both open.
 */
import {
  AckPolicy,
  DeliverPolicy,
  connect,
  type JsMsg,
  type JetStreamClient,
  type NatsConnection,
} from 'nats';
import type { Subscription } from '../../ports/event-bus.port.ts';

export interface DurableConsumeOptions {
  stream: string;
  /** subject prefix of this deployment or test; stripped before the handler sees the subject */
  prefix: string;
  subject: string;
  group: string;
  ackWaitSeconds: number;
  maxDeliver: number;
  maxMessages: number;
  /** nak delay = backoffMs × min(redeliveries, maxBackoffSteps) */
  backoffMs: number;
  maxBackoffSteps: number;
  concurrency?: number;
  /** turns a message into the handler's payload; a throw counts as a failed delivery */
  decode?: (m: JsMsg) => unknown;
}

export interface StreamOptions {
  url: string;
  /** the connection's name, as the NATS server lists it */
  clientName: string;
  stream: string;
  subjects: string[];
  /** an existing stream is set to `subjects` (otherwise it is left as it is) */
  updateSubjects: boolean;
}

/** Connects and makes sure the stream exists (messages kept 7 days), so producers may publish first. */
export async function connectStream(o: StreamOptions): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
  const nc = await connect({ servers: o.url, name: o.clientName, maxReconnectAttempts: -1 });
  const jsm = await nc.jetstreamManager();
  try {
    await jsm.streams.info(o.stream);
    if (o.updateSubjects) await jsm.streams.update(o.stream, { subjects: o.subjects });
  } catch {
    await jsm.streams.add({ name: o.stream, subjects: o.subjects, max_age: 7 * 24 * 3600 * 1e9 });
  }
  return { nc, js: nc.jetstream() };
}

/** The durable consumer's name for a consumer group (NATS allows fewer characters than group names). */
export function durableName(group: string): string {
  return group.replace(/[^A-Za-z0-9_-]/g, '_');
}

export async function consumeDurably(
  nc: NatsConnection,
  js: JetStreamClient,
  o: DurableConsumeOptions,
  handler: (payload: unknown, subject: string) => Promise<void>,
): Promise<Subscription> {
  const jsm = await nc.jetstreamManager();
  const durable = durableName(o.group);
  try {
    await jsm.consumers.info(o.stream, durable);
  } catch {
    await jsm.consumers.add(o.stream, {
      durable_name: durable,
      filter_subject: o.prefix + o.subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: o.ackWaitSeconds * 1e9,
      max_deliver: o.maxDeliver,
    });
  }
  const consumer = await js.consumers.get(o.stream, durable);
  const messages = await consumer.consume({ max_messages: o.maxMessages });
  const decode = o.decode ?? ((m: JsMsg) => m.json());
  const limit = Math.max(1, o.concurrency ?? 1);
  const inflight = new Set<Promise<void>>();
  const loop = (async () => {
    for await (const m of messages) {
      const p: Promise<void> = (async () => {
        try {
          await handler(decode(m), m.subject.slice(o.prefix.length));
          m.ack();
        } catch {
          m.nak(o.backoffMs * Math.min(m.info.redeliveryCount, o.maxBackoffSteps));
        }
      })().finally(() => inflight.delete(p));
      inflight.add(p);
      // With a limit of 1 this handles each message in turn.
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
