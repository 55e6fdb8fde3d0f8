/**
 * The testing feature on the code service's side (docs/DESIGN.md §7): resident routes over the
 * intermediate store and the consumer that fills it (worker role). The testing service itself runs
 * as its own role (src/roles/nat-testing.role.ts).
 */
import { IntermediateStoreRepository } from '../adapters/repositories/results/intermediate-store.repository.ts';
import type { RouteModule } from '../http/app.ts';
import { resultsRoutes } from '../http/routes/results.routes.ts';
import { IntermediateStoreConsumer } from '../services/results/intermediate-store.consumer.ts';
import { ResultsService } from '../services/results/results.service.ts';
import type { AppContext } from './context.ts';

/** The results service over the context's stores. */
export function createResultsService(ctx: AppContext): ResultsService {
  return new ResultsService(
    new IntermediateStoreRepository(ctx.db),
    ctx.repos.persons,
    ctx.residents,
    ctx.facts,
    ctx.clock,
  );
}

/** The consumer that fills the intermediate store from the testing service's events (not started). */
export function createIntermediateStoreConsumer(
  ctx: AppContext,
  log = ctx.log.child({ feature: 'intermediate-store' }),
): IntermediateStoreConsumer {
  return new IntermediateStoreConsumer(
    new IntermediateStoreRepository(ctx.db),
    ctx.uow,
    ctx.bus,
    ctx.facts,
    ctx.clock,
    log,
  );
}

/** The resident routes over the intermediate store, as a route module (servers and tests add it). */
export const resultsRouteModule: RouteModule = (app, ctx) => resultsRoutes(app, createResultsService(ctx));

export const resultsFeature = {
  name: 'testing',
  routes: resultsRouteModule,
  async startWorker(ctx: AppContext): Promise<() => Promise<void>> {
    const consumer = createIntermediateStoreConsumer(ctx);
    await consumer.start();
    return () => consumer.stop();
  },
};
