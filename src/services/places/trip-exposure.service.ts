/**
 * Trips reach the colour (docs/PLACES.md §Trips): a departure from or an arrival in a region with
 * an active risk area applies the inbound rules, and passengers who shared a flight or a train
 * (carriage) with a case become contacts of the tier the policy names. Both directions: a trip
 * that arrives after the area or the case, and an area or a case that arrives after the trip.
 * Every fact has a stable source record id, so a repeat changes nothing.
 */
import {
  coTravelFacts,
  tripAreaFacts,
  type AreaForTrips,
  type PlaceFact,
  type TripForMatch,
} from '../../domain/places/trip-exposure.ts';
import type { SourceRules } from '../../domain/policy/sources.policy.ts';
import type { CaseStore } from '../../ports/case-store.port.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { RiskAreaRow } from '../../ports/risk-area-store.port.ts';
import type { TripStore } from '../../ports/trip-store.port.ts';
import type { FactService } from '../fact.service.ts';

/** A fact to record, as FactService takes it. */
type NewFact = Parameters<FactService['recordMany']>[0][number];

const DAY = 86_400_000;

/** The policy numbers the places sources follow. */
export interface PlacesRules {
  sources: SourceRules;
  lookbackDays: number;
}

export interface TripMatchReport {
  trips: number;
  facts: number;
}

export function areaForTrips(r: RiskAreaRow): AreaForTrips {
  return {
    id: Number(r.id),
    name: r.name,
    level: r.level,
    regionCode: r.region_code,
    startsAt: new Date(r.starts_at).getTime(),
    liftedAt: r.lifted_at ? new Date(r.lifted_at).getTime() : Infinity,
  };
}

export class TripExposureService {
  constructor(
    private readonly trips: TripStore,
    private readonly cases: CaseStore,
    private readonly facts: FactService,
    private readonly clock: Clock,
    private readonly rules: () => Promise<PlacesRules>,
    private readonly areas: () => Promise<readonly RiskAreaRow[]>,
  ) {}

  /** New trips of these persons: risk areas at either end, and cases who travelled on the same service. */
  async tripsArrived(personIds: readonly number[]): Promise<TripMatchReport> {
    const now = this.clock.now();
    const { sources, lookbackDays } = await this.rules();
    const since = now - lookbackDays * DAY;
    const trips = await this.trips.forPersons(personIds, new Date(since));
    const areas = (await this.areas()).map(areaForTrips);
    const facts = tripAreaFacts(trips, areas, sources.tripLevels, sources.tripMatch, since);
    const window = sources.coTravellers.windowDays * DAY;
    // Cases who may have shared a service with these trips: their case is at most the window after it.
    const services = trips.filter((t) => t.service !== null);
    if (services.length) {
      const seen = new Set<string>();
      for (const t of services) {
        const key = `${t.mode}:${t.service}`;
        const onBoard = await this.trips.onService(
          t.mode,
          t.service as string,
          new Date(t.departedAt),
          new Date(t.arrivedAt),
        );
        const riders = [...new Set(onBoard.map((o) => o.personId))];
        const cases = await this.cases.activeCases(new Date(t.departedAt - lookbackDays * DAY), riders);
        for (const c of cases) {
          for (const caseTrip of onBoard.filter((o) => o.personId === c.personId)) {
            if (seen.has(`${key}:${caseTrip.id}:${t.id}`)) continue;
            seen.add(`${key}:${caseTrip.id}:${t.id}`);
            if (caseTrip.arrivedAt < c.eventTime - window) continue;
            facts.push(...coTravelFacts(caseTrip, c.eventTime, [t], sources.coTravellers));
          }
        }
      }
    }
    return { trips: trips.length, facts: await this.record(facts) };
  }

  /** New facts for these persons: those who are active cases get their co-travellers found. */
  async casesArrived(personIds: readonly number[]): Promise<TripMatchReport> {
    const now = this.clock.now();
    const { sources, lookbackDays } = await this.rules();
    const window = sources.coTravellers.windowDays * DAY;
    const cases = await this.cases.activeCases(
      new Date(now - (lookbackDays + sources.coTravellers.windowDays) * DAY),
      personIds,
    );
    let trips = 0;
    const facts: PlaceFact[] = [];
    for (const c of cases) {
      const own = (await this.trips.forPersons([c.personId], new Date(c.eventTime - window))).filter(
        (t) => t.service !== null,
      );
      trips += own.length;
      for (const t of own) {
        const others = await this.trips.onService(
          t.mode,
          t.service as string,
          new Date(t.departedAt),
          new Date(t.arrivedAt),
        );
        facts.push(...coTravelFacts(t, c.eventTime, others, sources.coTravellers));
      }
    }
    return { trips, facts: await this.record(facts) };
  }

  /** Trips received in [from, to) matched again (the worker's catch-up pass). */
  async sweep(
    from: Date,
    to: Date,
    more?: (personIds: number[]) => Promise<unknown>,
  ): Promise<TripMatchReport> {
    const persons = await this.trips.personsReceived(from, to);
    const total: TripMatchReport = { trips: 0, facts: 0 };
    for (let i = 0; i < persons.length; i += 500) {
      const slice = persons.slice(i, i + 500);
      const r = await this.tripsArrived(slice);
      await more?.(slice);
      total.trips += r.trips;
      total.facts += r.facts;
    }
    return total;
  }

  /** A published or changed area: trips of the lookback window that left from or arrived in its region. */
  async rematchArea(row: RiskAreaRow): Promise<TripMatchReport> {
    const now = this.clock.now();
    const { sources, lookbackDays } = await this.rules();
    const since = now - lookbackDays * DAY;
    const area = areaForTrips(row);
    const trips: TripForMatch[] = await this.trips.touchingPrefecture(
      row.region_code.slice(0, 4),
      new Date(Math.max(since, area.startsAt)),
      new Date(Math.min(now, area.liftedAt)),
    );
    const facts = tripAreaFacts(trips, [area], sources.tripLevels, sources.tripMatch, since);
    return { trips: trips.length, facts: await this.record(facts) };
  }

  private async record(facts: readonly PlaceFact[]): Promise<number> {
    if (facts.length === 0) return 0;
    // The policy schema admits only fact types a source may record; FactService checks again.
    const r = await this.facts.recordMany(facts as readonly NewFact[]);
    return r.inserted;
  }
}
