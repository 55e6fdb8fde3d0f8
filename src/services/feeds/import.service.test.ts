/**
 * Medium tests of a pings file import on the file thread (importFile) against the in-thread path
 * (importBlocks over readBlocks): the same counts and errors, the same block claims.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localFeedFiles } from '../../adapters/feeds/feed-files.ts';
import { readBlocks, type FileFormat } from '../../adapters/feeds/record-reader.ts';
import type { RowError } from '../../domain/feeds/record.ts';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { createResident } from '../../../test/factories.ts';
import { BLOCK_LINES, IngestService } from './ingest.service.ts';
import { importBlocks, importFile, type ImportSummary } from './import.service.ts';
import { createIngestService } from '../../roles/feeds.feature.ts';

const NOW = Date.parse('2026-11-20T04:00:00Z');

function tmpFile(name: string, text: string): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hc-import-')), name);
  fs.writeFileSync(f, text);
  return f;
}

interface Run extends ImportSummary {
  errors: RowError[];
  progress: Array<[ImportSummary, number]>;
}

describe('pings file import on the file thread', () => {
  let ctx: TestContext;
  let ingest: IngestService;
  let p: string;
  let q: string;
  beforeEach(async () => {
    ctx = await createTestContext({ at: NOW });
    ingest = createIngestService(ctx, { followUp: 'recompute' });
    p = (await createResident(ctx)).phone;
    q = (await createResident(ctx)).phone;
  });
  afterEach(async () => ctx.destroy());

  async function run(how: 'thread' | 'here', file: string, format: FileFormat): Promise<Run> {
    const errors: RowError[] = [];
    const progress: Array<[ImportSummary, number]> = [];
    const hooks = {
      stays: false,
      onError: (e: RowError) => errors.push(e),
      onProgress: (s: ImportSummary, bytes: number) => progress.push([s, bytes]),
    };
    const s =
      how === 'thread'
        ? await importFile(ingest, localFeedFiles, 'pings', file, format, hooks)
        : await importBlocks(ingest, 'pings', readBlocks(file, format, BLOCK_LINES.pings), hooks);
    return { ...s, errors, progress };
  }
  const counts = (r: ImportSummary) => [r.accepted, r.duplicates, r.rejected, r.rows];
  const errs = (r: Run) => r.errors.map((e) => [e.line, e.field, e.code]);
  const stored = async () =>
    (
      await ctx.db.query<{ n: number; d: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT (person_id, ts))::int AS d FROM pings',
      )
    ).rows[0];

  it('a CSV file of three blocks with bad rows: the counts and errors of the in-thread path; blocks it claimed are duplicates', async () => {
    // Bad rows in every block, the last block short; every good row a distinct (person, time).
    const lines = ['phone,ts,lat,lon,accuracy_m'];
    const start = Date.parse('2026-11-18T00:00:00Z');
    const n = 2 * BLOCK_LINES.pings + 1000;
    for (let k = 0; k < n; k++) {
      const line = k + 2;
      if (k % 20_011 === 5)
        lines.push(`${p},${new Date(start + k * 1000).toISOString()},91,106.6,`); // bad lat
      else if (k % 30_011 === 7)
        lines.push(`13999999999,${new Date(start + k * 1000).toISOString()},26.5,106.6,`); // nobody's phone
      else if (k % 40_009 === 9)
        lines.push(`${q},"2026-11-19T01:00:00Z",26.5,106.6,,x`); // one field too many
      else if (line % 2) lines.push(`${p},${new Date(start + k * 1000).toISOString()},26.58,106.71,30`);
      else lines.push(`${q},${(start + k * 1000) / 1000},26.6,106.7,`);
    }
    const file = tmpFile('pings.csv', lines.join('\n') + '\n');
    const here = await run('here', file, 'csv');
    expect(here.rejected).toBeGreaterThan(6);
    expect(here.accepted + here.rejected).toBe(n);
    const there = await run('thread', file, 'csv');
    expect(counts(there)).toEqual([0, here.accepted, here.rejected, n]);
    expect(errs(there)).toEqual(errs(here));
    expect(errs(there).map((e) => e[0])).toEqual(
      errs(there)
        .map((e) => e[0])
        .sort((a, b) => (a as number) - (b as number)),
    );
    expect(new Set(errs(there).map((e) => e[2]))).toEqual(
      new Set(['ROW_BAD_VALUE', 'ROW_UNKNOWN_PERSON', 'ROW_BAD_CSV']),
    );
    // progress after every block, the last one with the totals and the whole file read
    expect(there.progress).toHaveLength(3);
    expect(there.progress.at(-1)).toEqual([
      { accepted: 0, duplicates: here.accepted, rejected: here.rejected, rows: n },
      fs.statSync(file).size,
    ]);
    expect(await stored()).toEqual({ n: here.accepted, d: here.accepted });
  }, 120_000);

  it('NDJSON with bad lines: written once by the thread path, then all duplicates for the in-thread path', async () => {
    const ping = (phone: string, ts: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ phone, ts, lat: 26.5, lon: 106.6, ...extra });
    const lines = [
      ping(p, '2026-11-19T01:00:00Z', { accuracy_m: 20 }),
      '{"phone": ',
      JSON.stringify({ personRef: q, ts: '2026-11-19T09:10:00+08:00', lat: '26.5', lon: '106.6' }),
      ping(q, '2026-11-19T01:05:00Z', { lat: 'x' }),
      ping('13999999999', '2026-11-19T01:05:00Z'),
      '',
      ping(p, '2026-10-01T01:00:00Z'),
      ping(p, '2026-11-19T02:00:00.500Z'),
    ];
    const file = tmpFile('pings.ndjson', lines.join('\n'));
    const there = await run('thread', file, 'ndjson');
    expect(counts(there)).toEqual([3, 0, 4, 7]);
    expect(errs(there)).toEqual([
      [2, '', 'ROW_BAD_JSON'],
      [4, 'lat', 'ROW_BAD_VALUE'],
      [5, 'phone', 'ROW_UNKNOWN_PERSON'],
      [7, 'ts', 'ROW_OUT_OF_WINDOW'],
    ]);
    const here = await run('here', file, 'ndjson');
    expect(counts(here)).toEqual([0, 3, 4, 7]);
    expect(errs(here)).toEqual(errs(there));
    expect(await stored()).toEqual({ n: 3, d: 3 });
  });

  it('other feeds keep the in-thread path; an unreadable pings file rejects the import', async () => {
    const persons = tmpFile(
      'persons.csv',
      'source_id,doc_type,doc_number,name,phone\nx-1,10,520102199001011071,张三,13700000001\n',
    );
    const r = await importFile(ingest, localFeedFiles, 'persons', persons, 'csv');
    expect([r.accepted, r.rejected]).toEqual([0, 1]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-import-'));
    await expect(
      importFile(ingest, localFeedFiles, 'pings', path.join(dir, 'none.csv'), 'csv'),
    ).rejects.toThrow(/cannot read pings file .*none\.csv/);
    await expect(importFile(ingest, localFeedFiles, 'pings', dir, 'csv')).rejects.toThrow(/EISDIR/);
  });
});
