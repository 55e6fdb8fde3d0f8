/**
 * The person-feed file reader (its first block read here, the rest on its thread) gives what
 * checking on this thread gives: the same blocks, good rows, duplicates and errors in line order;
 * and each good row's hash is the lookup hash the registry stores for that document or phone.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeResidentId } from '../../domain/document-number.ts';
import {
  checkRows,
  LOOKUP_HASH_BYTES,
  PERSON_FEED_CHECKS,
  type PersonFeed,
  type PersonRow,
  type RowCheck,
} from '../../domain/feeds/person-feeds.ts';
import { rowError } from '../../domain/feeds/record.ts';
import { docLookupInput, phoneLookupInput } from '../../domain/lookup-input.ts';
import { createSecrets } from '../crypto/secrets.ts';
import { readCheckedRecords, type CheckedRecordBlock } from './record-file-reader.ts';
import { readBlocks, type FileFormat } from './record-reader.ts';

const NOW = Date.parse('2026-11-20T04:00:00Z');
const secrets = createSecrets(crypto.randomBytes(32));

const write = (name: string, text: string) => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hc-rfr-')), name);
  fs.writeFileSync(f, text);
  return f;
};

const threaded = async (
  file: string,
  format: FileFormat,
  blockLines: number,
  feed: PersonFeed,
  now: () => number = () => NOW,
) => {
  const out: CheckedRecordBlock[] = [];
  for await (const b of readCheckedRecords(file, format, blockLines, feed, secrets.lookupHashKey, now))
    out.push(b);
  return out;
};

/** The blocks as reading and checking on this thread gives them (the API and stream path). */
async function here(file: string, format: FileFormat, blockLines: number, feed: PersonFeed) {
  const out = [];
  for await (const b of readBlocks(file, format, blockLines)) {
    const items = b.items.filter((it) => 'record' in it);
    const c = checkRows(
      items as Array<{ line: number; record: Record<string, unknown> }>,
      PERSON_FEED_CHECKS[feed] as RowCheck<PersonRow>,
      NOW,
    );
    const unreadable = b.items.flatMap((it) => ('problem' in it ? [rowError(it.line, it.problem)] : []));
    out.push({
      key: b.key,
      bytesRead: b.bytesRead,
      rowCount: b.items.length,
      rows: c.rows,
      duplicates: c.duplicates,
      errors: [...unreadable, ...c.errors].sort((a, z) => a.line - z.line),
    });
  }
  return out;
}

const plain = (blocks: CheckedRecordBlock[]) =>
  blocks.map((b) => ({
    key: b.key,
    bytesRead: b.bytesRead,
    rowCount: b.rowCount,
    rows: b.checked.rows,
    duplicates: b.checked.duplicates,
    errors: b.checked.errors,
  }));

const A = makeResidentId('520102', '19800101', 11, true);
const B = makeResidentId('520102', '19900215', 12, false);
const BAD_CHECK = A.slice(0, 17) + (A.endsWith('0') ? '1' : '0');

const KP = [
  'source_id,doc_type,doc_number,category,list,event_time',
  `kp-1,10,${A},close_contact,密接 list 1,2026-11-19T01:00:00Z`,
  `kp-2,10,${BAD_CHECK},close_contact,密接 list 1,2026-11-19T01:00:00Z`, // bad check character
  `kp-3,77,${B},close_contact,密接 list 1,2026-11-19T01:00:00Z`, // unknown document type
  `kp-4,10,${B},,密接 list 1,2026-11-19T01:00:00Z`, // missing category
  `kp-1,10,${B},secondary_contact,密接 list 1,2026-11-19T01:00:00Z`, // repeats kp-1 in the same block
  `kp-5,10,${B},secondary_contact,"unclosed,2026-11-19T01:00:00Z`, // a quote left open to the end
].join('\n');

describe('person-feed file thread', () => {
  it('key-population CSV: the same blocks, rows, duplicates and errors (line, field, code) as checking here', async () => {
    const f = write('kp.csv', KP + '\n');
    for (const blockLines of [1, 2, 5000])
      expect(plain(await threaded(f, 'csv', blockLines, 'key-population'))).toEqual(
        await here(f, 'csv', blockLines, 'key-population'),
      );
    const [block] = await threaded(f, 'csv', 5000, 'key-population');
    expect(block?.rowCount).toBe(6);
    expect(block?.checked.rows.map((r) => [r.line, r.rec.sourceId])).toEqual([[2, 'kp-1']]);
    expect(block?.checked.duplicates).toBe(1);
    expect(block?.checked.errors.map((e) => [e.line, e.field, e.code, e.sourceId])).toEqual([
      [3, 'doc_number', 'DOC_BAD_CHECK_CHARACTER', 'kp-2'],
      [4, 'doc_type', 'DOC_UNKNOWN_TYPE', 'kp-3'],
      [5, 'category', 'ROW_MISSING_FIELD', 'kp-4'],
      [7, '', 'ROW_BAD_CSV', undefined],
    ]);
  });

  it("each good row's hash is the registry's lookup hash of its document or phone", async () => {
    const f = write(
      'vacc.ndjson',
      [
        JSON.stringify({
          source_id: 'v-1',
          doc_type: 10,
          doc_number: A,
          product: 'CoronaVac',
          dose: 1,
          vaccinated_at: '2026-11-01T02:00:00Z',
        }),
        JSON.stringify({
          sourceId: 'v-2',
          phone: '13800000002',
          product: 'CoronaVac',
          dose: 2,
          vaccinatedAt: '2026-11-02T02:00:00Z',
        }),
        '{"source_id": ',
        JSON.stringify({
          source_id: 'v-3',
          doc_type: 10,
          doc_number: B.toLowerCase(),
          product: 'CoronaVac',
          dose: 1,
          vaccinated_at: '2026-11-03T02:00:00Z',
        }),
      ].join('\n'),
    );
    const [block] = await threaded(f, 'ndjson', 5000, 'vaccinations');
    const rows = block?.checked.rows ?? [];
    expect(rows.map((r) => r.rec.sourceId)).toEqual(['v-1', 'v-2', 'v-3']);
    expect(block?.checked.errors.map((e) => [e.line, e.code])).toEqual([[3, 'ROW_BAD_JSON']]);
    const hashes = block?.checked.hashes as Uint8Array;
    expect(hashes.byteLength).toBe(3 * LOOKUP_HASH_BYTES);
    const expected = [
      secrets.lookupHash(docLookupInput(10, A)),
      secrets.lookupHash(phoneLookupInput('13800000002')),
      secrets.lookupHash(docLookupInput(10, B)),
    ];
    expected.forEach((h, i) =>
      expect(Buffer.from(hashes.subarray(i * LOOKUP_HASH_BYTES, (i + 1) * LOOKUP_HASH_BYTES)).equals(h)).toBe(
        true,
      ),
    );
  });

  it('checks each block against the time given when it is asked for (no clock in the thread)', async () => {
    const f = write(
      'kp.csv',
      `source_id,doc_type,doc_number,category,list,event_time\nkp-1,10,${A},close_contact,l,2026-11-19T01:00:00Z\nkp-2,10,${B},close_contact,l,2026-11-19T01:00:00Z\n`,
    );
    // the second block is asked for with a clock before its event time: the row is in the future
    let n = 0;
    const blocks = await threaded(f, 'csv', 1, 'key-population', () =>
      n++ === 0 ? NOW : Date.parse('2026-11-18T00:00:00Z'),
    );
    expect(blocks.map((b) => [b.checked.rows.length, b.checked.errors.map((e) => e.code)])).toEqual([
      [1, []],
      [0, ['ROW_BAD_TIME']],
    ]);
  });

  it('a file with a header only, or empty, gives no blocks', async () => {
    expect(
      await threaded(
        write('h.csv', 'source_id,doc_type,doc_number,category,list,event_time\n'),
        'csv',
        10,
        'key-population',
      ),
    ).toEqual([]);
    expect(await threaded(write('e.ndjson', ''), 'ndjson', 10, 'vaccinations')).toEqual([]);
  });

  it('an unreadable file rejects with a clear error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-rfr-'));
    await expect(threaded(path.join(dir, 'missing.csv'), 'csv', 10, 'trips')).rejects.toThrow(
      /cannot read trips file .*missing\.csv: ENOENT/,
    );
  });
});
