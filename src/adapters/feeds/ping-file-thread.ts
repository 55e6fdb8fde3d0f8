/**
 * Worker-thread entry of the pings file reader (ping-file-reader.ts): reads the file in the same
 * fixed blocks as `readBlocks` (same block keys), checks each block's rows into columns and posts
 * them with their buffers transferred. It reads a block only when asked for one, with the check
 * window (`now`, retention) the asking thread's clock gives: no clock is read here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkPingRows, pingColumns, type PingBounds, type PingColumns } from '../../domain/feeds/ping-rows.ts';
import type { RowError } from '../../domain/feeds/record.ts';
import { readBlocks, type FileFormat } from './record-reader.ts';

export interface PingFileJob {
  path: string;
  format: FileFormat;
  blockLines: number;
}

export type PingFileReply =
  | { type: 'block'; key: string; bytesRead: number; rows: number; cols: PingColumns; errors: RowError[] }
  | { type: 'end' }
  | { type: 'error'; message: string; code?: string };

const port = parentPort;
if (!port) throw new Error('ping-file-thread.ts runs as a worker thread');

const wanted: PingBounds[] = [];
let wake: (() => void) | undefined;
port.on('message', (b: PingBounds) => {
  wanted.push(b);
  wake?.();
});

async function nextRequest(): Promise<PingBounds> {
  while (wanted.length === 0) await new Promise<void>((r) => (wake = r));
  wake = undefined;
  return wanted.shift() as PingBounds;
}

async function run(job: PingFileJob, post: (m: PingFileReply, transfer?: ArrayBuffer[]) => void): Promise<void> {
  const blocks = readBlocks(job.path, job.format, job.blockLines);
  for (;;) {
    const bounds = await nextRequest();
    const next = await blocks.next();
    if (next.done) return post({ type: 'end' });
    const { items, key, bytesRead } = next.value;
    const cols = pingColumns(items.length);
    const errors: RowError[] = [];
    checkPingRows(items, 0, items.length, bounds, cols, errors);
    post({ type: 'block', key, bytesRead, rows: items.length, cols, errors }, [cols.lines.buffer, cols.phones.buffer, cols.ts.buffer, cols.lat.buffer, cols.lon.buffer, cols.acc.buffer] as ArrayBuffer[]);
  }
}

run(workerData as PingFileJob, (m, transfer) => port.postMessage(m, transfer ?? [])).catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(err), ...(e.code ? { code: e.code } : {}) } satisfies PingFileReply);
});
