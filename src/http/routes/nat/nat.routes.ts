/**
 * The testing service's HTTP API under /testing/v1 (docs/TESTING-SERVICE.md): sites and slots
 * (officers, inside their region), bookings (residents), collection (tester devices), receipts
 * and results (lab devices), health.
 */
import type { App } from '../../app.ts';
import { natBookingRoutes } from './bookings.routes.ts';
import { natCollectionRoutes } from './collection.routes.ts';
import { natLabRoutes } from './lab.routes.ts';
import type { NatApi } from './nat-api.ts';
import { tags } from './nat.schemas.ts';
import { natSiteRoutes } from './sites.routes.ts';

export type { NatApi } from './nat-api.ts';

/** Registers the /testing/v1 routes on a server that has the auth hook and error mapper. */
export function natRoutes(app: App, nat: NatApi): void {
  app.get(
    '/testing/v1/healthz',
    { config: { auth: 'public' }, schema: { tags, summary: '检测服务状态 Testing service health' } },
    async () => nat.status.health(),
  );
  natSiteRoutes(app, nat);
  natBookingRoutes(app, nat);
  natCollectionRoutes(app, nat);
  natLabRoutes(app, nat);
}
