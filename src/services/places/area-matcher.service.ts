/**
 * Turns stays, check-ins and code-display locations into facts (风险区匹配): each stay is matched
 * against the areas active while it lasted (AreaIndex: flatbush + exact accuracy-aware test, or
 * admin code), and a match in a medium area becomes `medium_risk_stay`, in a high area
 * `inbound_high_risk` (low areas are listed, not matched). Facts are idempotent on
 * (places.risk-area, areaId:level:stay key), so re-matching the same stays changes nothing.
 */
import type { StayRow, StayStore } from '../../ports/stay-store.port.ts';
import { degreesAround, bboxOf } from '../../geo/areas/area-geometry.ts';
import { AreaIndex, type IndexedArea } from '../../geo/areas/area-index.ts';
import type { RiskAreaRow } from '../../ports/risk-area-store.port.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { FactService } from '../fact.service.ts';

/** A fact to record, as FactService takes it. */
type NewFact = Parameters<FactService['recordMany']>[0][number];
import { toIndexed } from './risk-area.mapping.ts';
import type { FactType } from '../../domain/fact.ts';
import type { LevelFacts } from '../../domain/places/trip-exposure.ts';
import { DEFAULT_SOURCE_RULES } from '../../domain/policy/sources.policy.ts';

export const RISK_AREA_FACT_SOURCE = 'places.risk-area';
const DAY = 86_400_000;

export type MatchableStay = Pick<
  StayRow,
  | 'person_id'
  | 'started_at'
  | 'ended_at'
  | 'lat'
  | 'lon'
  | 'accuracy_m'
  | 'region_code'
  | 'source'
  | 'source_record_id'
> & {
  /** the venue's admin code for check-in stays (street/community precision) */
  venue_code?: string | null;
};

/** epoch ms of a timestamp column (pg gives Date; JSON callers may pass ISO text) */
function ms(d: Date | string): number {
  return typeof d === 'string' ? Date.parse(d) : d.getTime();
}

export interface MatchReport {
  stays: number;
  matches: number;
  facts: number;
  persons: number;
  ms: number;
}

/**
 * Pure step: the facts a batch of stays produces. One fact per (area, person): the stay that
 * ended last in the batch (the latest exposure, which the red rule counts 14 days from).
 */
export function factsForStays(
  stays: readonly MatchableStay[],
  index: AreaIndex,
  names: ReadonlyMap<number, RiskAreaRow>,
  levels: LevelFacts = DEFAULT_SOURCE_RULES.stayLevels,
): { facts: NewFact[]; matches: number } {
  const best = new Map<string, { stay: MatchableStay; area: IndexedArea }>();
  const hits: number[] = [];
  let matches = 0;
  for (const s of stays) {
    hits.length = 0;
    const start = ms(s.started_at);
    const end = Math.max(start, ms(s.ended_at));
    if (s.lat !== null && s.lon !== null) index.matchPosition(s.lat, s.lon, s.accuracy_m, start, end, hits);
    index.matchCode(s.venue_code ?? s.region_code, start, end, hits);
    for (const i of hits) {
      const area = index.areas[i] as IndexedArea;
      if (!levels[area.level]) continue;
      matches++;
      const key = `${area.id}:${area.level}:${s.person_id}`;
      const seen = best.get(key);
      if (!seen || ms(seen.stay.ended_at) < end) best.set(key, { stay: s, area });
    }
  }
  const facts: NewFact[] = [];
  for (const { stay, area } of best.values()) {
    const start = ms(stay.started_at);
    const end = Math.max(start, ms(stay.ended_at));
    const row = names.get(area.id);
    facts.push({
      personId: stay.person_id,
      type: levels[area.level] as FactType,
      source: RISK_AREA_FACT_SOURCE,
      sourceRecordId: `${area.id}:${area.level}:${stay.source}:${stay.source_record_id}@${start}`,
      eventTime: Math.max(start, area.startsAt),
      data: {
        areaId: String(area.id),
        list: row?.name ?? `risk area ${area.id}`,
        tier: area.level === 'high' ? 'high' : 'medium',
        regionCode: row?.region_code,
        lastExposureAt: Math.min(end, area.liftedAt),
        staySource: stay.source,
      },
    });
  }
  return { facts, matches };
}

export class AreaMatcherService {
  constructor(
    private readonly stays: StayStore,
    private readonly facts: FactService,
    private readonly clock: Clock,
    private readonly currentIndex: () => Promise<{
      index: AreaIndex;
      rows: ReadonlyMap<number, RiskAreaRow>;
    }>,
    readonly lookbackDays = 14,
    private readonly levels: () => Promise<LevelFacts> = async () => DEFAULT_SOURCE_RULES.stayLevels,
  ) {}

  /** Matches stays against the current area index and records the facts (the ingestion hook). */
  async matchStays(stays: readonly MatchableStay[]): Promise<MatchReport> {
    const t0 = performance.now();
    const { index, rows } = await this.currentIndex();
    return this.record(stays, index, rows, t0);
  }

  /**
   * Re-matches the last `lookbackDays` of stays against one area that was just published or
   * changed: only stays inside its bounding box (plus the accuracy cap) or its division are read.
   */
  async rematchArea(row: RiskAreaRow, maxAccuracyM: number): Promise<MatchReport> {
    const t0 = performance.now();
    const now = this.clock.now();
    const area = toIndexed(row);
    const index = new AreaIndex([area], { maxAccuracyM });
    // A stay started up to a day before the window may still reach into it.
    const from = new Date(Math.max(now - this.lookbackDays * DAY - DAY, area.startsAt - DAY));
    const to = new Date(Math.min(now, area.liftedAt) + 1);
    const lookbackAt = now - this.lookbackDays * DAY;
    const levels = await this.levels();
    const factType = levels[area.level];
    if (!factType)
      return { stays: 0, matches: 0, facts: 0, persons: 0, ms: Math.round(performance.now() - t0) };
    if (!area.geometry && area.adminCode) {
      // A whole division can hold a large share of the city's stays: match it where they are.
      const r = await this.stays.matchDivisionIntoFacts({
        areaId: row.id,
        level: area.level,
        factType,
        name: row.name,
        regionCode: row.region_code,
        code: area.adminCode,
        startsAt: new Date(area.startsAt),
        liftedAt: row.lifted_at ? new Date(row.lifted_at) : null,
        from,
        to,
        lookback: new Date(lookbackAt),
        now: new Date(now),
        factSource: RISK_AREA_FACT_SOURCE,
      });
      await this.facts.announce(r.personIds, now);
      return {
        stays: r.matched,
        matches: r.matched,
        facts: r.personIds.length,
        persons: new Set(r.personIds).size,
        ms: Math.round(performance.now() - t0),
      };
    }
    let stays: MatchableStay[];
    if (area.geometry) {
      const [x0, y0, x1, y1] = bboxOf(area.geometry);
      const { dLat, dLon } = degreesAround(Math.max(Math.abs(y0), Math.abs(y1)), maxAccuracyM);
      stays = await this.stays.inBox([x0 - dLon, y0 - dLat, x1 + dLon, y1 + dLat], from, to);
    } else if (area.adminCode) {
      stays = await this.stays.inDivision(area.adminCode, from, to);
    } else stays = [];
    stays = stays.filter((s) => ms(s.ended_at) >= lookbackAt);
    return this.record(stays, index, new Map([[row.id, row]]), t0);
  }

  /**
   * Matches every stay started in [from, to) against the current index (periodic sweep), read in
   * 15-minute slices so memory stays bounded whatever the window.
   */
  async sweep(from: Date, to: Date): Promise<MatchReport> {
    const t0 = performance.now();
    const { index, rows } = await this.currentIndex();
    const total: MatchReport = { stays: 0, matches: 0, facts: 0, persons: 0, ms: 0 };
    if (index.size === 0) return total;
    const SLICE = 15 * 60_000;
    for (let a = from.getTime(); a < to.getTime(); a += SLICE) {
      const r = await this.record(
        await this.stays.between(new Date(a), new Date(Math.min(a + SLICE, to.getTime()))),
        index,
        rows,
        t0,
      );
      total.stays += r.stays;
      total.matches += r.matches;
      total.facts += r.facts;
      total.persons += r.persons;
    }
    total.ms = Math.round(performance.now() - t0);
    return total;
  }

  private async record(
    stays: readonly MatchableStay[],
    index: AreaIndex,
    rows: ReadonlyMap<number, RiskAreaRow>,
    t0: number,
  ): Promise<MatchReport> {
    const { facts, matches } = factsForStays(stays, index, rows, await this.levels());
    let inserted = 0;
    const persons = new Set<number>();
    for (let i = 0; i < facts.length; i += 5000) {
      const r = await this.facts.recordMany(facts.slice(i, i + 5000));
      inserted += r.inserted;
      for (const p of r.personIds) persons.add(p);
    }
    return {
      stays: stays.length,
      matches,
      facts: inserted,
      persons: persons.size,
      ms: Math.round(performance.now() - t0),
    };
  }
}
