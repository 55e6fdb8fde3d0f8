/**
 * The places pipeline as the api and worker roles run it, for end-to-end tests of sources that
 * reach the colour through places: the recompute worker, the places worker and an HTTP server with
 * the routes a test drives.
 */
import pino from 'pino';
import type { App, RouteModule } from '../../src/http/app.ts';
import { RecomputeWorker } from '../../src/services/recompute.worker.ts';
import { startPlacesWorker } from '../../src/services/places/places.worker.ts';
import type { TestContext } from '../context.ts';
import { testServer } from './http.ts';

/** Starts the pipeline; `stop` closes the server and both workers. */
export async function startPlacesPipeline(
  ctx: TestContext,
  routes: RouteModule[],
): Promise<{ app: App; stop: () => Promise<void> }> {
  await ctx.keys.ensureKey();
  const worker = new RecomputeWorker(ctx.bus, ctx.statuses, pino({ level: 'silent' }), {
    reviewIntervalMs: 60_000,
  });
  await worker.start();
  const stopPlaces = await startPlacesWorker({
    places: ctx.places,
    bus: ctx.bus,
    clock: ctx.clock,
    log: ctx.log,
  });
  const app = await testServer(ctx, routes);
  return {
    app,
    stop: async () => {
      await app.close();
      await stopPlaces();
      await worker.stop();
    },
  };
}
