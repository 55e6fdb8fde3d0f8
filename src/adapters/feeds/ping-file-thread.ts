/**
 * Worker-thread entry of the pings file reader (ping-file-reader.ts): reads the file in the same
 * fixed blocks as `readBlocks` (`scanBlocks`: same block keys), checks each row into columns as it
 * is read and posts a block's columns with their buffers transferred. It reads a block only when
 * asked for one, with the check window (`now`, retention) the asking thread's clock gives: no clock
 * is read here.
 */
import {
  checkPingRow,
  pingColumns,
  type PingBounds,
  type PingColumns,
} from '../../domain/feeds/ping-rows.ts';
import { rowError, type RowError } from '../../domain/feeds/record.ts';
import { runFileThread } from '../threads/file-thread.ts';
import type { CheckedPingBlock, PingFileJob } from './ping-file-job.ts';
import { scanBlocks, type RowSink } from './record-reader.ts';

runFileThread<PingFileJob, PingBounds, CheckedPingBlock>(async (job, request, post) => {
  // Rows are checked as the reader reads them (no object kept per row), against the window of
  // the request that asked for their block: the reader reads a block only once asked.
  let bounds: PingBounds = { now: 0, oldest: 0 };
  let cols = pingColumns(job.blockLines);
  let errors: RowError[] = [];
  let rows = 0;
  const sink: RowSink<{ cols: PingColumns; errors: RowError[]; rows: number }> = {
    record(line, record) {
      rows++;
      checkPingRow(line, record, bounds, cols, errors);
    },
    problem(line, problem) {
      rows++;
      errors.push(rowError(line, problem));
    },
    take() {
      const block = { cols, errors, rows };
      cols = pingColumns(job.blockLines);
      errors = [];
      rows = 0;
      return block;
    },
  };
  const blocks = scanBlocks(job.path, job.format, job.blockLines, sink);
  for (;;) {
    bounds = await request();
    const next = await blocks.next();
    if (next.done) return post({ type: 'end' });
    const { rows: b, key, bytesRead } = next.value;
    const c = b.cols;
    post({ type: 'block', key, bytesRead, rows: b.rows, cols: c, errors: b.errors }, [
      c.lines.buffer,
      c.phones.buffer,
      c.ts.buffer,
      c.lat.buffer,
      c.lon.buffer,
      c.acc.buffer,
    ] as ArrayBuffer[]);
  }
});
