/**
 * Where code display spends its event-loop time: each step of GET /v1/me/code measured alone,
 * in-process, on PostgreSQL + Redis (main-thread CPU per call, 64 calls in flight).
 *
 *   node --import tsx bench/code-display/micro.ts [--residents 2000] [--calls 40000]
 */
import crypto from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { buildServer } from '../../src/http/server.ts';
import { createContext } from '../../src/roles/context.ts';
import { seedDemoCity } from '../../src/roles/demo-seed.ts';
import { freshDatabase } from '../lib/bench-db.ts';
import { procCpuSeconds } from '../lib/proc-cpu.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RESIDENTS = arg('residents', 2000);
const CALLS = arg('calls', 40_000);

/** CPU µs of this process's main (event-loop) thread: the pool threads that sign are not counted. */
const mainThreadCpuMicros = (): number => procCpuSeconds(process.pid, process.pid) * 1e6;

async function timed(label: string, fn: (i: number) => unknown, calls = CALLS): Promise<void> {
  // 64 in flight, as the HTTP bench's connections
  let next = 0;
  const m0 = mainThreadCpuMicros();
  const t0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < calls) await fn(next++);
    }),
  );
  const cpu = process.cpuUsage(t0);
  const main = mainThreadCpuMicros() - m0;
  const wall = Number(process.hrtime.bigint() - w0) / 1e3;
  const f = (x: number) => (x / calls).toFixed(1).padStart(7);
  process.stdout.write(
    `${label.padEnd(44)} ${f(main)} µs event loop ${f(cpu.user + cpu.system)} µs all threads ${f(wall)} µs wall (per call)\n`,
  );
}

const masterKey = crypto.randomBytes(32).toString('hex');
const databaseUrl = await freshDatabase('hc_bench_micro');
const env = {
  DATABASE_URL: databaseUrl,
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  HC_MASTER_KEY: masterKey,
  HC_DEMO: 'false',
  LOG_LEVEL: 'warn',
};
const ctx = await createContext(loadConfig({ ...env, HC_ROLE: 'api' }), {
  log: pino({ level: 'warn' }),
  schema: 'apply',
});
await seedDemoCity(ctx, RESIDENTS);
const ids = (await ctx.db.query<{ id: number }>('SELECT id FROM persons ORDER BY id')).rows.map((r) => r.id);
const bearers: string[] = [];
for (const id of ids) bearers.push((await ctx.auth.residentSession(id)).accessToken);
const { app } = await buildServer(ctx, {
  logger: false,
  extraRoutes: [
    (a) => void a.get('/hello', { config: { auth: 'public' } }, async () => ({ hello: 'world' })),
  ],
});
const signer = await ctx.keys.currentSigner();
const data = new Uint8Array(120);
const only = process.argv.includes('--only-route');
for (let round = 0; round < 2 && only; round++) {
  await timed(
    'inject GET /v1/me/code',
    (i) =>
      app.inject({
        method: 'GET',
        url: '/v1/me/code',
        headers: { authorization: `Bearer ${bearers[i % bearers.length]}` },
      }),
    CALLS,
  );
}
for (let round = 0; round < 2 && !only; round++) {
  process.stdout.write(`-- round ${round + 1}\n`);
  await timed('auth.bearer (HMAC access token)', (i) => ctx.auth.bearer(bearers[i % bearers.length]!));
  await timed('statuses.hot (Redis HGET + decode)', (i) => ctx.statuses.hot(ids[i % ids.length]!));
  await timed('signer.sign (sync ES256)', () => signer.sign(data));
  await timed('signer.signAsync (thread pool)', () => signer.signAsync!(data));
  await timed('codes.issue (hot + sign + display)', (i) => ctx.codes.issue(ids[i % ids.length]!, 's'));
  await timed(
    'inject GET /hello (same app, hooks)',
    () => app.inject({ method: 'GET', url: '/hello' }),
    CALLS / 4,
  );
  await timed(
    'inject GET /v1/me/code',
    (i) =>
      app.inject({
        method: 'GET',
        url: '/v1/me/code',
        headers: { authorization: `Bearer ${bearers[i % bearers.length]}` },
      }),
    CALLS / 4,
  );
}
await app.close();
await ctx.close();
process.exit(0);
