/**
 * The health listener of the roles that serve no API (worker, companion): `/healthz` (the process
 * is up) and `/readyz` (its database and cache answer), nothing else, so a load balancer, an
 * orchestrator or scripts/topology can check every process the same way.
 */
import Fastify, { type FastifyInstance } from 'fastify';

export interface HealthChecks {
  /** throws when a dependency does not answer */
  ready(): Promise<Record<string, string>>;
}

export function buildHealthServer(role: string, checks: HealthChecks): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/healthz', { config: { auth: 'public' } }, async () => ({ status: 'ok', role }));
  app.get('/readyz', { config: { auth: 'public' } }, async (_req, reply) => {
    try {
      return { status: 'ready', role, ...(await checks.ready()) };
    } catch (err) {
      return reply.status(503).send({ status: 'not ready', role, error: (err as Error).message });
    }
  });
  return app;
}
