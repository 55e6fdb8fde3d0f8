/**
 * `hc import` as operators run it: a child process on a real database (an embedded data folder,
 * or a fresh PostgreSQL database with HC_TEST_SERVICES=1). Killed with SIGKILL midway and run
 * again, it leaves exactly one copy of each row.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../adapters/db/database.ts';
import { makeResidentId } from '../../domain/document-number.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/context.ts';

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

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-import-'));
    // progress lines every 100 ms: the SIGKILL tests kill an import once one shows committed rows,
    // which must happen before a fast machine has finished the file
    env = {
      ...process.env,
      HC_DEMO: 'false',
      HC_MASTER_KEY: crypto.randomBytes(32).toString('hex'),
      HC_DATA_DIR: dir,
      LOG_LEVEL: 'error',
      HC_PROGRESS_MS: '100',
    };
    delete env.NATS_URL;
    delete env.REDIS_URL;
    delete env.DATABASE_URL;
    if (process.env.HC_TEST_SERVICES === '1') {
      tdb = await createTestDatabase();
      env.DATABASE_URL = tdb.url;
    }
  });
  afterEach(async () => {
    await tdb?.drop();
    tdb = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `hc …`; `killWhen` sends SIGKILL once it returns true for the output so far. */
  function hc(args: string[], killWhen?: (stderr: string) => boolean | Promise<boolean>): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args],
        { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      let killed = false;
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const poll = killWhen
        ? setInterval(() => {
            void Promise.resolve(killWhen(stderr)).then((yes) => {
              if (yes && !killed) {
                killed = true;
                child.kill('SIGKILL');
              }
            });
          }, 100)
        : undefined;
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (poll) clearInterval(poll);
        resolve({ code, signal, stdout, stderr });
      });
    });
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
    const n = 30_000;
    const file = path.join(dir, 'bad-pings.csv');
    let s = 'phone,ts,lat,lon\n';
    for (let i = 0; i < n; i++) s += `1390000${String(i % 10_000).padStart(4, '0')},not-a-time,26.5,106.7\n`;
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

  it('SIGKILL midway, then a re-run: exactly one copy of each row', async () => {
    // Large enough that the import is still running when the first progress line (every 100 ms) shows.
    const n = 60_000;
    const lines = ['source_id,doc_type,doc_number,name,sex,birth_date,phone,region_code,address'];
    for (let i = 0; i < n; i++) {
      const doc = makeResidentId('520102', `${1940 + Math.floor(i / 1000)}0101`, i % 1000, i % 2 === 0);
      lines.push(`k-${i},10,${doc},居民${i},,,${13600000000 + i},520102,`);
    }
    const file = path.join(dir, 'persons-big.csv');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    // Kill once some blocks are committed (seen in the database, or in the progress line).
    const killed = await hc(['import', 'persons', file], async (stderr) => {
      if (tdb)
        return (
          ((
            await tdb.db.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM feed_records WHERE feed = 'persons'",
            )
          ).rows[0]?.n ?? 0) > 0
        );
      return /✓ [1-9]/.test(stderr);
    });
    expect(killed.signal).toBe('SIGKILL');
    const rerun = await hc(['import', 'persons', file, '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
    const s = lastJson(rerun);
    expect(s.rejected).toBe(0);
    expect(s.accepted + s.duplicates).toBe(n);
    expect(s.duplicates).toBeGreaterThan(0); // the first run had committed blocks before the kill
    const counts = await withDb(
      async (db) =>
        (
          await db.query<{ persons: number; docs: number; records: number; unlinked: number }>(
            `SELECT (SELECT count(*)::int FROM persons) AS persons, (SELECT count(DISTINCT doc_hash)::int FROM persons) AS docs,
                  (SELECT count(*)::int FROM feed_records WHERE feed = 'persons') AS records,
                  (SELECT count(*)::int FROM feed_records WHERE feed = 'persons' AND person_id IS NULL) AS unlinked`,
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
    // Blocks of 50 000 rows, enough of them that the import is still running when the first
    // progress line (every 100 ms) shows; every row a distinct (person, time) of yesterday.
    const n = 800_000;
    const start = Date.parse(new Date(Date.now() - 86400_000).toISOString().slice(0, 10));
    const parts = ['phone,ts,lat,lon,accuracy_m\n'];
    for (let k = 0; k < n; k++)
      parts.push(
        `${13500000000 + (k % people)},${new Date(start + Math.floor(k / people) * 1000).toISOString()},26.5,106.6,30\n`,
      );
    const file = path.join(dir, 'pings.csv');
    fs.writeFileSync(file, parts.join(''));
    const killed = await hc(['import', 'pings', file, '--no-stays'], async (stderr) => {
      if (tdb)
        return (
          ((await tdb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ping_blocks')).rows[0]?.n ??
            0) > 0
        );
      return /✓ [1-9]/.test(stderr);
    });
    expect(killed.signal).toBe('SIGKILL');
    const rerun = await hc(['import', 'pings', file, '--no-stays', '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
    const s = lastJson(rerun);
    expect(s.rejected).toBe(0);
    expect(s.accepted + s.duplicates).toBe(n);
    expect(s.duplicates).toBeGreaterThan(0); // the first run had committed blocks before the kill
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
    const people = 20_000;
    const doc = (i: number) =>
      makeResidentId('520102', `${1950 + Math.floor(i / 1000)}0101`, i % 1000, i % 2 === 0);
    const registry = ['source_id,doc_type,doc_number,name,sex,birth_date,phone,region_code,address'];
    for (let i = 0; i < people; i++) registry.push(`kr-${i},10,${doc(i)},居民${i},,,,520102,`);
    const pf = path.join(dir, 'registry.csv');
    fs.writeFileSync(pf, registry.join('\n') + '\n');
    expect(lastJson(await hc(['import', 'persons', pf, '--json', '--no-progress']))).toMatchObject({
      accepted: people,
      rejected: 0,
    });
    // Everyone on four lists: 80 000 rows in blocks of 5 000, enough that the import is still
    // running when a progress line shows committed rows; killed then.
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
    const killed = await hc(['import', 'key-population', file], async (stderr) => {
      if (tdb)
        return (
          ((
            await tdb.db.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM facts WHERE source = 'key-population'",
            )
          ).rows[0]?.n ?? 0) > 0
        );
      return /✓ [1-9]/.test(stderr);
    });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const rerun = await hc(['import', 'key-population', file, '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
    const s = lastJson(rerun);
    expect(s.rejected).toBe(0);
    expect(s.accepted + s.duplicates).toBe(lists * people);
    expect(s.duplicates).toBeGreaterThan(0); // the first run had committed blocks before the kill
    const counts = await withDb(
      async (db) =>
        (
          await db.query<{ facts: number; members: number; tasks: number; red: number; statuses: number }>(
            `SELECT (SELECT count(*)::int FROM facts WHERE source = 'key-population') AS facts,
                  (SELECT count(*)::int FROM key_population) AS members,
                  (SELECT count(*)::int FROM response_tasks) AS tasks,
                  (SELECT count(*)::int FROM statuses WHERE colour5 = 3) AS red,
                  (SELECT count(*)::int FROM statuses) AS statuses`,
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

  it('an unreadable pings file fails the command with the reason, and the command exits', async () => {
    const r = await hc(['import', 'pings', dir, '--json', '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read pings file .*EISDIR/);
  }, 600_000);
});
