/**
 * The testing service assembled: its database (schema `testing`, possibly a database of its own),
 * the group-committing collection writer, labs, bookings and the outbox relay. It depends only on
 * shared adapters (database, bus, clock, logger) and two functions handed in by the role: the
 * trust list to verify codes with, and the registry's keyed document hash.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Database } from '../adapters/db/database.ts';
import { MIGRATIONS_DIR, splitStatements } from '../adapters/db/migrate.ts';
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

/** Testing migrations are the `02xx_testing_*` files; applied alone to a testing database of its own. */
export async function migrateTesting(db: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^02\d\d_testing_.+\.sql$/.test(f))
    .sort();
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(727274)');
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    const applied: string[] = [];
    for (const f of files) {
      if (done.has(f)) continue;
      for (const stmt of splitStatements(fs.readFileSync(path.join(dir, f), 'utf8'))) await tx.query(stmt);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [f]);
      applied.push(f);
    }
    return applied;
  });
}
