/**
 * Worker-thread entry of the person-feed file reader (record-file-reader.ts): reads the file in the
 * same fixed blocks as `readBlocks` (same block keys), checks each row as it is read (`RowChecker`:
 * the first row of a source id kept, later ones counted as duplicates) and
 * hashes the person each good row names with the lookup key, so the writing thread only looks
 * persons up and writes. A block is read only when asked for, with the asking thread's `now`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LOOKUP_HASH_BYTES, PERSON_FEED_CHECKS, RowChecker, type CheckedRows, type PersonFeed, type PersonRow, type RowCheck } from '../../domain/feeds/person-feeds.ts';
import { lookupInput } from '../../domain/lookup-input.ts';
import { keyedHash } from '../crypto/secrets.ts';
import { scanBlocks, type FileFormat, type RowSink } from './record-reader.ts';

export interface RecordFileJob {
  path: string;
  format: FileFormat;
  blockLines: number;
  feed: PersonFeed;
  /** the lookup hash key (Secrets.lookupHashKey) */
  hashKey: Uint8Array;
}

export type RecordFileReply =
  | { type: 'block'; key: string; bytesRead: number; rowCount: number; checked: CheckedRows<PersonRow>; hashes: Uint8Array }
  | { type: 'end' }
  | { type: 'error'; message: string; code?: string };

const port = parentPort;
if (!port) throw new Error('record-file-thread.ts runs as a worker thread');

const wanted: number[] = [];
let wake: (() => void) | undefined;
port.on('message', (now: number) => {
  wanted.push(now);
  wake?.();
});

async function nextRequest(): Promise<number> {
  while (wanted.length === 0) await new Promise<void>((r) => (wake = r));
  wake = undefined;
  return wanted.shift() as number;
}

async function run(job: RecordFileJob, post: (m: RecordFileReply, transfer?: ArrayBuffer[]) => void): Promise<void> {
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
    checker.now = await nextRequest();
    const next = await blocks.next();
    if (next.done) return post({ type: 'end' });
    const { rows: b, key, bytesRead } = next.value;
    const rows = b.checked.rows;
    const hashes = new Uint8Array(rows.length * LOOKUP_HASH_BYTES);
    for (let i = 0; i < rows.length; i++) hashes.set(keyedHash(job.hashKey, lookupInput((rows[i] as { rec: PersonRow }).rec.person)), i * LOOKUP_HASH_BYTES);
    post({ type: 'block', key, bytesRead, rowCount: b.rowCount, checked: b.checked, hashes }, [hashes.buffer as ArrayBuffer]);
  }
}

run(workerData as RecordFileJob, (m, transfer) => port.postMessage(m, transfer ?? [])).catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(err), ...(e.code ? { code: e.code } : {}) } satisfies RecordFileReply);
});
