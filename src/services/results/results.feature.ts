/**
 * The testing feature on the code service's side: resident routes and the intermediate-store
 * consumer (worker role). The testing service itself runs as its own role (src/roles/nat-testing.role.ts).
 */
import { resultsRoutes } from '../../http/routes/results.routes.ts';
import type { Feature } from '../../roles/features.ts';
import { IntermediateStoreConsumer } from './intermediate-store.consumer.ts';

export const resultsFeature: Feature = {
  name: 'testing',
  routes: resultsRoutes,
  async startWorker(ctx) {
    const consumer = new IntermediateStoreConsumer(
      ctx.db,
      ctx.bus,
      ctx.facts,
      ctx.clock,
      ctx.log.child({ feature: 'intermediate-store' }),
    );
    await consumer.start();
    return () => consumer.stop();
  },
};
