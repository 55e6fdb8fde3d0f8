/**
 * Code-display companions (亮码伴随, docs/PLACES.md §Code-display companions): the positions a
 * resident sends with code display are checked, at each display, against the recent positions of
 * active cases with the companion rule of docs/DESIGN.md §6 and the policy's numbers
 * (`sources.codePositions`); a match records the policy's fact (default `companion`), once per
 * (resident, case). When a case arrives, everyone whose code positions came near the case's
 * positions of the window is checked at once (places worker), without waiting for their next display.
 */
import { codeCompanion, type TimedPosition } from '../../geo/code-companions.ts';
import { degreesAround } from '../../geo/areas/area-geometry.ts';
import type { FactType } from '../../domain/fact.ts';
import type { CaseStore } from '../../ports/case-store.port.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { StayStore } from '../../ports/stay-store.port.ts';
import type { FactService } from '../fact.service.ts';
import type { PlacesRules } from './trip-exposure.service.ts';

export const CODE_COMPANION_SOURCE = 'places.code-companion';
const DAY = 86_400_000;

export class CodeCompanionService {
  constructor(
    private readonly stays: StayStore,
    private readonly cases: CaseStore,
    private readonly facts: FactService,
    private readonly clock: Clock,
    private readonly rules: () => Promise<PlacesRules>,
  ) {}

  /** Checks one resident's code-display positions of the window against active cases; returns facts added. */
  async check(personId: number): Promise<number> {
    const { sources, lookbackDays } = await this.rules();
    const rule = sources.codePositions;
    if (rule.factType === null) return 0;
    const now = this.clock.now();
    const gapMs = rule.presenceGapSeconds * 1000;
    const from = now - Math.max(rule.windowDays, 0) * DAY - gapMs;
    const code: TimedPosition[] = (await this.stays.ofPerson(personId, new Date(from), ['code']))
      .filter((s) => s.lat !== null && s.lon !== null)
      .map((s) => ({
        start: new Date(s.started_at).getTime(),
        end: new Date(s.ended_at).getTime(),
        lat: s.lat as number,
        lon: s.lon as number,
      }));
    if (code.length === 0) return 0;
    // Case positions near any of the resident's: one box around them all, widened by the radius.
    let [minLat, minLon, maxLat, maxLon] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const p of code) {
      const { dLat, dLon } = degreesAround(p.lat, rule.radiusM);
      minLat = Math.min(minLat, p.lat - dLat);
      maxLat = Math.max(maxLat, p.lat + dLat);
      minLon = Math.min(minLon, p.lon - dLon);
      maxLon = Math.max(maxLon, p.lon + dLon);
    }
    const earliest = Math.min(...code.map((p) => p.start));
    const near = (
      await this.stays.inBox([minLon, minLat, maxLon, maxLat], new Date(earliest - DAY), new Date(now + 1))
    ).filter((s) => s.person_id !== personId && s.lat !== null && s.lon !== null);
    if (near.length === 0) return 0;
    const active = await this.cases.activeCases(new Date(now - lookbackDays * DAY), [
      ...new Set(near.map((s) => s.person_id)),
    ]);
    const facts = [];
    for (const c of active) {
      // A case's positions count from windowDays before its event time.
      const since = c.eventTime - rule.windowDays * DAY;
      const positions: TimedPosition[] = near
        .filter((s) => s.person_id === c.personId && new Date(s.ended_at).getTime() >= since)
        .map((s) => ({
          start: Math.max(new Date(s.started_at).getTime(), since),
          end: new Date(s.ended_at).getTime(),
          lat: s.lat as number,
          lon: s.lon as number,
        }));
      const m = codeCompanion(code, positions, rule);
      if (!m) continue;
      facts.push({
        personId,
        type: rule.factType as FactType,
        source: CODE_COMPANION_SOURCE,
        sourceRecordId: `${c.personId}:${personId}`,
        eventTime: m.last,
        data: { list: '亮码伴随 code-display companion', lastExposureAt: m.last, seconds: m.seconds },
      });
    }
    if (facts.length === 0) return 0;
    return (await this.facts.recordMany(facts)).inserted;
  }

  /** New facts' persons: for those who are active cases, checks the residents whose code positions came near theirs. */
  async casesArrived(personIds: readonly number[]): Promise<number> {
    const { sources, lookbackDays } = await this.rules();
    const rule = sources.codePositions;
    if (rule.factType === null || personIds.length === 0) return 0;
    const now = this.clock.now();
    const gapMs = rule.presenceGapSeconds * 1000;
    const active = await this.cases.activeCases(new Date(now - lookbackDays * DAY), personIds);
    const residents = new Set<number>();
    for (const c of active) {
      const since = c.eventTime - rule.windowDays * DAY;
      for (const s of await this.stays.ofPerson(c.personId, new Date(since))) {
        if (s.lat === null || s.lon === null) continue;
        const { dLat, dLon } = degreesAround(s.lat, rule.radiusM);
        const start = new Date(s.started_at).getTime();
        const end = Math.max(new Date(s.ended_at).getTime(), start + gapMs);
        const near = await this.stays.inBox(
          [s.lon - dLon, s.lat - dLat, s.lon + dLon, s.lat + dLat],
          new Date(start - gapMs),
          new Date(end + 1),
        );
        for (const n of near)
          if (n.source === 'code' && n.person_id !== c.personId) residents.add(n.person_id);
      }
    }
    let added = 0;
    for (const p of residents) added += await this.check(p);
    return added;
  }
}
