/**
 * Prometheus metrics on a listener of their own (HC_METRICS_HOST:HC_METRICS_PORT, loopback by
 * default), so the public listener doesn't expose them: route names, request counts and process
 * figures tell an attacker about load and internals. Only GET /metrics is served there.
 */
import Fastify from 'fastify';
import type { Metrics } from './metrics.ts';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(
  metrics: Metrics,
  host: string,
  port: number,
): Promise<MetricsServer> {
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_req, reply) => {
    void reply.header('Content-Type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  const url = await app.listen({ host, port });
  return { url, close: () => app.close() };
}
