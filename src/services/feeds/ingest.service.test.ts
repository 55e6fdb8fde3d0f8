/** Medium tests: the feeds on real adapters (PGlite + in-process, or PostgreSQL + Redis + NATS). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { readBlocks } from '../../adapters/feeds/record-reader.ts';
import { Colour5 } from '../../domain/colour.ts';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { createResident } from '../../../test/factories.ts';
import { RecomputeWorker } from '../recompute.worker.ts';
import { BLOCK_LINES, IngestService } from './ingest.service.ts';
import { importBlocks } from './import.service.ts';
import { blockId } from './pings.ingest.ts';
import type { ManualClock } from '../../ports/clock.port.ts';
import type { RowError } from '../../domain/feeds/record.ts';
import { createIngestService } from '../../roles/feeds.feature.ts';

const FIXTURE = path.resolve(import.meta.dirname, '../../../test/fixtures/feeds/persons.csv');
const NOW = Date.parse('2026-11-20T04:00:00Z');

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-feeds-'));
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

describe('feeds ingestion', () => {
  let ctx: TestContext;
  let ingest: IngestService;
  beforeEach(async () => {
    ctx = await createTestContext({ at: NOW });
    ingest = createIngestService(ctx, { followUp: 'recompute' });
  });
  afterEach(async () => ctx.destroy());

  const importFile = async (feed: Parameters<IngestService['ingest']>[0], file: string) => {
    const errors: RowError[] = [];
    const s = await importBlocks(
      ingest,
      feed,
      readBlocks(file, file.endsWith('.csv') ? 'csv' : 'ndjson', BLOCK_LINES[feed]),
      { onError: (e) => errors.push(e) },
    );
    return { ...s, errors };
  };

  it('imports the registry file: exactly the valid rows, each bad row with line and code; a re-run adds nothing', async () => {
    const first = await importFile('persons', FIXTURE);
    expect({ accepted: first.accepted, duplicates: first.duplicates, rejected: first.rejected }).toEqual({
      accepted: 6,
      duplicates: 2,
      rejected: 7,
    });
    expect(first.errors.map((e) => [e.line, e.field, e.code])).toEqual([
      [3, 'doc_number', 'DOC_BAD_CHECK_CHARACTER'],
      [5, 'doc_number', 'DOC_BAD_BIRTH_DATE'],
      [7, 'birth_date', 'PERSON_BAD_BIRTH_DATE'],
      [10, 'doc_type', 'DOC_UNKNOWN_TYPE'],
      [11, 'doc_number', 'ROW_MISSING_FIELD'],
      [13, 'name', 'ROW_MISSING_FIELD'],
      [14, 'source_id', 'ROW_MISSING_FIELD'],
    ]);
    expect(first.errors[0]?.group).toBe('ROW_INVALID_DOCUMENT');
    expect(await ctx.repos.persons.count()).toBe(6);
    const again = await importFile('persons', FIXTURE);
    expect({ accepted: again.accepted, duplicates: again.duplicates, rejected: again.rejected }).toEqual({
      accepted: 0,
      duplicates: 8,
      rejected: 7,
    });
    expect(await ctx.repos.persons.count()).toBe(6);
    // The quoted address with a comma survived, encrypted.
    const id = await ctx.residents.findByDocument(10, '520103199202291027');
    expect((await ctx.residents.profile(id as number))?.address).toBe('贵阳市云岩区中华北路, 3号');
  });

  it('a close-contact list turns residents red and a secondary-contact list orange, reasons naming the list; tasks open once', async () => {
    const a = await createResident(ctx, { regionCode: '520102' });
    const b = await createResident(ctx, { regionCode: '520103' });
    const list = '贵阳市密接名单 2026-11-19';
    const close = tmpFile(
      'close.csv',
      `source_id,doc_type,doc_number,category,list,event_time,last_exposure_at\n` +
        `mj-1,10,${a.input.docNumber},close_contact,${list},2026-11-19T20:00:00+08:00,2026-11-19T18:00:00+08:00\n` +
        `mj-2,10,520102199001011071,close_contact,${list},2026-11-19T20:00:00+08:00,\n`,
    );
    const r = await importFile('key-population', close);
    expect([r.accepted, r.rejected, r.errors[0]?.code]).toEqual([1, 1, 'DOC_BAD_CHECK_CHARACTER']);
    const secondary = tmpFile(
      'secondary.ndjson',
      JSON.stringify({
        sourceId: 'cmj-1',
        personRef: b.phone,
        category: 'secondary_contact',
        list: '次密接名单',
        eventTime: '2026-11-19T21:00:00+08:00',
      }) + '\n',
    );
    expect((await importFile('key-population', secondary)).accepted).toBe(1);
    await ctx.keys.ensureKey();
    const codeA = await ctx.codes.issue(a.id);
    expect(codeA.colour5).toBe(Colour5.red);
    expect(codeA.display.reasons[0]?.lists).toEqual([list]);
    const codeB = await ctx.codes.issue(b.id);
    expect(codeB.colour5).toBe(Colour5.orange);
    expect(codeB.display.reasons[0]?.lists).toEqual(['次密接名单']);
    const tasks = await ctx.db.query<{ person_id: number; region_code: string; state: string }>(
      'SELECT person_id, region_code, state FROM response_tasks ORDER BY id',
    );
    expect(tasks.rows).toEqual([
      { person_id: a.id, region_code: '520102', state: 'open' },
      { person_id: b.id, region_code: '520103', state: 'open' },
    ]);
    // Replaying the list changes nothing; a release lifts the colour and closes membership.
    expect((await importFile('key-population', close)).duplicates).toBe(1);
    const rel = await ingest.ingestRecord('key-population', {
      source_id: 'mj-1-rel',
      doc_type: '10',
      doc_number: a.input.docNumber,
      category: 'close_contact',
      list,
      action: 'release',
      event_time: '2026-11-20T10:00:00+08:00',
    });
    expect(rel.accepted).toBe(1);
    expect((await ctx.codes.issue(a.id)).colour5).toBe(Colour5.green);
    const kp = await ctx.db.query<{ released_at: Date | null }>(
      'SELECT released_at FROM key_population WHERE person_id = $1',
      [a.id],
    );
    expect(kp.rows[0]?.released_at).not.toBeNull();
    expect((await ctx.db.query('SELECT 1 FROM response_tasks')).rows).toHaveLength(2);
  });

  it('blocks of one file overlap but apply in file order: an entry, its release and re-entry in consecutive blocks', async () => {
    const a = await createResident(ctx, { regionCode: '520102' });
    const b = await createResident(ctx, { regionCode: '520103' });
    const list = '密接名单';
    const row = (sid: string, doc: string, action: string, at: string) => ({
      source_id: sid,
      doc_type: '10',
      doc_number: doc,
      category: 'close_contact',
      list,
      action,
      event_time: at,
    });
    // One small block per row, as a file of many 5 000-line blocks would arrive.
    const rows = [
      row('e-1', a.input.docNumber, 'enter', '2026-11-19T08:00:00+08:00'),
      row('e-2', b.input.docNumber, 'enter', '2026-11-19T08:00:00+08:00'),
      row('r-1', a.input.docNumber, 'release', '2026-11-19T09:00:00+08:00'),
      row('e-3', a.input.docNumber, 'enter', '2026-11-19T10:00:00+08:00'),
      row('r-2', b.input.docNumber, 'release', '2026-11-19T11:00:00+08:00'),
    ];
    async function* blocks() {
      for (const [i, record] of rows.entries())
        yield { items: [{ line: i + 2, record }], key: `b${i}`, bytesRead: 0 };
    }
    const r = await importBlocks(ingest, 'key-population', blocks());
    expect([r.accepted, r.duplicates, r.rejected]).toEqual([5, 0, 0]);
    const kp = await ctx.db.query<{ person_id: number; released: boolean }>(
      'SELECT person_id, released_at IS NOT NULL AS released FROM key_population ORDER BY person_id',
    );
    expect(kp.rows).toEqual([
      { person_id: a.id, released: false },
      { person_id: b.id, released: true },
    ]);
    // a entered twice (a task each time), b once.
    const tasks = await ctx.db.query<{ person_id: number; source_id: string }>(
      'SELECT person_id, source_id FROM response_tasks ORDER BY source_id',
    );
    expect(tasks.rows).toEqual([
      { person_id: a.id, source_id: 'e-1' },
      { person_id: b.id, source_id: 'e-2' },
      { person_id: a.id, source_id: 'e-3' },
    ]);
    // The stored statuses are those of all the facts: what a fresh recompute gives.
    const stored = await ctx.db.query<{ person_id: number; colour5: number }>(
      'SELECT person_id, colour5 FROM statuses WHERE person_id = ANY($1::bigint[]) ORDER BY person_id',
      [[a.id, b.id]],
    );
    const fresh = (await ctx.statuses.recompute([a.id, b.id])).statuses;
    expect(stored.rows.map((x) => x.colour5)).toEqual([fresh.get(a.id)?.colour5, fresh.get(b.id)?.colour5]);
    expect(stored.rows[0]?.colour5).toBe(Colour5.red);
    expect(stored.rows[1]?.colour5).not.toBe(Colour5.red);
  });

  it('vaccinations count doses; declarations with fever turn orange; trips are stored once', async () => {
    const p = await createResident(ctx);
    const v = await ingest.ingest('vaccinations', [
      {
        line: 1,
        record: {
          source_id: 'v1',
          doc_type: 10,
          doc_number: p.input.docNumber,
          product: 'CoronaVac',
          dose: 1,
          vaccinated_at: '2021-05-01',
        },
      },
      {
        line: 2,
        record: {
          source_id: 'v2',
          doc_type: 10,
          doc_number: p.input.docNumber,
          product: 'CoronaVac',
          dose: 2,
          vaccinated_at: '2021-06-01',
        },
      },
      {
        line: 3,
        record: {
          source_id: 'v3',
          doc_type: 10,
          doc_number: p.input.docNumber,
          product: 'CoronaVac',
          dose: 0,
          vaccinated_at: '2021-06-01',
        },
      },
    ]);
    expect([v.accepted, v.errors.map((e) => [e.line, e.field, e.code])]).toEqual([
      2,
      [[3, 'dose', 'ROW_BAD_VALUE']],
    ]);
    const d = await ingest.ingestRecord('declarations', {
      source_id: 'd1',
      phone: p.phone,
      temperature: '38.2',
      symptoms: 'fever;cough',
      declared_at: '2026-11-20T09:00:00+08:00',
      trips: [
        {
          mode: 'rail',
          from_region: '510100',
          to_region: '520100',
          departed_at: '2026-11-18T08:00:00+08:00',
          arrived_at: '2026-11-18T14:00:00+08:00',
          carriage: '5',
          seat: '12F',
        },
      ],
    });
    expect(d.accepted).toBe(1);
    const code = await ctx.codes
      .issue(p.id)
      .catch(async () => (await ctx.keys.ensureKey(), ctx.codes.issue(p.id)));
    expect(code.colour5).toBe(Colour5.orange);
    expect(code.display.vaccineDoses).toBe(2);
    const t = await ingest.ingest('trips', [
      {
        line: 1,
        record: {
          source_id: 'G1234-20261118-5-12F',
          phone: p.phone,
          mode: 'rail',
          from_region: '510100',
          to_region: '520100',
          departed_at: '2026-11-18 08:00',
          arrived_at: '2026-11-18 14:00',
        },
      },
      {
        line: 2,
        record: {
          source_id: 'G1234-20261118-5-12F',
          phone: p.phone,
          mode: 'rail',
          from_region: '510100',
          to_region: '520100',
          departed_at: '2026-11-18 08:00',
          arrived_at: '2026-11-18 14:00',
        },
      },
      {
        line: 3,
        record: {
          source_id: 'CA1',
          phone: p.phone,
          mode: 'flight',
          from_region: '110000',
          to_region: '520100',
          departed_at: '2026-11-18 08:00',
          arrived_at: '2026-11-18 07:00',
        },
      },
    ]);
    expect([t.accepted, t.duplicates, t.errors.map((e) => [e.field, e.code])]).toEqual([
      1,
      1,
      [['arrived_at', 'ROW_BAD_TIME']],
    ]);
    expect(
      (
        await ingest.ingest('trips', [
          {
            line: 1,
            record: {
              source_id: 'G1234-20261118-5-12F',
              phone: p.phone,
              mode: 'rail',
              from_region: '510100',
              to_region: '520100',
              departed_at: '2026-11-18 08:00',
              arrived_at: '2026-11-18 14:00',
            },
          },
        ])
      ).duplicates,
    ).toBe(1);
    const trips = await ctx.db.query<{ source: string }>(
      'SELECT source FROM trips WHERE person_id = $1 ORDER BY source',
      [p.id],
    );
    expect(trips.rows.map((x) => x.source)).toEqual(['declarations', 'trips.rail']);
  });

  it('loads pings with COPY into day partitions, once per block, and condenses stays', async () => {
    const p = await createResident(ctx);
    const q = await createResident(ctx);
    const base = Date.parse('2026-11-19T01:00:00Z');
    const lines = ['phone,ts,lat,lon,accuracy_m'];
    // p: 40 min at home, then 30 min at work 5 km away; q: a few pings; plus bad and unknown rows.
    for (let m = 0; m <= 40; m += 5)
      lines.push(`${p.phone},${new Date(base + m * 60_000).toISOString()},26.5800,106.7100,50`);
    for (let m = 60; m <= 90; m += 5)
      lines.push(`${p.phone},${(base + m * 60_000) / 1000},26.6200,106.7000,`);
    lines.push(`${q.phone},2026-11-19T09:10:00+08:00,26.5,106.6,`);
    lines.push(`${q.phone},2026-11-19T09:12:00+08:00,95,106.6,`);
    lines.push(`13999999999,2026-11-19T09:12:00+08:00,26.5,106.6,`);
    lines.push(`${q.phone},2026-10-01T09:12:00+08:00,26.5,106.6,`);
    const file = tmpFile('pings.csv', lines.join('\n') + '\n');
    const r = await importFile('pings', file);
    expect([r.accepted, r.rejected]).toEqual([17, 3]);
    expect(r.errors.map((e) => e.code).sort()).toEqual([
      'ROW_BAD_VALUE',
      'ROW_OUT_OF_WINDOW',
      'ROW_UNKNOWN_PERSON',
    ]);
    expect(r.stays).toBe(2);
    const again = await importFile('pings', file);
    expect([again.accepted, again.duplicates]).toEqual([0, 17]);
    expect(
      (await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pings_20261119')).rows[0]?.n,
    ).toBe(17);
    // The new day's person_id index was left out while loading and built at the end of the import.
    expect(
      (await ctx.db.query("SELECT to_regclass('pings_20261119_person_idx')::text AS i")).rows[0],
    ).toEqual({ i: 'pings_20261119_person_idx' });
    // Another process (no memory of this one) recognises the blocks too: they are claimed in ping_blocks.
    const other = createIngestService(ctx, { followUp: 'recompute' });
    const third = await importBlocks(other, 'pings', readBlocks(file, 'csv', BLOCK_LINES.pings), {
      stays: false,
    });
    expect([third.accepted, third.duplicates, third.rejected]).toEqual([0, 17, 3]);
    expect((await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pings')).rows[0]?.n).toBe(17);
    const stays = await ctx.db.query<{ started_at: Date; ended_at: Date; source: string }>(
      'SELECT started_at, ended_at, source FROM stays WHERE person_id = $1 ORDER BY started_at',
      [p.id],
    );
    expect(stays.rows.map((s) => [s.started_at.toISOString(), s.ended_at.toISOString(), s.source])).toEqual([
      ['2026-11-19T01:00:00.000Z', '2026-11-19T01:40:00.000Z', 'carrier'],
      ['2026-11-19T02:00:00.000Z', '2026-11-19T02:30:00.000Z', 'carrier'],
    ]);
  });

  it('a pings file imported again writes the rows not good the first time, once, and only those', async () => {
    const p = await createResident(ctx);
    const late = '13911112222'; // registered between the two imports
    const lines = ['phone,ts,lat,lon,accuracy_m'];
    for (let m = 0; m < 3; m++) lines.push(`${p.phone},2026-11-20T0${m}:00:00Z,26.58,106.71,50`);
    lines.push(`${late},2026-11-20T01:00:00Z,26.58,106.71,`);
    lines.push(`${p.phone},2026-11-20T05:00:00Z,26.58,106.71,`); // an hour ahead of the clock
    lines.push(`${late},2026-11-20T02:00:00Z,26.58,106.71,`);
    lines.push(`${p.phone},2026-11-20T02:30:00Z,95,106.71,`);
    const file = tmpFile('pings.csv', lines.join('\n') + '\n');
    const count = async (personId?: number) =>
      (
        await ctx.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pings WHERE $1::bigint IS NULL OR person_id = $1',
          [personId ?? null],
        )
      ).rows[0]?.n;
    const first = await importFile('pings', file);
    expect([first.accepted, first.duplicates, first.rejected]).toEqual([3, 0, 4]);
    expect(first.errors.map((e) => e.code).sort()).toEqual([
      'ROW_BAD_TIME',
      'ROW_BAD_VALUE',
      'ROW_UNKNOWN_PERSON',
      'ROW_UNKNOWN_PERSON',
    ]);
    expect(await count()).toBe(3);
    const q = await createResident(ctx, { phone: late });
    (ctx.clock as ManualClock).advance(2 * 3600_000);
    // Two loaders (no shared memory) race for the same blocks: the new rows are written once.
    const [a, b] = await Promise.all([
      importFile('pings', file),
      importBlocks(
        createIngestService(ctx, { followUp: 'recompute' }),
        'pings',
        readBlocks(file, 'csv', BLOCK_LINES.pings),
        { stays: false },
      ),
    ]);
    expect([a.accepted + b.accepted, a.duplicates + b.duplicates, a.rejected, b.rejected]).toEqual([
      3, 9, 1, 1,
    ]);
    expect([a.accepted, b.accepted].sort()).toEqual([0, 3]);
    expect([await count(), await count(p.id), await count(q.id)]).toEqual([6, 4, 2]);
    const third = await importFile('pings', file);
    expect([third.accepted, third.duplicates, third.rejected]).toEqual([0, 6, 1]);
    expect(await count()).toBe(6);
    expect(
      (await ctx.db.query('SELECT sum(rows)::int AS n, max(last_day)::text AS d FROM ping_blocks')).rows[0],
    ).toEqual({ n: 6, d: '2026-11-20' });
  });

  it('a pings message sent again writes only its pings no longer ahead of the clock; a claim from before the bitmap stays all duplicates', async () => {
    const p = await createResident(ctx);
    const message = (id: string) => ({
      source_id: id,
      phone: p.phone,
      pings: [
        { ts: '2026-11-20T03:00:00Z', lat: 26.5, lon: 106.7 },
        { ts: '2026-11-20T05:00:00Z', lat: 26.5, lon: 106.7 },
      ],
    });
    const send = async (id: string) => {
      const r = await ingest.ingestRecord('pings', message(id));
      return [r.accepted, r.duplicates, r.errors.length];
    };
    expect(await send('m-1')).toEqual([1, 0, 1]);
    expect(await send('m-2')).toEqual([1, 0, 1]);
    expect(await send('m-1')).toEqual([0, 1, 1]);
    // m-2's claim as an older version wrote it: which rows it wrote is unknown.
    await ctx.db.query('UPDATE ping_blocks SET written = NULL WHERE batch_id = $1', [blockId('msg:m-2')]);
    (ctx.clock as ManualClock).advance(2 * 3600_000);
    expect(await send('m-1')).toEqual([1, 1, 0]);
    expect(await send('m-1')).toEqual([0, 2, 0]);
    expect(await send('m-2')).toEqual([0, 2, 0]);
    expect(
      (await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pings WHERE person_id = $1', [p.id]))
        .rows[0]?.n,
    ).toBe(3);
  });

  it('a phone shared by a ward and holders resolves to the holder without a guardian, lowest id first', async () => {
    const parent = await createResident(ctx);
    const ward = await createResident(ctx, { guardianId: parent.id, phone: '13712345678' });
    const holder = await createResident(ctx, { phone: '13712345678' });
    await createResident(ctx, { phone: '13712345678' });
    const found = await ingest.deps.lookup.personsByPhoneHash([
      ctx.residents.phoneHash('13712345678').toString('hex'),
    ]);
    expect([...found.values()].map((p) => p.id)).toEqual([holder.id]);
    expect(ward.id).toBeLessThan(holder.id);
  });

  it('a day partition a killed bulk load left without its index gets it from the next writer', async () => {
    const p = await createResident(ctx);
    await ctx.db.query("SELECT hc_ensure_day_partition('pings', '2026-11-18', false)");
    expect(
      (await ctx.db.query("SELECT to_regclass('pings_20261118_person_idx')::text AS i")).rows[0],
    ).toEqual({ i: null });
    const r = await ingest.ingestRecord('pings', {
      source_id: 'm-1',
      phone: p.phone,
      pings: [{ ts: '2026-11-18T10:00:00Z', lat: 26.5, lon: 106.7 }],
    });
    expect(r.accepted).toBe(1);
    expect(
      (await ctx.db.query("SELECT to_regclass('pings_20261118_person_idx')::text AS i")).rows[0],
    ).toEqual({ i: 'pings_20261118_person_idx' });
    expect(
      (
        await ingest.ingestRecord('pings', {
          source_id: 'm-1',
          phone: p.phone,
          pings: [{ ts: '2026-11-18T10:00:00Z', lat: 26.5, lon: 106.7 }],
        })
      ).duplicates,
    ).toBe(1);
  });

  it('retention drops day partitions past the window and expired facts, keeping recent ones', async () => {
    const p = await createResident(ctx);
    await ctx.db.query(
      "SELECT hc_ensure_day_partition('pings', '2026-10-01'), hc_ensure_day_partition('pings', '2026-11-19'), hc_ensure_day_partition('stays', '2026-10-30')",
    );
    await ctx.facts.record({
      personId: p.id,
      type: 'correction',
      source: 't',
      sourceRecordId: 'old',
      eventTime: NOW - 60 * 86400_000,
      validUntil: NOW - 30 * 86400_000,
      data: { colour5: 'yellow', reason: 'x' },
    });
    await ctx.facts.record({
      personId: p.id,
      type: 'correction',
      source: 't',
      sourceRecordId: 'new',
      eventTime: NOW - 10 * 86400_000,
      validUntil: NOW - 5 * 86400_000,
      data: { colour5: 'yellow', reason: 'x' },
    });
    const { runRetention } = await import('./retention.service.ts');
    const { RetentionRepository } = await import('../../adapters/feeds/retention.repository.ts');
    const r = await runRetention(new RetentionRepository(ctx.db), ctx.clock, 21);
    expect(r.droppedPartitions).toEqual(['pings_20261001', 'stays_20261030']);
    expect(r.deletedFacts).toBe(1);
    const left = await ctx.db.query<{ source_record_id: string }>(
      "SELECT source_record_id FROM facts WHERE source = 't'",
    );
    expect(left.rows.map((x) => x.source_record_id)).toEqual(['new']);
    expect((await ctx.db.query("SELECT to_regclass('pings_20261119') AS t")).rows[0]).toEqual({
      t: 'pings_20261119',
    });
  });

  it('with a worker on the bus, a single record is announced and the colour follows', async () => {
    const worker = new RecomputeWorker(ctx.bus, ctx.statuses, pino({ level: 'silent' }), {
      reviewIntervalMs: 60_000,
    });
    await worker.start();
    try {
      const api = createIngestService(ctx, { followUp: 'announce' });
      const p = await createResident(ctx);
      await api.one('key-population', {
        sourceId: 'c-1',
        personRef: `10:${p.input.docNumber}`,
        category: 'case',
        list: '确诊病例',
        kind: 'confirmed',
      });
      await expect
        .poll(async () => (await ctx.cache.get(p.id))?.colour5, { timeout: 60_000, interval: 30 })
        .toBe(Colour5.purple);
      await expect(
        api.one('key-population', { sourceId: 'c-2', personRef: '13900000000', category: 'case', list: 'x' }),
      ).rejects.toMatchObject({ code: 'ROW_UNKNOWN_PERSON', status: 422 });
    } finally {
      await worker.stop();
    }
  });
});
