/**
 * The platform's companion runs (时空伴随, docs/DESIGN.md §6, docs/COMPANIONS.md "Platform runs"):
 * the pure engine over the carrier pings the platform keeps, published to the key-population feed
 * exactly as a carrier's engine would publish them, so they reach codes through the real feed.
 *
 * - Daily: at `hour` o'clock (UTC+8) the previous day's pings against every case of that day.
 * - On demand: when a new case arrives, that case against the pings of the days from
 *   `caseDaysBefore` days before its event time up to now.
 * Both cut the pings by day and build presence within the day, so the two produce the same record
 * (same source id) for a (day, person, case); the feed keeps the first.
 */
import { findCompanions } from '../../geo/companion-engine.ts';
import type { CompanionParams } from '../../geo/companion-types.ts';
import { EARTH_RADIUS_M } from '../../geo/haversine.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type {
  CompanionCase,
  CompanionDayJob,
  CompanionDayRunner,
  CompanionStore,
  GeoBox,
  PingRows,
} from '../../ports/companion.port.ts';
import type { EventBus } from '../../ports/event-bus.port.ts';
import { COMPANION_LIST, feedRecord, type CompanionFeedRecord } from '../../geo/companion-record.ts';
import { AppError } from '../app-error.ts';
import { DAY_MS, addDays, dayOf, dayStart, daysBetween, dueDays } from './companion-days.ts';

/** The subject of the key-population feed (docs/feeds). */
export const KEY_POPULATION_SUBJECT = 'feeds.key-population';

export interface CompanionOptions {
  /** radius mode parameters (defaults: docs/DESIGN.md §6) */
  radiusM: number;
  gapS: number;
  minSeconds: number;
  /** hour of the day (UTC+8) from which the previous day is run */
  hour: number;
  /** days before a new case's event time its on-demand run looks back */
  caseDaysBefore: number;
  /** a case fact older than this many days no longer makes anyone a companion */
  activeCaseDays: number;
  /** due days the scheduler still runs when it finds them not done (after downtime) */
  catchUpDays: number;
  /** a claimed run not finished after this long is taken over (its process died) */
  staleMs: number;
  list: string;
}

export const COMPANION_DEFAULT_OPTIONS: CompanionOptions = {
  radiusM: 800,
  gapS: 1800,
  minSeconds: 600,
  hour: 2,
  caseDaysBefore: 4,
  activeCaseDays: 14,
  catchUpDays: 2,
  staleMs: 30 * 60_000,
  list: COMPANION_LIST,
};

export interface RunResult {
  day?: string;
  /** false when another process had claimed the run */
  ran: boolean;
  cases: number;
  pings: number;
  /** records published here; null when tile workers publish them */
  records: number | null;
  jobs?: number;
}

export class CompanionService {
  private readonly opts: CompanionOptions;
  /** days this process saw finished (saves a claim query per tick) */
  private readonly doneDays = new Set<string>();

  constructor(
    private readonly store: CompanionStore,
    /** where records go: the key-population feed (in-process bus or NATS feed stream) */
    private readonly feed: EventBus,
    private readonly clock: Clock,
    opts: Partial<CompanionOptions> = {},
    private readonly distributed?: CompanionDayRunner,
  ) {
    this.opts = { ...COMPANION_DEFAULT_OPTIONS, ...opts };
  }

  /** The options in force (banners, `hc companions status`). */
  get options(): Readonly<CompanionOptions> {
    return this.opts;
  }

  private get params(): CompanionParams {
    return {
      mode: 'radius',
      radiusM: this.opts.radiusM,
      gapS: this.opts.gapS,
      minSeconds: this.opts.minSeconds,
    };
  }

  /**
   * Runs one day against every case of that day. Unless `force`, only when no other process has
   * claimed it. Records go to the feed (in process) or to the tile workers (distributed).
   */
  async runDay(day: string, o: { force?: boolean; inProcess?: boolean } = {}): Promise<RunResult> {
    let from: number;
    try {
      from = dayStart(day);
    } catch (e) {
      throw new AppError('COMPANION_BAD_DAY', 400, (e as Error).message);
    }
    const now = this.clock.now();
    if (from >= now) throw new AppError('COMPANION_FUTURE_DAY', 400, `day ${day} has not started yet`);
    if (!o.force && !(await this.store.claim('day', day, now, this.opts.staleMs)))
      return { day, ran: false, cases: 0, pings: 0, records: 0 };
    const to = from + DAY_MS;
    const cases = await this.store.casesDuring(from, to, from - this.opts.activeCaseDays * DAY_MS);
    let result: RunResult = { day, ran: true, cases: cases.length, pings: 0, records: 0 };
    if (cases.length > 0) {
      const rows = await this.store.pings(from, to);
      const job = await this.job(
        day,
        rows,
        cases.map((c) => c.personId),
      );
      result = { ...result, pings: rows.ts.length };
      if (job.cases.length === 0) result.records = 0;
      else if (this.distributed && !o.inProcess) {
        result.jobs = await this.distributed.runDay(job);
        result.records = null;
      } else result.records = await this.publish(this.compute(job));
    }
    await this.store.finish('day', day, this.clock.now(), result.records ?? -1);
    this.doneDays.add(day);
    return result;
  }

  /**
   * Runs one case against the pings of every day from `caseDaysBefore` days before its event time
   * up to today (only the persons who came near it are read). Returns the records published.
   */
  async runCase(c: CompanionCase): Promise<number> {
    const now = this.clock.now();
    const asOf = Math.floor(now / 1000);
    const g = this.opts.gapS;
    let records = 0;
    const first = dayOf(c.eventTime - this.opts.caseDaysBefore * DAY_MS);
    for (const day of daysBetween(first, dayOf(now))) {
      const from = dayStart(day);
      const to = Math.min(from + DAY_MS, now + 1);
      const own = await this.store.pings(from, to, [c.personId]);
      if (own.ts.length === 0) continue;
      let t0 = Infinity;
      let t1 = -Infinity;
      for (let i = 0; i < own.ts.length; i++) {
        t0 = Math.min(t0, own.ts[i]!);
        t1 = Math.max(t1, own.ts[i]!);
      }
      // Anyone whose interval can meet the case's: a ping in the box in (t0 − G, t1 + G).
      const near = await this.store.personsIn(
        boxAround(own, this.opts.radiusM),
        Math.max(from, (t0 - g + 1) * 1000),
        Math.min(to, (t1 + g) * 1000),
      );
      const others = near.filter((p) => p !== c.personId);
      if (others.length === 0) continue;
      const rows = await this.store.pings(from, to, [c.personId, ...others]);
      const job = await this.job(day, rows, [c.personId], asOf);
      records += await this.publish(this.compute(job));
    }
    return records;
  }

  /**
   * A fact event: runs every new case among these persons once (claimed, so one process of the
   * group runs it). Returns the cases run.
   */
  async onFactsAdded(personIds: readonly number[]): Promise<number> {
    if (personIds.length === 0) return 0;
    const now = this.clock.now();
    const cases = await this.store.unrunCases(personIds, now - this.opts.activeCaseDays * DAY_MS);
    let ran = 0;
    for (const c of cases) {
      const key = String(c.factId);
      if (!(await this.store.claim('case', key, now, this.opts.staleMs))) continue;
      const records = await this.runCase(c);
      await this.store.finish('case', key, this.clock.now(), records);
      ran++;
    }
    return ran;
  }

  /** The scheduler's turn: runs the due days nobody has run yet. Returns what it ran. */
  async tick(): Promise<RunResult[]> {
    const out: RunResult[] = [];
    for (const day of dueDays(this.clock.now(), this.opts.hour, this.opts.catchUpDays)) {
      if (this.doneDays.has(day)) continue;
      const r = await this.runDay(day);
      this.doneDays.add(day);
      if (r.ran) out.push(r);
    }
    return out;
  }

  /** The latest runs (for operators). */
  recentRuns(limit = 20) {
    return this.store.recentRuns(limit);
  }

  /** The next day the scheduler will run and when (epoch ms). */
  nextDailyRun(): { day: string; at: number } {
    const now = this.clock.now();
    const due = dueDays(now, this.opts.hour, 1)[0]!;
    const day = addDays(due, 1);
    return { day, at: dayStart(addDays(day, 1)) + this.opts.hour * 3_600_000 };
  }

  private async job(day: string, rows: PingRows, casePersons: number[], asOf?: number) {
    const dense = new Map<number, number>();
    const ids: number[] = [];
    const n = rows.ts.length;
    const person = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const p = rows.person[i]!;
      let d = dense.get(p);
      if (d === undefined) {
        d = ids.length;
        dense.set(p, d);
        ids.push(p);
      }
      person[i] = d;
    }
    const phones = await this.store.phonesOf(ids);
    const job: CompanionDayJob = {
      day,
      columns: { person, ts: rows.ts, lat: rows.lat, lon: rows.lon, personCount: ids.length },
      names: ids.map((id) => `p${id}|${phones.get(id) ?? ''}`),
      cases: casePersons.flatMap((p) => {
        const d = dense.get(p);
        return d === undefined ? [] : [d];
      }),
      params: this.params,
      asOf: asOf ?? Math.floor(this.clock.now() / 1000),
      list: this.opts.list,
    };
    return job;
  }

  /** The engine, in this process. */
  private compute(job: CompanionDayJob): CompanionFeedRecord[] {
    const pairs = findCompanions(job.columns, job.cases, job.params);
    const out: CompanionFeedRecord[] = [];
    for (let i = 0; i < pairs.count; i++) {
      const r = feedRecord(
        job.day,
        job.names[pairs.person[i]!]!,
        job.names[pairs.caseId[i]!]!,
        pairs.seconds[i]!,
        pairs.firstTs[i]!,
        pairs.lastTs[i]!,
        job.asOf,
        job.list,
      );
      // a holder without a phone cannot be named to the feed (never the case for pings' holders)
      if (r && r.personRef !== '') out.push(r);
    }
    return out;
  }

  private async publish(records: CompanionFeedRecord[]): Promise<number> {
    for (let i = 0; i < records.length; i += 500)
      await this.feed.publish(KEY_POPULATION_SUBJECT, records.slice(i, i + 500));
    return records.length;
  }
}

/** The box holding every point within `radiusM` of the pings (a little larger, never smaller). */
export function boxAround(p: PingRows, radiusM: number): GeoBox {
  let minLat = Infinity;
  let maxLat = -Infinity;
  let minLon = Infinity;
  let maxLon = -Infinity;
  for (let i = 0; i < p.lat.length; i++) {
    minLat = Math.min(minLat, p.lat[i]!);
    maxLat = Math.max(maxLat, p.lat[i]!);
    minLon = Math.min(minLon, p.lon[i]!);
    maxLon = Math.max(maxLon, p.lon[i]!);
  }
  const dLat = ((radiusM / EARTH_RADIUS_M) * 180) / Math.PI;
  const pad = dLat * 1.01 + 1e-6;
  const edge = Math.max(Math.abs(minLat), Math.abs(maxLat)) + pad;
  if (edge >= 89) return { minLat: minLat - pad, maxLat: maxLat + pad, minLon: -180, maxLon: 180 };
  const padLon = pad / Math.cos((edge * Math.PI) / 180);
  return { minLat: minLat - pad, maxLat: maxLat + pad, minLon: minLon - padLon, maxLon: maxLon + padLon };
}
