/**
 * Worker-thread entry of the person-feed file reader (record-file-reader.ts): reads the file in the
 * same fixed blocks as `readBlocks` (same block keys), checks each row as it is read (`RowChecker`:
 * the first row of a source id kept, later ones counted as duplicates) and
 * hashes the person each good row names with the lookup key, so the writing thread only looks
 * persons up and writes. A block is read only when asked for, with the asking thread's `now`.
 */
import { LOOKUP_HASH_BYTES, PERSON_FEED_CHECKS, RowChecker, type CheckedRows, type PersonFeed, type PersonRow, type RowCheck } from '../../domain/feeds/person-feeds.ts';
import { lookupInput } from '../../domain/lookup-input.ts';
import { keyedHash } from '../crypto/secrets.ts';
import { runFileThread, type FileThreadReply } from '../threads/file-thread.ts';
import { scanBlocks, type FileFormat, type RowSink } from './record-reader.ts';

export interface RecordFileJob {
  path: string;
  format: FileFormat;
  blockLines: number;
  feed: PersonFeed;
  /** the lookup hash key (Secrets.lookupHashKey) */
  hashKey: Uint8Array;
}

interface RecordFileBlock {
  key: string;
  bytesRead: number;
  rowCount: number;
  checked: CheckedRows<PersonRow>;
  /** the good rows' lookup hashes, LOOKUP_HASH_BYTES each in row order */
  hashes: Uint8Array;
}

export type RecordFileReply = FileThreadReply<RecordFileBlock>;

runFileThread<RecordFileJob, number, RecordFileBlock>(async (job, request, post) => {
  const checker = new RowChecker(PERSON_FEED_CHECKS[job.feed] as RowCheck<PersonRow>, 0);
  let rowCount = 0;
  const sink: RowSink<{ checked: CheckedRows<PersonRow>; rowCount: number }> = {
    record(line, record) {
      rowCount++;
      checker.record(line, record);
    },
    problem(line, problem) {
      rowCount++;
      checker.problem(line, problem);
    },
    take() {
      const b = { checked: checker.take(), rowCount };
      rowCount = 0;
      return b;
    },
  };
  const blocks = scanBlocks(job.path, job.format, job.blockLines, sink);
  for (;;) {
    checker.now = await request();
    const next = await blocks.next();
    if (next.done) return post({ type: 'end' });
    const { rows: b, key, bytesRead } = next.value;
    const rows = b.checked.rows;
    const hashes = new Uint8Array(rows.length * LOOKUP_HASH_BYTES);
    for (let i = 0; i < rows.length; i++) hashes.set(keyedHash(job.hashKey, lookupInput((rows[i] as { rec: PersonRow }).rec.person)), i * LOOKUP_HASH_BYTES);
    post({ type: 'block', key, bytesRead, rowCount: b.rowCount, checked: b.checked, hashes }, [hashes.buffer as ArrayBuffer]);
  }
});
