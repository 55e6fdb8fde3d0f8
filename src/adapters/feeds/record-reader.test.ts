/** The streaming reader: quoting, multi-line fields, line numbers, stable block keys. */
import fs from 'node:fs';
import { parse as csvParse } from 'csv-parse/sync';
import fc from 'fast-check';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReadItem } from '../../domain/feeds/record.ts';
import { parseCsvRecord, readBlocks, splitCsv } from './record-reader.ts';

const write = (name: string, text: string) => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hc-rr-')), name);
  fs.writeFileSync(f, text);
  return f;
};
async function all(file: string, format: 'csv' | 'ndjson', block = 2) {
  const items: ReadItem[] = [];
  const keys: string[] = [];
  for await (const b of readBlocks(file, format, block)) {
    items.push(...b.items);
    keys.push(b.key);
  }
  return { items, keys };
}

describe('record reader', () => {
  it('splits RFC 4180 fields', () => {
    expect(splitCsv('a,"b,c","d ""e""",')).toEqual(['a', 'b,c', 'd "e"', '']);
    expect(splitCsv('a,"open')).toBeUndefined();
    expect(splitCsv('a,b"c')).toBeUndefined();
    expect(splitCsv('"a"b,c')).toBeUndefined();
  });

  it('agrees with csv-parse on every line of quotes, commas and text', () => {
    // what the kept library makes of one line: its fields, or an error (an open quote included)
    const reference = (line: string): string[] | 'error' => {
      try {
        const rows = csvParse(line, { relax_column_count: true }) as string[][];
        return rows.length === 1 ? (rows[0] as string[]) : 'error';
      } catch {
        return 'error';
      }
    };
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', '张', ',', '"', ' ', '""', '\t'), { minLength: 1, maxLength: 14 }),
        (parts) => {
          const line = parts.join('');
          const ours = parseCsvRecord(line);
          expect(typeof ours === 'string' ? 'error' : ours).toEqual(reference(line));
        },
      ),
      { seed: 15, numRuns: 3000 },
    );
  });

  it('reads CSV with BOM, CRLF, quoted newlines and bad rows, keeping line numbers', async () => {
    const f = write(
      'x.csv',
      '\ufeffSource_ID,Name,Address\r\n1,张三,"贵阳, 南明"\r\n2,李四,"两行\r\n地址"\r\n3,a,b,c\r\n\r\n4,王五,\r\n',
    );
    const { items } = await all(f, 'csv');
    expect(items).toEqual([
      { line: 2, record: { source_id: '1', name: '张三', address: '贵阳, 南明' } },
      { line: 3, record: { source_id: '2', name: '李四', address: '两行\n地址' } },
      { line: 5, problem: expect.objectContaining({ code: 'ROW_BAD_CSV' }) },
      { line: 7, record: { source_id: '4', name: '王五', address: '' } },
    ]);
  });

  it('a stray quote is one bad row: the lines after it are read, not swallowed', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => `${i + 3},name${i}`);
    const f = write('stray.csv', ['source_id,name', '1,ab"c', '2,"open', ...rows].join('\n') + '\n');
    const { items } = await all(f, 'csv', 1000);
    expect(items.slice(0, 3)).toEqual([
      { line: 2, problem: expect.objectContaining({ code: 'ROW_BAD_CSV' }) },
      { line: 3, problem: expect.objectContaining({ code: 'ROW_BAD_CSV' }) },
      { line: 4, record: { source_id: '3', name: 'name0' } },
    ]);
    expect(items).toHaveLength(62);
    expect(items.filter((i) => 'record' in i)).toHaveLength(60);
  });

  it('reads files with CR-only line endings', async () => {
    const f = write('cr.csv', 'source_id,name\r1,张三\r2,李四\r\r3,"王\r五"\r');
    const { items } = await all(f, 'csv', 1000);
    expect(items).toEqual([
      { line: 2, record: { source_id: '1', name: '张三' } },
      { line: 3, record: { source_id: '2', name: '李四' } },
      { line: 5, record: { source_id: '3', name: '王\n五' } },
    ]);
  });

  it('keeps a NUL byte in its row for the row check (the reader never throws)', async () => {
    const f = write('nul.csv', 'source_id,name\n1,a\u0000b\n2,ok\n');
    const { items } = await all(f, 'csv', 1000);
    expect(items).toEqual([
      { line: 2, record: { source_id: '1', name: 'a\u0000b' } },
      { line: 3, record: { source_id: '2', name: 'ok' } },
    ]);
  });

  it('reads NDJSON and reports bad lines', async () => {
    const f = write('x.ndjson', '{"a":1}\nnot json\n[1]\n{"b":2}');
    const { items } = await all(f, 'ndjson');
    expect(items.map((i) => ('problem' in i ? [i.line, i.problem.code] : [i.line, i.record]))).toEqual([
      [1, { a: 1 }],
      [2, 'ROW_BAD_JSON'],
      [3, 'ROW_BAD_JSON'],
      [4, { b: 2 }],
    ]);
  });

  it('gives the same block keys for the same content and different ones otherwise', async () => {
    const text = 'h\n' + Array.from({ length: 9 }, (_, i) => `r${i}`).join('\n') + '\n';
    const a = await all(write('a.csv', text), 'csv', 4);
    const b = await all(write('b.csv', text), 'csv', 4);
    const c = await all(write('c.csv', text.replace('r5', 'r5x')), 'csv', 4);
    expect(a.keys).toHaveLength(3);
    expect(b.keys).toEqual(a.keys);
    expect(c.keys[0]).toBe(a.keys[0]);
    expect(c.keys[1]).not.toBe(a.keys[1]);
  });
});
