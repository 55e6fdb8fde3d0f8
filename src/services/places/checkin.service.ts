/**
 * Check-ins (扫码登记) and code-display locations (亮码即定位). A check-in comes from the resident
 * scanning a venue poster (JKMV1) or from the venue's scanner verifying the resident's code; it is
 * kept as a check-in row and as a stay (source 'checkin', the venue's position, [at, at + dwell])
 * matched against risk areas at once. A code display with a position is a stay of source 'code'.
 *
 * Venue exposure: when a case's check-in is known (the person is purple, or has a `case` fact),
 * everyone else checked in at that venue within dwell + margin of the case's check-in gets a
 * `companion` fact (orange by the default policy; list 场所暴露 venue exposure), idempotent per
 * (case check-in, other check-in).
 */
import crypto from 'node:crypto';
import { parsePlacesToken, readVenueClaims, VENUE_PREFIX } from '../../domain/places/places-token.ts';
import type { CaseStore } from '../../ports/case-store.port.ts';
import type { PersonSubjects } from '../../ports/person-subject.port.ts';
import type { StayStore } from '../../ports/stay-store.port.ts';
import type { CheckinRow, VenueRow, VenueStore } from '../../ports/venue-store.port.ts';
import type { Clock } from '../../ports/clock.port.ts';
import { AppError } from '../app-error.ts';
import type { FactService } from '../fact.service.ts';

/** A fact to record, as FactService takes it. */
type NewFact = Parameters<FactService['recordMany']>[0][number];
import type { KeyService } from '../key.service.ts';
import type { VerifyResponse, VerifyService } from '../verify.service.ts';
import type { AreaMatcherService, MatchReport } from './area-matcher.service.ts';
import { checkPlacesSignature } from './places-token.verify.ts';
import type { CodeCompanionService } from './code-companion.service.ts';

export const VENUE_EXPOSURE_SOURCE = 'places.venue-exposure';
const MIN = 60_000;
const DAY = 86_400_000;

export interface CheckinOptions {
  /** how long a check-in is assumed to last (a stay of [at, at + dwell]) */
  dwellMinutes: number;
  /** extra margin either side when looking for people at a venue with a case */
  exposureMarginMinutes: number;
  /** a second scan of the same person at the same venue within this is the same check-in */
  dedupeMinutes: number;
  lookbackDays: number;
}

export interface CheckinResult {
  checkinId: number;
  at: string;
  venue: { id: number; name: string; category: string; address: string };
  duplicate: boolean;
  exposures: number;
}

export class CheckinService {
  /** code-display positions are also checked against cases' positions (set by the wiring) */
  codeCompanions: CodeCompanionService | undefined;

  constructor(
    private readonly venues: VenueStore,
    private readonly stays: StayStore,
    private readonly persons: PersonSubjects,
    private readonly cases: CaseStore,
    private readonly facts: FactService,
    private readonly keys: KeyService,
    private readonly verifier: VerifyService,
    private readonly matcher: AreaMatcherService,
    private readonly clock: Clock,
    private readonly issuer: string,
    readonly opts: CheckinOptions,
  ) {}

  /** The resident scanned a venue poster. */
  async byPoster(personId: number, token: string): Promise<CheckinResult> {
    const t = parsePlacesToken(VENUE_PREFIX, token.trim());
    if (!t.ok) throw new AppError('VENUE_TOKEN_INVALID', 400, `not a venue code (${t.code})`);
    const c = readVenueClaims(t.claims);
    if (!c || c.iss !== this.issuer)
      throw new AppError('VENUE_TOKEN_INVALID', 400, 'not a venue code of this platform');
    const v = await this.venues.get(c.venueId);
    if (!v || !v.active) throw new AppError('VENUE_CLOSED', 410, 'this venue is closed or unknown');
    const nonce = new Uint8Array(v.poster_nonce);
    if (nonce.length !== c.nonce.length || !crypto.timingSafeEqual(nonce, c.nonce)) {
      throw new AppError('VENUE_TOKEN_REPLACED', 410, 'this poster was replaced; scan the current one');
    }
    // The nonce proves the poster is current; the signature must hold whenever its key is still
    // listed (a poster printed before a key rotation stays usable through its nonce).
    const sig = await checkPlacesSignature(t, [await this.keys.trustList()]);
    if (!sig.ok && sig.reason !== 'TOKEN_UNKNOWN_KID')
      throw new AppError('VENUE_TOKEN_INVALID', 400, `venue code signature: ${sig.reason}`);
    return this.record(v, personId, 'resident-scan', null);
  }

  /** The venue's scanner verified a resident's code (subject from a valid JKM1 of this issuer). */
  async byVenueScan(deviceId: number, venueId: number, subject: string): Promise<CheckinResult | undefined> {
    const [v, p] = await Promise.all([this.venues.get(venueId), this.persons.personOf(subject)]);
    if (!v || !v.active || p === undefined) return undefined;
    return this.record(v, p, 'venue-scan', deviceId);
  }

  /**
   * A venue's device scanned a resident's code at its venue: the code is verified, and a valid
   * one checks the resident in. The code's subject is not part of the answer.
   */
  async scanAtVenue(
    deviceId: number,
    venueId: number,
    token: string,
  ): Promise<VerifyResponse & { checkedIn: boolean }> {
    const r = await this.verifier.verify(token);
    const checkin = r.valid && r.subject ? await this.byVenueScan(deviceId, venueId, r.subject) : undefined;
    delete r.subject;
    return { ...r, checkedIn: checkin !== undefined };
  }

  /** A code display with the phone's position: kept as a precise stay and matched at once. */
  async codeLocation(
    personId: number,
    lat: number,
    lon: number,
    accuracyM: number | null,
  ): Promise<MatchReport> {
    const now = this.clock.now();
    const stay = {
      person_id: personId,
      started_at: new Date(now),
      ended_at: new Date(now),
      lat,
      lon,
      accuracy_m: accuracyM,
      region_code: null,
      venue_id: null,
      source: 'code',
      source_record_id: `code:${personId}:${now}`,
    };
    await this.stays.insert(stay);
    const report = await this.matcher.matchStays([stay]);
    if (this.codeCompanions) report.facts += await this.codeCompanions.check(personId);
    return report;
  }

  /** Flags everyone who overlapped a case's check-ins of the lookback window; returns facts added. */
  async exposuresForCase(casePersonId: number): Promise<number> {
    const now = this.clock.now();
    const own = await this.venues.checkinsOf(casePersonId, new Date(now - this.opts.lookbackDays * DAY));
    let added = 0;
    for (const c of own) added += await this.exposuresAround(c);
    return added;
  }

  /** Is this person a case: purple now, or a `case` fact on record? */
  async isCase(personId: number): Promise<boolean> {
    return this.cases.isCase(personId);
  }

  /** Venue exposures for those of these persons who are cases with check-ins in the lookback window. */
  async exposuresForNewFacts(personIds: readonly number[]): Promise<number> {
    const since = new Date(this.clock.now() - this.opts.lookbackDays * DAY);
    let added = 0;
    for (const p of await this.cases.casesWithCheckins(personIds, since))
      added += await this.exposuresForCase(p);
    return added;
  }

  private async record(
    v: VenueRow,
    personId: number,
    method: CheckinRow['method'],
    deviceId: number | null,
  ): Promise<CheckinResult> {
    const now = this.clock.now();
    const venue = { id: v.id, name: v.name, category: v.category, address: v.address };
    const recent = await this.venues.checkinsOf(personId, new Date(now - this.opts.dedupeMinutes * MIN));
    const same = recent.find((r) => r.venue_id === v.id);
    if (same)
      return {
        checkinId: same.id,
        at: new Date(same.at).toISOString(),
        venue,
        duplicate: true,
        exposures: 0,
      };
    const c = await this.venues.insertCheckin({
      venue_id: v.id,
      person_id: personId,
      at: new Date(now),
      method,
      device_id: deviceId,
    });
    const stay = {
      person_id: personId,
      started_at: new Date(now),
      ended_at: new Date(now + this.opts.dwellMinutes * MIN),
      lat: v.lat,
      lon: v.lon,
      accuracy_m: null,
      region_code: v.region_code,
      venue_id: v.id,
      source: 'checkin',
      source_record_id: `checkin:${c.id}`,
    };
    await this.stays.insert(stay);
    await this.matcher.matchStays([{ ...stay, venue_code: v.admin_code }]);
    let exposures = 0;
    if (await this.isCase(personId)) exposures = await this.exposuresAround(c);
    else exposures = await this.exposedByEarlierCases(c);
    return { checkinId: c.id, at: new Date(now).toISOString(), venue, duplicate: false, exposures };
  }

  /** Others at the case check-in's venue within dwell + margin of it become companions. */
  private async exposuresAround(caseCheckin: CheckinRow): Promise<number> {
    const at = new Date(caseCheckin.at).getTime();
    const reach = (this.opts.dwellMinutes + this.opts.exposureMarginMinutes) * MIN;
    const others = (
      await this.venues.checkinsAt(caseCheckin.venue_id, new Date(at - reach), new Date(at + reach))
    ).filter((o) => o.person_id !== caseCheckin.person_id);
    const facts: NewFact[] = others.map((o) => this.exposureFact(caseCheckin, o));
    if (facts.length === 0) return 0;
    return (await this.facts.recordMany(facts)).inserted;
  }

  /** A new check-in that lands inside a known case's window at the same venue. */
  private async exposedByEarlierCases(c: CheckinRow): Promise<number> {
    const at = new Date(c.at).getTime();
    const reach = (this.opts.dwellMinutes + this.opts.exposureMarginMinutes) * MIN;
    const cases = await this.venues.caseCheckinsAt(
      c.venue_id,
      new Date(at - reach),
      new Date(at + reach),
      c.person_id,
    );
    return cases.length
      ? (await this.facts.recordMany(cases.map((o) => this.exposureFact(o, c)))).inserted
      : 0;
  }

  private exposureFact(caseCheckin: CheckinRow, other: CheckinRow): NewFact {
    const dwell = this.opts.dwellMinutes * MIN;
    const t = new Date(other.at).getTime();
    const ct = new Date(caseCheckin.at).getTime();
    return {
      personId: other.person_id,
      type: 'companion',
      source: VENUE_EXPOSURE_SOURCE,
      sourceRecordId: `${caseCheckin.id}:${other.id}`,
      eventTime: t,
      data: {
        list: '场所暴露 venue exposure',
        venueId: caseCheckin.venue_id,
        caseCheckinId: caseCheckin.id,
        lastExposureAt: Math.min(t, ct) + dwell,
      },
    };
  }
}
