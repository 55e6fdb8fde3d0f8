/**
 * What the pings file reader (ping-file-reader.ts) and its worker thread (ping-file-thread.ts)
 * exchange: the job the thread is started with and the checked blocks it posts back. Kept apart
 * so neither module imports the other.
 */
import type { CheckedPingBlock, FileFormat } from '../../ports/feed-file.port.ts';

export type { CheckedPingBlock };

export interface PingFileJob {
  path: string;
  format: FileFormat;
  blockLines: number;
}
