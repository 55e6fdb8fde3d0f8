/**
 * `hc migrate` is the one step that changes the schema in production: a production process (not
 * demo mode) never migrates on start and refuses an out-of-date or edited schema with a clear
 * message and exit code 3; the embedded default (demo mode) keeps migrating on start.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config.ts';
import { Migrator, TESTING_MIGRATIONS, type MigrationSet } from '../adapters/db/migrate.ts';
import { MemoryBus } from '../adapters/bus/memory-bus.ts';
import { MemoryStatusCache } from '../adapters/cache/memory-status-cache.ts';
import { MigrationChangedError, SchemaOutOfDateError } from '../ports/schema-migrations.port.ts';
import { runTs } from '../../test/child.ts';
import { createTestDatabase, USE_SERVICES, type TestDatabase } from '../../test/context.ts';
import { createContext } from './context.ts';
import { EXIT_SCHEMA, requireCurrentSchema } from './schema.ts';
import { startTestingRole } from './nat-testing.role.ts';

const silent = pino({ level: 'silent' });
const configFor = (url: string | undefined, demo: boolean): Config => ({
  ...loadConfig({ HC_DEMO: demo ? '1' : '0' }),
  databaseUrl: url,
  demo,
  port: 0,
  host: '127.0.0.1',
  logLevel: 'silent',
});

async function tableExists(tdb: TestDatabase, name: string): Promise<boolean> {
  const r = await tdb.db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name]);
  return (r.rows[0]?.t ?? null) !== null;
}

describe('schema on start', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const fresh = async (migrated: boolean) => {
    const tdb = await createTestDatabase({ migrated });
    cleanup.push(() => tdb.drop());
    return tdb;
  };
  const open = (tdb: TestDatabase, demo: boolean) =>
    createContext(configFor(tdb.url, demo), {
      db: tdb.db,
      cache: new MemoryStatusCache(),
      bus: new MemoryBus(),
      log: silent,
      masterKey: crypto.randomBytes(32),
    });

  it('production refuses an unmigrated database and changes nothing in it', async () => {
    const tdb = await fresh(false);
    const err: unknown = await open(tdb, false).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SchemaOutOfDateError);
    expect((err as SchemaOutOfDateError).set).toBe('platform');
    expect((err as SchemaOutOfDateError).pending).toContain('0001_core.sql');
    expect((err as Error).message).toContain('hc migrate');
    // never altered: not even the runner's own table
    expect(await tableExists(tdb, 'hc_migrations')).toBe(false);
    expect(await tableExists(tdb, 'persons')).toBe(false);
  });

  it('the embedded default (demo mode) still migrates on start', async () => {
    const tdb = await fresh(false);
    const ctx = await open(tdb, true);
    expect(await ctx.migrations.pending()).toEqual([]);
    expect(await tableExists(tdb, 'persons')).toBe(true);
    await ctx.keys.ensureKey(); // the schema is usable
  });

  it('production starts on a current schema without migrating', async () => {
    const tdb = await fresh(true);
    const before = await tdb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM hc_migrations');
    const ctx = await open(tdb, false);
    const after = await tdb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM hc_migrations');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    expect(await ctx.migrations.pending()).toEqual([]);
  });

  it('the testing role refuses its own out-of-date schema in production, migrates it in demo mode', async () => {
    const tdb = await fresh(true);
    await tdb.db.query("DELETE FROM hc_migrations WHERE migration_set = 'testing'");
    await tdb.db.query('DROP SCHEMA testing CASCADE');
    const ctx = await open(tdb, false);
    await expect(startTestingRole(ctx, { listen: false, env: {} })).rejects.toThrow(SchemaOutOfDateError);
    expect(await tableExists(tdb, 'testing.sites')).toBe(false);
    ctx.config.demo = true;
    const running = await startTestingRole(ctx, { listen: false, env: {} });
    await running.stop();
    expect(await new Migrator(tdb.db, TESTING_MIGRATIONS).pending()).toEqual([]);
  });

  it('an applied migration edited since refuses to serve too; a new file is out of date', async () => {
    const tdb = await fresh(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-schema-'));
    cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const set: MigrationSet = { name: `t_${crypto.randomBytes(3).toString('hex')}`, dir };
    fs.writeFileSync(path.join(dir, '0001_a.sql'), 'CREATE TABLE schema_test_a (x int);');
    const m = new Migrator(tdb.db, set);
    await m.apply();
    await requireCurrentSchema(m, 'here');
    fs.writeFileSync(path.join(dir, '0002_b.sql'), 'CREATE TABLE schema_test_b (x int);');
    await expect(requireCurrentSchema(m, 'here')).rejects.toThrow(
      /1 migration\(s\) not applied \(0002_b.sql\)/,
    );
    fs.writeFileSync(path.join(dir, '0001_a.sql'), 'CREATE TABLE schema_test_a (x bigint);');
    await expect(requireCurrentSchema(m, 'here')).rejects.toThrow(MigrationChangedError);
    expect(await tableExists(tdb, 'schema_test_b')).toBe(false);
  });

  it('as processes: npm start refuses with exit code 3; hc migrate, then it is current', async () => {
    const tdb = await fresh(false);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-schema-'));
    cleanup.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    // the embedded database is one process's: the test's connection must let go of it
    const env = {
      ...process.env,
      HC_DEMO: '0',
      HC_MASTER_KEY: crypto.randomBytes(32).toString('hex'),
      HC_DATA_DIR: dataDir,
      DATABASE_URL: tdb.url ?? '',
      HC_TESTING_DATABASE_URL: '',
      REDIS_URL: '',
      NATS_URL: '',
      PORT: '0',
      HC_METRICS: '0',
      HC_ROLE: 'api',
      LOG_LEVEL: 'warn',
    };
    const run = (args: string[]) => runTs(args, { env, timeoutMs: 300_000 });
    const start = await run(['src/main.ts']);
    expect(start.status).toBe(EXIT_SCHEMA);
    expect(start.stderr).toContain('out of date');
    expect(start.stderr).toContain('hc migrate');
    expect(start.stderr).not.toContain('    at ');
    expect((await run(['src/cli/main.ts', 'migrate', '--status'])).status).toBe(EXIT_SCHEMA);
    const mig = await run(['src/cli/main.ts', 'migrate']);
    expect(mig.status).toBe(0);
    expect(mig.stdout).toMatch(/platform applied: 0001_core.sql/);
    expect(mig.stdout).toMatch(/testing applied: 0001_schema.sql/);
    const status = await run(['src/cli/main.ts', 'migrate', '--status']);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/platform: \d+ applied, 0 pending — 最新 up to date/);
    if (USE_SERVICES) expect(await tableExists(tdb, 'persons')).toBe(true);
  }, 900_000);
});
