/**
 * Feed files from the local disk (ports/feed-file.port.ts): rows unchecked (record-reader.ts), and
 * pings and person-feed files read and checked on a worker thread (ping-file-reader.ts,
 * record-file-reader.ts).
 */
import type { FeedFileReader } from '../../ports/feed-file.port.ts';
import { readCheckedPings } from './ping-file-reader.ts';
import { readCheckedRecords } from './record-file-reader.ts';
import { readBlocks } from './record-reader.ts';

export const localFeedFiles: FeedFileReader = {
  blocks: (path, format, blockLines) => readBlocks(path, format, blockLines),
  checkedPings: (path, format, blockLines, bounds) => readCheckedPings(path, format, blockLines, bounds),
  checkedRecords: (path, format, blockLines, feed, hashKey, now) =>
    readCheckedRecords(path, format, blockLines, feed, hashKey, now),
};
