/**
 * Process roles: `api` serves HTTP, `worker` recomputes statuses, `all` (the embedded default)
 * does both in one process. Later roles (testing, companion, hub) plug in beside these.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteModule } from '../http/app.ts';
import { buildServer } from '../http/server.ts';
import { RecomputeWorker } from '../services/recompute.worker.ts';
import type { AppContext } from './context.ts';
import { FEATURES } from './features.ts';

export interface Running {
  app?: FastifyInstance;
  worker?: RecomputeWorker;
  url?: string;
  stop(): Promise<void>;
}

const featureRoutes: RouteModule[] = FEATURES.flatMap((f) => (f.routes ? [f.routes] : []));

export async function startRoles(ctx: AppContext, opts: { listen?: boolean } = {}): Promise<Running> {
  const role = ctx.config.role;
  await ctx.keys.ensureKey();
  await ctx.policies.active();
  const running: Running = { stop: async () => undefined };
  const stops: Array<() => Promise<void>> = [];
  if (role === 'all' || role === 'worker') {
    let metricsHook: ((s: number) => void) | undefined;
    running.worker = new RecomputeWorker(ctx.bus, ctx.statuses, ctx.log, {
      onLatency: (s) => metricsHook?.(s),
    });
    await running.worker.start();
    for (const f of FEATURES) if (f.startWorker) stops.push(await f.startWorker(ctx));
    if (role === 'all') {
      const { app, metrics } = await buildServer(ctx, { extraRoutes: featureRoutes });
      metricsHook = (s) => metrics.factToColour.observe(s);
      running.app = app;
    }
  } else if (role === 'api') {
    running.app = (await buildServer(ctx, { extraRoutes: featureRoutes })).app;
  }
  if (running.app && opts.listen !== false) {
    running.url = await running.app.listen({ port: ctx.config.port, host: ctx.config.host });
  }
  running.stop = async () => {
    await running.app?.close();
    await running.worker?.stop();
    for (const s of stops) await s();
  };
  return running;
}
