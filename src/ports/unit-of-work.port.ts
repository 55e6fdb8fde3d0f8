/**
 * Atomic work across stores (docs/ARCHITECTURE.md "Rules"): `run` hands the work stores bound to
 * one transaction; everything they write commits together or not at all (a correction's fact and
 * its audit entry; a policy version and its audit entry). Implemented by
 * adapters/db/unit-of-work.ts. Feature areas add the stores they need to `Stores`.
 */
import type { AuditLogStore } from './audit-log-store.port.ts';
import type { CityWithCasesStore } from './city-with-cases-store.port.ts';
import type { DeviceStore } from './device-store.port.ts';
import type { FactStore } from './fact-store.port.ts';
import type { IssuedCodeStore } from './issued-code-store.port.ts';
import type { KeyStore } from './key-store.port.ts';
import type { FeedStore, PersonBatchStore, ResponseTaskStore } from './feed-store.port.ts';
import type { IntermediateStoreWriter } from './intermediate-store.port.ts';
import type { PolicyStore } from './policy-store.port.ts';
import type { RiskAreaStore } from './risk-area-store.port.ts';
import type { SessionStore } from './session-store.port.ts';
import type { StaffStore } from './staff.port.ts';
import type { VenueStore } from './venue-store.port.ts';

/** The stores a unit of work offers, all bound to its transaction. */
export interface Stores {
  facts: FactStore;
  audit: AuditLogStore;
  policies: PolicyStore;
  /** long-lived codes as issued, and their revocations */
  codes: IssuedCodeStore;
  /** the feeds' writes: source ids, trips, key-population membership and tasks */
  feeds: FeedStore;
  /** persons registered in bulk (the identity feed) */
  registrations: PersonBatchStore;
  /** community response tasks: a move commits with its audit entry */
  tasks: ResponseTaskStore;
  /** code-signing keys: a rotation or revocation commits with its audit entry */
  keys: KeyStore;
  /** device API keys: added or revoked with the audit entry */
  devices: DeviceStore;
  /** sign-in sessions: ended with the audit entry */
  sessions: SessionStore;
  /** staff accounts: added or changed with the audit entry and the sessions it ends */
  staff: StaffStore;
  /** the intermediate store's writes (results from the testing service, with their facts) */
  intermediate: IntermediateStoreWriter;
  /** venues: registered, re-printed, closed or opened with the audit entry */
  venues: VenueStore;
  /** risk areas: a version and its history row commit with the audit entry */
  riskAreas: RiskAreaStore;
  /** cities with cases: listed or ended with the audit entry */
  citiesWithCases: CityWithCasesStore;
}

export interface UnitOfWork {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  run<T>(work: (stores: Stores) => Promise<T>): Promise<T>;
}
