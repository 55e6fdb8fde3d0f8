/**
 * Process roles: `api` serves HTTP, `worker` recomputes statuses, `all` (the embedded default)
 * does both in one process. Later roles (testing, companion, hub) plug in beside these.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteModule } from '../http/app.ts';
import type { Metrics } from '../http/metrics.ts';
import { startMetricsServer } from '../http/metrics-server.ts';
import { buildServer } from '../http/server.ts';
import { RecomputeWorker } from '../services/recompute.worker.ts';
import type { AppContext } from './context.ts';
import { FEATURES } from './features.ts';

export interface Running {
  app?: FastifyInstance;
  worker?: RecomputeWorker;
  url?: string;
  /** where /metrics is served when it has a listener of its own (HC_METRICS_PORT) */
  metricsUrl?: string;
  stop(): Promise<void>;
}

const featureRoutes: RouteModule[] = FEATURES.flatMap((f) => (f.routes ? [f.routes] : []));

export async function startRoles(ctx: AppContext, opts: { listen?: boolean } = {}): Promise<Running> {
  const role = ctx.config.role;
  await ctx.keys.ensureKey();
  await ctx.policies.active();
  const running: Running = { stop: async () => undefined };
  const stops: Array<() => Promise<void>> = [];
  let metrics: Metrics | undefined;
  if (role === 'all' || role === 'worker') {
    let metricsHook: ((s: number) => void) | undefined;
    running.worker = new RecomputeWorker(ctx.bus, ctx.statuses, ctx.log, {
      clock: ctx.clock,
      onLatency: (s) => metricsHook?.(s),
    });
    await running.worker.start();
    for (const f of FEATURES) if (f.startWorker) stops.push(await f.startWorker(ctx));
    if (role === 'all') {
      const built = await buildServer(ctx, { extraRoutes: featureRoutes });
      running.app = built.app;
      metrics = built.metrics;
      metricsHook = (s) => built.metrics.factToColour.observe(s);
    }
  } else if (role === 'api') {
    const built = await buildServer(ctx, { extraRoutes: featureRoutes });
    running.app = built.app;
    metrics = built.metrics;
  }
  if (running.app && opts.listen !== false) {
    running.url = await running.app.listen({ port: ctx.config.port, host: ctx.config.host });
  }
  const where = ctx.config.metrics;
  if (metrics && where.kind === 'separate' && opts.listen !== false) {
    const server = await startMetricsServer(metrics, where.host, where.port);
    running.metricsUrl = server.url;
    stops.push(() => server.close());
  }
  running.stop = async () => {
    await running.app?.close();
    await running.worker?.stop();
    for (const s of stops) await s();
  };
  return running;
}
