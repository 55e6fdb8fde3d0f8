/**
 * Streams a feed file (CSV with a header line, or NDJSON) from disk in blocks of lines, never the
 * whole file in memory. Each block is a fixed number of lines, so the same file always splits the
 * same way (block ids stay stable across re-runs). Unreadable rows come back as problems with
 * their line number; the reader never throws on bad content.
 */
import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { RawRecord, ReadItem, RowProblem } from '../../domain/feeds/record.ts';

export type FileFormat = 'csv' | 'ndjson';

export interface ReadBlock {
  /** the items of this block, in file order */
  items: ReadItem[];
  /** SHA-256 of the block's text (base64): a content-derived id, stable across re-runs */
  key: string;
  /** bytes read so far (progress) */
  bytesRead: number;
}

/** csv for .csv / .txt, ndjson for .ndjson / .jsonl / .json. */
export function formatOf(path: string, explicit?: string): FileFormat {
  if (explicit === 'csv' || explicit === 'ndjson') return explicit;
  if (explicit) throw new Error(`unknown format ${explicit}: use csv or ndjson`);
  return /\.(ndjson|jsonl|json)$/i.test(path) ? 'ndjson' : 'csv';
}

/** Splits one CSV record (RFC 4180 quoting). Returns undefined when a quote is left open. */
export function splitCsv(line: string): string[] | undefined {
  if (line.indexOf('"') < 0) return line.split(',');
  const out: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < line.length) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
    i++;
  }
  if (quoted) return undefined;
  out.push(field);
  return out;
}

/**
 * A function building one record from its cells with the header's keys as a literal, so every
 * record of a file shares one object shape (several times faster than keyed assignment).
 */
function recordMaker(header: readonly string[]): (cells: string[]) => RawRecord {
  const seen = new Set<string>();
  const fields: string[] = [];
  header.forEach((h, i) => {
    if (h === '' || seen.has(h)) return;
    seen.add(h);
    fields.push(`${JSON.stringify(h)}: c[${i}] ?? ''`);
  });
  return new Function('c', `return { ${fields.join(', ')} };`) as (cells: string[]) => RawRecord;
}

function quoteBalanceOpen(s: string): boolean {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n % 2 === 1;
}

/** Yields the file in blocks of `blockLines` physical lines (the header is not counted). */
export async function* readBlocks(
  path: string,
  format: FileFormat,
  blockLines = 10_000,
): AsyncGenerator<ReadBlock> {
  let items: ReadItem[] = [];
  const rows: RowSink<ReadItem[]> = {
    record: (line, record) => void items.push({ line, record }),
    problem: (line, problem) => void items.push({ line, problem }),
    take: () => {
      const b = items;
      items = [];
      return b;
    },
  };
  for await (const b of scanBlocks(path, format, blockLines, rows))
    yield { items: b.rows, key: b.key, bytesRead: b.bytesRead };
}

/** Where `scanBlocks` puts each row of a block as it is read; `take` ends the block. */
export interface RowSink<B> {
  record(line: number, record: RawRecord): void;
  problem(line: number, problem: RowProblem): void;
  take(): B;
}

/**
 * The reader itself: rows go to `sink` as they are read (a consumer may check them at once
 * instead of keeping an object per row), and each block ends with its key and `sink.take()`.
 */
export async function* scanBlocks<B>(
  path: string,
  format: FileFormat,
  blockLines: number,
  sink: RowSink<B>,
): AsyncGenerator<{ rows: B; key: string; bytesRead: number }> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let rest = '';
  let lineNo = 0;
  let bytesRead = 0;
  let header: string[] | undefined;
  let make: ((cells: string[]) => RawRecord) | undefined;
  let n = 0; // rows of this block
  let lines = 0;
  let hash = crypto.createHash('sha256');
  let pending: { start: number; text: string } | undefined; // a CSV record whose quoted field spans lines

  const onLine = (text: string): void => {
    lineNo++;
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (format === 'csv' && header === undefined) {
      header = (splitCsv(text) ?? []).map((h) => h.trim().toLowerCase());
      make = recordMaker(header);
      return;
    }
    lines++;
    if (format === 'ndjson') {
      if (text.trim() === '') return;
      n++;
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch {
        return sink.problem(lineNo, { field: '', code: 'ROW_BAD_JSON', message: 'line is not valid JSON' });
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        sink.problem(lineNo, { field: '', code: 'ROW_BAD_JSON', message: 'each line must be a JSON object' });
      else sink.record(lineNo, v as RawRecord);
      return;
    }
    let start = lineNo;
    if (pending) {
      start = pending.start;
      text = `${pending.text}\n${text}`;
      pending = undefined;
    }
    if (text.trim() === '') return;
    if (quoteBalanceOpen(text)) {
      if (lineNo - start < 50) {
        pending = { start, text };
        return;
      }
    }
    const cells = splitCsv(text);
    const h = header as string[];
    n++;
    if (!cells) sink.problem(start, { field: '', code: 'ROW_BAD_CSV', message: 'unbalanced quotes' });
    else if (cells.length > h.length)
      sink.problem(start, {
        field: '',
        code: 'ROW_BAD_CSV',
        message: `row has ${cells.length} fields, header has ${h.length}`,
      });
    else sink.record(start, (make as (c: string[]) => RawRecord)(cells));
  };

  const flush = (): { rows: B; key: string; bytesRead: number } | undefined => {
    if (lines === 0 && n === 0) return undefined;
    const block = { rows: sink.take(), key: hash.digest('base64'), bytesRead };
    n = 0;
    lines = 0;
    hash = crypto.createHash('sha256');
    return block;
  };

  for await (const chunk of stream as AsyncIterable<string>) {
    bytesRead += Buffer.byteLength(chunk);
    const text = rest + chunk;
    let s = 0;
    let hashed = 0; // the block hash takes whole regions of text, not line by line
    for (let e = text.indexOf('\n'); e >= 0; e = text.indexOf('\n', s)) {
      onLine(text.charCodeAt(e - 1) === 13 ? text.slice(s, e - 1) : text.slice(s, e));
      s = e + 1;
      if (lines >= blockLines && !pending) {
        hash.update(text.slice(hashed, s));
        hashed = s;
        const b = flush();
        if (b) yield b;
      }
    }
    if (s > hashed) hash.update(text.slice(hashed, s));
    rest = text.slice(s);
  }
  if (rest !== '') hash.update(rest);
  if (rest !== '') onLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
  if (pending) {
    sink.problem(pending.start, {
      field: '',
      code: 'ROW_BAD_CSV',
      message: 'unbalanced quotes at end of file',
    });
    n++;
  }
  const b = flush();
  if (b) yield b;
}
