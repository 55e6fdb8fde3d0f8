/**
 * Worker-thread entry of the person-feed file reader (record-file-reader.ts): reads the file in the
 * same fixed blocks as `readBlocks` (same block keys), checks each row as it is read and hashes the
 * person each good row names with the lookup key (record-file-blocks.ts), so the writing thread
 * only looks persons up and writes. A block is read only when asked for, with the asking thread's
 * `now`; the first `skip` blocks (read by the asking thread itself while this one started) are
 * passed over.
 */
import type { PersonFeed } from '../../domain/feeds/person-feeds.ts';
import { runFileThread } from '../threads/file-thread.ts';
import { scanRecordBlocks, type RecordFileBlock } from './record-file-blocks.ts';
import type { FileFormat } from './record-reader.ts';

export interface RecordFileJob {
  path: string;
  format: FileFormat;
  blockLines: number;
  feed: PersonFeed;
  /** the lookup hash key (Secrets.lookupHashKey) */
  hashKey: Uint8Array;
  skip: number;
}

runFileThread<RecordFileJob, number, RecordFileBlock>(async (job, request, post) => {
  const { checker, blocks } = scanRecordBlocks(
    job.path,
    job.format,
    job.blockLines,
    job.feed,
    job.hashKey,
    job.skip,
  );
  for (;;) {
    checker.now = await request();
    const next = await blocks.next();
    if (next.done) return post({ type: 'end' });
    const b = next.value;
    post({ type: 'block', ...b }, [b.hashes.buffer as ArrayBuffer]);
  }
});
