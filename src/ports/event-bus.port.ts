/**
 * Events between roles: durable, at-least-once, load-balanced across the members of a consumer
 * group (NATS JetStream in production, an in-process queue embedded). Handlers must be idempotent.
 */
export interface EventBus {
  /** Publishes one JSON event; resolves once the bus has it durably. */
  publish(subject: string, payload: unknown): Promise<void>;
  /** Consumes subject (wildcards `*`, `>`) as a named durable group; resolving the handler acks. */
  subscribe(subject: string, group: string, handler: (payload: unknown, subject: string) => Promise<void>): Promise<Subscription>;
  close(): Promise<void>;
}

export interface Subscription {
  stop(): Promise<void>;
}

/** Subjects used across the platform. */
export const Subjects = {
  factAdded: 'hc.facts.added',
  statusChanged: 'hc.status.changed',
} as const;
