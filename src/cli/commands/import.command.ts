/**
 * `hc import <feed> <file>`: streams a CSV or NDJSON feed file into the platform in blocks, with a
 * progress bar, a summary and (--errors) every rejected row with its line, field and code.
 * After each block the affected persons are recomputed here and announced on the bus, so the
 * colours show whether or not a worker is listening (the embedded bus does not cross processes).
 */
import fs from 'node:fs';
import cliProgress from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { localFeedFiles } from '../../adapters/feeds/feed-files.ts';
import { formatOf } from '../../adapters/feeds/record-reader.ts';
import { FEED_NAMES, isFeedName } from '../../services/feeds/feed-types.ts';
import { importFile, type ImportSummary } from '../../services/feeds/import.service.ts';
import { fail, withContext } from '../context.ts';
import { createIngestService } from '../../roles/feeds.feature.ts';

interface ImportOptions {
  format?: string;
  errors?: string;
  json?: boolean;
  stays: boolean;
  progress: boolean;
  blockLines?: number;
}

function blockLinesOption(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 1_000_000)
    throw new InvalidArgumentError(
      '每块行数须为 1–1000000 --block-lines must be a whole number from 1 to 1 000 000',
    );
  return n;
}

export function registerImportCommand(program: Command): void {
  program
    .command('import <feed> <file>')
    .description(
      `导入数据文件 Import a feed file (CSV with header, or NDJSON); feeds: ${FEED_NAMES.join(', ')}`,
    )
    .option('--format <f>', '文件格式 csv | ndjson (默认按扩展名 default: by file extension)')
    .option(
      '--errors <out.ndjson>',
      '把拒绝的行写入文件 write rejected rows (line, field, code) to this NDJSON file',
    )
    .option('--json', '最后一行输出 JSON 汇总 print {"accepted","duplicates","rejected"} as the last line')
    .option('--no-stays', '导入信令后不生成停留点 do not condense pings into stays after the import')
    .option('--no-progress', '不显示进度条 no progress bar')
    .option(
      '--block-lines <n>',
      '每个事务的行数 lines per transaction block (默认 default: persons/declarations 2000, pings 50000, others 5000); ' +
        'smaller blocks hold less memory and a killed import redoes less; 重新导入信令时请用相同的值 ' +
        're-run a killed pings import with the same value (pings are de-duplicated per block)',
      blockLinesOption,
    )
    .action((feed: string, file: string, o: ImportOptions) => runImportCommand(feed, file, o));
}

async function runImportCommand(feed: string, file: string, o: ImportOptions): Promise<void> {
  if (!isFeedName(feed)) return fail(`未知数据源 unknown feed ${feed}; use one of ${FEED_NAMES.join(', ')}`);
  if (!fs.existsSync(file)) return fail(`文件不存在 no such file ${file}`);
  const format = formatOf(file, o.format);
  const size = fs.statSync(file).size;
  const errOut = o.errors ? fs.createWriteStream(o.errors) : undefined;
  const bar = o.progress
    ? new cliProgress.SingleBar(
        {
          format: `import ${feed} [{bar}] {percentage}% | {rows} rows | ✓ {accepted} = {duplicates} ✗ {rejected} | {eta_formatted} left`,
          stream: process.stderr,
          // Without a terminal (CI, pipes) a plain progress line every few seconds instead
          // (HC_PROGRESS_MS, 2 000 by default).
          noTTYOutput: true,
          notTTYSchedule: Number(process.env.HC_PROGRESS_MS) > 0 ? Number(process.env.HC_PROGRESS_MS) : 2000,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const t0 = Date.now();
  let blocks = 0;
  const freezeAfter = Number(process.env.HC_TEST_FREEZE_AFTER_BLOCKS ?? 0);
  await withContext(async (ctx) => {
    const ingest = createIngestService(ctx, { followUp: 'recompute' });
    bar?.start(size, 0, { rows: 0, accepted: 0, duplicates: 0, rejected: 0 });
    let summary: ImportSummary;
    try {
      summary = await importFile(ingest, localFeedFiles, feed, file, format, {
        stays: o.stays,
        blockLines: o.blockLines,
        // Written without waiting for 'drain' (the hook cannot wait): the stream buffers what the
        // disk has not taken yet. A drain listener per write made a file of 100 000 bad rows
        // take minutes (every drain walked every listener).
        onError: (e) => void errOut?.write(JSON.stringify(e) + '\n'),
        onProgress: (s, bytes) => {
          bar?.update(bytes, {
            rows: s.rows,
            accepted: s.accepted,
            duplicates: s.duplicates,
            rejected: s.rejected,
          });
          if (++blocks === freezeAfter) freeze();
        },
        onStaysProgress: (n, total) => bar?.update(size, { rows: `stays ${n}/${total}` }),
      });
    } finally {
      bar?.stop();
      if (errOut) await new Promise<void>((r) => errOut.end(r));
    }
    const secs = (Date.now() - t0) / 1000;
    const line =
      `导入完成 imported ${feed} from ${file}: ${summary.rows} rows in ${secs.toFixed(1)} s — ` +
      `accepted ${summary.accepted}, duplicates ${summary.duplicates}, rejected ${summary.rejected}` +
      (summary.stays !== undefined ? `, stays ${summary.stays}` : '') +
      (summary.rejected && o.errors ? ` (see ${o.errors})` : '');
    if (o.json) {
      process.stderr.write(line + '\n');
      process.stdout.write(
        JSON.stringify({
          accepted: summary.accepted,
          duplicates: summary.duplicates,
          rejected: summary.rejected,
        }) + '\n',
      );
    } else process.stdout.write(line + '\n');
  });
  exitWhenDone();
}

/**
 * For the kill tests only (HC_TEST_FREEZE_AFTER_BLOCKS=n): once n blocks are written, say so on
 * stderr and stop this thread where it is, the next block's write possibly half done, until the
 * test sends SIGKILL — a kill at a known point instead of a race with the import.
 */
function freeze(): never {
  process.stderr.write('HC_TEST_FROZEN\n'); // synchronous on pipes and files
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

/**
 * An embedded (PGlite) data folder opened a second time keeps the process alive after it is
 * closed, with no handle left to unref; the work is done and stdout (a pipe or file) is written
 * synchronously, so end the process here instead of hanging scripts that wait for it.
 */
export function exitWhenDone(): void {
  process.exit(process.exitCode ?? 0);
}
