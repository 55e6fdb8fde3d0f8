/** Prometheus metrics: process defaults, request latency per route, fact → colour latency. */
import client from 'prom-client';

export interface Metrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'route' | 'method' | 'status'>;
  factToColour: client.Histogram;
  codesIssued: client.Counter<'colour'>;
  shed: client.Counter;
}

export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new client.Histogram({
      name: 'hc_http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    factToColour: new client.Histogram({
      name: 'hc_fact_to_status_seconds',
      help: 'Time from a fact being accepted to the status being recomputed',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    shed: new client.Counter({
      name: 'hc_http_shed_total',
      help: 'Requests answered 429 because the process was at capacity',
      registers: [registry],
    }),
    codesIssued: new client.Counter({
      name: 'hc_codes_issued_total',
      help: 'Codes issued by colour',
      labelNames: ['colour'],
      registers: [registry],
    }),
  };
}
