/**
 * The places feature's options and the set of its services: risk areas, matching, itinerary
 * card, venues and check-ins. They are built once per context by the composition root
 * (src/roles/places.feature.ts). Options default to PLACES_DEFAULTS; an operator overrides them
 * with the `settings` row 'places' (JSON, same keys).
 */
import type { AreaMatcherService } from './area-matcher.service.ts';
import type { CheckinService, CheckinOptions } from './checkin.service.ts';
import type { CodeCompanionService } from './code-companion.service.ts';
import type { ItineraryService } from './itinerary.service.ts';
import type { RiskAreaService, PlacesAreaOptions } from './risk-area.service.ts';
import type { VenueService } from './venue.service.ts';
import type { TripExposureService } from './trip-exposure.service.ts';
import type { CitiesWithCasesService } from './cities-with-cases.service.ts';
import type { RiskAreaStore } from '../../ports/risk-area-store.port.ts';
import type { StayStore } from '../../ports/stay-store.port.ts';
import type { TripStore } from '../../ports/trip-store.port.ts';
import type { VenueStore } from '../../ports/venue-store.port.ts';

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

/** The operator's overrides: known keys with non-negative numbers; anything else is ignored. */
export function placesOptions(
  stored: Record<string, unknown> | undefined,
  overrides: Partial<PlacesOptions> = {},
): PlacesOptions {
  const o: Record<string, number> = { ...PLACES_DEFAULTS };
  for (const [k, v] of Object.entries(stored ?? {}))
    if (k in PLACES_DEFAULTS && typeof v === 'number' && Number.isFinite(v) && v >= 0) o[k] = v;
  return { ...(o as unknown as PlacesOptions), ...overrides };
}

/** The places services of one context. */
export interface Places {
  options: PlacesOptions;
  areas: RiskAreaService;
  matcher: AreaMatcherService;
  /** trips: inbound rules for risk areas, co-travellers of cases */
  trips: TripExposureService;
  /** cities with cases: the list, and presence there → city_with_cases_stay */
  cities: CitiesWithCasesService;
  itinerary: ItineraryService;
  venues: VenueService;
  checkins: CheckinService;
  /** code-display positions against cases' recent positions (the companion rule) */
  codeCompanions: CodeCompanionService;
  /** the stores behind them (tests, benchmarks and tools read and seed through these) */
  stores: { areas: RiskAreaStore; stays: StayStore; trips: TripStore; venues: VenueStore };
}
