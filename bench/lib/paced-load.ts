/**
 * An open-loop load generator at a steady rate: requests are due every 1/rate seconds, sent over a
 * keep-alive pool, and each latency is measured from the moment the request was DUE, not sent, so
 * a stalled server cannot hide its stall by slowing the client down (coordinated omission).
 *
 * Why not autocannon's `overallRate`: it gives each connection a quota per second, so every
 * connection fires its quota back to back at the start of each second and then waits; that
 * measures one-second bursts at full speed, not a steady 5 000 req/s (node_modules/autocannon/lib/
 * httpClient.js, `reqsMadeThisSecond`).
 */
import http from 'node:http';

export interface PacedLoadOptions {
  url: string;
  ratePerSecond: number;
  durationSeconds: number;
  /** sockets in the keep-alive pool */
  connections: number;
  /** headers of the i-th request */
  headers?: (i: number) => http.OutgoingHttpHeaders;
}

export interface PacedLoadResult {
  sent: number;
  completed: number;
  non2xx: number;
  errors: number;
  achievedPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number };
}

export async function pacedLoad(o: PacedLoadOptions): Promise<PacedLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
  const url = new URL(o.url);
  const total = Math.round(o.ratePerSecond * o.durationSeconds);
  const latencies = new Float64Array(total);
  let sent = 0;
  let completed = 0;
  let non2xx = 0;
  let errors = 0;
  const start = performance.now();
  const intervalMs = 1000 / o.ratePerSecond;

  await new Promise<void>((resolve) => {
    const finishOne = () => {
      completed++;
      if (completed === total) resolve();
    };
    const send = (i: number, due: number) => {
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: 'GET',
          headers: o.headers?.(i),
        },
        (res) => {
          if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) non2xx++;
          res.on('data', () => undefined);
          res.on('end', () => {
            latencies[i] = performance.now() - due;
            finishOne();
          });
        },
      );
      req.on('error', () => {
        errors++;
        latencies[i] = performance.now() - due;
        finishOne();
      });
      req.end();
    };
    // Every millisecond, send whatever has fallen due since the last tick.
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) {
        send(sent, start + sent * intervalMs);
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  const sorted = latencies.slice(0, completed).sort();
  const q = (p: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) * 100) / 100;
  return {
    sent,
    completed,
    non2xx,
    errors,
    achievedPerSecond: Math.round(completed / elapsed),
    latencyMs: { p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: q(1) },
  };
}

/**
 * As a command, so the load runs in a fresh process of its own (no heap left by earlier runs, no
 * pauses of the bench's own collector counted as server latency):
 *   node --import tsx bench/lib/paced-load.ts <url> <rate> <seconds> <connections> [bearer-file]
 * prints the PacedLoadResult as JSON; bearer-file holds one Authorization value per line.
 */
if (import.meta.url === `file://${process.argv[1]}`) {
  const [url, rate, seconds, connections, bearerFile] = process.argv.slice(2);
  const bearers = bearerFile
    ? (await import('node:fs')).readFileSync(bearerFile, 'utf8').split('\n').filter(Boolean)
    : [];
  const r = await pacedLoad({
    url: url as string,
    ratePerSecond: Number(rate),
    durationSeconds: Number(seconds),
    connections: Number(connections),
    headers: bearers.length ? (i) => ({ authorization: bearers[i % bearers.length] as string }) : undefined,
  });
  process.stdout.write(JSON.stringify(r) + '\n');
}
