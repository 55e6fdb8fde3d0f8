/**
 * The pings file thread gives what reading and checking on this thread gives: the same blocks
 * (keys, bytes, rows), the same good rows and the same errors in line order, for CSV and NDJSON.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPingRows, pingBounds, pingColumns, type PingBounds } from '../../domain/feeds/ping-rows.ts';
import type { RowError } from '../../domain/feeds/record.ts';
import { readCheckedPings, type CheckedPingBlock } from './ping-file-reader.ts';
import { readBlocks, type FileFormat } from './record-reader.ts';

const NOW = Date.parse('2026-11-20T04:00:00Z');
const BOUNDS = pingBounds(NOW, 21);

const write = (name: string, text: string) => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hc-pfr-')), name);
  fs.writeFileSync(f, text);
  return f;
};

/** The blocks as the in-thread path reads and checks them. */
async function inThread(
  file: string,
  format: FileFormat,
  blockLines: number,
  b: PingBounds,
): Promise<CheckedPingBlock[]> {
  const out: CheckedPingBlock[] = [];
  for await (const block of readBlocks(file, format, blockLines)) {
    const cols = pingColumns(block.items.length);
    const errors: RowError[] = [];
    checkPingRows(block.items, 0, block.items.length, b, cols, errors);
    out.push({ key: block.key, bytesRead: block.bytesRead, rows: block.items.length, cols, errors });
  }
  return out;
}

async function threaded(
  file: string,
  format: FileFormat,
  blockLines: number,
  b: PingBounds,
): Promise<CheckedPingBlock[]> {
  const out: CheckedPingBlock[] = [];
  for await (const block of readCheckedPings(file, format, blockLines, () => b)) out.push(block);
  return out;
}

/** Columns cut to their good rows, as plain arrays (typed arrays may be longer than `good`). */
const plain = (blocks: CheckedPingBlock[]) =>
  blocks.map(({ cols: c, ...rest }) => ({
    ...rest,
    good: c.good,
    lines: [...c.lines.subarray(0, c.good)],
    phones: [...c.phones.subarray(0, c.good)],
    ts: [...c.ts.subarray(0, c.good)],
    lat: [...c.lat.subarray(0, c.good)],
    lon: [...c.lon.subarray(0, c.good)],
    acc: [...c.acc.subarray(0, c.good)],
  }));

const CSV = [
  'Phone,TS,Lat,Lon,Accuracy_M',
  '13800000001,2026-11-19T01:00:00Z,26.58,106.71,50',
  '13800000002,2026-11-19T09:10:00+08:00,26.5,106.6,',
  '13800000003,2026-11-19T09:12:00+08:00,95,106.6,', // lat out of range
  '"138000,00004",2026-11-19T01:00:00Z,26.5,106.6,', // bad phone
  '',
  '13800000006,2026-10-01T09:12:00+08:00,26.5,106.6,', // past retention
  '13800000007,2026-11-19T01:00:00.250Z,26.5,106.6,7,extra', // too many fields
  '+86 138 0000 0008,1795050000,26.5,106.6,12.5',
  '13800000009,2026-11-21T01:00:00Z,26.5,106.6,', // future
  '13800000010,2026-11-19T01:00:00Z,26.5,,', // no lon
  '13800000011,2026-11-19T01:00:00Z,26.5,106.6,-1', // bad accuracy
  '13800000012,2026-11-19T01:00:00Z,26.5,106.6,',
  '13800000005,"2026-11-19T01:00:00Z,26.5,106.6,', // a quote left open to the end of the file
].join('\r\n');

describe('pings file thread', () => {
  it('CSV with bad rows: the same blocks, good rows and errors (line, field, code) as reading here', async () => {
    const f = write('pings.csv', CSV + '\r\n');
    for (const blockLines of [1, 3, 50_000]) {
      const here = await inThread(f, 'csv', blockLines, BOUNDS);
      const there = await threaded(f, 'csv', blockLines, BOUNDS);
      expect(plain(there)).toEqual(plain(here));
    }
    const all = await threaded(f, 'csv', 4, BOUNDS);
    expect(all.map((b) => b.rows)).toEqual([4, 3, 4, 1]);
    expect(all.flatMap((b) => b.errors.map((e) => [e.line, e.field, e.code]))).toEqual([
      [4, 'lat', 'ROW_BAD_VALUE'],
      [5, 'phone', 'ROW_BAD_PHONE'],
      [7, 'ts', 'ROW_OUT_OF_WINDOW'],
      [8, '', 'ROW_BAD_CSV'],
      [10, 'ts', 'ROW_BAD_TIME'],
      [11, 'lon', 'ROW_BAD_VALUE'],
      [12, 'accuracy_m', 'ROW_BAD_VALUE'],
      [14, '', 'ROW_BAD_CSV'],
    ]);
    expect(all.flatMap((b) => [...b.cols.phones.subarray(0, b.cols.good)].map(String))).toEqual([
      '13800000001',
      '13800000002',
      '13800000008',
      '13800000012',
    ]);
    expect(all.at(-1)?.bytesRead).toBe(Buffer.byteLength(CSV) + 2);
  });

  it('NDJSON with bad lines and camelCase keys: the same as reading here', async () => {
    const lines = [
      JSON.stringify({
        phone: '13800000001',
        ts: '2026-11-19T01:00:00Z',
        lat: 26.58,
        lon: 106.71,
        accuracy_m: 50,
      }),
      '{"phone": "13800000002", "ts": ',
      JSON.stringify({
        personRef: '13800000003',
        ts: '2026-11-19T09:10:00+08:00',
        lat: '26.5',
        lon: '106.6',
        accuracyM: 5,
      }),
      '[1, 2]',
      JSON.stringify({ ts: '2026-11-19T01:00:00Z', lat: 26.5, lon: 106.6 }),
      '',
      JSON.stringify({ phone: '13800000006', ts: '2026-11-19T01:00:00Z', lat: 26.5, lon: 106.6 }),
    ];
    const f = write('pings.ndjson', lines.join('\n') + '\n');
    for (const blockLines of [2, 50_000])
      expect(plain(await threaded(f, 'ndjson', blockLines, BOUNDS))).toEqual(
        plain(await inThread(f, 'ndjson', blockLines, BOUNDS)),
      );
    const all = await threaded(f, 'ndjson', 2, BOUNDS);
    expect(all.flatMap((b) => b.errors.map((e) => [e.line, e.code]))).toEqual([
      [2, 'ROW_BAD_JSON'],
      [4, 'ROW_BAD_JSON'],
      [5, 'ROW_MISSING_FIELD'],
    ]);
    expect(all.flatMap((b) => [...b.cols.phones.subarray(0, b.cols.good)].map(String))).toEqual([
      '13800000001',
      '13800000003',
      '13800000006',
    ]);
  });

  it('checks each block against the window given when it is asked for (no clock in the thread)', async () => {
    const f = write(
      'pings.csv',
      'phone,ts,lat,lon\n13800000001,2026-11-19T01:00:00Z,26.5,106.6\n13800000002,2026-11-19T01:00:00Z,26.5,106.6\n',
    );
    // A clock set before the pings: each block asked with it rejects its row as being in the future.
    const early = pingBounds(Date.parse('2026-11-18T00:00:00Z'), 21);
    const asked: PingBounds[] = [];
    const blocks: CheckedPingBlock[] = [];
    let n = 0;
    for await (const b of readCheckedPings(
      f,
      'csv',
      1,
      () => (asked.push(n++ === 0 ? BOUNDS : early), asked.at(-1) as PingBounds),
    ))
      blocks.push(b);
    expect(blocks.map((b) => [b.cols.good, b.errors.map((e) => e.code)])).toEqual([
      [1, []],
      [0, ['ROW_BAD_TIME']],
    ]);
    // at most two blocks asked for ahead of the one being consumed
    expect(asked.length).toBeLessThanOrEqual(blocks.length + 2);
  });

  it('an unreadable file rejects with a clear error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-pfr-'));
    await expect(threaded(path.join(dir, 'missing.csv'), 'csv', 10, BOUNDS)).rejects.toThrow(
      /cannot read pings file .*missing\.csv: ENOENT/,
    );
    await expect(threaded(dir, 'csv', 10, BOUNDS)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('a consumer that stops early ends the thread (the loop returns)', async () => {
    const f = write('pings.csv', CSV + '\n');
    let seen = 0;
    for await (const b of readCheckedPings(f, 'csv', 1, () => BOUNDS)) {
      seen += b.rows;
      if (seen >= 2) break;
    }
    expect(seen).toBe(2);
  });
});
