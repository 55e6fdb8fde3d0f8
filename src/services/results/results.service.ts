/**
 * What a resident sees of testing and vaccination (我的核酸 / 我的预约 / 我的疫苗), read only from
 * the code service's own tables (intermediate store, facts); and vaccination records from the
 * health authority, ingested as `vaccination` facts like any other feed.
 */
import type { Database } from '../../adapters/db/database.ts';
import type { PersonRepository } from '../../adapters/repositories/person.repository.ts';
import type { Clock } from '../../ports/clock.port.ts';
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
    private readonly db: Database,
    private readonly persons: PersonRepository,
    private readonly residents: ResidentService,
    private readonly facts: FactService,
    private readonly clock: Clock,
  ) {}

  /** The resident's results (latest version of each tube), newest sample first, with "as of". */
  async results(personId: number, limit = 20): Promise<MyResults> {
    const r = await this.db.query<{
      lab: string;
      tube: string;
      version: number;
      result: string;
      pooled: boolean;
      collected_at: Date;
      reported_at: Date;
      retest: boolean;
    }>(
      `SELECT * FROM (
         SELECT DISTINCT ON (lab, tube) lab, tube, version, result, pooled, collected_at, reported_at, retest
           FROM intermediate_result_members WHERE person_id = $1 ORDER BY lab, tube, version DESC) x
        ORDER BY collected_at DESC LIMIT $2`,
      [personId, limit],
    );
    const results = r.rows.map((x) => ({
      result: x.result,
      pooled: x.pooled,
      collectedAt: x.collected_at.toISOString(),
      reportedAt: x.reported_at.toISOString(),
      retestOrdered: x.retest,
      lab: x.lab,
      tube: x.tube,
      version: x.version,
    }));
    const w = (
      await this.db.query<{ heard_at: Date }>(
        "SELECT heard_at FROM intermediate_watermark WHERE source = 'testing'",
      )
    ).rows[0];
    return { latest: results[0] ?? null, results, asOf: w ? w.heard_at.toISOString() : null };
  }

  /** How fresh and complete the intermediate store is (operators watch this during a testing outage). */
  async storeStatus() {
    const r = await this.db.query<{
      heard_at: Date | null;
      upstream_at: Date | null;
      results: number;
      positives: number;
      members: number;
      unmatched: number;
    }>(
      `SELECT w.heard_at, w.upstream_at,
              (SELECT count(*)::int FROM intermediate_results) AS results,
              (SELECT count(*)::int FROM intermediate_results WHERE result = 'positive') AS positives,
              (SELECT count(*)::int FROM intermediate_result_members) AS members,
              (SELECT count(*)::int FROM intermediate_result_members WHERE person_id IS NULL) AS unmatched
         FROM (SELECT 1) one LEFT JOIN intermediate_watermark w ON w.source = 'testing'`,
    );
    const x = r.rows[0];
    const heard = x?.heard_at ?? null;
    return {
      asOf: heard ? heard.toISOString() : null,
      upstreamAt: x?.upstream_at ? x.upstream_at.toISOString() : null,
      silentSeconds: heard ? Math.max(0, Math.round((this.clock.now() - heard.getTime()) / 1000)) : null,
      results: x?.results ?? 0,
      positives: x?.positives ?? 0,
      members: x?.members ?? 0,
      unmatchedMembers: x?.unmatched ?? 0,
    };
  }

  /** The resident's bookings as last published by the testing service. */
  async bookings(personId: number) {
    const r = await this.db.query<{
      booking_id: number;
      site_name: string;
      site_address: string;
      starts_at: Date;
      ends_at: Date;
      status: string;
      stored_at: Date;
    }>(
      'SELECT booking_id, site_name, site_address, starts_at, ends_at, status, stored_at FROM intermediate_bookings WHERE person_id = $1 ORDER BY starts_at DESC LIMIT 50',
      [personId],
    );
    return r.rows.map((b) => ({
      id: b.booking_id,
      siteName: b.site_name,
      siteAddress: b.site_address,
      startsAt: b.starts_at.toISOString(),
      endsAt: b.ends_at.toISOString(),
      status: b.status,
      updatedAt: b.stored_at.toISOString(),
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
      const person = personId === undefined ? undefined : await this.persons.byId(personId);
      if (!person || !(person.region_code ?? '').startsWith(regionPrefix)) {
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
          personId: person.id,
          type: 'vaccination',
          source: VACCINATION_SOURCE,
          sourceRecordId: v.recordId ?? `p${person.id}/dose${v.dose}`,
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
