// `hc companions`: spatio-temporal companions (时空伴随) of the cases from a pings file, and
// `hc companions convert` from CSV to the HCPINGS1 binary format.
import { createWriteStream, type WriteStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { loadCases, loadPings, writePairsCsv, writePingBin } from '../../adapters/companion/ping-files.ts';
import { EnginePool } from '../../adapters/companion/engine-pool.ts';
import type { RowError } from '../../adapters/companion/ping-csv.ts';
import type { CompanionParams } from '../../geo/companion-types.ts';
import { MemoryBus } from '../../adapters/bus/memory-bus.ts';
import { feedStreamOptions, NatsFeedStream } from '../../adapters/feeds/nats-feed-stream.ts';
import type { EventBus } from '../../ports/event-bus.port.ts';
import { companionService } from '../../roles/companion.role.ts';
import { dayOf } from '../../services/companion/companion-days.ts';
import { consumeFeeds } from '../../services/feeds/feeds.worker.ts';
import { withContext } from '../context.ts';
import { createIngestService } from '../../roles/feeds.feature.ts';

export interface CompanionsCliOptions {
  pings: string;
  cases: string;
  mode: string;
  radius: number;
  cell: number;
  gridOrigin?: { lat: number; lon: number };
  gap: number;
  minSeconds: number;
  residence?: boolean;
  out: string;
  errors?: string;
  threads: number;
  progress?: boolean;
}

const positive = (v: string): number => {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n))
    throw new InvalidArgumentError('需要正数 / expected a positive number');
  return n;
};
const nonNegativeInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError('需要非负整数 / expected a non-negative integer');
  return n;
};
/** Parses "lat,lon". */
export const parseOrigin = (v: string): { lat: number; lon: number } => {
  const [a, o, extra] = v.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
  if (extra !== undefined || !(a! >= -90 && a! <= 90) || !(o! >= -180 && o! <= 180)) {
    throw new InvalidArgumentError('格式为 <lat>,<lon> / expected <lat>,<lon>');
  }
  return { lat: a!, lon: o! };
};

/** Collects bad rows: all to the --errors file, the first 20 to stderr. */
class ErrorSink {
  count = 0;
  private file: WriteStream | null;
  constructor(
    private readonly source: string,
    path?: string,
  ) {
    this.file = path ? createWriteStream(path, { flags: 'a' }) : null;
  }
  report = (e: RowError): void => {
    this.count++;
    const line = `${this.source}:${e.line}: ${e.reason}\n`;
    this.file?.write(line);
    if (this.count <= 20) process.stderr.write(line);
    else if (this.count === 21)
      process.stderr.write('… more bad rows' + (this.file ? ' in the errors file\n' : '\n'));
  };
  async close(): Promise<void> {
    if (this.file) await new Promise((r) => this.file!.end(r));
  }
}

const secs = (ms: number): string => (ms / 1000).toFixed(2) + ' s';

/** Runs one companions job end to end; returns the number of pairs written. */
export async function runCompanionsCli(o: CompanionsCliOptions): Promise<number> {
  if (o.mode !== 'radius' && o.mode !== 'grid') throw new InvalidArgumentError('--mode radius|grid');
  if (o.residence && o.mode !== 'grid')
    throw new InvalidArgumentError('--residence 仅用于网格模式 / --residence needs --mode grid');
  const bar =
    o.progress === false
      ? null
      : new cliProgress.SingleBar(
          { stream: process.stderr, format: '{stage} [{bar}] {percentage}% ETA {eta}s' },
          cliProgress.Presets.shades_classic,
        );
  const pingErrors = new ErrorSink(o.pings, o.errors);
  const caseErrors = new ErrorSink(o.cases, o.errors);
  // Threads start (and load the engine) while the pings are read.
  const poolStarting = EnginePool.start(o.threads);
  let t = performance.now();
  bar?.start(1, 0, { stage: 'read pings' });
  const table = await loadPings(o.pings, {
    onError: pingErrors.report,
    onBytes: (b, total) => (
      total > 0 ? bar?.setTotal(total) : bar?.increment(0),
      bar?.update(total > 0 ? b : 0)
    ),
  });
  const readMs = performance.now() - t;
  const caseNames = await loadCases(o.cases, caseErrors.report);
  const dense = table.lookup(caseNames);
  for (const c of caseNames) if (!dense.has(c)) process.stderr.write(`case ${c}: no pings, no companions\n`);
  const params: CompanionParams = {
    mode: o.mode,
    radiusM: o.radius,
    cellM: o.cell,
    gapS: o.gap,
    minSeconds: o.minSeconds,
    ...(o.gridOrigin ? { gridOrigin: o.gridOrigin } : {}),
    ...(o.residence ? { residence: true } : {}),
  };
  const pool = await poolStarting;
  t = performance.now();
  bar?.start(table.columns.personCount, 0, { stage: 'companions' });
  const r = await pool
    .run(table.columns, [...dense.values()], params, { onProgress: (done) => bar?.update(done) })
    .finally(() => pool.close());
  const engineMs = performance.now() - t;
  bar?.stop();
  t = performance.now();
  await writePairsCsv(o.out, r.parts, table.ids);
  await pingErrors.close();
  await caseErrors.close();
  process.stderr.write(
    `${table.columns.person.length} pings (${table.format}), ${table.columns.personCount} people, ` +
      `${dense.size} cases, ${pingErrors.count + caseErrors.count} bad rows → ${r.count} pairs in ${o.out}\n` +
      `read ${secs(readMs)}, engine ${secs(engineMs)} (index ${secs(r.indexMs)}, ${o.threads} thread(s)), ` +
      `write ${secs(performance.now() - t)}\n`,
  );
  return r.count;
}

/** Registers `hc companions` and `hc companions convert`. */
export function registerCompanionsCommand(program: Command): void {
  const cmd = program
    .command('companions')
    .description(
      '时空伴随者计算：找出与病例手机在同一地点停留足够久的手机\n' +
        'Spatio-temporal companions: phones co-located with a case long enough (docs/DESIGN.md §6)',
    )
    .option(
      '--pings <file>',
      '定位文件，CSV（person_id,ts,lat,lon）或 HCPINGS1 二进制 / pings, CSV or HCPINGS1 binary',
    )
    .option('--cases <file>', '病例 CSV（person_id）/ cases CSV with header person_id')
    .option('--mode <mode>', '模式 radius|grid（半径或网格）/ radius or grid', 'radius')
    .option('--radius <m>', '半径（米）/ radius in metres', positive, 800)
    .option('--cell <m>', '网格边长（米）/ grid cell size in metres', positive, 800)
    .option(
      '--grid-origin <lat,lon>',
      '网格原点，默认数据最小纬度/经度 / grid origin, default min lat/min lon of the data',
      parseOrigin,
    )
    .option('--gap <s>', '定位有效时长 G（秒）/ presence gap G in seconds', positive, 1800)
    .option('--min-seconds <s>', '伴随阈值（秒）/ threshold in seconds', nonNegativeInt, 600)
    .option('--residence', '居留规则：一方 14 天内在该网格停留超过 30 小时 / residence rule (grid mode)')
    .option('--out <file>', '输出 CSV / output CSV person_id,case_id,seconds,first_ts,last_ts')
    .option('--errors <file>', '坏行报告文件 / file for bad-row reports')
    .option('--threads <n>', '线程数 / worker threads', positive, Math.min(2, availableParallelism()))
    .option('--no-progress', '不显示进度条 / no progress bar')
    .action(async (opts: Partial<CompanionsCliOptions>) => {
      if (!opts.pings || !opts.cases || !opts.out) {
        cmd.error('需要 --pings、--cases 和 --out / --pings, --cases and --out are required');
      }
      await runCompanionsCli(opts as CompanionsCliOptions);
    });
  cmd
    .command('run')
    .description(
      '对平台保存的定位数据运行时空伴随计算并写入重点人群数据 / run the platform companion engine over the ' +
        'retained pings of one day (UTC+8) against that day’s cases; results go to feeds.key-population',
    )
    .option('--day <YYYY-MM-DD>', '日期（北京时间），默认昨天 / day (UTC+8), default yesterday')
    .option('--force', '即使已运行过也重新运行 / run even if the day was already run')
    .action((o: { day?: string; force?: boolean }) =>
      withContext(async (ctx) => {
        let feed: EventBus;
        let nats: NatsFeedStream | undefined;
        if (ctx.config.natsUrl) {
          // the worker role's consumer takes them from the feed stream
          nats = await NatsFeedStream.connect(feedStreamOptions(ctx.config.natsUrl, ctx.config.natsPrefix));
          feed = nats;
        } else {
          // no shared bus: this process is the feed's consumer (like hc import)
          await consumeFeeds(ctx.bus, createIngestService(ctx, { followUp: 'recompute' }), ctx.log, [
            'key-population',
          ]);
          feed = ctx.bus;
        }
        try {
          const service = companionService(ctx, feed);
          const day = o.day ?? dayOf(ctx.clock.now() - 86_400_000);
          process.stderr.write(`时空伴随 companions ${day} …\n`);
          const r = await service.runDay(day, { force: o.force ?? false, inProcess: true });
          if (ctx.bus instanceof MemoryBus) await ctx.bus.idle();
          process.stdout.write(
            r.ran
              ? `${day}: ${r.cases} cases, ${r.pings} pings → ${r.records ?? 0} companion records to feeds.key-population\n`
              : `${day}: already run (or running) by another process; --force runs it again\n`,
          );
        } finally {
          await nats?.close();
        }
      }),
    );
  cmd
    .command('runs')
    .description('最近的平台时空伴随运行 / the latest platform companion runs (days and cases)')
    .option('--limit <n>', '条数 / how many', positive, 20)
    .action((o: { limit: number }) =>
      withContext(async (ctx) => {
        const service = companionService(ctx, ctx.bus);
        const iso = (t: number | null) => (t === null ? '—' : new Date(t).toISOString());
        for (const r of await service.recentRuns(o.limit))
          process.stdout.write(
            `${r.kind.padEnd(4)} ${r.key.padEnd(12)} claimed ${iso(r.claimedAt)} finished ${iso(r.finishedAt)} ` +
              `records ${r.pairs === null ? '—' : r.pairs < 0 ? 'by tile workers' : r.pairs}\n`,
          );
      }),
    );
  cmd
    .command('convert <csv> <bin>')
    .description(
      '把定位 CSV 转为 HCPINGS1 二进制列式格式 / convert a pings CSV to the HCPINGS1 binary format',
    )
    .option('--errors <file>', '坏行报告文件 / file for bad-row reports')
    .action(async (csv: string, bin: string, opts: { errors?: string }) => {
      const sink = new ErrorSink(csv, opts.errors);
      const t = performance.now();
      const table = await loadPings(csv, { onError: sink.report });
      writePingBin(bin, table.columns, table.ids);
      await sink.close();
      process.stderr.write(
        `${table.columns.person.length} pings, ${table.ids.count} people, ${sink.count} bad rows → ${bin} ` +
          `in ${secs(performance.now() - t)}\n`,
      );
    });
}
