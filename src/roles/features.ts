/**
 * Feature areas plug their HTTP routes and background jobs in here, one line each, so the core
 * wiring never needs to know them. Keep this list short, ordered by the sections of docs/DESIGN.md.
 */
import type { RouteModule } from '../http/app.ts';
import type { AppContext } from './context.ts';
import { feedRouteModule, startFeedsWorker } from './feeds.feature.ts';
import { resultsFeature } from './results.feature.ts';
import { webRoutes } from '../http/routes/web.routes.ts';
import { placesRoutes } from '../http/routes/places.routes.ts';
import { startPlacesWorker } from '../services/places/places.worker.ts';
import { securityFeature } from './security.feature.ts';
import { auditFeature } from './audit.feature.ts';

export interface Feature {
  name: string;
  /** HTTP routes (api role) */
  routes?: RouteModule;
  /** background work in the worker role; returns a stop function */
  startWorker?: (ctx: AppContext) => Promise<() => Promise<void>>;
}

// Each feature area adds its import and one entry below (see docs/ARCHITECTURE.md).
export const FEATURES: Feature[] = [
  // feeds: the four data sources (§5)
  { name: 'feeds', routes: feedRouteModule, startWorker: startFeedsWorker },
  // test results through the intermediate store, vaccinations (§7)
  resultsFeature,
  // places: risk areas, itinerary card, venues (§8)
  {
    name: 'places',
    routes: placesRoutes,
    startWorker: (ctx) =>
      startPlacesWorker({ places: ctx.places, bus: ctx.bus, clock: ctx.clock, log: ctx.log }),
  },
  // security: SMS outbox relay (§11)
  securityFeature,
  // audit: signed checkpoints of the audit log (§11)
  auditFeature,
  // web: the resident, scanner and officer apps
  { name: 'web', routes: webRoutes },
];
