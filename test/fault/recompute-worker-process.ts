/**
 * One recompute worker as a process of its own for the two-worker test: the worker role's
 * recompute part (createContext + RecomputeWorker) on the test's PostgreSQL database
 * (DATABASE_URL), NATS stream and subject prefix (FAULT_STREAM, FAULT_PREFIX) and Redis key prefix
 * (FAULT_REDIS_PREFIX), so tests never share them. Prints READY when it consumes; stops on SIGTERM.
 */
import crypto from 'node:crypto';
import pino from 'pino';
import { connectFaultBus } from './fault-bus.ts';
import { RedisStatusCache } from '../../src/adapters/cache/redis-status-cache.ts';
import { loadConfig } from '../../src/config.ts';
import { createContext } from '../../src/roles/context.ts';
import { RecomputeWorker } from '../../src/services/recompute.worker.ts';

const env = process.env;
const config = loadConfig({ ...env, HC_ROLE: 'worker', HC_DEMO: 'false' });
const bus = await connectFaultBus(env);
const ctx = await createContext(config, {
  bus,
  cache: new RedisStatusCache(env.REDIS_URL as string, env.FAULT_REDIS_PREFIX as string),
  masterKey: crypto.randomBytes(32),
  skipMigrate: true,
  log: pino({ level: env.LOG_LEVEL ?? 'warn' }),
});
const worker = new RecomputeWorker(ctx.bus, ctx.statuses, ctx.log, { reviewIntervalMs: 3_600_000 });
await worker.start();
process.stdout.write('READY\n');
process.once('SIGTERM', () => {
  void (async () => {
    await worker.stop();
    await ctx.close();
    process.exit(0);
  })();
});
