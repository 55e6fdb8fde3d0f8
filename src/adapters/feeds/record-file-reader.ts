/**
 * A person-feed file (key populations, vaccinations, declarations, trips) read, checked and hashed
 * on a second core (record-file-thread.ts), as the pings file is (ping-file-reader.ts): on a
 * key-population import the reading, row checks and document hashes were a sixth of the writing
 * thread's time, which is what bounds the import. The first block is read here while the thread
 * starts (a worker's start costs ≈ 140 ms, in which the first block is written instead of waited
 * for); the thread reads the rest, at most `ahead` blocks ahead of the consumer, and is terminated
 * when the blocks end, fail or are abandoned.
 */
import type { PersonFeed } from '../../domain/feeds/person-feeds.ts';
import type { CheckedRecordBlock, FileFormat } from '../../ports/feed-file.port.ts';
import { fileReadError, threadBlocks } from '../threads/file-thread.ts';
import { startThread } from '../threads/start-thread.ts';
import { scanRecordBlocks, type RecordFileBlock } from './record-file-blocks.ts';
import type { RecordFileJob } from './record-file-thread.ts';

export type { CheckedRecordBlock };

/**
 * Yields the checked blocks of a person-feed file in file order, each checked against the `now()`
 * of when it is asked for. Rejects if the file cannot be read or the thread fails.
 */
export async function* readCheckedRecords(
  path: string,
  format: FileFormat,
  blockLines: number,
  feed: PersonFeed,
  hashKey: Uint8Array,
  now: () => number,
  ahead = 2,
): AsyncGenerator<CheckedRecordBlock> {
  const what = { name: `${feed} file`, path };
  const worker = startThread(new URL('./record-file-thread.ts', import.meta.url), {
    path,
    format,
    blockLines,
    feed,
    hashKey,
    skip: 1,
  } satisfies RecordFileJob);
  try {
    // The first block, here; `now()` is asked for it first, then for the thread's blocks in order.
    const here = scanRecordBlocks(path, format, blockLines, feed, hashKey);
    here.checker.now = now();
    const rest = threadBlocks<RecordFileBlock>(worker, what, now, ahead);
    let first;
    try {
      first = await here.blocks.next();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw fileReadError(what, e.message, e.code);
    } finally {
      await here.blocks.return(undefined);
    }
    if (first.done) return;
    yield toBlock(first.value);
    for await (const b of rest) yield toBlock(b);
  } finally {
    await worker.terminate();
  }
}

const toBlock = (b: RecordFileBlock): CheckedRecordBlock => ({
  key: b.key,
  bytesRead: b.bytesRead,
  rowCount: b.rowCount,
  checked: { ...b.checked, hashes: b.hashes },
});
