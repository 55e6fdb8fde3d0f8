/**
 * Fault test (docs/DESIGN.md §7): code lookups keep working while the testing service is killed
 * and its database is unreachable; after it restarts, the backlog drains with nothing lost or
 * doubled. Needs PostgreSQL, Redis and NATS: runs with HC_TEST_SERVICES=1 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledEntry } from '../child.ts';
import { NatsBus } from '../../src/adapters/bus/nats-bus.ts';
import { MemorySmsGateway } from '../../src/adapters/sms/memory-sms-gateway.ts';
import { RedisStatusCache } from '../../src/adapters/cache/redis-status-cache.ts';
import { loadConfig } from '../../src/config.ts';
import { buildServer } from '../../src/http/server.ts';
import { resultsRouteModule as resultsRoutes } from '../../src/roles/results.feature.ts';
import { createContext, type AppContext } from '../../src/roles/context.ts';
import { RecomputeWorker } from '../../src/services/recompute.worker.ts';
import { createIntermediateStoreConsumer } from '../../src/roles/results.feature.ts';
import type { IntermediateStoreConsumer } from '../../src/services/results/intermediate-store.consumer.ts';
import { eventually } from '../nat/nat-world.ts';
import {
  NATS_URL,
  PG_ADMIN_URL,
  REDIS_URL,
  USE_SERVICES,
  createTestDatabase,
  type TestDatabase,
} from '../context.ts';
import { createResident, residentToken } from '../factories.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const suffix = crypto.randomBytes(4).toString('hex');
const masterKey = crypto.randomBytes(32);
const testingDbName = `hc_fault_testing_${suffix}`;
const testingUrl = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${testingDbName}`);
const PORT = 19000 + (crypto.randomBytes(2).readUInt16BE() % 1000);
const PEOPLE = 100;

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  await c.query(sql);
  await c.end();
}

async function testingQuery<R>(sql: string): Promise<R[]> {
  const c = new pg.Client({ connectionString: testingUrl });
  await c.connect();
  try {
    return (await c.query(sql)).rows as R[];
  } finally {
    await c.end();
  }
}

describe.skipIf(!USE_SERVICES)('testing outage never breaks code display', () => {
  let tdb: TestDatabase;
  let ctx: AppContext;
  let nats: NatsBus;
  let app: FastifyInstance;
  let consumer: IntermediateStoreConsumer;
  let worker: RecomputeWorker;
  let child: ChildProcess | undefined;
  const base = `http://127.0.0.1:${PORT}`;

  async function startTesting(env: Record<string, string> = {}): Promise<void> {
    const proc = spawn(process.execPath, [await bundledEntry('test/fault/testing-process.ts')], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: tdb.url as string,
        HC_TESTING_DATABASE_URL: testingUrl,
        HC_TESTING_PORT: String(PORT),
        NATS_URL,
        FAULT_STREAM: `HCF_${suffix}`,
        FAULT_PREFIX: `f${suffix}.`,
        FAULT_MASTER_KEY: masterKey.toString('hex'),
        HC_TESTING_RELAY_INTERVAL_MS: '100',
        REDIS_URL: '',
        LOG_LEVEL: 'error',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = proc;
    await new Promise<void>((resolve, reject) => {
      proc.stdout?.on('data', (d: Buffer) => (d.toString().includes('READY') ? resolve() : undefined));
      proc.once('exit', (code) => reject(new Error(`testing process exited ${code}`)));
    });
  }

  async function kill(): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }

  const smsInbox = new MemorySmsGateway();

  beforeAll(async () => {
    tdb = await createTestDatabase();
    nats = await NatsBus.connect({ url: NATS_URL, stream: `HCF_${suffix}`, prefix: `f${suffix}.` });
    const config = {
      ...loadConfig({ HC_DEMO: 'false' }),
      databaseUrl: tdb.url,
      demo: false,
      logLevel: 'silent',
    };
    ctx = await createContext(config, {
      smsGateway: smsInbox,
      db: tdb.db,
      bus: nats,
      cache: new RedisStatusCache(REDIS_URL, `hcf:${suffix}:`),
      masterKey,
      skipMigrate: true,
      log: pino({ level: 'silent' }),
    });
    await ctx.keys.ensureKey();
    consumer = createIntermediateStoreConsumer(ctx, ctx.log);
    await consumer.start();
    worker = new RecomputeWorker(ctx.bus, ctx.statuses, ctx.log);
    await worker.start();
    app = (await buildServer(ctx, { logger: false, extraRoutes: [resultsRoutes] })).app;
    await admin(`CREATE DATABASE ${testingDbName}`);
  });

  afterAll(async () => {
    await kill();
    await app?.close();
    await consumer?.stop();
    await worker?.stop();
    await nats?.destroy();
    await ctx?.close();
    await admin(`ALTER DATABASE ${testingDbName} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin(`DROP DATABASE IF EXISTS ${testingDbName} WITH (FORCE)`);
    const redis = new RedisStatusCache(REDIS_URL, `hcf:${suffix}:`);
    const keys = await redis.redis.keys(`hcf:${suffix}:*`);
    if (keys.length) await redis.redis.del(...keys);
    await redis.close();
    await tdb?.drop().catch(() => undefined);
  });

  it('serves every code lookup through the outage, then drains the backlog exactly once', async () => {
    const people: Array<{ id: number; phone: string }> = [];
    for (let i = 0; i < PEOPLE; i++) people.push(await createResident(ctx));
    const tokens: string[] = [];
    for (const p of people) tokens.push(await residentToken({ ...ctx, smsInbox }, p.phone));
    const subjects = await Promise.all(
      people.map(async (p) => (await ctx.repos.persons.byId(p.id))?.code_subject as string),
    );
    const tester = await ctx.auth.addDevice('fault collector', 'tester');
    const lab = await ctx.auth.addDevice('fault lab', 'lab');
    const post = async (url: string, key: string, body: object) => {
      const r = await fetch(`${base}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify(body),
      });
      expect(r.status, await r.clone().text()).toBe(200);
      return r.json();
    };
    const tube = (i: number) => `FAULT-${suffix}-${Math.floor(i / 10)}`;
    const collectAll = () =>
      post('/testing/v1/collections', tester.apiKey, {
        tubes: Array.from({ length: PEOPLE / 10 }, (_, t) => ({ barcode: tube(t * 10), kind: 'pool10' })),
        items: subjects.map((s, i) => ({ tube: tube(i), subject: s })),
      });

    // 1. Normal operation: half the tubes reported and relayed.
    await startTesting();
    await collectAll();
    await post('/testing/v1/lab/results', lab.apiKey, {
      results: Array.from({ length: 5 }, (_, t) => ({ tube: tube(t * 10), result: 'negative' })),
    });
    const stored = async () =>
      (await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM intermediate_results')).rows[0]?.n ??
      0;
    await eventually(async () => (await stored()) === 5, 'first results in the intermediate store');

    // 2. A backlog: the relay is held back (bus maintenance), the other half is reported...
    await kill();
    await startTesting({ HC_TESTING_RELAY: 'off' });
    await post('/testing/v1/lab/results', lab.apiKey, {
      results: Array.from({ length: 5 }, (_, t) => ({ tube: tube((t + 5) * 10), result: 'positive' })),
    });
    const backlog =
      (
        await testingQuery<{ n: number }>(
          'SELECT count(*)::int AS n FROM testing.outbox WHERE published_at IS NULL',
        )
      )[0]?.n ?? 0;
    expect(backlog).toBe(5);

    // 3. ...then the testing service is killed and its database made unreachable, while codes are looked up at load.
    const lookups = { ok: 0, failed: 0, results: 0 };
    let loading = true;
    const t0 = Date.now();
    const load = Promise.all(
      Array.from({ length: 32 }, async (_, w) => {
        for (let i = w; loading && lookups.ok + lookups.failed < 50_000; i += 32) {
          const token = tokens[i % PEOPLE] as string;
          const r = await app.inject({
            method: 'GET',
            url: i % 10 === 0 ? '/v1/me/results' : '/v1/me/code',
            headers: { authorization: `Bearer ${token}` },
          });
          if (r.statusCode === 200) lookups.ok++;
          else lookups.failed++;
          if (i % 10 === 0) lookups.results++;
        }
      }),
    );
    await kill();
    await admin(`ALTER DATABASE ${testingDbName} ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${testingDbName}'`);
    await expect(fetch(`${base}/testing/v1/healthz`)).rejects.toThrow();
    await expect(testingQuery('SELECT 1')).rejects.toThrow();
    // Lookups go on while the testing service is down: wait for a few hundred of them (a condition, not a sleep).
    const okAtOutage = lookups.ok;
    await eventually(async () => lookups.ok >= okAtOutage + 300, 'lookups served during the outage', 120_000);
    const duringOutage = { ok: lookups.ok - okAtOutage };
    // Residents still see their last known result and when it was current.
    const mine = (
      await app.inject({
        method: 'GET',
        url: '/v1/me/results',
        headers: { authorization: `Bearer ${tokens[0]}` },
      })
    ).json() as { latest: { result: string } | null; asOf: string | null };
    expect(mine.latest?.result).toBe('negative');
    expect(mine.asOf).not.toBeNull();

    // 4. Back: database reachable, service restarted; the backlog drains.
    await admin(`ALTER DATABASE ${testingDbName} ALLOW_CONNECTIONS true`);
    const restartAt = Date.now();
    await startTesting();
    const readyAt = Date.now();
    await eventually(
      async () => (await stored()) === 10,
      'backlog drained into the intermediate store',
      30_000,
    );
    const startMs = readyAt - restartAt;
    const drainMs = Date.now() - readyAt;
    // Redelivery of everything (as if the relay crashed before marking): nothing doubles.
    await testingQuery('UPDATE testing.outbox SET published_at = NULL');
    await eventually(
      async () =>
        (
          await testingQuery<{ n: number }>(
            'SELECT count(*)::int AS n FROM testing.outbox WHERE published_at IS NULL',
          )
        )[0]?.n === 0,
      'replay relayed',
    );
    await eventually(async () => consumer.stats.duplicates >= 10, 'replays seen by the consumer');
    loading = false;
    await load;
    const elapsed = (Date.now() - t0) / 1000;

    const upstream = (
      await testingQuery<{ results: number; members: number }>(
        'SELECT (SELECT count(*)::int FROM testing.results) AS results, (SELECT count(*)::int FROM testing.collections) AS members',
      )
    )[0];
    const facts = (
      await ctx.db.query<{ n: number; distinct_n: number }>(
        "SELECT count(*)::int AS n, count(DISTINCT source_record_id)::int AS distinct_n FROM facts WHERE source = 'testing'",
      )
    ).rows[0];
    const members = (
      await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM intermediate_result_members')
    ).rows[0]?.n;
    expect(upstream).toEqual({ results: 10, members: PEOPLE });
    expect(await stored()).toBe(10);
    expect(members).toBe(PEOPLE);
    expect(facts).toEqual({ n: PEOPLE, distinct_n: PEOPLE });
    expect(lookups.failed).toBe(0);
    expect(duringOutage.ok).toBeGreaterThan(0);
    // The pooled positives' members went orange once their facts arrived; the negatives stayed green.
    await eventually(
      async () => (await ctx.codes.issue(people[99]?.id as number, 's')).colour5 === 2,
      'pooled positive member orange',
    );
    expect((await ctx.codes.issue(people[0]?.id as number, 's')).colour5).toBe(0);

    const figures = {
      lookups: lookups.ok + lookups.failed,
      failed: lookups.failed,
      duringOutage: duringOutage.ok,
      seconds: Math.round(elapsed * 10) / 10,
      perSecond: Math.round((lookups.ok + lookups.failed) / elapsed),
      backlogAtKill: backlog,
      restartMs: startMs,
      drainAfterReadyMs: drainMs,
      upstreamResults: upstream?.results,
      storedResults: 10,
      facts: facts?.n,
      duplicatesIgnored: consumer.stats.duplicates,
    };
    console.log(`fault test figures ${JSON.stringify(figures)}`);
  }, 300_000); // an upper bound for a loaded 2-core machine (a process restart and a drain); not a timing assertion
});
