/**
 * The nucleic-acid testing service assembled (docs/DESIGN.md §7): its database (schema `testing`,
 * possibly a database of its own), its stores and unit of work, the group-committing collection
 * writer, the services over them and the outbox relay. It takes only shared adapters (database,
 * bus, clock, logger) and what the role hands in: the trust list to verify codes with, the
 * registry's keyed document hash, and the platform key's signatures for the audit log's checkpoints.
 */
import type { Logger } from 'pino';
import type { Database } from '../adapters/db/database.ts';
import { migrate, TESTING_MIGRATIONS } from '../adapters/db/migrate.ts';
import { CollectionWriter } from '../adapters/nat/collection.writer.ts';
import { OutboxRelay, type RelayOptions } from '../adapters/nat/outbox-relay.ts';
import { DbNatUnitOfWork, natStores } from '../adapters/nat/unit-of-work.ts';
import { NatAuditRepository } from '../adapters/nat/audit.repository.ts';
import { AuditCheckpointRepository } from '../adapters/repositories/audit-checkpoint.repository.ts';
import type { CheckpointSigning } from '../ports/audit-log-store.port.ts';
import type { NatApi } from '../http/routes/nat/nat.routes.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { EventBus } from '../ports/event-bus.port.ts';
import { BookingService } from '../services/nat/booking.service.ts';
import { CollectionService } from '../services/nat/collection.service.ts';
import { LabService } from '../services/nat/lab.service.ts';
import { NatAuditService } from '../services/nat/nat-audit.service.ts';
import { NatStatusService } from '../services/nat/nat-status.service.ts';
import { SiteService } from '../services/nat/site.service.ts';
import type { TrustList } from '../verifier/index.ts';

export interface NatDeps {
  db: Database;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  trustList: () => Promise<TrustList>;
  docHash: (docType: number, number: string) => Buffer;
  /** signs and checks the audit log's checkpoints with the platform's code-signing key */
  checkpointSigning?: CheckpointSigning;
}

/** The testing service's services (what its routes call) plus the parts operators and tests reach. */
export interface NatModule extends NatApi {
  db: Database;
  writer: CollectionWriter;
  relay: OutboxRelay;
  /** the testing audit log's chain: verify, signed checkpoints */
  audit: NatAuditService;
}

/** Wires the testing service; call `relay.start()` to begin publishing. */
export function createNatModule(
  deps: NatDeps,
  opts: { relay?: RelayOptions; maxBatch?: number } = {},
): NatModule {
  const relay = new OutboxRelay(deps.db, deps.bus, deps.clock, deps.log, opts.relay);
  const kick = () => relay.kick();
  const writer = new CollectionWriter(
    deps.db,
    deps.clock,
    opts.maxBatch !== undefined ? { maxBatch: opts.maxBatch } : {},
  );
  const uow = new DbNatUnitOfWork(deps.db);
  const stores = natStores(deps.db);
  return {
    db: deps.db,
    writer,
    relay,
    sites: new SiteService(uow, stores, deps.clock),
    bookings: new BookingService(uow, stores, deps.clock, kick),
    collection: new CollectionService({
      writer,
      clock: deps.clock,
      trustList: deps.trustList,
      docHash: deps.docHash,
    }),
    lab: new LabService(uow, stores, deps.clock, kick),
    status: new NatStatusService(stores.outbox, writer),
    audit: new NatAuditService(
      new NatAuditRepository(deps.db),
      deps.clock,
      deps.checkpointSigning && {
        checkpoints: new AuditCheckpointRepository(deps.db, 'testing.audit_checkpoints'),
        signing: deps.checkpointSigning,
      },
    ),
  };
}

/** Applies the testing service's own migration set (`migrations/testing/`) to its database. */
export async function migrateTesting(db: Database): Promise<string[]> {
  return migrate(db, TESTING_MIGRATIONS);
}
