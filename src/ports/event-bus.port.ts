/**
 * Events between roles: durable, at-least-once, load-balanced across the members of a consumer
 * group (NATS JetStream in production, an in-process queue embedded). Handlers must be idempotent.
 */
export interface EventBus {
  /** Publishes one JSON event; resolves once the bus has it durably. */
  publish(subject: string, payload: unknown): Promise<void>;
  /**
   * Consumes subject (wildcards `*`, `>`) as a named durable group; resolving the handler acks.
   * `concurrency` (default 1: one message at a time, in order) lets handlers that batch work
   * themselves, like the recompute worker, take many messages at once.
   */
  subscribe(
    subject: string,
    group: string,
    handler: (payload: unknown, subject: string) => Promise<void>,
    opts?: SubscribeOptions,
  ): Promise<Subscription>;
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** messages handled at the same time by this subscriber (default 1) */
  concurrency?: number;
}

export interface Subscription {
  stop(): Promise<void>;
}

/** Subjects used across the platform. */
export const Subjects = {
  factAdded: 'hc.facts.added',
  statusChanged: 'hc.status.changed',
  /** persons with new rail/flight/road trips: `{ personIds: number[] }` */
  tripsAdded: 'hc.trips.added',
} as const;
