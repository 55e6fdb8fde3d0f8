/**
 * Load shedding (docs/DESIGN.md §13): past `maxInFlight` concurrent requests the excess is answered
 * at once with 429 and Retry-After, before any authentication or database work, so admitted
 * requests keep their latency and the process never drowns. Health and metrics are exempt.
 */
import type { App } from './app.ts';

const EXEMPT = new Set(['/healthz', '/readyz', '/metrics', '/testing/v1/healthz']);

export function registerOverloadGuard(app: App, maxInFlight: number, onShed?: () => void): void {
  let inFlight = 0;
  const counted = new WeakSet<object>();
  app.addHook('onRequest', (req, reply, done) => {
    if (EXEMPT.has(req.url)) return done();
    if (inFlight >= maxInFlight) {
      onShed?.();
      void reply
        .code(429)
        .header('Retry-After', '1')
        .send({ error: { code: 'OVERLOADED', message: 'the service is at capacity; retry in a second' } });
      return;
    }
    inFlight++;
    counted.add(req);
    done();
  });
  const release = (req: object) => {
    if (counted.delete(req)) inFlight--;
  };
  app.addHook('onResponse', (req, _reply, done) => {
    release(req);
    done();
  });
  app.addHook('onRequestAbort', (req, done) => {
    release(req);
    done();
  });
}
