/**
 * A person-feed file (key populations, vaccinations, declarations, trips) read, checked and hashed
 * on a second core (record-file-thread.ts), as the pings file is (ping-file-reader.ts): on a
 * key-population import the reading, row checks and document hashes were a sixth of the writing
 * thread's time, which is what bounds the import. The first block is read here while the thread
 * starts (a worker's start costs ≈ 140 ms, in which the first block is written instead of waited
 * for); the thread reads the rest, at most `ahead` blocks ahead of the consumer, and is terminated
 * when the blocks end, fail or are abandoned.
 */
import type { HashedRows, PersonFeed, PersonRow } from '../../domain/feeds/person-feeds.ts';
import { Inbox } from '../threads/inbox.ts';
import { startThread } from '../threads/start-thread.ts';
import { scanRecordBlocks, type RecordFileBlock } from './record-file-blocks.ts';
import type { RecordFileJob, RecordFileReply } from './record-file-thread.ts';
import type { FileFormat } from './record-reader.ts';

export interface CheckedRecordBlock {
  /** the block's content hash, as `readBlocks` gives it */
  key: string;
  bytesRead: number;
  /** rows of the block (good, bad and unreadable) */
  rowCount: number;
  /** good rows with their persons' lookup hashes; bad and unreadable rows in line order */
  checked: HashedRows<PersonRow>;
}

/**
 * Yields the checked blocks of a person-feed file in file order, each checked against the `now()`
 * of when it is asked for. Rejects if the file cannot be read or the thread fails.
 */
export async function* readCheckedRecords(
  path: string, format: FileFormat, blockLines: number, feed: PersonFeed, hashKey: Uint8Array, now: () => number, ahead = 2,
): AsyncGenerator<CheckedRecordBlock> {
  const worker = startThread(new URL('./record-file-thread.ts', import.meta.url), { path, format, blockLines, feed, hashKey, skip: 1 } satisfies RecordFileJob);
  const inbox = new Inbox<RecordFileReply>(worker, { name: `${feed} file`, path });
  try {
    // The first block, here; `now()` is asked for it first, then for the thread's blocks in order.
    const here = scanRecordBlocks(path, format, blockLines, feed, hashKey);
    here.checker.now = now();
    for (let i = 0; i < ahead; i++) worker.postMessage(now());
    let first;
    try {
      first = await here.blocks.next();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw Object.assign(new Error(`cannot read ${feed} file ${path}: ${e.message}`), e.code ? { code: e.code } : {});
    } finally {
      await here.blocks.return(undefined);
    }
    if (first.done) return;
    yield toBlock(first.value);
    for (;;) {
      const m = await inbox.next();
      if (m.type === 'end') return;
      if (m.type === 'error') throw Object.assign(new Error(`cannot read ${feed} file ${path}: ${m.message}`), m.code ? { code: m.code } : {});
      yield toBlock(m);
      worker.postMessage(now());
    }
  } finally {
    await worker.terminate();
  }
}

const toBlock = (b: RecordFileBlock): CheckedRecordBlock => ({ key: b.key, bytesRead: b.bytesRead, rowCount: b.rowCount, checked: { ...b.checked, hashes: b.hashes } });
