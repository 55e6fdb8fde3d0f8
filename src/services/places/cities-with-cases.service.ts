/**
 * Cities with cases (有病例的城市): the health authority lists a prefecture or county with a
 * start (and an end once it has none); presence there while listed — a stay, a trip leaving or
 * arriving — becomes a `city_with_cases_stay` fact (the yellow rule). Listing re-matches the
 * lookback window at once; later stays and trips are matched by the places worker.
 */
import {
  cityWithCasesFacts,
  tripPresence,
  type CityEntry,
  type Presence,
} from '../../domain/places/cities-with-cases.ts';
import type { PlaceFact } from '../../domain/places/trip-exposure.ts';
import { CITY_CENTROIDS, nearestPrefecture } from '../../domain/places/city-centroids.ts';
import { cityName, countyName, regionLabel } from '../../domain/regions.ts';
import type { CityWithCasesRow, CityWithCasesStore } from '../../ports/city-with-cases-store.port.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { StayRow, StayStore } from '../../ports/stay-store.port.ts';
import type { TripStore } from '../../ports/trip-store.port.ts';
import type { UnitOfWork } from '../../ports/unit-of-work.port.ts';
import { AppError } from '../app-error.ts';
import type { AuditService } from '../audit.service.ts';
import type { FactService } from '../fact.service.ts';
import type { PlacesRules } from './trip-exposure.service.ts';

const DAY = 86_400_000;
type NewFact = Parameters<FactService['recordMany']>[0][number];

export interface CityInput {
  regionCode: string;
  since?: string;
  until?: string | null;
  note?: string | null;
}

export interface CityView {
  id: number;
  regionCode: string;
  name: string;
  since: string;
  until: string | null;
  note: string | null;
}

export interface CityMatchReport {
  stays: number;
  trips: number;
  facts: number;
}

/** The name of a listed region: 北京市, 贵州省 贵阳市 南明区. */
export function listedName(code: string): string | undefined {
  return code.length === 4 ? cityName(code) : regionLabel(code);
}

function entryOf(r: CityWithCasesRow): CityEntry {
  return {
    id: r.id,
    regionCode: r.region_code,
    since: new Date(r.since).getTime(),
    until: r.until ? new Date(r.until).getTime() : Infinity,
  };
}

function view(r: CityWithCasesRow): CityView {
  return {
    id: r.id,
    regionCode: r.region_code,
    name: listedName(r.region_code) ?? r.region_code,
    since: new Date(r.since).toISOString(),
    until: r.until ? new Date(r.until).toISOString() : null,
    note: r.note,
  };
}

/** A stay's region: its county, or the prefecture nearest its position. */
export function stayPresence(s: StayRow): Presence | undefined {
  const region =
    s.region_code ?? (s.lat !== null && s.lon !== null ? nearestPrefecture(s.lat, s.lon) : undefined);
  if (!region) return undefined;
  const start = new Date(s.started_at).getTime();
  return {
    personId: Number(s.person_id),
    region,
    start,
    end: Math.max(start, new Date(s.ended_at).getTime()),
    key: `stay:${s.source}:${s.source_record_id}@${start}`,
  };
}

export class CitiesWithCasesService {
  constructor(
    private readonly store: CityWithCasesStore,
    private readonly stays: StayStore,
    private readonly trips: TripStore,
    private readonly facts: FactService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly rules: () => Promise<PlacesRules>,
    /** a listing or its end commits with its audit entry; the re-match follows the commit */
    private readonly uow: UnitOfWork,
  ) {}

  /** Lists a city (inside the caller's region), audits, and matches the lookback window at once. */
  async publish(
    who: { actor: string; regionPrefix: string },
    input: CityInput,
  ): Promise<{ city: CityView; rematch: CityMatchReport }> {
    const code = input.regionCode;
    if (!/^\d{4}(\d{2})?$/.test(code) || (code.length === 4 ? !cityName(code) : !countyName(code)))
      throw new AppError(
        'CITY_REGION',
        400,
        'regionCode must be a known prefecture (4 digits) or county (6 digits)',
      );
    if (!code.startsWith(who.regionPrefix) && !who.regionPrefix.startsWith(code))
      throw new AppError(
        'CITY_OUT_OF_REGION',
        403,
        `you may list cities only inside region ${who.regionPrefix}`,
      );
    if (who.regionPrefix.length > code.length)
      throw new AppError(
        'CITY_OUT_OF_REGION',
        403,
        `your region ${who.regionPrefix} is smaller than ${code}`,
      );
    const now = this.clock.now();
    const since = input.since !== undefined ? time(input.since, 'since') : now;
    const until = input.until ? time(input.until, 'until') : null;
    if (until !== null && until < since)
      throw new AppError('CITY_TIMES', 400, 'until must not be before since');
    const row = await this.uow.run(async (s) => {
      const row = await s.citiesWithCases.insert({
        regionCode: code,
        since: new Date(since),
        until: until === null ? null : new Date(until),
        note: input.note ?? null,
        actor: who.actor,
        at: new Date(now),
      });
      await this.audit.appendTo(s.audit, {
        actor: who.actor,
        action: 'city-with-cases.publish',
        detail: { id: row.id, regionCode: code, since: new Date(since).toISOString() },
      });
      return row;
    });
    return { city: view(row), rematch: await this.rematch(row) };
  }

  /** Ends a listing (now, or at a given time). */
  async end(who: { actor: string; regionPrefix: string }, id: number, at?: string): Promise<CityView> {
    const old = await this.store.get(id);
    if (
      !old ||
      !(old.region_code.startsWith(who.regionPrefix) || who.regionPrefix.startsWith(old.region_code))
    )
      throw new AppError('CITY_NOT_FOUND', 404, 'no such listed city in your region');
    const now = this.clock.now();
    const until = at !== undefined ? time(at, 'at') : now;
    const row = await this.uow.run(async (s) => {
      const row = await s.citiesWithCases.setUntil(id, new Date(until), who.actor, new Date(now));
      if (!row) throw new AppError('CITY_NOT_FOUND', 404, 'no such listed city in your region');
      await this.audit.appendTo(s.audit, {
        actor: who.actor,
        action: 'city-with-cases.end',
        detail: { id, until: new Date(until).toISOString() },
      });
      return row;
    });
    return view(row);
  }

  /** Cities listed now (public). */
  async listed(): Promise<CityView[]> {
    const now = this.clock.now();
    return (await this.store.listedSince(new Date(now)))
      .filter((r) => new Date(r.since).getTime() <= now)
      .map(view);
  }

  /** New trips of these persons against the listed cities. */
  async tripsArrived(personIds: readonly number[]): Promise<CityMatchReport> {
    const { from, entries } = await this.window();
    if (entries.length === 0) return { stays: 0, trips: 0, facts: 0 };
    const trips = await this.trips.forPersons(personIds, new Date(from));
    return {
      stays: 0,
      trips: trips.length,
      facts: await this.record(cityWithCasesFacts(tripPresence(trips), entries, from, listedName)),
    };
  }

  /** Stays started in [from, to) against the listed cities (the worker's sweep). */
  async sweepStays(from: Date, to: Date): Promise<CityMatchReport> {
    const w = await this.window();
    if (w.entries.length === 0) return { stays: 0, trips: 0, facts: 0 };
    const stays = await this.stays.between(from, to);
    const presence = stays.map(stayPresence).filter((p): p is Presence => p !== undefined);
    return {
      stays: stays.length,
      trips: 0,
      facts: await this.record(cityWithCasesFacts(presence, w.entries, w.from, listedName)),
    };
  }

  /** A new listing against the lookback window: region-coded stays, stays near the city centre, trips. */
  private async rematch(row: CityWithCasesRow): Promise<CityMatchReport> {
    const { from } = await this.window();
    const e = entryOf(row);
    const now = this.clock.now();
    const start = new Date(Math.max(from, e.since) - DAY);
    const end = new Date(Math.min(now, e.until) + 1);
    const stays: StayRow[] = await this.stays.inDivision(e.regionCode, start, end);
    const centre = CITY_CENTROIDS.find(([c]) => c === e.regionCode.slice(0, 4));
    if (centre) {
      const [, lat, lon] = centre;
      for (const s of await this.stays.inBox([lon - 1.4, lat - 1.1, lon + 1.4, lat + 1.1], start, end))
        if (s.region_code === null) stays.push(s);
    }
    const trips = await this.trips.touchingPrefecture(e.regionCode.slice(0, 4), start, end);
    const presence = [...stays.map(stayPresence), ...tripPresence(trips)].filter(
      (p): p is Presence => p !== undefined,
    );
    return {
      stays: stays.length,
      trips: trips.length,
      facts: await this.record(cityWithCasesFacts(presence, [e], from, listedName)),
    };
  }

  private async window(): Promise<{ from: number; entries: CityEntry[] }> {
    const { lookbackDays } = await this.rules();
    const from = this.clock.now() - lookbackDays * DAY;
    return { from, entries: (await this.store.listedSince(new Date(from))).map(entryOf) };
  }

  private async record(facts: readonly PlaceFact[]): Promise<number> {
    if (facts.length === 0) return 0;
    let n = 0;
    for (let i = 0; i < facts.length; i += 5000)
      n += (await this.facts.recordMany(facts.slice(i, i + 5000) as readonly NewFact[])).inserted;
    return n;
  }
}

function time(s: string, what: string): number {
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new AppError('CITY_TIMES', 400, `${what} must be an ISO 8601 time`);
  return t;
}
