/** Liveness, readiness and (when they share the public listener) Prometheus metrics. */
import type { App } from '../app.ts';
import type { AppContext } from '../../roles/context.ts';
import type { Metrics } from '../metrics.ts';

export function systemRoutes(app: App, ctx: AppContext, metrics: Metrics): void {
  app.get('/healthz', { config: { auth: 'public' }, schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { auth: 'public' }, schema: { hide: true } }, async (_req, reply) => {
    try {
      await ctx.db.query('SELECT 1');
      await ctx.cache.get(0);
      return { status: 'ready', database: ctx.db.kind };
    } catch (err) {
      return reply.status(503).send({ status: 'not ready', error: String((err as Error).message) });
    }
  });

  // Metrics on the public listener only where configured so (demo mode's default); production
  // serves them on a loopback listener of their own (http/metrics-server.ts).
  if (ctx.config.metrics.kind === 'public')
    app.get('/metrics', { config: { auth: 'public' }, schema: { hide: true } }, async (_req, reply) => {
      void reply.header('Content-Type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });
}
