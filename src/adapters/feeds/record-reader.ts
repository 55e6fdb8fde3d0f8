/**
 * Streams a feed file (CSV with a header line, or NDJSON) from disk in blocks of lines, never the
 * whole file in memory. Each block is a fixed number of lines, so the same file always splits the
 * same way (block ids stay stable across re-runs). Unreadable rows come back as problems with
 * their line number; the reader never throws on bad content.
 */
import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { RawRecord, ReadItem, RowProblem } from '../../domain/feeds/record.ts';
import type { FileFormat, ReadBlock } from '../../ports/feed-file.port.ts';

export type { FileFormat, ReadBlock };

/** csv for .csv / .txt, ndjson for .ndjson / .jsonl / .json. */
export function formatOf(path: string, explicit?: string): FileFormat {
  if (explicit === 'csv' || explicit === 'ndjson') return explicit;
  if (explicit) throw new Error(`unknown format ${explicit}: use csv or ndjson`);
  return /\.(ndjson|jsonl|json)$/i.test(path) ? 'ndjson' : 'csv';
}

/**
 * One CSV record by RFC 4180, as strict as csv-parse's defaults (record-reader.test.ts checks the
 * two agree): a field is quoted whole or not at all, `""` is a quote inside a quoted field, and a
 * quote anywhere else is an error. 'open' when a quoted field is still open at the end of the text
 * (it may continue on the next line), 'invalid' for a quote out of place.
 */
export function parseCsvRecord(text: string): string[] | 'open' | 'invalid' {
  if (text.indexOf('"') < 0) return text.split(',');
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === 34) {
      // a quoted field: up to the quote that is not doubled, then a comma or the end
      let field = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) return 'open';
        field += text.slice(j, q);
        if (text.charCodeAt(q + 1) === 34) {
          field += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      out.push(field);
      if (j === text.length) return out;
      if (text.charCodeAt(j) !== 44) return 'invalid';
      i = j + 1;
    } else {
      const comma = text.indexOf(',', i);
      const field = comma < 0 ? text.slice(i) : text.slice(i, comma);
      if (field.indexOf('"') >= 0) return 'invalid';
      out.push(field);
      if (comma < 0) return out;
      i = comma + 1;
    }
  }
}

/** Splits one CSV record (RFC 4180 quoting). Returns undefined when a quote is out of place or open. */
export function splitCsv(line: string): string[] | undefined {
  const r = parseCsvRecord(line);
  return typeof r === 'string' ? undefined : r;
}

/** A record keyed by the header (the first of repeated or empty header names only). */
function recordMaker(header: readonly string[]): (cells: string[]) => RawRecord {
  const keys: Array<[string, number]> = [];
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (h === '' || seen.has(h)) return;
    seen.add(h);
    keys.push([h, i]);
  });
  return (cells) => {
    const r: RawRecord = {};
    for (const [k, i] of keys) r[k] = cells[i] ?? '';
    return r;
  };
}

/** Most physical lines one CSV record may span (a quoted field with line breaks, e.g. an address). */
const MAX_RECORD_LINES = 10;

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
  // a CSV record whose quoted field is open at the end of its first line: its lines so far
  let pending: { start: number; lines: string[] } | undefined;

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
    csvLine(lineNo, text);
  };

  const csvRecord = (line: number, cells: string[]): void => {
    n++;
    const h = header as string[];
    if (cells.length > h.length)
      sink.problem(line, {
        field: '',
        code: 'ROW_BAD_CSV',
        message: `row has ${cells.length} fields, header has ${h.length}`,
      });
    else sink.record(line, (make as (c: string[]) => RawRecord)(cells));
  };
  const badQuote = (line: number): void => {
    n++;
    sink.problem(line, {
      field: '',
      code: 'ROW_BAD_CSV',
      message: 'a quote out of place: quote whole fields and double a quote inside one (RFC 4180)',
    });
  };

  // One physical line of CSV. A line whose quoted field is left open may go on over the next lines
  // (an address with a line break) — but only into a whole record with the header's number of
  // fields; otherwise the first line alone is the bad row and the lines after it are read on their
  // own, so a stray quote never swallows the rows that follow it.
  const csvLine = (no: number, text: string): void => {
    if (pending) {
      pending.lines.push(text);
      const r = parseCsvRecord(pending.lines.join('\n'));
      if (r === 'open' && pending.lines.length < MAX_RECORD_LINES) return;
      if (typeof r !== 'string' && r.length === (header as string[]).length) {
        const start = pending.start;
        pending = undefined;
        return csvRecord(start, r);
      }
      return abandon();
    }
    if (text.trim() === '') return;
    const r = parseCsvRecord(text);
    if (r === 'open') pending = { start: no, lines: [text] };
    else if (r === 'invalid') badQuote(no);
    else csvRecord(no, r);
  };
  const abandon = (): void => {
    const p = pending as { start: number; lines: string[] };
    pending = undefined;
    badQuote(p.start);
    p.lines.slice(1).forEach((l, i) => csvLine(p.start + 1 + i, l));
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
    // Lines end in LF, CRLF or a CR alone (old Mac exports); a CR at the end of the chunk waits for
    // the next one, which may start with its LF.
    let lf = text.indexOf('\n');
    let cr = text.indexOf('\r');
    for (;;) {
      if (lf >= 0 && lf < s) lf = text.indexOf('\n', s);
      if (cr >= 0 && cr < s) cr = text.indexOf('\r', s);
      let e: number;
      let next: number;
      if (cr < 0 || (lf >= 0 && lf < cr)) {
        if (lf < 0) break;
        e = lf;
        next = lf + 1;
      } else {
        if (cr === text.length - 1) break;
        e = cr;
        next = text.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
      }
      onLine(text.slice(s, e));
      s = next;
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
  while (pending) abandon();
  const b = flush();
  if (b) yield b;
}
