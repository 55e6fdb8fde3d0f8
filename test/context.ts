/**
 * Test context: the whole platform wired on real adapters. By default embedded (in-memory PGlite,
 * in-process cache and bus); with HC_TEST_SERVICES=1 a fresh PostgreSQL database, a Redis key
 * prefix and a NATS stream of its own, all removed afterwards. Never a mock.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { loadConfig, type Config } from '../src/config.ts';
import { openDatabase, type Database } from '../src/adapters/db/database.ts';
import {
  migrate,
  migrationFiles,
  PLATFORM_MIGRATIONS,
  TESTING_MIGRATIONS,
} from '../src/adapters/db/migrate.ts';
import { MemoryBus } from '../src/adapters/bus/memory-bus.ts';
import { NatsBus } from '../src/adapters/bus/nats-bus.ts';
import { MemoryStatusCache } from '../src/adapters/cache/memory-status-cache.ts';
import { RedisStatusCache } from '../src/adapters/cache/redis-status-cache.ts';
import { MemoryAttemptLimiter } from '../src/adapters/limits/memory-attempt-limiter.ts';
import { RedisAttemptLimiter } from '../src/adapters/limits/redis-attempt-limiter.ts';
import type { AttemptLimiter } from '../src/ports/attempt-limiter.port.ts';
import { MemorySmsGateway } from '../src/adapters/sms/memory-sms-gateway.ts';
import { ManualClock, systemClock, type Clock } from '../src/ports/clock.port.ts';
import type { StatusCache } from '../src/ports/status-cache.port.ts';
import { createContext, type AppContext } from '../src/roles/context.ts';

export const USE_SERVICES = process.env.HC_TEST_SERVICES === '1';
export const PG_ADMIN_URL = process.env.HC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

export interface TestDatabase {
  db: Database;
  url: string | undefined;
  drop(): Promise<void>;
}

/**
 * A fresh database, migrated unless told otherwise: in-memory PGlite, or a new PostgreSQL database
 * with services on.
 */
export async function createTestDatabase(opts: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const migrated = opts.migrated ?? true;
  if (!USE_SERVICES) {
    if (!migrated) {
      const db = await openDatabase({});
      return { db, url: undefined, drop: () => db.close() };
    }
    const db = reusablePglite.pop() ?? (await openMigratedPglite());
    return { db, url: undefined, drop: () => giveBackPglite(db) };
  }
  const name = `hc_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const db = await openDatabase({ databaseUrl: url, poolSize: 5 });
  if (migrated) await migrateAll(db);
  return {
    db,
    url,
    async drop() {
      await db.close();
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/**
 * Booting PGlite from the template costs 2–3 s of CPU, most of a small test file's time. A test
 * that drops its database hands the instance back here; it is reset to the migrated state (every
 * table emptied, the migrations' own rows and the sequences restored, the session discarded) and
 * the next test of the same file gets it — unless the test changed the schema, the settings or
 * left the database busy, then the instance is closed and the next test boots a fresh one.
 */
const reusablePglite: Database[] = [];
interface PgliteBaseline {
  fingerprint: string;
  tables: string[];
  seeds: Array<{ table: string; columns: string[]; rows: string }>;
  sequences: Array<{ name: string; last: string | null }>;
}
let pgliteBaseline: Promise<PgliteBaseline> | undefined;

async function openMigratedPglite(): Promise<Database> {
  const db = await openDatabase({ loadDataDir: await pgliteTemplate() });
  await migrateAll(db); // no-op on a current template
  // The first instance of this process, untouched, is the state every reused one returns to.
  pgliteBaseline ??= readBaseline(db);
  await pgliteBaseline;
  return db;
}

const CATALOG_FINGERPRINT = `
  SELECT md5(coalesce(string_agg(x, '|' ORDER BY x), '')) AS f FROM (
    SELECT 'c ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' ' || c.relpersistence::text FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
       AND n.nspname NOT LIKE 'pg_temp%'
    UNION ALL SELECT 'a ' || attrelid::regclass::text || '.' || attname || ' ' || atttypid::text || ' ' || attnotnull::text
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_t%'
       AND attnum > 0 AND NOT attisdropped
    UNION ALL SELECT 't ' || tgrelid::regclass::text || '.' || tgname || ' ' || tgenabled::text FROM pg_trigger
    UNION ALL SELECT 'k ' || conrelid::regclass::text || '.' || conname || ' ' || convalidated::text FROM pg_constraint
    UNION ALL SELECT 'p ' || p.oid::regprocedure::text || ' ' || md5(p.prosrc) FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION ALL SELECT 'r ' || rolname FROM pg_roles
    UNION ALL SELECT 'd ' || coalesce(array_to_string(setconfig, ';'), '') FROM pg_db_role_setting
    UNION ALL SELECT 's ' || name || '=' || setting FROM pg_settings WHERE source NOT IN ('default', 'override', 'configuration file', 'environment variable', 'command line')
  ) o(x)`;

async function fingerprint(db: Database): Promise<string> {
  return (await db.query<{ f: string }>(CATALOG_FINGERPRINT)).rows[0]?.f ?? '';
}

async function readBaseline(db: Database): Promise<PgliteBaseline> {
  const tables = (
    await db.query<{ t: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_t%'
          AND c.relname <> 'hc_migrations'
        ORDER BY 1`,
    )
  ).rows.map((r) => r.t);
  const seeds: PgliteBaseline['seeds'] = [];
  for (const table of tables) {
    const rows = (await db.query<{ j: string | null }>(`SELECT json_agg(t)::text AS j FROM ${table} t`))
      .rows[0]?.j;
    if (!rows) continue;
    const columns = (
      await db.query<{ c: string }>(
        `SELECT quote_ident(attname) AS c FROM pg_attribute
          WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
          ORDER BY attnum`,
        [table],
      )
    ).rows.map((r) => r.c);
    seeds.push({ table, columns, rows });
  }
  const sequences = (
    await db.query<{ name: string; last: string | null }>(
      `SELECT format('%I.%I', schemaname, sequencename) AS name, last_value::text AS last FROM pg_sequences`,
    )
  ).rows;
  return { fingerprint: await fingerprint(db), tables, seeds, sequences };
}

async function giveBackPglite(db: Database): Promise<void> {
  const base = await pgliteBaseline;
  const reset = async (): Promise<boolean> => {
    await db.query('DISCARD ALL');
    if (!base || (await fingerprint(db)) !== base.fingerprint) return false;
    await db.transaction(async (tx) => {
      await tx.query("SET LOCAL session_replication_role = 'replica'"); // persons refuse TRUNCATE
      await tx.query(`TRUNCATE ${base.tables.join(', ')} RESTART IDENTITY CASCADE`);
      for (const s of base.seeds)
        await tx.query(
          `INSERT INTO ${s.table} (${s.columns.join(', ')}) OVERRIDING SYSTEM VALUE
           SELECT ${s.columns.join(', ')} FROM json_populate_recordset(NULL::${s.table}, $1::json)`,
          [s.rows],
        );
      for (const q of base.sequences)
        await tx.query(
          q.last === null
            ? `ALTER SEQUENCE ${q.name} RESTART`
            : `SELECT setval('${q.name}', ${q.last}, true)`,
        );
    });
    return true;
  };
  // A test that left the single session busy (a transaction it never ended) does not hold up the rest.
  let timer: NodeJS.Timeout | undefined;
  const ok = await Promise.race([
    reset().catch(() => false),
    new Promise<'busy'>((r) => (timer = setTimeout(() => r('busy'), 10_000))),
  ]);
  clearTimeout(timer);
  if (ok === true) reusablePglite.push(db);
  else if (ok === false) await db.close().catch(() => undefined);
}

/** Both migration sets, as the embedded `all` role has them: the platform's and the testing service's. */
async function migrateAll(db: Database): Promise<void> {
  await migrate(db, PLATFORM_MIGRATIONS);
  await migrate(db, TESTING_MIGRATIONS);
}

/**
 * An embedded data folder (HC_DATA_DIR's `pg`) holding a migrated cluster, for tests that run the
 * platform as a child process: loaded from the template instead of an `hc migrate` from scratch.
 */
export async function createMigratedDataDir(dataDir: string): Promise<void> {
  const db = await openDatabase({ dataDir, loadDataDir: await pgliteTemplate() });
  await migrateAll(db); // no-op on a current template
  await db.close();
}

/**
 * A migrated PGlite cluster dumped once per state of the migration files into the temp folder, so
 * each test file loads it instead of running initdb and every migration again.
 */
async function pgliteTemplate(): Promise<Blob | undefined> {
  const h = crypto.createHash('sha256');
  for (const set of [PLATFORM_MIGRATIONS, TESTING_MIGRATIONS])
    for (const f of migrationFiles(set)) h.update(set.name).update(f.name).update(f.checksum);
  const file = path.join(os.tmpdir(), `hc-pglite-template-${h.digest('hex').slice(0, 16)}.tgz`);
  if (fs.existsSync(file)) return new Blob([fs.readFileSync(file)]);
  const db = await openDatabase({});
  await migrateAll(db);
  const dump = await db.dump!();
  await db.close();
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(tmp, file);
  return dump;
}

export interface TestContext extends AppContext {
  clock: ManualClock | Clock;
  /** the residents' phones: every text message the platform delivered */
  smsInbox: MemorySmsGateway;
  /** waits until every published event was handled (in-process bus: its queue; NATS: the consumers' counters) */
  settle(): Promise<void>;
  destroy(): Promise<void>;
}

export interface TestContextOptions {
  /** a manual clock starting here (epoch ms); default: the system clock */
  at?: number;
  config?: Partial<Config>;
  /** a logger to read what the platform logs (default: silent) */
  log?: pino.Logger;
}

/** The whole platform on real adapters, for medium and end-to-end tests. */
export async function createTestContext(
  opts: TestContextOptions = {},
): Promise<TestContext & { clock: ManualClock | Clock }> {
  const tdb = await createTestDatabase();
  const suffix = crypto.randomBytes(4).toString('hex');
  let cache: StatusCache;
  let bus: MemoryBus | NatsBus;
  let nats: NatsBus | undefined;
  let limiter: AttemptLimiter;
  if (USE_SERVICES) {
    cache = new RedisStatusCache(REDIS_URL, `hct:${suffix}:`);
    limiter = new RedisAttemptLimiter(REDIS_URL, `hct:${suffix}:auth:`);
    nats = await NatsBus.connect({ url: NATS_URL, stream: `HCT_${suffix}`, prefix: `t${suffix}.` });
    bus = nats;
  } else {
    cache = new MemoryStatusCache();
    bus = new MemoryBus();
    limiter = new MemoryAttemptLimiter();
  }
  const config: Config = {
    ...loadConfig({ HC_DEMO: 'false' }),
    databaseUrl: tdb.url,
    demo: false,
    // a free port when a test starts the metrics listener (the default, PORT + 1000, is fixed)
    metrics: { kind: 'separate', host: '127.0.0.1', port: 0 },
    logLevel: 'silent',
    ...opts.config,
  };
  const clock = opts.at !== undefined ? new ManualClock(opts.at) : systemClock;
  const smsInbox = new MemorySmsGateway();
  const ctx = await createContext(config, {
    smsGateway: smsInbox,
    db: tdb.db,
    cache,
    bus,
    limiter,
    clock,
    log: opts.log ?? pino({ level: 'silent' }),
    masterKey: crypto.randomBytes(32),
    skipMigrate: true,
  });
  return Object.assign(ctx, {
    clock,
    smsInbox,
    async settle() {
      await bus.idle();
    },
    async destroy() {
      if (cache instanceof RedisStatusCache) {
        const keys = await cache.redis.keys(`hct:${suffix}:*`);
        if (keys.length) await cache.redis.del(...keys);
      }
      await nats?.destroy();
      await bus.close().catch(() => undefined);
      await cache.close().catch(() => undefined);
      await limiter.close().catch(() => undefined);
      await tdb.drop();
    },
  });
}
