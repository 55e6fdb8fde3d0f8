/**
 * The testing service's vocabulary (docs/DESIGN.md §7), pure: tube kinds, results, person
 * references and the events it publishes through its outbox. Shared with the code service's
 * consumer only through the event shapes below (the wire contract), nothing else.
 */

export const TUBE_KINDS = { single: 1, pool10: 10, pool20: 20 } as const;
export type TubeKind = keyof typeof TUBE_KINDS;
export const RESULTS = ['negative', 'positive', 'invalid'] as const;
export type TestResult = (typeof RESULTS)[number];

/** Bus subjects (inside the platform's `hc.>` stream). */
export const TestingSubjects = {
  result: 'hc.testing.result',
  booking: 'hc.testing.booking',
  heartbeat: 'hc.testing.heartbeat',
  all: 'hc.testing.>',
} as const;

/**
 * How the testing service names a person without owning the registry:
 * "p:<resident id>" (a signed-in resident), "s:<code subject>" (a scanned code),
 * "d:<doc type>:<keyed hash hex>" (a scanned document; the number itself is never kept).
 */
export type PersonRef = string;

export type ParsedPersonRef =
  | { kind: 'resident'; personId: number }
  | { kind: 'subject'; subject: string }
  | { kind: 'document'; docType: number; hashHex: string };

/** Parses a person reference; undefined when it is malformed. */
export function parsePersonRef(ref: string): ParsedPersonRef | undefined {
  if (ref.startsWith('p:')) {
    const id = Number(ref.slice(2));
    return Number.isSafeInteger(id) && id > 0 ? { kind: 'resident', personId: id } : undefined;
  }
  if (ref.startsWith('s:')) {
    const subject = ref.slice(2);
    return isSubject(subject) ? { kind: 'subject', subject } : undefined;
  }
  const m = /^d:(\d{1,2}):([0-9a-f]{64})$/.exec(ref);
  if (m) return { kind: 'document', docType: Number(m[1]), hashHex: m[2] as string };
  return undefined;
}

/** A code subject as the platform issues them: URL-safe, at least 80 bits (≥ 14 characters). */
export function isSubject(s: string): boolean {
  return /^[A-Za-z0-9_-]{14,64}$/.test(s);
}

/** Published once per (lab, tube, version): the result and every person whose swab was in the tube. */
export interface ResultEvent {
  lab: string;
  tube: string;
  version: number;
  result: TestResult;
  pooled: boolean;
  reportedAt: string;
  members: Array<{ personRef: PersonRef; collectedAt: string }>;
  /** members were ordered back for a single-tube retest */
  retestOrdered: boolean;
}

/** Published on every change of a booking; the relay adds `outboxId`, which orders changes of one booking. */
export interface BookingEvent {
  bookingId: number;
  personRef: PersonRef;
  siteName: string;
  siteAddress: string;
  startsAt: string;
  endsAt: string;
  status: 'booked' | 'cancelled';
}

/** What the relay adds to every event: its outbox id (unique, increasing). */
export interface Relayed {
  outboxId: number;
}

/** The relay's sign of life, so the code service can say "results as of …". */
export interface HeartbeatEvent {
  at: string;
  pending: number;
}

/** Whether a result needs every member back for a single tube. */
export function needsRetest(result: TestResult, pooled: boolean): boolean {
  return (result === 'positive' && pooled) || result === 'invalid';
}
