/** The testing service's stores over its database, and its unit of work (one transaction, the stores bound to it). */
import type { NatStores, NatUnitOfWork } from '../../ports/nat.port.ts';
import type { Database, Queryable } from '../db/database.ts';
import { NatAuditRepository } from './audit.repository.ts';
import { NatBookingRepository } from './booking.repository.ts';
import { NatLabRepository } from './lab.repository.ts';
import { NatOutboxRepository } from './outbox.repository.ts';
import { NatSiteRepository } from './site.repository.ts';

/** The stores on a connection or a transaction. */
export function natStores(q: Queryable): NatStores {
  return {
    sites: new NatSiteRepository(q),
    bookings: new NatBookingRepository(q),
    lab: new NatLabRepository(q),
    outbox: new NatOutboxRepository(q),
    audit: new NatAuditRepository(q),
  };
}

export class DbNatUnitOfWork implements NatUnitOfWork {
  constructor(private readonly db: Database) {}

  run<T>(work: (stores: NatStores) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(natStores(tx)));
  }
}
