/**
 * The migration runner (docs/DESIGN.md §12, docs/OPERATIONS.md). One runner, several sets: the
 * platform's `migrations/NNNN_name.sql` and the testing service's `migrations/testing/NNNN_name.sql`,
 * each applied to the database it belongs to. Our own rather than Kysely's `Migrator`, which keeps
 * no checksums, expects migrations as TypeScript modules and takes one fixed lock for every set.
 *
 * - Every applied file is recorded in `hc_migrations` (set, name, SHA-256 of its text). A file whose
 *   text changed after it was applied stops the runner, naming the file: applied migrations are
 *   never edited, a change is a new file.
 * - A file is sent whole, as one script (PostgreSQL's simple-query protocol, PGlite's `exec`), so
 *   dollar quotes, comments and semicolons inside strings need no splitting of ours.
 * - One transaction per run: all pending files of the set or none. A transaction-level advisory
 *   lock named after the set (`hc.migrations.<set>`) lets one process migrate while the others wait.
 * - `pending()` / `status()` only read: a production process refuses an out-of-date schema with them.
 * - Files are applied in name order. A pending file that sorts before an applied one (engineers
 *   add files in their own number ranges in parallel) is applied like any other.
 * - Databases migrated by the earlier runner (table `schema_migrations`, names only) are adopted:
 *   the first run of a set records each file that table lists (under its old name, see `legacy`)
 *   as applied, with the checksum of the file as it is now.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  MigrationChangedError,
  type MigrationInfo,
  type MigrationStatus,
  type SchemaMigrations,
} from '../../ports/schema-migrations.port.ts';
import type { Database, Queryable } from './database.ts';

export const MIGRATIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../migrations',
);

/** A folder of `NNNN_name.sql` files applied to one database. */
export interface MigrationSet {
  /** recorded with every applied file; names the lock */
  name: string;
  dir: string;
  /** file name → the name the earlier runner recorded it under, where they differ */
  legacy?: Readonly<Record<string, string>>;
}

/** The platform's schema: `migrations/NNNN_name.sql`. */
export const PLATFORM_MIGRATIONS: MigrationSet = { name: 'platform', dir: MIGRATIONS_DIR };

/**
 * The testing service's schema `testing`: `migrations/testing/NNNN_name.sql`, applied to the
 * testing service's database (the platform's unless HC_TESTING_DATABASE_URL says otherwise).
 */
export const TESTING_MIGRATIONS: MigrationSet = {
  name: 'testing',
  dir: path.join(MIGRATIONS_DIR, 'testing'),
  legacy: { '0001_schema.sql': '0200_testing_schema.sql' },
};

const FILE = /^\d{4}_[A-Za-z0-9_.-]+\.sql$/;

/** The set's files in order, with their checksums. */
export function migrationFiles(set: MigrationSet): Array<MigrationInfo & { sql: string }> {
  return fs
    .readdirSync(set.dir)
    .filter((f) => FILE.test(f))
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(set.dir, name), 'utf8');
      return { name, sql, checksum: checksumOf(sql) };
    });
}

/** SHA-256 of a migration's text; CRLF and LF checkouts of one file agree. */
export function checksumOf(sql: string): string {
  return crypto.createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS hc_migrations (
  migration_set text NOT NULL,
  name          text NOT NULL,
  checksum      text NOT NULL,
  applied_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (migration_set, name)
)`;

/** The runner for one set on one database. */
export class Migrator implements SchemaMigrations {
  readonly set: string;

  constructor(
    private readonly db: Database,
    private readonly migrations: MigrationSet = PLATFORM_MIGRATIONS,
  ) {
    this.set = migrations.name;
  }

  async status(): Promise<MigrationStatus> {
    return compare(this.migrations, await recorded(this.db, this.migrations));
  }

  async pending(): Promise<string[]> {
    const s = await this.status();
    refuseChanged(this.migrations, s);
    return s.pending.map((m) => m.name);
  }

  async apply(): Promise<string[]> {
    const files = migrationFiles(this.migrations);
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `hc.migrations.${this.migrations.name}`,
      ]);
      await tx.query(CREATE_TABLE);
      let applied = await recorded(tx, this.migrations, false);
      if (applied.size === 0) applied = await adopt(tx, this.migrations, files);
      const s = compare(this.migrations, applied, files);
      refuseChanged(this.migrations, s);
      const done: string[] = [];
      for (const m of files) {
        if (applied.has(m.name)) continue;
        try {
          await tx.exec(m.sql);
        } catch (err) {
          throw new Error(
            `migration ${path.join(this.migrations.dir, m.name)} failed: ${(err as Error).message}`,
            { cause: err },
          );
        }
        await tx.query('INSERT INTO hc_migrations (migration_set, name, checksum) VALUES ($1, $2, $3)', [
          this.migrations.name,
          m.name,
          m.checksum,
        ]);
        done.push(m.name);
      }
      return done;
    });
  }
}

/** Applies the set's pending migrations (default: the platform's); returns the names applied. */
export async function migrate(db: Database, set: MigrationSet = PLATFORM_MIGRATIONS): Promise<string[]> {
  return new Migrator(db, set).apply();
}

function refuseChanged(set: MigrationSet, s: MigrationStatus): void {
  const first = s.changed[0];
  if (!first) return;
  const names = s.changed.map((c) => path.join(set.dir, c.name)).join(', ');
  throw new MigrationChangedError(
    `migration ${names} changed after it was applied to this database (recorded sha256 ${first.recorded.slice(0, 12)}…, file now ${first.current.slice(0, 12)}…). Applied migrations must never be edited: restore the file and put the change in a new migration.`,
  );
}

/**
 * name → checksum recorded for the set; empty when nothing is recorded (or no table yet). With
 * `legacyView`, a set nothing is recorded for reads as what adopting the earlier runner's table
 * would record.
 */
async function recorded(q: Queryable, set: MigrationSet, legacyView = true): Promise<Map<string, string>> {
  const exists = await q.query<{ t: string | null; legacy: string | null }>(
    "SELECT to_regclass('hc_migrations')::text AS t, to_regclass('schema_migrations')::text AS legacy",
  );
  const row = exists.rows[0];
  const out = new Map<string, string>();
  if (row?.t) {
    const r = await q.query<{ name: string; checksum: string }>(
      'SELECT name, checksum FROM hc_migrations WHERE migration_set = $1',
      [set.name],
    );
    for (const x of r.rows) out.set(x.name, x.checksum);
  }
  // Read-only view of a database the earlier runner migrated: what adoption would record.
  if (legacyView && out.size === 0 && row?.legacy) return legacyApplied(q, set, migrationFiles(set));
  return out;
}

/** Files the earlier runner recorded in `schema_migrations`, with their current checksums. */
async function legacyApplied(
  q: Queryable,
  set: MigrationSet,
  files: ReadonlyArray<MigrationInfo>,
): Promise<Map<string, string>> {
  const r = await q.query<{ name: string }>('SELECT name FROM schema_migrations');
  const old = new Set(r.rows.map((x) => x.name));
  const out = new Map<string, string>();
  for (const f of files) if (old.has(set.legacy?.[f.name] ?? f.name)) out.set(f.name, f.checksum);
  return out;
}

async function adopt(
  q: Queryable,
  set: MigrationSet,
  files: ReadonlyArray<MigrationInfo>,
): Promise<Map<string, string>> {
  const legacy = await q.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (!legacy.rows[0]?.t) return new Map();
  const adopted = await legacyApplied(q, set, files);
  for (const [name, checksum] of adopted)
    await q.query('INSERT INTO hc_migrations (migration_set, name, checksum) VALUES ($1, $2, $3)', [
      set.name,
      name,
      checksum,
    ]);
  return adopted;
}

function compare(
  set: MigrationSet,
  applied: Map<string, string>,
  files: ReadonlyArray<MigrationInfo> = migrationFiles(set),
): MigrationStatus {
  const s: MigrationStatus = { set: set.name, applied: [], pending: [], changed: [], unknown: [] };
  const names = new Set<string>();
  for (const f of files) {
    names.add(f.name);
    const rec = applied.get(f.name);
    if (rec === undefined) s.pending.push({ name: f.name, checksum: f.checksum });
    else {
      s.applied.push({ name: f.name, checksum: rec });
      if (rec !== f.checksum) s.changed.push({ name: f.name, recorded: rec, current: f.checksum });
    }
  }
  s.unknown = [...applied.keys()].filter((n) => !names.has(n)).sort();
  return s;
}
