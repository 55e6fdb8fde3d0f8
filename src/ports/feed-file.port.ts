/**
 * Feed files as the import service reads them (`hc import`, docs/DESIGN.md §5): a CSV or NDJSON
 * file streamed in blocks of lines, never whole in memory; pings files and the person feeds' files
 * read and checked on a second core. The CLI passes the reader in. Implemented by
 * adapters/feeds/feed-files.ts (record-reader.ts, ping-file-reader.ts, record-file-reader.ts).
 */
import type { PingBounds, PingColumns } from '../domain/feeds/ping-rows.ts';
import type { HashedRows, PersonFeed, PersonRow } from '../domain/feeds/person-feeds.ts';
import type { ReadItem, RowError } from '../domain/feeds/record.ts';

export type FileFormat = 'csv' | 'ndjson';

export interface ReadBlock {
  /** the items of this block, in file order */
  items: ReadItem[];
  /** SHA-256 of the block's text (base64): a content-derived id, stable across re-runs */
  key: string;
  /** bytes read so far (progress) */
  bytesRead: number;
}

export interface CheckedPingBlock {
  /** the block's content hash, as `readBlocks` gives it */
  key: string;
  bytesRead: number;
  /** rows of the block (good, bad and unreadable) */
  rows: number;
  cols: PingColumns;
  /** bad and unreadable rows, in line order */
  errors: RowError[];
}

export interface CheckedRecordBlock {
  /** the block's content hash, as `readBlocks` gives it */
  key: string;
  bytesRead: number;
  /** rows of the block (good, bad and unreadable) */
  rowCount: number;
  /** good rows with their persons' lookup hashes; bad and unreadable rows in line order */
  checked: HashedRows<PersonRow>;
}

export interface FeedFileReader {
  /** The file in blocks of `blockLines` physical lines (the header not counted), rows unchecked. */
  blocks(path: string, format: FileFormat, blockLines: number): AsyncIterable<ReadBlock>;
  /**
   * A pings file's checked blocks in file order, each checked against the window `bounds()` gives
   * when the block is asked for. Rejects if the file cannot be read.
   */
  checkedPings(
    path: string,
    format: FileFormat,
    blockLines: number,
    bounds: () => PingBounds,
  ): AsyncIterable<CheckedPingBlock>;
  /**
   * A person-feed file's checked blocks in file order, each checked against the `now()` of when it
   * is asked for, good rows hashed with `hashKey`. Rejects if the file cannot be read.
   */
  checkedRecords(
    path: string,
    format: FileFormat,
    blockLines: number,
    feed: PersonFeed,
    hashKey: Uint8Array,
    now: () => number,
  ): AsyncIterable<CheckedRecordBlock>;
}
