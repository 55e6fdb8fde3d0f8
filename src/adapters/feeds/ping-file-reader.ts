/**
 * A carrier pings file read and checked on a second core. Reading, splitting, hashing and checking
 * the rows cost more than everything else of a bulk pings load (bench/results/ingest.md), so a worker thread
 * (ping-file-thread.ts) does them and this thread only maps phones to persons and writes. The
 * thread runs at most `ahead` blocks ahead of the consumer (it reads a block only when asked), so
 * memory stays bounded; it is terminated when the blocks end, fail or are abandoned.
 */
import type { PingBounds } from '../../domain/feeds/ping-rows.ts';
import { threadBlocks } from '../threads/file-thread.ts';
import { startThread } from '../threads/start-thread.ts';
import type { CheckedPingBlock, PingFileJob } from './ping-file-job.ts';
import type { FileFormat } from './record-reader.ts';

export type { CheckedPingBlock } from './ping-file-job.ts';

/**
 * Yields the checked blocks of a pings file in file order; each block is checked against the
 * window `bounds()` gives when the block is asked for. Rejects if the file cannot be read or the
 * thread fails.
 */
export async function* readCheckedPings(
  path: string,
  format: FileFormat,
  blockLines: number,
  bounds: () => PingBounds,
  ahead = 2,
): AsyncGenerator<CheckedPingBlock> {
  const worker = startThread(new URL('./ping-file-thread.ts', import.meta.url), {
    path,
    format,
    blockLines,
  } satisfies PingFileJob);
  try {
    for await (const m of threadBlocks<CheckedPingBlock>(
      worker,
      { name: 'pings file', path },
      bounds,
      ahead,
    )) {
      yield { key: m.key, bytesRead: m.bytesRead, rows: m.rows, cols: m.cols, errors: m.errors };
    }
  } finally {
    await worker.terminate();
  }
}
