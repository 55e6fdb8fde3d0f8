/**
 * The testing service assembled: its database (schema `testing`, possibly a database of its own),
 * the group-committing collection writer, labs, bookings and the outbox relay. It depends only on
 * shared adapters (database, bus, clock, logger) and two functions handed in by the role: the
 * trust list to verify codes with, and the registry's keyed document hash.
 */
import type { Logger } from 'pino';
import type { Database } from '../adapters/db/database.ts';
import { migrate, TESTING_MIGRATIONS } from '../adapters/db/migrate.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { EventBus } from '../ports/event-bus.port.ts';
import type { TrustList } from '../verifier/index.ts';
import { BookingService } from './booking.service.ts';
import { CollectionService } from './collection.service.ts';
import { CollectionWriter } from './collection.writer.ts';
import { LabService } from './lab.service.ts';
import { OutboxRelay, type RelayOptions } from './outbox.relay.ts';

export interface TestingDeps {
  db: Database;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  trustList: () => Promise<TrustList>;
  docHash: (docType: number, number: string) => Buffer;
}

export interface TestingService {
  db: Database;
  writer: CollectionWriter;
  collection: CollectionService;
  lab: LabService;
  bookings: BookingService;
  relay: OutboxRelay;
}

/** Wires the testing service; call `relay.start()` to begin publishing. */
export function createTestingService(
  deps: TestingDeps,
  opts: { relay?: RelayOptions; maxBatch?: number } = {},
): TestingService {
  const relay = new OutboxRelay(deps.db, deps.bus, deps.clock, deps.log, opts.relay);
  const kick = () => relay.kick();
  const writer = new CollectionWriter(
    deps.db,
    opts.maxBatch !== undefined ? { maxBatch: opts.maxBatch } : {},
  );
  return {
    db: deps.db,
    writer,
    collection: new CollectionService({
      writer,
      clock: deps.clock,
      trustList: deps.trustList,
      docHash: deps.docHash,
    }),
    lab: new LabService(deps.db, deps.clock, kick),
    bookings: new BookingService(deps.db, deps.clock, kick),
    relay,
  };
}

/** Applies the testing service's own migration set (`migrations/testing/`) to its database. */
export async function migrateTesting(db: Database): Promise<string[]> {
  return migrate(db, TESTING_MIGRATIONS);
}
