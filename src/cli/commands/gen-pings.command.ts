// `hc gen pings`: a deterministic synthetic city-day (or days) of carrier pings around Guiyang,
// streamed to disk block by block so 8 M people / 30 M pings a day fit in little memory.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import {
  CITY_BLOCK,
  blockPings,
  chooseCases,
  cityPersonId,
  generateCityBlock,
  type CityBlock,
  type CityOptions,
} from '../../geo/city-model.ts';
import { PingBinWriter } from '../../adapters/companion/ping-files.ts';
import { FLAG_SORTED, type PersonIds } from '../../geo/ping-format.ts';

export interface GenPingsOptions {
  people: number;
  pings: number;
  seed: number;
  out: string;
  format: 'csv' | 'bin';
  days: number;
  startDate: string;
  cases?: number;
  casesOut?: string;
  progress?: boolean;
  /** Rows by (person, time) instead of by time within each block of 4 096 people. */
  byPerson?: boolean;
}

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError('需要非负整数 / expected a non-negative integer');
  return n;
};

/** Epoch seconds of 00:00 China Standard Time (UTC+8) of a YYYY-MM-DD date. */
export function cstMidnight(date: string): number {
  const t = Date.parse(`${date}T00:00:00+08:00`);
  if (!Number.isFinite(t)) throw new InvalidArgumentError(`bad date ${date}`);
  return t / 1000;
}

/** Generate pings (and optionally a cases file); returns the number of rows written. */
export async function genPings(o: GenPingsOptions): Promise<number> {
  if (o.people < 1) throw new Error('--people must be ≥ 1');
  const city: CityOptions = {
    people: o.people,
    pingsPerDay: o.pings,
    seed: o.seed,
    days: o.days,
    startTs: cstMidnight(o.startDate),
  };
  const blocks = Math.ceil(o.people / CITY_BLOCK);
  let cap = 1;
  for (let b = 0; b < blocks; b++) cap = Math.max(cap, blockPings(city, b));
  const block: CityBlock = {
    count: 0,
    person: new Uint32Array(cap),
    ts: new Uint32Array(cap),
    lat: new Float64Array(cap),
    lon: new Float64Array(cap),
  };
  const ids: PersonIds = { count: o.people, get: (i) => cityPersonId(i, o.seed) };
  const total = o.pings * o.days;
  const bar =
    o.progress === false
      ? null
      : new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: 'gen pings [{bar}] {percentage}% {value}/{total} blocks ETA {eta}s',
          },
          cliProgress.Presets.shades_classic,
        );
  bar?.start(blocks * o.days, 0);
  const bin = o.format === 'bin' ? new PingBinWriter(o.out, total, o.people) : null;
  const csv = o.format === 'csv' ? createWriteStream(o.out) : null;
  csv?.write('person_id,ts,lat,lon\n');
  for (let day = 0; day < o.days; day++) {
    for (let b = 0; b < blocks; b++) {
      generateCityBlock(city, b, day, block, o.byPerson === true);
      if (bin) bin.writeRows(block, block.count);
      if (csv) {
        let s = '';
        for (let k = 0; k < block.count; k++) {
          s += `${ids.get(block.person[k]!)},${block.ts[k]},${block.lat[k]},${block.lon[k]}\n`;
        }
        if (!csv.write(s)) await once(csv, 'drain');
      }
      bar?.increment();
    }
  }
  bin?.finish(ids, o.byPerson && o.days === 1 ? FLAG_SORTED : 0);
  if (csv) {
    csv.end();
    await once(csv, 'finish');
  }
  bar?.stop();
  if (o.cases !== undefined && o.casesOut) {
    const lines = chooseCases(o.people, o.cases, o.seed).map((i) => ids.get(i));
    const w = createWriteStream(o.casesOut);
    w.end(`person_id\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
    await once(w, 'finish');
  }
  return total;
}

function subcommand(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

/** Registers `hc gen pings` (creates or reuses the `gen` group). */
export function registerGenPingsCommand(program: Command): void {
  subcommand(program, 'gen', '生成演示数据 / generate demo data')
    .command('pings')
    .description(
      '生成确定性的贵阳城市手机定位数据（住所、工作地、通勤、基站抖动、不规则间隔）\n' +
        'Generate deterministic Guiyang city location pings (homes, workplaces, commutes, cell-tower jitter, irregular intervals)',
    )
    .requiredOption('--people <n>', '人数 / number of people', positiveInt)
    .requiredOption('--pings <m>', '每天定位条数 / pings per day (all people)', positiveInt)
    .option('--seed <s>', '随机种子 / seed', positiveInt, 1)
    .requiredOption('--out <file>', '输出文件 / output file')
    .option('--format <fmt>', '格式 csv|bin / output format csv|bin (HCPINGS1)', 'csv')
    .option('--days <d>', '天数 / number of days', positiveInt, 1)
    .option('--start-date <date>', '首日（北京时间）/ first day, YYYY-MM-DD in UTC+8', '2022-01-10')
    .option('--cases <n>', '病例人数 / number of cases to pick', positiveInt)
    .option('--cases-out <file>', '病例文件 / cases CSV output (person_id)')
    .option('--by-person', '按人员排序输出（bin 格式可跳过引擎排序）/ rows ordered by person, then time')
    .option('--no-progress', '不显示进度条 / no progress bar')
    .action(async (opts: GenPingsOptions) => {
      if (opts.format !== 'csv' && opts.format !== 'bin') throw new InvalidArgumentError('--format csv|bin');
      if ((opts.cases === undefined) !== (opts.casesOut === undefined)) {
        throw new InvalidArgumentError(
          '--cases 与 --cases-out 须同时给出 / give --cases and --cases-out together',
        );
      }
      const started = performance.now();
      const n = await genPings(opts);
      process.stderr.write(
        `wrote ${n} pings to ${opts.out} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
    });
}
