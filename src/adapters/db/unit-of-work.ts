/** The unit of work over the database: one transaction, the stores bound to it. */
import type { Stores, UnitOfWork } from '../../ports/unit-of-work.port.ts';
import { FeedRepository } from '../feeds/feed.repository.ts';
import { AuditLogRepository } from '../repositories/audit-log.repository.ts';
import { FactRepository } from '../repositories/fact.repository.ts';
import { IssuedCodeRepository } from '../repositories/issued-code.repository.ts';
import { PersonRepository } from '../repositories/person.repository.ts';
import { PolicyRepository } from '../repositories/policy.repository.ts';
import { SigningKeyRepository } from '../repositories/signing-key.repository.ts';
import { DeviceRepository } from '../repositories/auth/device.repository.ts';
import { SessionRepository } from '../repositories/auth/session.repository.ts';
import { StaffRepository } from '../repositories/auth/staff.repository.ts';
import { IntermediateStoreRepository } from '../repositories/results/intermediate-store.repository.ts';
import { CityWithCasesRepository } from '../repositories/places/city-with-cases.repository.ts';
import { RiskAreaRepository } from '../repositories/places/risk-area.repository.ts';
import { VenueRepository } from '../repositories/places/venue.repository.ts';
import type { Database } from './database.ts';

export class DbUnitOfWork implements UnitOfWork {
  constructor(private readonly db: Database) {}

  run<T>(work: (stores: Stores) => Promise<T>): Promise<T> {
    // Everything inside goes through these stores: on PGlite the one session is this transaction's.
    return this.db.transaction((tx) =>
      work({
        facts: new FactRepository(tx),
        audit: new AuditLogRepository(tx),
        policies: new PolicyRepository(tx),
        codes: new IssuedCodeRepository(tx),
        feeds: new FeedRepository(tx),
        registrations: new PersonRepository(tx),
        tasks: new FeedRepository(tx),
        keys: new SigningKeyRepository(tx),
        devices: new DeviceRepository(tx),
        sessions: new SessionRepository(tx),
        staff: new StaffRepository(tx),
        intermediate: new IntermediateStoreRepository(tx),
        venues: new VenueRepository(tx),
        riskAreas: new RiskAreaRepository(tx),
        citiesWithCases: new CityWithCasesRepository(tx),
      }),
    );
  }
}
