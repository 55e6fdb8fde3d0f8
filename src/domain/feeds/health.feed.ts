/**
 * Health-authority rows (docs/DESIGN.md §5): key-population lists (重点人群: cases, close and
 * secondary contacts, spatio-temporal companions, inbound from risk areas) with entry, change and
 * release, and vaccinations. Pure: each row becomes the fact the policy reads.
 */
import type { FactData, FactType } from '../fact.ts';
import {
  bad,
  numberField,
  ok,
  oneOf,
  personRefOf,
  required,
  sourceIdOf,
  text,
  timeField,
  type Checked,
  type PersonRef,
  type RawRecord,
} from './record.ts';

export const KP_CATEGORIES = [
  'case',
  'close_contact',
  'secondary_contact',
  'companion',
  'inbound_high_risk',
  // 重点职业: a department's list of workers tested periodically (cold chain, ports, hospitals)
  'key_occupation',
] as const;
export type KpCategory = (typeof KP_CATEGORIES)[number];
export const KP_TIERS = ['high', 'medium'] as const;
export type KpTier = (typeof KP_TIERS)[number];
export const KP_ACTIONS = ['enter', 'change', 'release'] as const;
export type KpAction = (typeof KP_ACTIONS)[number];

/** Tier when a list does not say: cases, close contacts and high-risk inbound are high. */
export const DEFAULT_TIER: Record<KpCategory, KpTier> = {
  case: 'high',
  close_contact: 'high',
  inbound_high_risk: 'high',
  secondary_contact: 'medium',
  companion: 'medium',
  key_occupation: 'medium',
};

/** The fact source of every key-population record; source ids are unique within the feed. */
export const KP_FACT_SOURCE = 'key-population';

export interface KeyPopulationRecord {
  sourceId: string;
  person: PersonRef;
  category: KpCategory;
  tier: KpTier;
  list: string;
  action: KpAction;
  kind?: 'confirmed' | 'suspected' | 'asymptomatic';
  eventTime: number;
  lastExposureAt?: number;
  /** companion details from the carrier engine */
  caseRef?: string;
  seconds?: number;
  firstTs?: number;
  /** key_occupation: hours between the periodic tests the occupation requires */
  testIntervalHours?: number;
}

/** Checks one list row; `now` (epoch ms) rejects future events and fills a missing event time. */
export function checkKeyPopulationRecord(r: RawRecord, now: number): Checked<KeyPopulationRecord> {
  const sourceId = sourceIdOf(r);
  if (!sourceId.ok) return sourceId;
  const person = personRefOf(r, new Date(now).toISOString().slice(0, 10));
  if (!person.ok) return person;
  const category = oneOf(r, 'category', KP_CATEGORIES);
  if (!category.ok) return category;
  const tier = oneOf(r, 'tier', KP_TIERS, DEFAULT_TIER[category.value]);
  if (!tier.ok) return tier;
  const list = required(r, 'list', 120);
  if (!list.ok) return list;
  const action = oneOf(r, 'action', KP_ACTIONS, 'enter');
  if (!action.ok) return action;
  const eventTime = timeField(r, 'event_time', { now });
  if (!eventTime.ok) return eventTime;
  const lastTs = timeField(r, 'last_ts', { now });
  if (!lastTs.ok) return lastTs;
  const lastExposure = timeField(r, 'last_exposure_at', { now });
  if (!lastExposure.ok) return lastExposure;
  const firstTs = timeField(r, 'first_ts', { now });
  if (!firstTs.ok) return firstTs;
  const seconds = numberField(r, 'seconds', 0, 14 * 86400, { integer: true });
  if (!seconds.ok) return seconds;
  const interval = numberField(r, 'test_interval_hours', 1, 24 * 60, {
    required: category.value === 'key_occupation' && action.value !== 'release',
  });
  if (!interval.ok) return interval;
  const rec: KeyPopulationRecord = {
    sourceId: sourceId.value,
    person: person.value,
    category: category.value,
    tier: tier.value,
    list: list.value,
    action: action.value,
    eventTime: eventTime.value ?? lastTs.value ?? now,
  };
  if (category.value === 'case') {
    const kind = oneOf(r, 'kind', ['confirmed', 'suspected', 'asymptomatic'] as const, 'confirmed');
    if (!kind.ok) return kind;
    rec.kind = kind.value;
  }
  const exposure = lastExposure.value ?? lastTs.value;
  if (exposure !== undefined) {
    if (exposure > rec.eventTime + 60_000 && eventTime.value !== undefined)
      return bad('last_exposure_at', 'ROW_BAD_TIME', 'last exposure is after the event time');
    rec.lastExposureAt = exposure;
  }
  const caseRef = text(r, 'case_ref');
  if (caseRef !== undefined) rec.caseRef = caseRef.slice(0, 64);
  if (seconds.value !== undefined) rec.seconds = seconds.value;
  if (firstTs.value !== undefined) rec.firstTs = firstTs.value;
  if (interval.value !== undefined && category.value === 'key_occupation')
    rec.testIntervalHours = interval.value;
  return ok(rec);
}

export interface FactDraft {
  type: FactType;
  source: string;
  sourceRecordId: string;
  eventTime: number;
  /** when it starts to count, if later than the event (key occupations: the first test due) */
  validFrom?: number;
  data: FactData;
}

/** The fact a list row records: its category's fact type, or a release of that type. */
export function keyPopulationFact(rec: KeyPopulationRecord): FactDraft {
  const data: FactData = { list: rec.list, tier: rec.tier, category: rec.category, action: rec.action };
  // object literals rather than spreads: one of these per list row
  if (rec.action === 'release') {
    data.types = [rec.category];
    return {
      source: KP_FACT_SOURCE,
      sourceRecordId: rec.sourceId,
      eventTime: rec.eventTime,
      type: 'release',
      data,
    };
  }
  if (rec.kind) data.kind = rec.kind;
  if (rec.lastExposureAt !== undefined) data.lastExposureAt = rec.lastExposureAt;
  if (rec.caseRef !== undefined) data.caseRef = rec.caseRef;
  if (rec.seconds !== undefined) data.seconds = rec.seconds;
  if (rec.firstTs !== undefined) data.firstTs = rec.firstTs;
  const draft: FactDraft = {
    source: KP_FACT_SOURCE,
    sourceRecordId: rec.sourceId,
    eventTime: rec.eventTime,
    type: rec.category,
    data,
  };
  if (rec.testIntervalHours !== undefined) {
    // A worker is overdue only once a whole interval has passed without a negative test, so the
    // fact is valid from the first test's due time (the policy's recentNegativeTest rule then
    // fires whenever the last negative test is older than the interval).
    data.testIntervalHours = rec.testIntervalHours;
    draft.validFrom = rec.eventTime + rec.testIntervalHours * 3_600_000;
  }
  return draft;
}

export interface VaccinationRecord {
  sourceId: string;
  person: PersonRef;
  product: string;
  dose: number;
  vaccinatedAt: number;
  site?: string;
}

export function checkVaccinationRecord(r: RawRecord, now: number): Checked<VaccinationRecord> {
  const sourceId = sourceIdOf(r);
  if (!sourceId.ok) return sourceId;
  const person = personRefOf(r, new Date(now).toISOString().slice(0, 10));
  if (!person.ok) return person;
  const product = required(r, 'product', 80);
  if (!product.ok) return product;
  const dose = numberField(r, 'dose', 1, 9, { required: true, integer: true });
  if (!dose.ok) return dose;
  const at = timeField(r, 'vaccinated_at', { required: true, now });
  if (!at.ok) return at;
  const rec: VaccinationRecord = {
    sourceId: sourceId.value,
    person: person.value,
    product: product.value,
    dose: dose.value as number,
    vaccinatedAt: at.value as number,
  };
  const site = text(r, 'site');
  if (site !== undefined) rec.site = site.slice(0, 120);
  return ok(rec);
}

export function vaccinationFact(rec: VaccinationRecord): FactDraft {
  const data: FactData = { dose: rec.dose, product: rec.product };
  if (rec.site !== undefined) data.site = rec.site;
  return {
    type: 'vaccination',
    source: 'vaccinations',
    sourceRecordId: rec.sourceId,
    eventTime: rec.vaccinatedAt,
    data,
  };
}
