/**
 * What the pings file reader (ping-file-reader.ts) and its worker thread (ping-file-thread.ts)
 * exchange: the job the thread is started with and the checked blocks it posts back. Kept apart
 * so neither module imports the other.
 */
import type { PingColumns } from '../../domain/feeds/ping-rows.ts';
import type { RowError } from '../../domain/feeds/record.ts';
import type { FileFormat } from './record-reader.ts';

export interface PingFileJob {
  path: string;
  format: FileFormat;
  blockLines: number;
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
