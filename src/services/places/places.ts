/**
 * The places feature wired over one AppContext (one instance per context, created on first use):
 * risk areas, matching, itinerary card, venues and check-ins. Options default to PLACES_DEFAULTS;
 * an operator overrides them with the `settings` row 'places' (JSON, same keys), read by
 * `loadPlacesSettings` when the routes or the worker start.
 */
import { PersonRepository } from '../../adapters/repositories/person.repository.ts';
import { RiskAreaRepository } from '../../adapters/repositories/places/risk-area.repository.ts';
import { PlacesStayRepository } from '../../adapters/repositories/places/stay.repository.ts';
import { VenueRepository } from '../../adapters/repositories/places/venue.repository.ts';
import type { AppContext } from '../../roles/context.ts';
import { AreaMatcherService } from './area-matcher.service.ts';
import { CheckinService, type CheckinOptions } from './checkin.service.ts';
import { ItineraryService } from './itinerary.service.ts';
import { RiskAreaService, type PlacesAreaOptions } from './risk-area.service.ts';
import { VenueService } from './venue.service.ts';

export type PlacesOptions = PlacesAreaOptions &
  CheckinOptions & {
    /** worker: how far back each sweep of stays against all areas looks, and how often it runs */
    sweepHours: number;
    sweepSeconds: number;
  };

export const PLACES_DEFAULTS: PlacesOptions = {
  maxAccuracyM: 100,
  lookbackDays: 14,
  indexCheckMs: 5_000,
  dwellMinutes: 60,
  exposureMarginMinutes: 30,
  dedupeMinutes: 5,
  sweepHours: 6,
  sweepSeconds: 300,
};

export interface Places {
  options: PlacesOptions;
  areas: RiskAreaService;
  matcher: AreaMatcherService;
  itinerary: ItineraryService;
  venues: VenueService;
  checkins: CheckinService;
  repos: { areas: RiskAreaRepository; stays: PlacesStayRepository; venues: VenueRepository };
}

const instances = new WeakMap<AppContext, Places>();

/** The places services of this context (created once). `options` apply only on first creation. */
export function placesOf(ctx: AppContext, options: Partial<PlacesOptions> = {}): Places {
  let p = instances.get(ctx);
  if (p) return p;
  const opts: PlacesOptions = { ...PLACES_DEFAULTS, ...options };
  const repos = {
    areas: new RiskAreaRepository(ctx.db),
    stays: new PlacesStayRepository(ctx.db),
    venues: new VenueRepository(ctx.db),
  };
  const persons = ctx.repos.persons ?? new PersonRepository(ctx.db);
  const areas = new RiskAreaService(ctx.db, repos.areas, ctx.audit, ctx.clock, opts);
  const matcher = new AreaMatcherService(
    repos.stays,
    ctx.facts,
    ctx.clock,
    () => areas.index(),
    opts.lookbackDays,
  );
  areas.matcher = matcher;
  p = {
    options: opts,
    areas,
    matcher,
    itinerary: new ItineraryService(
      repos.stays,
      persons,
      ctx.residents,
      areas,
      ctx.keys,
      ctx.clock,
      ctx.config.issuer,
    ),
    venues: new VenueService(repos.venues, ctx.auth, ctx.keys, ctx.audit, ctx.clock, ctx.config.issuer),
    checkins: new CheckinService(
      repos.venues,
      repos.stays,
      persons,
      ctx.repos.statuses,
      ctx.repos.facts,
      ctx.facts,
      ctx.keys,
      matcher,
      ctx.clock,
      ctx.config.issuer,
      opts,
    ),
    repos,
  };
  instances.set(ctx, p);
  return p;
}

/** Creates the places services with the operator's `settings` row 'places' applied. */
export async function loadPlacesSettings(ctx: AppContext): Promise<Places> {
  if (instances.has(ctx)) return instances.get(ctx) as Places;
  const row = (
    await ctx.db.query<{ value: Partial<PlacesOptions> }>(`SELECT value FROM settings WHERE key = 'places'`)
  ).rows[0];
  const o: Partial<PlacesOptions> = {};
  for (const [k, v] of Object.entries(row?.value ?? {}))
    if (k in PLACES_DEFAULTS && typeof v === 'number' && v >= 0) (o as Record<string, number>)[k] = v;
  return placesOf(ctx, o);
}
