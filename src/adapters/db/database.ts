/**
 * The database handle every repository receives: a Kysely instance for typed queries plus raw SQL,
 * transactions and bulk COPY. Embedded PGlite and production PostgreSQL implement the same shape.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER } from './binary-copy.ts';
import { pgParam } from './pg-params.ts';
import { PglitePool, type PoolClientLike, type PoolQueryResult } from './pglite-pool.ts';
import type { DB } from './schema.ts';

export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<PoolQueryResult<R>>;
}

/** Bulk loading with COPY, on the pool or inside a transaction. */
export interface Copier {
  /** Bulk-loads CSV text (no header) into table(columns) with COPY; returns rows copied. */
  copyCsv(
    table: string,
    columns: readonly string[],
    chunks: AsyncIterable<string> | Iterable<string>,
  ): Promise<number>;
  /**
   * Bulk-loads rows in PostgreSQL's binary COPY format (tuples only, as `BinaryCopyWriter`
   * builds them: the header and trailer are added here); returns rows copied. No text parsing of
   * timestamps and floats on the server, the cheapest way in.
   */
  copyBinary(
    table: string,
    columns: readonly string[],
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<number>;
}

/** One connection inside BEGIN … COMMIT. */
export interface Transaction extends Queryable, Copier {
  /**
   * Runs a script of several statements, without parameters, in one round trip (PostgreSQL's
   * simple-query protocol, PGlite's `exec`): migrations are sent whole, never split by us.
   */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable, Copier {
  readonly kind: 'pglite' | 'postgres';
  readonly kysely: Kysely<DB>;
  /** embedded only: a gzip dump of the whole cluster (test templates, backups) */
  dump?: () => Promise<Blob>;
  /** Runs fn inside one transaction on one connection. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// int8 → number everywhere (ids and counts stay far below 2^53); PGlite already does this.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** folder for embedded data; undefined = in memory */
  dataDir?: string | undefined;
  /** embedded only: start from this dump (PGlite dumpDataDir) instead of an empty cluster */
  loadDataDir?: Blob;
  poolSize?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  return opts.databaseUrl
    ? openPostgres(opts.databaseUrl, opts.poolSize ?? 10)
    : openPglite(opts.dataDir, opts.loadDataDir);
}

async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  let unlock = () => undefined as void;
  if (dataDir) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  const pglite = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
  });
  const pool = new PglitePool(pglite);
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as never }) });
  return {
    kind: 'pglite',
    dump: async () => pglite.dumpDataDir('gzip'),
    kysely,
    query: (text, params) => pool.query(text, params),
    transaction: (fn) =>
      inTransaction(
        () => pool.connect(),
        fn,
        () => ({
          ...pgliteCopier(pool),
          exec: async (sql: string) => {
            await pool.pglite.exec(sql);
          },
        }),
      ),
    ...pgliteCopier(pool, true),
    async close() {
      await kysely.destroy();
      unlock();
    },
  };
}

/**
 * PGlite's COPY reads a blob in one statement. `lease` = take the single session first (outside a
 * transaction); inside one, the transaction already holds it.
 */
function pgliteCopier(pool: PglitePool, lease = false): Copier {
  const run = async (sql: string, parts: BlobPart[]): Promise<number> => {
    const go = async () => (await pool.pglite.query(sql, [], { blob: new Blob(parts) })).affectedRows ?? 0;
    if (!lease) return go();
    const client = await pool.connect();
    try {
      return await go();
    } finally {
      client.release();
    }
  };
  return {
    async copyCsv(table, columns, chunks) {
      const parts: string[] = [];
      for await (const c of chunks) parts.push(c);
      if (parts.length === 0) return 0;
      return run(`COPY ${table} (${columns.join(',')}) FROM '/dev/blob' WITH (FORMAT csv)`, parts);
    },
    async copyBinary(table, columns, chunks) {
      const parts: BlobPart[] = [COPY_BINARY_HEADER];
      for await (const c of chunks) parts.push(c as Uint8Array<ArrayBuffer>);
      if (parts.length === 1) return 0;
      parts.push(COPY_BINARY_TRAILER);
      return run(`COPY ${table} (${columns.join(',')}) FROM '/dev/blob' WITH (FORMAT binary)`, parts);
    },
  };
}

/**
 * PGlite is one process's database: a second process opening the same folder would corrupt it.
 * A pid file keeps `hc` commands off a folder that a running server holds.
 */
function lockDataDir(dataDir: string): () => void {
  const lock = `${dataDir}.lock`;
  try {
    const pid = Number(fs.readFileSync(lock, 'utf8'));
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new Error(
        `the embedded database ${dataDir} is in use by process ${pid} (npm start?). Stop it first, or set DATABASE_URL to use PostgreSQL.`,
      );
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.writeFileSync(lock, String(process.pid));
  const release = () => {
    try {
      if (Number(fs.readFileSync(lock, 'utf8')) === process.pid) fs.unlinkSync(lock);
    } catch {
      /* already gone */
    }
  };
  process.once('exit', release);
  return release;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', () => undefined); // idle client errors surface on the next query instead
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    kysely,
    query: async (text, params) => {
      const r = await pool.query(text, params?.map(pgParam));
      return { rows: r.rows, rowCount: r.rowCount, command: r.command };
    },
    transaction: (fn) =>
      inTransaction(
        () => pool.connect() as Promise<PoolClientLike & pg.PoolClient>,
        fn,
        (c) => ({
          ...pgCopier(async () => c, false),
          exec: async (sql: string) => {
            await c.query(sql); // no parameters: the simple-query protocol, several statements
          },
        }),
        pgParam,
      ),
    ...pgCopier(() => pool.connect(), true),
    async close() {
      await kysely.destroy();
    },
  };
}

/** COPY over a `pg` connection with pg-copy-streams; `release` = return the connection after. */
function pgCopier(connect: () => Promise<pg.PoolClient>, release: boolean): Copier {
  const copy = async (
    sql: string,
    chunks: AsyncIterable<unknown> | Iterable<unknown>,
    binary: boolean,
  ): Promise<number> => {
    const client = await connect();
    try {
      const stream = client.query(copyFrom(sql));
      const body = binary ? framed(chunks as AsyncIterable<Uint8Array> | Iterable<Uint8Array>) : chunks;
      await pipeline(Readable.from(body), stream);
      return stream.rowCount ?? 0;
    } finally {
      if (release) client.release();
    }
  };
  return {
    copyCsv: (table, columns, chunks) =>
      copy(`COPY ${table} (${columns.join(',')}) FROM STDIN WITH (FORMAT csv)`, chunks, false),
    copyBinary: (table, columns, chunks) =>
      copy(`COPY ${table} (${columns.join(',')}) FROM STDIN WITH (FORMAT binary)`, chunks, true),
  };
}

async function* framed(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield COPY_BINARY_HEADER;
  for await (const c of chunks) yield c;
  yield COPY_BINARY_TRAILER;
}

async function inTransaction<C extends PoolClientLike, T>(
  connect: () => Promise<C>,
  fn: (tx: Transaction) => Promise<T>,
  copier: (c: C) => Copier & Pick<Transaction, 'exec'>,
  param: (p: unknown) => unknown = (p) => p,
): Promise<T> {
  const client = await connect();
  try {
    await client.query('BEGIN');
    const tx: Transaction = {
      query: (text, params) => client.query(text, params?.map(param)),
      ...copier(client),
    };
    const out = await fn(tx);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
