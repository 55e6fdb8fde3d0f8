/**
 * `hc import` as operators run it: a child process on a real database (an embedded data folder,
 * or a fresh PostgreSQL database with HC_TEST_SERVICES=1), migrated once and shared by the tests
 * (each with rows of its own). Killed with SIGKILL midway — at a known point: the importer stops
 * itself after a block is written (HC_TEST_FREEZE_AFTER_BLOCKS) and, with services, once the
 * database shows that block — and run again, it leaves exactly one copy of each row.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../adapters/db/database.ts';
import { makeResidentId } from '../../domain/document-number.ts';
import { bundledEntry, runChild } from '../../../test/child.ts';
import { createMigratedDataDir, createTestDatabase, type TestDatabase } from '../../../test/context.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/feeds/persons.csv');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

describe('hc import (child process)', () => {
  let dir: string;
  let tdb: TestDatabase | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-import-'));
    env = {
      ...process.env,
      HC_DEMO: 'false',
      HC_MASTER_KEY: crypto.randomBytes(32).toString('hex'),
      HC_DATA_DIR: dir,
      LOG_LEVEL: 'error',
    };
    delete env.NATS_URL;
    delete env.REDIS_URL;
    delete env.DATABASE_URL;
    if (process.env.HC_TEST_SERVICES === '1') {
      tdb = await createTestDatabase();
      env.DATABASE_URL = tdb.url;
    } else await createMigratedDataDir(path.join(dir, 'pg'));
  }, 600_000);
  afterAll(async () => {
    await tdb?.drop();
    tdb = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `hc …`; `killWhen` sends SIGKILL once it returns true for the output so far. */
  async function hc(
    args: string[],
    killWhen?: (stderr: string) => boolean | Promise<boolean>,
    extraEnv: NodeJS.ProcessEnv = {},
  ): Promise<Run> {
    const r = await runChild(process.execPath, [await bundledEntry('src/cli/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...env, ...extraEnv },
      timeoutMs: 600_000,
      killWhen,
    });
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  }

  async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
    const db = tdb ? tdb.db : await openDatabase({ dataDir: path.join(dir, 'pg') });
    try {
      return await fn(db);
    } finally {
      if (!tdb) await db.close();
    }
  }

  const lastJson = (r: Run) =>
    JSON.parse(r.stdout.trim().split('\n').pop() as string) as {
      accepted: number;
      duplicates: number;
      rejected: number;
    };

  it('prints the summary as the last line with --json and writes rejected rows with line and code', async () => {
    const errors = path.join(dir, 'errors.ndjson');
    const r = await hc(['import', 'persons', FIXTURE, '--json', '--errors', errors]);
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson(r)).toEqual({ accepted: 6, duplicates: 2, rejected: 7 });
    const rejected = fs
      .readFileSync(errors, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; code: string });
    expect(rejected.map((e) => [e.line, e.code])).toContainEqual([3, 'DOC_BAD_CHECK_CHARACTER']);
    expect(rejected).toHaveLength(7);
    const again = await hc(['import', 'persons', FIXTURE, '--json']);
    expect(lastJson(again)).toEqual({ accepted: 0, duplicates: 8, rejected: 7 });
  }, 600_000);

  it('a file of many bad rows: every one written to --errors, in line order, and no listener pile-up on the stream', async () => {
    const n = 3000;
    const file = path.join(dir, 'bad-pings.csv');
    let s = 'phone,ts,lat,lon\n';
    for (let i = 0; i < n; i++) s += `1390000${String(i).padStart(4, '0')},not-a-time,26.5,106.7\n`;
    fs.writeFileSync(file, s);
    const errors = path.join(dir, 'bad-pings.ndjson');
    const r = await hc(['import', 'pings', file, '--json', '--errors', errors]);
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson(r)).toEqual({ accepted: 0, duplicates: 0, rejected: n });
    const lines = fs
      .readFileSync(errors, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { line: number }).line);
    expect(lines).toEqual(Array.from({ length: n }, (_, i) => i + 2));
    // a 'drain' listener per write once showed as this warning, and made such a file take minutes
    expect(r.stderr).not.toContain('MaxListenersExceededWarning');
  }, 600_000);

  /**
   * Runs an import that stops itself after its first written block and kills it there (with
   * services, once `committed` sees that block in the database).
   */
  async function killedImport(args: string[], committed: string): Promise<Run> {
    return hc(
      args,
      async (stderr) => {
        if (!stderr.includes('HC_TEST_FROZEN')) return false;
        if (!tdb) return true;
        return ((await tdb.db.query<{ n: number }>(committed)).rows[0]?.n ?? 0) > 0;
      },
      { HC_TEST_FREEZE_AFTER_BLOCKS: '1' },
    );
  }

  it('SIGKILL midway, then a re-run: exactly one copy of each row', async () => {
    // three blocks of 200 registry rows; killed after the first is written
    const n = 600;
    const lines = ['source_id,doc_type,doc_number,name,sex,birth_date,phone,region_code,address'];
    for (let i = 0; i < n; i++) {
      const doc = makeResidentId('520103', `${1940 + Math.floor(i / 1000)}0101`, i % 1000, i % 2 === 0);
      lines.push(`k-${i},10,${doc},居民${i},,,${13600000000 + i},520103,`);
    }
    const file = path.join(dir, 'persons-big.csv');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const killed = await killedImport(
      ['import', 'persons', file, '--no-progress', '--block-lines', '200'],
      "SELECT count(*)::int AS n FROM feed_records WHERE feed = 'persons' AND source_id LIKE 'k-%'",
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const rerun = await hc(['import', 'persons', file, '--json', '--no-progress', '--block-lines', '200']);
    expect(rerun.code, rerun.stderr).toBe(0);
    const s = lastJson(rerun);
    expect(s.rejected).toBe(0);
    expect(s.accepted + s.duplicates).toBe(n);
    expect(s.duplicates).toBeGreaterThanOrEqual(200); // the first run's block was committed
    expect(s.accepted).toBeGreaterThan(0); // and it was killed before the last
    const counts = await withDb(
      async (db) =>
        (
          await db.query<{ persons: number; docs: number; records: number; unlinked: number }>(
            `SELECT count(DISTINCT p.id)::int AS persons, count(DISTINCT p.doc_hash)::int AS docs,
                    count(*)::int AS records, count(*) FILTER (WHERE r.person_id IS NULL)::int AS unlinked
               FROM feed_records r LEFT JOIN persons p ON p.id = r.person_id
              WHERE r.feed = 'persons' AND r.source_id LIKE 'k-%'`,
          )
        ).rows[0],
    );
    expect(counts).toEqual({ persons: n, docs: n, records: n, unlinked: 0 });
  }, 600_000);

  it('pings (read on the file thread): SIGKILL midway, then a re-run: exactly one copy of each row', async () => {
    const people = 50;
    const registry = ['source_id,doc_type,doc_number,name,sex,birth_date,phone,region_code,address'];
    for (let i = 0; i < people; i++)
      registry.push(
        `pp-${i},10,${makeResidentId('520102', '19800101', i, i % 2 === 0)},居民${i},,,${13500000000 + i},520102,`,
      );
    const pf = path.join(dir, 'persons.csv');
    fs.writeFileSync(pf, registry.join('\n') + '\n');
    expect(lastJson(await hc(['import', 'persons', pf, '--json', '--no-progress']))).toEqual({
      accepted: people,
      duplicates: 0,
      rejected: 0,
    });
    // three blocks of 500 rows, every row a distinct (person, time) of yesterday
    const n = 1500;
    const start = Date.parse(new Date(Date.now() - 86400_000).toISOString().slice(0, 10));
    const parts = ['phone,ts,lat,lon,accuracy_m\n'];
    for (let k = 0; k < n; k++)
      parts.push(
        `${13500000000 + (k % people)},${new Date(start + Math.floor(k / people) * 1000).toISOString()},26.5,106.6,30\n`,
      );
    const file = path.join(dir, 'pings.csv');
    fs.writeFileSync(file, parts.join(''));
    const killed = await killedImport(
      ['import', 'pings', file, '--no-stays', '--no-progress', '--block-lines', '500'],
      'SELECT count(*)::int AS n FROM ping_blocks',
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const rerun = await hc([
      'import',
      'pings',
      file,
      '--no-stays',
      '--json',
      '--no-progress',
      '--block-lines',
      '500',
    ]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const s = lastJson(rerun);
    expect(s.rejected).toBe(0);
    expect(s.accepted + s.duplicates).toBe(n);
    expect(s.duplicates).toBeGreaterThanOrEqual(500); // the first run's block was committed
    expect(s.accepted).toBeGreaterThan(0); // and it was killed before the last
    const counts = await withDb(
      async (db) =>
        (
          await db.query<{ n: number; d: number }>(
            'SELECT count(*)::int AS n, count(DISTINCT (person_id, ts))::int AS d FROM pings',
          )
        ).rows[0],
    );
    expect(counts).toEqual({ n, d: n });
  }, 600_000);

  it('key-population list (read on the file thread): SIGKILL midway, then a re-run: one fact, membership and task per row', async () => {
    const people = 300;
    const doc = (i: number) =>
      makeResidentId('520111', `${1950 + Math.floor(i / 1000)}0101`, i % 1000, i % 2 === 0);
    const registry = ['source_id,doc_type,doc_number,name,sex,birth_date,phone,region_code,address'];
    for (let i = 0; i < people; i++) registry.push(`kr-${i},10,${doc(i)},居民${i},,,,520111,`);
    const pf = path.join(dir, 'registry.csv');
    fs.writeFileSync(pf, registry.join('\n') + '\n');
    expect(lastJson(await hc(['import', 'persons', pf, '--json', '--no-progress']))).toMatchObject({
      accepted: people,
      rejected: 0,
    });
    // everyone on four lists: 1 200 rows, six blocks of 200 (three are written side by side)
    const lists = 4;
    const list = ['source_id,doc_type,doc_number,category,list,event_time'];
    const at = new Date(Date.now() - 3600_000).toISOString();
    for (let j = 0; j < lists; j++) {
      for (let i = 0; i < people; i++)
        list.push(
          `kl-${j}-${i},10,${doc(i)},${i % 3 ? 'secondary_contact' : 'close_contact'},密接 list ${j},${at}`,
        );
    }
    const file = path.join(dir, 'list.csv');
    fs.writeFileSync(file, list.join('\n') + '\n');
    const killed = await killedImport(
      ['import', 'key-population', file, '--no-progress', '--block-lines', '200'],
      "SELECT count(*)::int AS n FROM facts WHERE source = 'key-population'",
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const rerun = await hc([
      'import',
      'key-population',
      file,
      '--json',
      '--no-progress',
      '--block-lines',
      '200',
    ]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const s = lastJson(rerun);
    expect(s.rejected).toBe(0);
    expect(s.accepted + s.duplicates).toBe(lists * people);
    expect(s.duplicates).toBeGreaterThanOrEqual(200); // the first run's block was committed
    expect(s.accepted).toBeGreaterThan(0); // and it was killed before the last
    const counts = await withDb(
      async (db) =>
        (
          await db.query<{ facts: number; members: number; tasks: number; red: number; statuses: number }>(
            `WITH listed AS (SELECT person_id FROM feed_records WHERE feed = 'persons' AND source_id LIKE 'kr-%')
             SELECT (SELECT count(*)::int FROM facts WHERE source = 'key-population' AND person_id IN (SELECT person_id FROM listed)) AS facts,
                    (SELECT count(*)::int FROM key_population WHERE person_id IN (SELECT person_id FROM listed)) AS members,
                    (SELECT count(*)::int FROM response_tasks WHERE person_id IN (SELECT person_id FROM listed)) AS tasks,
                    (SELECT count(*)::int FROM statuses WHERE colour5 = 3 AND person_id IN (SELECT person_id FROM listed)) AS red,
                    (SELECT count(*)::int FROM statuses WHERE person_id IN (SELECT person_id FROM listed)) AS statuses`,
          )
        ).rows[0],
    );
    // every listed person has a status computed after their fact (close contacts red)
    expect(counts).toEqual({
      facts: lists * people,
      members: lists * people,
      tasks: lists * people,
      red: Math.ceil(people / 3),
      statuses: people,
    });
  }, 600_000);

  it('NUL bytes, invalid UTF-8, a stray quote and CR-only line endings: row errors with their lines, good rows written, no stack trace', async () => {
    const doc = (i: number) => makeResidentId('520102', '19900101', 700 + i, i % 2 === 0);
    const row = (i: number, name: string) => `n-${i},10,${doc(i)},${name},,,,520102,`;
    const csv = Buffer.concat([
      Buffer.from(
        [
          'source_id,doc_type,doc_number,name,sex,birth_date,phone,region_code,address',
          row(1, '张三'),
          row(2, '李\u0000四'),
          row(3, '"王五'),
          row(4, '赵六'),
          row(5, ''),
        ].join('\r'),
      ),
      Buffer.from([0xff, 0xfe]), // the address of row 5: not UTF-8
      Buffer.from(`\r${row(6, '钱七')}\r`),
    ]);
    const file = path.join(dir, 'persons-nul.csv');
    fs.writeFileSync(file, csv);
    const errors = path.join(dir, 'persons-nul.errors.ndjson');
    const r = await hc(['import', 'persons', file, '--json', '--no-progress', '--errors', errors]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(lastJson(r)).toEqual({ accepted: 3, duplicates: 0, rejected: 3 });
    const rejected = fs
      .readFileSync(errors, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; code: string });
    expect(rejected.map((e) => [e.line, e.code])).toEqual([
      [3, 'INPUT_NUL'],
      [4, 'ROW_BAD_CSV'],
      [6, 'INPUT_BAD_UNICODE'],
    ]);
    // NDJSON of a key-population list: the NUL row is refused, the good one is written
    const list = path.join(dir, 'list-nul.ndjson');
    const at = new Date(Date.now() - 3600_000).toISOString();
    const entry = (id: string, i: number, listName: string) =>
      JSON.stringify({
        source_id: id,
        doc_type: 10,
        doc_number: doc(i),
        category: 'close_contact',
        list: listName,
        event_time: at,
      });
    fs.writeFileSync(list, `${entry('l-1', 1, '密接')}\n${entry('l-2', 4, '密\u0000接')}\n`);
    const k = await hc(['import', 'key-population', list, '--json', '--no-progress']);
    expect(k.code, k.stderr).toBe(0);
    expect(k.stderr).not.toMatch(/\n\s+at /);
    expect(lastJson(k)).toEqual({ accepted: 1, duplicates: 0, rejected: 1 });
    const facts = await withDb(
      async (db) =>
        (
          await db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM facts WHERE source = 'key-population' AND source_record_id IN ('l-1', 'l-2')",
          )
        ).rows[0]?.n,
    );
    expect(facts).toBe(1);
  }, 600_000);

  it('an unreadable pings file fails the command with the reason, and the command exits', async () => {
    const r = await hc(['import', 'pings', dir, '--json', '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read pings file .*EISDIR/);
  }, 600_000);
});
