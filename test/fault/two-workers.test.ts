/**
 * Two recompute workers, one set of residents, facts still arriving (docs/DESIGN.md §3): whatever
 * order the workers' writes land in, the final colours in the status table and in the hot cache
 * equal a single fresh recompute of every resident's facts. With HC_TEST_SERVICES=1 the workers are
 * two processes (test/fault/recompute-worker-process.ts) sharing PostgreSQL, Redis and a NATS
 * consumer group; embedded, two workers with their own status services share PGlite, the
 * in-process cache and the in-process bus, which hands events to them in turn.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledEntry } from '../child.ts';
import { NatsBus } from '../../src/adapters/bus/nats-bus.ts';
import { RedisStatusCache } from '../../src/adapters/cache/redis-status-cache.ts';
import { MemorySmsGateway } from '../../src/adapters/sms/memory-sms-gateway.ts';
import { loadConfig } from '../../src/config.ts';
import type { FactData, FactType, NewFact } from '../../src/domain/fact.ts';
import { evaluateCompiled } from '../../src/domain/policy/policy-engine.ts';
import { createContext, type AppContext } from '../../src/roles/context.ts';
import { RecomputeWorker } from '../../src/services/recompute.worker.ts';
import { StatusService } from '../../src/services/status.service.ts';
import {
  NATS_URL,
  REDIS_URL,
  USE_SERVICES,
  createTestContext,
  createTestDatabase,
  type TestContext,
  type TestDatabase,
} from '../context.ts';
import { createResident } from '../factories.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const suffix = crypto.randomBytes(4).toString('hex');
const H = 3_600_000;
const D = 24 * H;
const RESIDENTS = 24;
const ROUNDS = 12;

/** Fact types whose mix moves colours up and down (negative tests release contacts). */
const TYPES: FactType[] = [
  'city_with_cases_stay',
  'secondary_contact',
  'close_contact',
  'test_result',
  'test_result',
  'declaration',
  'case',
  'release',
];

/** A small deterministic generator (the same facts every run). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe(`two recompute workers (${USE_SERVICES ? 'two processes on PostgreSQL + Redis + NATS' : 'in-process on PGlite'})`, () => {
  let ctx: AppContext;
  let testCtx: TestContext | undefined;
  let tdb: TestDatabase | undefined;
  let nats: NatsBus | undefined;
  const children: ChildProcess[] = [];
  const inProcess: RecomputeWorker[] = [];
  const redisPrefix = `hcw:${suffix}:`;

  async function startChild(): Promise<void> {
    const proc = spawn(process.execPath, [await bundledEntry('test/fault/recompute-worker-process.ts')], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: tdb?.url as string,
        NATS_URL,
        REDIS_URL,
        FAULT_STREAM: `HCW_${suffix}`,
        FAULT_PREFIX: `w${suffix}.`,
        FAULT_REDIS_PREFIX: redisPrefix,
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(proc);
    await new Promise<void>((resolve, reject) => {
      proc.stdout?.on('data', (d: Buffer) => (d.toString().includes('READY') ? resolve() : undefined));
      proc.once('exit', (code) => reject(new Error(`worker process exited ${code}`)));
    });
  }

  beforeAll(async () => {
    if (USE_SERVICES) {
      tdb = await createTestDatabase();
      nats = await NatsBus.connect({ url: NATS_URL, stream: `HCW_${suffix}`, prefix: `w${suffix}.` });
      ctx = await createContext(
        { ...loadConfig({ HC_DEMO: 'false' }), databaseUrl: tdb.url, demo: false, logLevel: 'silent' },
        {
          db: tdb.db,
          bus: nats,
          cache: new RedisStatusCache(REDIS_URL, redisPrefix),
          smsGateway: new MemorySmsGateway(),
          masterKey: crypto.randomBytes(32),
          skipMigrate: true,
          log: pino({ level: 'silent' }),
        },
      );
      await Promise.all([startChild(), startChild()]);
    } else {
      testCtx = await createTestContext();
      ctx = testCtx;
      for (let i = 0; i < 2; i++) {
        // each worker with a status service of its own, as in a process of its own
        const own = new StatusService(
          ctx.repos.persons,
          ctx.repos.facts,
          ctx.repos.statuses,
          ctx.cache,
          ctx.policies,
          ctx.clock,
        );
        const w = new RecomputeWorker(ctx.bus, own, pino({ level: 'silent' }), {
          reviewIntervalMs: 3_600_000,
        });
        await w.start();
        inProcess.push(w);
      }
    }
  });

  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode !== null) continue;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    }
    for (const w of inProcess) await w.stop();
    if (testCtx) return testCtx.destroy();
    await nats?.destroy();
    if (ctx) {
      const cache = ctx.cache as RedisStatusCache;
      const keys = await cache.redis.keys(`${redisPrefix}*`);
      if (keys.length) await cache.redis.del(...keys);
      await ctx.close();
    }
    await tdb?.drop().catch(() => undefined);
  });

  it(
    'ends with the colours of a single fresh recompute while facts keep arriving',
    { timeout: 180_000 },
    async () => {
      const ids: number[] = [];
      for (let i = 0; i < RESIDENTS; i++) ids.push((await createResident(ctx)).id);
      const now = Date.now();
      const random = lcg(20261205);
      const fact = (personId: number, n: number): NewFact => {
        const type = TYPES[Math.floor(random() * TYPES.length)] as FactType;
        // whole days back, less an hour: no rule's window ends while the test runs
        const eventTime = now - Math.floor(random() * 20) * D - H;
        const data: FactData =
          type === 'test_result'
            ? { result: 'negative' }
            : type === 'case'
              ? { kind: 'confirmed' }
              : type === 'declaration'
                ? { temperature: 38.2 }
                : type === 'release'
                  ? { types: ['case', 'close_contact'] }
                  : {};
        return { personId, type, source: 'two-workers', sourceRecordId: `${personId}-${n}`, eventTime, data };
      };
      // Rounds of facts for everyone at once, without waiting for the workers; some residents get two
      // facts in one round from two concurrent writers (their ids may commit out of order).
      let n = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const writes: Array<Promise<unknown>> = [];
        for (const id of ids) {
          writes.push(ctx.facts.record(fact(id, n++)));
          if (random() < 0.3) writes.push(ctx.facts.record(fact(id, n++)));
        }
        await Promise.all(writes);
      }

      // Settled: every resident's stored and cached status is of all their facts.
      const behind = async (): Promise<number> => {
        const r = await ctx.db.query<{ behind: number }>(
          `SELECT count(*)::int AS behind FROM (SELECT person_id, max(id) AS v, count(*)::int AS n FROM facts
            WHERE person_id = ANY($1::bigint[]) GROUP BY person_id) f
          LEFT JOIN statuses s USING (person_id)
          WHERE s.person_id IS NULL OR s.fact_version <> f.v OR s.fact_count <> f.n`,
          [ids],
        );
        const facts = await ctx.repos.facts.forPersons(ids);
        let cacheBehind = 0;
        for (const id of ids) {
          const v = (await ctx.cache.get(id))?.version;
          if (v?.factCount !== facts.get(id)?.length) cacheBehind++;
        }
        return (r.rows[0]?.behind ?? 0) + cacheBehind;
      };
      await expect.poll(behind, { timeout: 150_000, interval: 100 }).toBe(0);

      const policy = (await ctx.policies.active()).compiled;
      const facts = await ctx.repos.facts.forPersons(ids);
      const at = Date.now();
      const expected = ids.map((id) => evaluateCompiled(facts.get(id) ?? [], policy, at).colour5);
      const stored = await Promise.all(ids.map(async (id) => (await ctx.repos.statuses.get(id))?.colour5));
      const cached = await Promise.all(ids.map(async (id) => (await ctx.cache.get(id))?.colour5));
      expect(stored).toEqual(expected);
      expect(cached).toEqual(expected);
      // the facts did move colours: not everyone ends green
      expect(new Set(expected).size).toBeGreaterThan(1);
    },
  );
});
