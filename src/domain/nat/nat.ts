/**
 * The nucleic-acid testing service's vocabulary (核酸检测, "NAT"; docs/DESIGN.md §7), pure: tube
 * kinds, results, person references, collection batches, region scope and the events it
 * publishes through its outbox. Shared with the code service's consumer only through the event
 * shapes below (the wire contract), nothing else. The bus subjects, the `/testing/v1` API, the
 * `testing` schema and HC_ROLE=testing keep their names: they are contracts with devices and
 * operators.
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

/** A tube a collector device opens in a batch (first declaration wins). */
export interface TubeOpen {
  barcode: string;
  kind: TubeKind;
}

/** One resolved scan: a person's swab in a tube. */
export interface Registration {
  tube: string;
  personRef: PersonRef;
  /** epoch ms the swab was taken */
  collectedAt: number;
}

/** One device request's registrations, committed together with other requests' (group commit). */
export interface CollectionBatch {
  deviceId: number;
  siteId: number | null;
  tubes: readonly TubeOpen[];
  items: readonly Registration[];
}

export type ItemOutcome =
  { status: 'accepted' } | { status: 'duplicate' } | { status: 'rejected'; code: string; message: string };

/** Who changes the testing service's sites and slots: a staff member scoped to a region prefix. */
export interface NatOfficer {
  /** audit actor, e.g. "officer:12" */
  actor: string;
  /** admin-code prefix the officer may act in; '' is the whole province */
  regionPrefix: string;
}

/** Whether a 6-digit region code lies inside an officer's region prefix. */
export function inRegion(regionCode: string, regionPrefix: string): boolean {
  return regionCode.startsWith(regionPrefix);
}
