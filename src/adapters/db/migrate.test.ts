/**
 * The migration runner on the embedded database and (HC_TEST_SERVICES=1) on PostgreSQL: checksums,
 * whole-file scripts, pending listing, one run at a time per set, adoption of databases the earlier
 * runner migrated.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/context.ts';
import { MigrationChangedError } from '../../ports/schema-migrations.port.ts';
import {
  checksumOf,
  migrate,
  migrationFiles,
  Migrator,
  PLATFORM_MIGRATIONS,
  TESTING_MIGRATIONS,
  type MigrationSet,
} from './migrate.ts';

let tdb: TestDatabase;
let n = 0;

beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  await tdb.drop();
});

/** A set of its own in a temp folder; its tables are prefixed with the set's name. */
function tempSet(files: Record<string, string>, legacy?: Record<string, string>): MigrationSet {
  const name = `t${process.pid}_${++n}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-migrations-'));
  for (const [f, sql] of Object.entries(files))
    fs.writeFileSync(path.join(dir, f), sql.replaceAll('$T', name));
  return { name, dir, ...(legacy ? { legacy } : {}) };
}

const tableExists = async (name: string): Promise<boolean> => {
  const r = await tdb.db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name]);
  return typeof r.rows[0]?.t === 'string';
};

describe('migration runner', () => {
  it('lists pending files without applying them, applies them in order, then has nothing pending', async () => {
    const set = tempSet({
      '0002_b.sql': 'ALTER TABLE $T_a ADD COLUMN b int;',
      '0001_a.sql': 'CREATE TABLE $T_a (id int PRIMARY KEY);',
      'README.md': 'not a migration',
    });
    const m = new Migrator(tdb.db, set);
    expect(await m.pending()).toEqual(['0001_a.sql', '0002_b.sql']);
    expect(await m.pending()).toEqual(['0001_a.sql', '0002_b.sql']); // reading changed nothing
    expect(await tableExists(`${set.name}_a`)).toBe(false);
    expect(await m.apply()).toEqual(['0001_a.sql', '0002_b.sql']);
    expect(await m.pending()).toEqual([]);
    expect(await m.apply()).toEqual([]);
    const s = await m.status();
    expect(s.applied.map((a) => a.name)).toEqual(['0001_a.sql', '0002_b.sql']);
    expect(s.applied[0]?.checksum).toBe(
      checksumOf('CREATE TABLE $T_a (id int PRIMARY KEY);'.replaceAll('$T', set.name)),
    );
    await tdb.db.query(`INSERT INTO ${set.name}_a (id, b) VALUES (1, 2)`);
  });

  it('refuses to run when an applied file was edited, naming the file, and applies nothing', async () => {
    const set = tempSet({ '0001_a.sql': 'CREATE TABLE $T_a (id int);\n-- the end\n' });
    const file = path.join(set.dir, '0001_a.sql');
    const original = fs.readFileSync(file, 'utf8');
    await migrate(tdb.db, set);
    const m = new Migrator(tdb.db, set);
    // a CRLF checkout of the same file is the same text
    fs.writeFileSync(file, original.replaceAll('\n', '\r\n'));
    expect(await m.pending()).toEqual([]);
    // a comment is text too
    fs.writeFileSync(file, original.replace('the end', 'the end.'));
    await expect(m.pending()).rejects.toThrow(MigrationChangedError);
    fs.writeFileSync(file, original.replace('int', 'bigint'));
    fs.writeFileSync(path.join(set.dir, '0002_b.sql'), `CREATE TABLE ${set.name}_b (id int);`);
    await expect(m.pending()).rejects.toThrow(file);
    await expect(m.apply()).rejects.toThrow(/0001_a\.sql changed after it was applied/);
    expect(await tableExists(`${set.name}_b`)).toBe(false);
    const s = await m.status();
    expect(s.changed.map((c) => c.name)).toEqual(['0001_a.sql']);
    expect(s.pending.map((p) => p.name)).toEqual(['0002_b.sql']);
    fs.writeFileSync(file, original);
    expect(await m.apply()).toEqual(['0002_b.sql']);
  });

  it('sends each file whole: dollar quotes, semicolons in strings and comments need no splitting', async () => {
    const set = tempSet({
      '0001_script.sql': `-- a comment; with a semicolon
CREATE TABLE $T_x (v text);
INSERT INTO $T_x VALUES ('a;b'), ($q$c;
d$q$); /* block; comment */
CREATE FUNCTION $T_f() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  RETURN (SELECT count(*) FROM $T_x); -- ; inside
END $$;
SELECT 1`,
    });
    expect(await migrate(tdb.db, set)).toEqual(['0001_script.sql']);
    const r = await tdb.db.query<{ n: number }>(`SELECT ${set.name}_f() AS n`);
    expect(r.rows[0]?.n).toBe(2);
  });

  it('applies a run all or nothing, and a failure names the file', async () => {
    const set = tempSet({
      '0001_ok.sql': 'CREATE TABLE $T_ok (id int);',
      '0002_bad.sql': 'CREATE TABLE $T_bad (id int);\nSELECT no_such_column FROM $T_bad;',
    });
    const m = new Migrator(tdb.db, set);
    await expect(m.apply()).rejects.toThrow(/migration .*0002_bad\.sql failed: .*no_such_column/);
    expect(await tableExists(`${set.name}_ok`)).toBe(false);
    expect(await m.pending()).toEqual(['0001_ok.sql', '0002_bad.sql']);
  });

  it('applies a file that sorts before applied ones (parallel number ranges)', async () => {
    const set = tempSet({ '0520_g.sql': 'CREATE TABLE $T_g (id int);' });
    await migrate(tdb.db, set);
    fs.writeFileSync(path.join(set.dir, '0405_a.sql'), `CREATE TABLE ${set.name}_a (id int);`);
    expect(await new Migrator(tdb.db, set).pending()).toEqual(['0405_a.sql']);
    expect(await migrate(tdb.db, set)).toEqual(['0405_a.sql']);
  });

  it('runs one migrator at a time per set: concurrent runs apply each file once', async () => {
    const set = tempSet({
      '0001_a.sql': 'CREATE TABLE $T_a (id int);', // would fail if run twice
      '0002_b.sql': 'CREATE TABLE $T_b (id int);',
    });
    const runs = await Promise.all([1, 2, 3].map(() => new Migrator(tdb.db, set).apply()));
    expect(runs.flat().sort()).toEqual(['0001_a.sql', '0002_b.sql']);
  });

  it('reports applied migrations it has no file for, and keeps sets apart', async () => {
    const a = tempSet({ '0001_x.sql': 'CREATE TABLE $T_x (id int);' });
    const b = tempSet({ '0001_x.sql': 'CREATE TABLE $T_x (id int);' }); // same file name, other set
    await migrate(tdb.db, a);
    expect(await new Migrator(tdb.db, b).pending()).toEqual(['0001_x.sql']);
    await migrate(tdb.db, b);
    fs.rmSync(path.join(a.dir, '0001_x.sql'));
    const s = await new Migrator(tdb.db, a).status();
    expect(s.unknown).toEqual(['0001_x.sql']);
    expect(s.pending).toEqual([]);
  });

  it('adopts what the earlier runner recorded in schema_migrations, under old names too', async () => {
    const set = tempSet(
      {
        '0001_a.sql': 'CREATE TABLE $T_a (id int);', // fails if run again
        '0002_renamed.sql': 'CREATE TABLE $T_r (id int);',
        '0003_new.sql': 'CREATE TABLE $T_n (id int);',
      },
      { '0002_renamed.sql': '0900_old_name.sql' },
    );
    await tdb.db.transaction(async (tx) => {
      await tx.exec(
        `CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
         CREATE TABLE ${set.name}_a (id int); CREATE TABLE ${set.name}_r (id int);
         INSERT INTO schema_migrations (name) VALUES ('0001_a.sql'), ('0900_old_name.sql');`,
      );
    });
    const m = new Migrator(tdb.db, set);
    expect(await m.pending()).toEqual(['0003_new.sql']);
    expect(await m.apply()).toEqual(['0003_new.sql']);
    expect((await m.status()).applied.map((x) => x.name)).toEqual([
      '0001_a.sql',
      '0002_renamed.sql',
      '0003_new.sql',
    ]);
    // adopted with the files' checksums: an edit after adoption is refused like any other
    fs.appendFileSync(path.join(set.dir, '0001_a.sql'), '\n-- edited');
    await expect(m.pending()).rejects.toThrow(MigrationChangedError);
  });

  it("the platform's and the testing service's sets: applied, nothing pending, checksums recorded", async () => {
    for (const set of [PLATFORM_MIGRATIONS, TESTING_MIGRATIONS]) {
      const m = new Migrator(tdb.db, set);
      expect(await m.pending()).toEqual([]);
      const s = await m.status();
      expect(s.applied.map((x) => x.checksum)).toEqual(migrationFiles(set).map((f) => f.checksum));
    }
    expect(migrationFiles(PLATFORM_MIGRATIONS).some((f) => f.name.includes('testing'))).toBe(false);
    expect(migrationFiles(TESTING_MIGRATIONS).map((f) => f.name)).toContain('0001_schema.sql');
  });

  it('a database the earlier runner migrated (both sets in one table, old names) keeps working', async () => {
    const old = await createTestDatabase();
    try {
      // what the earlier runner left: the schema, and schema_migrations (name) listing every
      // platform file and the testing schema under its old name, 0200_testing_schema.sql
      const names = [...migrationFiles(PLATFORM_MIGRATIONS).map((f) => f.name), '0200_testing_schema.sql'];
      await old.db.transaction(async (tx) => {
        await tx.exec(
          // testing/0002_audit_log.sql and 0010_audit_log_chain.sql came after the earlier runner:
          // their tables were not there
          `DROP TABLE testing.audit_log;
           DROP TABLE testing.audit_checkpoints;
           DROP TABLE hc_migrations;
           CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());`,
        );
        for (const name of names) await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
      });
      for (const set of [PLATFORM_MIGRATIONS, TESTING_MIGRATIONS]) {
        // the earlier runner knew only the testing set's first file; later ones are still to run
        const later =
          set === TESTING_MIGRATIONS
            ? migrationFiles(set)
                .map((f) => f.name)
                .filter((n) => n !== '0001_schema.sql')
            : [];
        expect(await new Migrator(old.db, set).pending()).toEqual(later);
        expect(await migrate(old.db, set)).toEqual(later); // would fail if it ran a file again
        const s = await new Migrator(old.db, set).status();
        expect(s.applied.length).toBe(migrationFiles(set).length);
      }
    } finally {
      await old.drop();
    }
  });
});
