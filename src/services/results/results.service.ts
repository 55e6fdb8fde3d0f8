/**
 * What a resident sees of testing and vaccination (我的核酸 / 我的预约 / 我的疫苗), read only from
 * the code service's own tables (intermediate store, facts); and vaccination records from the
 * health authority, ingested as `vaccination` facts like any other feed.
 */
import type { Clock } from '../../ports/clock.port.ts';
import type { IntermediateStoreReader } from '../../ports/intermediate-store.port.ts';
import type { PersonStore } from '../../ports/person-store.port.ts';
import type { FactService } from '../fact.service.ts';
import type { ResidentService } from '../resident.service.ts';

export interface MyResult {
  result: string;
  pooled: boolean;
  collectedAt: string;
  reportedAt: string;
  /** a pooled positive or invalid tube: a single-tube retest was ordered */
  retestOrdered: boolean;
  lab: string;
  tube: string;
  version: number;
}

export interface MyResults {
  latest: MyResult | null;
  results: MyResult[];
  /** the last moment the intermediate store heard from the testing service; null = never */
  asOf: string | null;
}

export interface VaccinationInput {
  docType: number;
  docNumber: string;
  product: string;
  dose: number;
  /** YYYY-MM-DD or ISO time of the dose */
  date: string;
  site: string;
  /** the health authority's record id; default derived from person and dose number */
  recordId?: string;
}

export type VaccinationOutcome =
  | { index: number; status: 'recorded' | 'duplicate' }
  | { index: number; status: 'rejected'; code: string; message: string };

export const VACCINATION_SOURCE = 'health.vaccinations';

export class ResultsService {
  constructor(
    private readonly store: IntermediateStoreReader,
    private readonly persons: Pick<PersonStore, 'regionOf'>,
    private readonly residents: ResidentService,
    private readonly facts: FactService,
    private readonly clock: Clock,
  ) {}

  /** The resident's results (latest version of each tube), newest sample first, with "as of". */
  async results(personId: number, limit = 20): Promise<MyResults> {
    const results = (await this.store.resultsOf(personId, limit)).map((x) => ({
      result: x.result,
      pooled: x.pooled,
      collectedAt: x.collectedAt.toISOString(),
      reportedAt: x.reportedAt.toISOString(),
      retestOrdered: x.retest,
      lab: x.lab,
      tube: x.tube,
      version: x.version,
    }));
    const heard = await this.store.heardAt();
    return { latest: results[0] ?? null, results, asOf: heard ? heard.toISOString() : null };
  }

  /** How fresh and complete the intermediate store is (operators watch this during a testing outage). */
  async storeStatus() {
    const x = await this.store.counts();
    const heard = x.heardAt;
    return {
      asOf: heard ? heard.toISOString() : null,
      upstreamAt: x.upstreamAt ? x.upstreamAt.toISOString() : null,
      silentSeconds: heard ? Math.max(0, Math.round((this.clock.now() - heard.getTime()) / 1000)) : null,
      results: x.results,
      positives: x.positives,
      members: x.members,
      unmatchedMembers: x.unmatched,
    };
  }

  /** The resident's bookings as last published by the testing service. */
  async bookings(personId: number) {
    return (await this.store.bookingsOf(personId)).map((b) => ({
      id: b.id,
      siteName: b.siteName,
      siteAddress: b.siteAddress,
      startsAt: b.startsAt.toISOString(),
      endsAt: b.endsAt.toISOString(),
      status: b.status,
      updatedAt: b.storedAt.toISOString(),
    }));
  }

  /** The resident's vaccinations (from vaccination facts), by dose. */
  async vaccinations(personId: number) {
    const facts = (await this.facts.forPerson(personId)).filter((f) => f.type === 'vaccination');
    const doses = facts
      .map((f) => ({
        dose: typeof f.data.dose === 'number' ? f.data.dose : 0,
        product: String(f.data.product ?? ''),
        date: new Date(f.eventTime).toISOString().slice(0, 10),
        site: String(f.data.site ?? ''),
      }))
      .sort((a, b) => a.dose - b.dose || a.date.localeCompare(b.date));
    return { doses: doses.reduce((m, d) => Math.max(m, d.dose), 0), records: doses };
  }

  /**
   * Records vaccinations; each row is checked alone (bad rows are reported, good rows kept).
   * An officer may record only residents of their region (prefix '' = everywhere).
   */
  async recordVaccinations(
    rows: readonly VaccinationInput[],
    author: string,
    regionPrefix: string,
  ): Promise<VaccinationOutcome[]> {
    const out: VaccinationOutcome[] = [];
    const facts: Array<{ index: number; fact: Parameters<FactService['recordMany']>[0][number] }> = [];
    for (const [index, v] of rows.entries()) {
      const at = Date.parse(v.date);
      if (!Number.isFinite(at) || at > this.clock.now() + 86400_000) {
        out.push({
          index,
          status: 'rejected',
          code: 'ROW_INVALID_DATE',
          message: 'date must be a past date (YYYY-MM-DD)',
        });
        continue;
      }
      const personId = await this.residents.findByDocument(v.docType, v.docNumber);
      const region = personId === undefined ? undefined : await this.persons.regionOf(personId);
      if (personId === undefined || region === undefined || !region.startsWith(regionPrefix)) {
        out.push({
          index,
          status: 'rejected',
          code: 'ROW_UNKNOWN_PERSON',
          message: 'no resident with this document in your region',
        });
        continue;
      }
      facts.push({
        index,
        fact: {
          personId,
          type: 'vaccination',
          source: VACCINATION_SOURCE,
          sourceRecordId: v.recordId ?? `p${personId}/dose${v.dose}`,
          eventTime: at,
          data: { dose: v.dose, product: v.product, site: v.site },
          author,
        },
      });
    }
    // One fact at a time keeps per-row duplicate reporting exact; vaccination feeds are small.
    for (const f of facts) {
      const r = await this.facts.record(f.fact);
      out.push({ index: f.index, status: r.duplicate ? 'duplicate' : 'recorded' });
    }
    return out.sort((a, b) => a.index - b.index);
  }
}
