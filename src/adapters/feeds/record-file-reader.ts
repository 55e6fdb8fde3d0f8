/**
 * A person-feed file (key populations, vaccinations, declarations, trips) read, checked and hashed
 * on a second core (record-file-thread.ts), as the pings file is (ping-file-reader.ts): on a
 * key-population import the reading, row checks and document hashes were a sixth of the writing
 * thread's time, which is what bounds the import. At most `ahead` blocks are read ahead of the
 * consumer; the thread is terminated when the blocks end, fail or are abandoned.
 */
import type { CheckedRows, HashedRows, PersonFeed, PersonRow } from '../../domain/feeds/person-feeds.ts';
import { Inbox } from '../threads/inbox.ts';
import { startThread } from '../threads/start-thread.ts';
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
  const worker = startThread(new URL('./record-file-thread.ts', import.meta.url), { path, format, blockLines, feed, hashKey } satisfies RecordFileJob);
  const inbox = new Inbox<RecordFileReply>(worker, { name: `${feed} file`, path });
  try {
    for (let i = 0; i < ahead; i++) worker.postMessage(now());
    for (;;) {
      const m = await inbox.next();
      if (m.type === 'end') return;
      if (m.type === 'error') throw Object.assign(new Error(`cannot read ${feed} file ${path}: ${m.message}`), m.code ? { code: m.code } : {});
      const checked: CheckedRows<PersonRow> = m.checked;
      yield { key: m.key, bytesRead: m.bytesRead, rowCount: m.rowCount, checked: { ...checked, hashes: m.hashes } };
      worker.postMessage(now());
    }
  } finally {
    await worker.terminate();
  }
}
