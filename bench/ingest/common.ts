/**
 * What the ingestion bench and its key-population harness share: the admin connection, the
 * platform context on a bench database and the synthetic residents.
 */
import pg from 'pg';
import pino from 'pino';
import { MemoryBus } from '../../src/adapters/bus/memory-bus.ts';
import { MemoryStatusCache } from '../../src/adapters/cache/memory-status-cache.ts';
import { openDatabase, type Database } from '../../src/adapters/db/database.ts';
import { loadConfig } from '../../src/config.ts';
import { makeResidentId } from '../../src/domain/document-number.ts';
import { createContext, type AppContext } from '../../src/roles/context.ts';

export const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** One statement on the admin database (CREATE / DROP DATABASE). */
export async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  await c.query(sql);
  await c.end();
}

/** The platform on database `name` of the admin server (in-process cache and bus, warnings only). */
export async function openBenchContext(
  name: string,
  masterKey: Buffer,
): Promise<{ db: Database; ctx: AppContext }> {
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const db = await openDatabase({ databaseUrl: url, poolSize: 8 });
  const config = { ...loadConfig({ HC_DEMO: 'false' }), databaseUrl: url, demo: false, logLevel: 'warn' };
  const ctx = await createContext(config, {
    db,
    cache: new MemoryStatusCache(),
    bus: new MemoryBus(),
    log: pino({ level: 'warn' }),
    masterKey,
    schema: 'apply', // the bench's own fresh database, as `hc migrate` would
  });
  return { db, ctx };
}

/** The i-th synthetic resident's valid ID number (deterministic). */
export function docOf(i: number): string {
  return makeResidentId(
    '520102',
    `19${String(30 + (Math.floor(i / 1000) % 70)).padStart(2, '0')}0${1 + (Math.floor(i / 70000) % 9)}1${Math.floor(i / 630000) % 10}`,
    i % 1000,
    i % 2 === 0,
  );
}
