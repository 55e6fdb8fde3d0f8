/**
 * Integrity by the database (migrations 0500, 0501): every reference is enforced by PostgreSQL, on
 * PGlite and (HC_TEST_SERVICES=1) on PostgreSQL. Each case writes a row naming something that does
 * not exist and expects the statement to fail whole; persons and venues cannot be deleted, and a
 * referenced device cannot be.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/context.ts';
import { BinaryCopyWriter } from './binary-copy.ts';
import type { Database } from './database.ts';

const FK = { code: '23503' };
const RESTRICT = { code: '23001' };
/** ON DELETE RESTRICT: PostgreSQL 15 reports it as a foreign key violation, PGlite (17) as a restrict violation. */
const RESTRICTED = { code: expect.stringMatching(/^23(503|001)$/) as unknown as string };
const DAY = '2026-11-20';
const AT = `${DAY}T08:00:00Z`;

async function person(db: Database): Promise<number> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO persons (doc_type, doc_hash, doc_enc, doc_masked, name_enc, name_masked, code_subject)
     VALUES (1, $1, '\\x00', 'x', '\\x00', 'x', $2) RETURNING id`,
    [crypto.randomBytes(16), crypto.randomBytes(12).toString('hex')],
  );
  return r.rows[0]!.id;
}

async function venue(db: Database): Promise<number> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO venues (name, category, address, lat, lon, admin_code, region_code, poster_nonce, created_by, created_at)
     VALUES ('v', 'shop', 'a', 26.6, 106.7, '520102', '520102', '\\x01', 'test', now()) RETURNING id`,
  );
  return r.rows[0]!.id;
}

async function device(db: Database, venueId: number | null = null): Promise<number> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO devices (name, role, key_hash, venue_id) VALUES ('d', 'venue', '\\x01', $1) RETURNING id`,
    [venueId],
  );
  return r.rows[0]!.id;
}

async function area(db: Database): Promise<number> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO risk_areas (name, level, kind, region_code, starts_at, created_by, created_at, updated_by, updated_at)
     VALUES ('a', 'high', 'admin', '520102', now(), 't', now(), 't', now()) RETURNING id`,
  );
  return r.rows[0]!.id;
}

const count = async (db: Database, sql: string, params: unknown[] = []) =>
  (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) x`, params)).rows[0]!.n;

/** One ping row in binary COPY format (person_id, ts, lat, lon). */
function pingRow(personId: number): Uint8Array {
  const w = new BinaryCopyWriter();
  w.row(4).int8(personId).timestamptz(Date.parse(AT)).float8(26.6).float8(106.7);
  return w.take();
}

describe('references enforced by the database', () => {
  let t: TestDatabase;
  let db: Database;
  let p: number;
  let nobody: number;
  let v: number;
  let d: number;
  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    p = await person(db);
    nobody = p + 1_000_000;
    v = await venue(db);
    d = await device(db, v);
    await db.query('SELECT hc_ensure_day_partition($1, $2::date)', ['pings', DAY]);
    await db.query('SELECT hc_ensure_day_partition($1, $2::date)', ['stays', DAY]);
  });
  afterAll(async () => {
    await t.drop();
  });

  // Each: a row naming `id` (a person, venue, device or area as the reference says).
  const inserts: Array<[string, (id: number) => Promise<unknown>]> = [
    [
      'facts.person_id',
      (id) =>
        db.query(
          `INSERT INTO facts (person_id, type, source, source_record_id, event_time, valid_from) VALUES ($1, 'declaration', 'it', $2, now(), now())`,
          [id, crypto.randomUUID()],
        ),
    ],
    [
      'statuses.person_id',
      (id) =>
        db.query(
          `INSERT INTO statuses (person_id, colour5, policy_version, computed_at) VALUES ($1, 0, 'v1', now())`,
          [id],
        ),
    ],
    [
      'key_population.person_id',
      (id) =>
        db.query(
          `INSERT INTO key_population (person_id, list, category, tier, entered_at, changed_at, last_source_id)
           VALUES ($1, $2, 'close_contact', 'high', now(), now(), 's')`,
          [id, crypto.randomUUID()],
        ),
    ],
    [
      'response_tasks.person_id',
      (id) =>
        db.query(
          `INSERT INTO response_tasks (person_id, list, category, tier, source_id, created_at, updated_at)
           VALUES ($1, 'l', 'close_contact', 'high', $2, now(), now())`,
          [id, crypto.randomUUID()],
        ),
    ],
    [
      'feed_records.person_id',
      (id) =>
        db.query(`INSERT INTO feed_records (feed, source_id, person_id) VALUES ('persons', $1, $2)`, [
          crypto.randomUUID(),
          id,
        ]),
    ],
    [
      'trips.person_id',
      (id) =>
        db.query(
          `INSERT INTO trips (person_id, mode, from_region, to_region, departed_at, arrived_at, source, source_record_id)
           VALUES ($1, 'rail', '520102', '110101', now(), now(), 'it', $2)`,
          [id, crypto.randomUUID()],
        ),
    ],
    [
      'persons.guardian_id',
      (id) =>
        db.query(
          `INSERT INTO persons (doc_type, doc_hash, doc_enc, doc_masked, name_enc, name_masked, code_subject, guardian_id)
           VALUES (1, $1, '\\x00', 'x', '\\x00', 'x', $2, $3)`,
          [crypto.randomBytes(16), crypto.randomBytes(12).toString('hex'), id],
        ),
    ],
    [
      'checkins.person_id',
      (id) =>
        db.query(
          `INSERT INTO checkins (venue_id, person_id, at, method, device_id) VALUES ($1, $2, now(), 'venue-scan', $3)`,
          [v, id, d],
        ),
    ],
    [
      'checkins.venue_id',
      (id) =>
        db.query(
          `INSERT INTO checkins (venue_id, person_id, at, method, device_id) VALUES ($1, $2, now(), 'venue-scan', $3)`,
          [id, p, d],
        ),
    ],
    [
      'checkins.device_id',
      (id) =>
        db.query(
          `INSERT INTO checkins (venue_id, person_id, at, method, device_id) VALUES ($1, $2, now(), 'venue-scan', $3)`,
          [v, p, id],
        ),
    ],
    [
      'devices.venue_id',
      (id) =>
        db.query(`INSERT INTO devices (name, role, key_hash, venue_id) VALUES ('d', 'venue', '\\x01', $1)`, [
          id,
        ]),
    ],
    [
      'venues.operator_device_id',
      (id) => db.query('UPDATE venues SET operator_device_id = $1 WHERE id = $2', [id, v]),
    ],
    [
      'intermediate_result_members.person_id',
      (id) =>
        db.query(
          `INSERT INTO intermediate_result_members (lab, tube, version, person_ref, person_id, collected_at, result, pooled, reported_at)
           VALUES ('lab', $1, 1, 'r', $2, now(), 'negative', false, now())`,
          [crypto.randomUUID(), id],
        ),
    ],
    [
      'intermediate_bookings.person_id',
      (id) =>
        db.query(
          `INSERT INTO intermediate_bookings (booking_id, person_id, site_name, site_address, starts_at, ends_at, status, seq)
           VALUES ($1, $2, 's', 'a', now(), now(), 'booked', 1)`,
          [crypto.randomInt(1, 2 ** 40), id],
        ),
    ],
    [
      'risk_area_history.area_id',
      (id) =>
        db.query(
          `INSERT INTO risk_area_history (area_id, version, action, actor, at, snapshot) VALUES ($1, 1, 'publish', 't', now(), '{}')`,
          [id],
        ),
    ],
    [
      'pings.person_id (insert through the parent)',
      (id) => db.query(`INSERT INTO pings (person_id, ts, lat, lon) VALUES ($1, $2, 26.6, 106.7)`, [id, AT]),
    ],
    [
      'pings.person_id (insert into a day partition)',
      (id) =>
        db.query(`INSERT INTO pings_20261120 (person_id, ts, lat, lon) VALUES ($1, $2, 26.6, 106.7)`, [
          id,
          AT,
        ]),
    ],
    [
      'pings.person_id (binary COPY into a day partition, the bulk path)',
      (id) => db.copyBinary('pings_20261120', ['person_id', 'ts', 'lat', 'lon'], [pingRow(id)]),
    ],
    [
      'pings.person_id (binary COPY through the parent)',
      (id) => db.copyBinary('pings', ['person_id', 'ts', 'lat', 'lon'], [pingRow(id)]),
    ],
    [
      'stays.person_id',
      (id) =>
        db.query(
          `INSERT INTO stays (person_id, started_at, ended_at, lat, lon, source, source_record_id) VALUES ($1, $2, $2, 26.6, 106.7, 'carrier', $3)`,
          [id, AT, crypto.randomUUID()],
        ),
    ],
    [
      'stays.venue_id',
      (id) =>
        db.query(
          `INSERT INTO stays (person_id, started_at, ended_at, venue_id, source, source_record_id) VALUES ($1, $2, $2, $3, 'checkin', $4)`,
          [p, AT, id, crypto.randomUUID()],
        ),
    ],
  ];

  /** The existing row each reference's insert is tried with first. */
  const existing = (name: string): number =>
    name.startsWith('checkins.venue') || name.startsWith('devices.') || name.startsWith('stays.venue')
      ? v
      : name.startsWith('checkins.device') || name.startsWith('venues.')
        ? d
        : p;

  it.each(inserts)(
    '%s: a row naming what exists is written, one naming nothing is refused',
    async (name, insert) => {
      const target = name.startsWith('risk_area') ? await area(db) : existing(name);
      await insert(target);
      await expect(
        insert(name.startsWith('risk_area') ? target + 1_000_000 : nobody + 1_000_000),
      ).rejects.toMatchObject(FK);
    },
  );

  it('a statement with one orphan among good rows fails whole (pings and stays check per statement)', async () => {
    const before = await count(db, 'SELECT 1 FROM pings WHERE person_id = $1', [p]);
    await expect(
      db.copyBinary(
        'pings_20261120',
        ['person_id', 'ts', 'lat', 'lon'],
        [pingRow(p), pingRow(nobody), pingRow(p)],
      ),
    ).rejects.toMatchObject(FK);
    expect(await count(db, 'SELECT 1 FROM pings WHERE person_id = $1', [p])).toBe(before);
    await expect(
      db.query(`UPDATE stays SET person_id = $1 WHERE person_id = $2`, [nobody, p]),
    ).rejects.toMatchObject(FK);
    await expect(
      db.query(`UPDATE pings SET person_id = $1 WHERE person_id = $2`, [nobody, p]),
    ).rejects.toMatchObject(FK);
  });

  it('a partition created later checks too', async () => {
    await db.query('SELECT hc_ensure_day_partition($1, $2::date, false)', ['pings', '2026-11-21']);
    await expect(
      db.query(
        `INSERT INTO pings_20261121 (person_id, ts, lat, lon) VALUES ($1, '2026-11-21T01:00:00Z', 1, 1)`,
        [nobody],
      ),
    ).rejects.toMatchObject(FK);
  });

  it('persons are never deleted, truncated or renumbered, with or without rows naming them', async () => {
    const lone = await person(db);
    await expect(db.query('DELETE FROM persons WHERE id = $1', [lone])).rejects.toMatchObject(RESTRICT);
    await expect(db.query('DELETE FROM persons WHERE id = $1', [p])).rejects.toMatchObject(RESTRICT);
    await expect(db.query('TRUNCATE persons CASCADE')).rejects.toMatchObject(RESTRICT);
    await expect(db.query('UPDATE persons SET id = DEFAULT WHERE id = $1', [lone])).rejects.toMatchObject(
      RESTRICT,
    );
    expect(await count(db, 'SELECT 1 FROM persons WHERE id = ANY($1::bigint[])', [[p, lone]])).toBe(2);
    expect(await count(db, 'SELECT 1 FROM facts WHERE person_id = $1', [p])).toBe(1);
  });

  it('venues are never deleted; a device that rows name cannot be deleted; nor an area with history', async () => {
    await expect(db.query('DELETE FROM venues WHERE id = $1', [v])).rejects.toMatchObject(RESTRICT);
    await expect(db.query('TRUNCATE venues CASCADE')).rejects.toMatchObject(RESTRICT);
    await expect(db.query('DELETE FROM devices WHERE id = $1', [d])).rejects.toMatchObject(RESTRICTED);
    const loose = await device(db);
    await db.query('DELETE FROM devices WHERE id = $1', [loose]);
    const a = await area(db);
    await db.query(
      `INSERT INTO risk_area_history (area_id, version, action, actor, at, snapshot) VALUES ($1, 1, 'publish', 't', now(), '{}')`,
      [a],
    );
    await expect(db.query('DELETE FROM risk_areas WHERE id = $1', [a])).rejects.toMatchObject(FK);
  });
});
