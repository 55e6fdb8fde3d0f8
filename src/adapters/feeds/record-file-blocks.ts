/**
 * One block of a person-feed file as the reader hands it over: its rows checked as they are read
 * (`RowChecker`: the first row of a source id kept, later ones counted as duplicates) and the
 * persons of its good rows hashed with the lookup key. Used by the reader thread for the file's
 * blocks and by the reading thread for the first one, read while the thread starts.
 */
import {
  LOOKUP_HASH_BYTES,
  PERSON_FEED_CHECKS,
  RowChecker,
  type CheckedRows,
  type PersonFeed,
  type PersonRow,
  type RowCheck,
} from '../../domain/feeds/person-feeds.ts';
import { lookupInput } from '../../domain/lookup-input.ts';
import { keyedHash } from '../crypto/secrets.ts';
import { scanBlocks, type FileFormat, type RowSink } from './record-reader.ts';

export interface RecordFileBlock {
  /** the block's content hash, as `readBlocks` gives it */
  key: string;
  bytesRead: number;
  /** rows of the block (good, bad and unreadable) */
  rowCount: number;
  /** good rows, duplicates, bad and unreadable rows in line order */
  checked: CheckedRows<PersonRow>;
  /** the good rows' lookup hashes, LOOKUP_HASH_BYTES each in row order */
  hashes: Uint8Array;
}

/**
 * The blocks of a person-feed file, checked as read against the `now` set on the returned
 * checker before each block is taken; `skip` blocks at the start are passed over unchecked.
 */
export function scanRecordBlocks(
  path: string,
  format: FileFormat,
  blockLines: number,
  feed: PersonFeed,
  hashKey: Uint8Array,
  skip = 0,
) {
  const checker = new RowChecker(PERSON_FEED_CHECKS[feed] as RowCheck<PersonRow>, 0);
  let skipping = skip > 0;
  let rowCount = 0;
  const sink: RowSink<{ checked: CheckedRows<PersonRow>; rowCount: number }> = {
    record(line, record) {
      rowCount++;
      if (!skipping) checker.record(line, record);
    },
    problem(line, problem) {
      rowCount++;
      if (!skipping) checker.problem(line, problem);
    },
    take() {
      const b = { checked: checker.take(), rowCount };
      rowCount = 0;
      return b;
    },
  };
  const scan = scanBlocks(path, format, blockLines, sink);
  async function* blocks(): AsyncGenerator<RecordFileBlock> {
    let n = 0;
    for await (const { rows: b, key, bytesRead } of scan) {
      if (n++ < skip) {
        skipping = n < skip;
        continue;
      }
      yield {
        key,
        bytesRead,
        rowCount: b.rowCount,
        checked: b.checked,
        hashes: hashRows(b.checked.rows, hashKey),
      };
    }
  }
  return { checker, blocks: blocks() };
}

function hashRows(rows: ReadonlyArray<{ rec: PersonRow }>, hashKey: Uint8Array): Uint8Array {
  const hashes = new Uint8Array(rows.length * LOOKUP_HASH_BYTES);
  for (let i = 0; i < rows.length; i++)
    hashes.set(
      keyedHash(hashKey, lookupInput((rows[i] as { rec: PersonRow }).rec.person)),
      i * LOOKUP_HASH_BYTES,
    );
  return hashes;
}
