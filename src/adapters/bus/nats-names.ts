/**
 * One deployment's names on a NATS server (HC_NATS_PREFIX, src/config.ts): the subject prefix and
 * stream names its bus, feed stream and companion streams use, so that several deployments (the
 * scripted topology next to another, CI next to a developer's) can share one server without
 * sharing durable consumers.
 */
export interface NatsNames {
  /** prepended to every subject: '' or '<prefix>.' */
  subjectPrefix: string;
  /** prepended to every stream name: '' or '<prefix>_' */
  streamPrefix: string;
}

export function natsNames(prefix: string): NatsNames {
  return prefix
    ? { subjectPrefix: `${prefix}.`, streamPrefix: `${prefix}_` }
    : { subjectPrefix: '', streamPrefix: '' };
}
