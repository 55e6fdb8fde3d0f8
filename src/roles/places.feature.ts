/**
 * Composition of the places feature (docs/PLACES.md): its repositories over the context's
 * database and its services over those ports, built once per context by createContext. The
 * operator's `settings` row 'places' is read here, once.
 */
import type { Database } from '../adapters/db/database.ts';
import type { PersonRepository } from '../adapters/repositories/person.repository.ts';
import { CaseRepository } from '../adapters/repositories/places/case.repository.ts';
import { CityWithCasesRepository } from '../adapters/repositories/places/city-with-cases.repository.ts';
import { CitiesWithCasesService } from '../services/places/cities-with-cases.service.ts';
import { PlacesSettingsRepository } from '../adapters/repositories/places/places-settings.repository.ts';
import { RiskAreaRepository } from '../adapters/repositories/places/risk-area.repository.ts';
import { PlacesStayRepository } from '../adapters/repositories/places/stay.repository.ts';
import { TripRepository } from '../adapters/repositories/places/trip.repository.ts';
import { VenueRepository } from '../adapters/repositories/places/venue.repository.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { UnitOfWork } from '../ports/unit-of-work.port.ts';
import type { PersonSubjects } from '../ports/person-subject.port.ts';
import type { AuditService } from '../services/audit.service.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { FactService } from '../services/fact.service.ts';
import type { KeyService } from '../services/key.service.ts';
import type { PolicyService } from '../services/policy.service.ts';
import { sourceRules } from '../domain/policy/sources.policy.ts';
import { CodeCompanionService } from '../services/places/code-companion.service.ts';
import { TripExposureService, type PlacesRules } from '../services/places/trip-exposure.service.ts';
import type { ResidentService } from '../services/resident.service.ts';
import type { VerifyService } from '../services/verify.service.ts';
import { AreaMatcherService } from '../services/places/area-matcher.service.ts';
import { CheckinService } from '../services/places/checkin.service.ts';
import { ItineraryService } from '../services/places/itinerary.service.ts';
import { placesOptions, type Places, type PlacesOptions } from '../services/places/places.ts';
import { RiskAreaService } from '../services/places/risk-area.service.ts';
import { VenueService } from '../services/places/venue.service.ts';

/** What the places feature takes from the core context. */
export interface PlacesCore {
  issuer: string;
  clock: Clock;
  db: Database;
  /** places writes commit with their audit entries */
  uow: UnitOfWork;
  persons: PersonRepository;
  audit: AuditService;
  facts: FactService;
  keys: KeyService;
  auth: AuthService;
  residents: ResidentService;
  verify: VerifyService;
  policies: PolicyService;
}

/** Builds the places services; `overrides` win over the operator's settings row. */
export async function createPlaces(c: PlacesCore, overrides: Partial<PlacesOptions> = {}): Promise<Places> {
  const opts = placesOptions(await new PlacesSettingsRepository(c.db).read(), overrides);
  const stores = {
    areas: new RiskAreaRepository(c.db),
    stays: new PlacesStayRepository(c.db),
    trips: new TripRepository(c.db),
    venues: new VenueRepository(c.db),
  };
  const cases = new CaseRepository(c.db);
  const subjects: PersonSubjects = {
    subjectOf: async (id) => (await c.persons.byId(id))?.code_subject,
    personOf: async (subject) => (await c.persons.bySubject(subject))?.id,
  };
  const rules = async (): Promise<PlacesRules> => {
    const { policy } = await c.policies.active();
    return { sources: sourceRules(policy.sources), lookbackDays: policy.lookbackDays };
  };
  const areas = new RiskAreaService(stores.areas, c.audit, c.clock, opts, c.uow);
  const matcher = new AreaMatcherService(
    stores.stays,
    c.facts,
    c.clock,
    () => areas.index(),
    opts.lookbackDays,
    async () => (await rules()).sources.stayLevels,
  );
  const trips = new TripExposureService(stores.trips, cases, c.facts, c.clock, rules, async () => [
    ...(await areas.index()).rows.values(),
  ]);
  areas.matcher = matcher;
  const checkins = new CheckinService(
    stores.venues,
    stores.stays,
    subjects,
    cases,
    c.facts,
    c.keys,
    c.verify,
    matcher,
    c.clock,
    c.issuer,
    opts,
  );
  const codeCompanions = new CodeCompanionService(stores.stays, cases, c.facts, c.clock, rules);
  checkins.codeCompanions = codeCompanions;
  areas.trips = trips;
  const cities = new CitiesWithCasesService(
    new CityWithCasesRepository(c.db),
    stores.stays,
    stores.trips,
    c.facts,
    c.audit,
    c.clock,
    rules,
    c.uow,
  );
  return {
    options: opts,
    areas,
    matcher,
    trips,
    cities,
    itinerary: new ItineraryService(
      stores.stays,
      stores.trips,
      subjects,
      c.residents,
      areas,
      c.keys,
      c.clock,
      c.issuer,
    ),
    venues: new VenueService(stores.venues, c.auth, c.keys, c.audit, c.clock, c.issuer, c.uow),
    checkins,
    codeCompanions,
    stores,
  };
}
