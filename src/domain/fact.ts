/**
 * Facts (事实): typed, dated data about one person from one source. A status is computed from
 * facts only; an officer's correction is itself a fact. Times are epoch milliseconds.
 */
import type { Colour5Name } from './colour.ts';

export const FACT_TYPES = [
  'case', // 确诊/疑似/无症状: data.kind confirmed | suspected | asymptomatic
  'close_contact', // 密接: data.lastExposureAt?
  'secondary_contact', // 次密接
  'companion', // 时空伴随
  'inbound_high_risk', // 高风险区入境/来返
  'medium_risk_stay', // 中风险区停留
  'city_with_cases_stay', // 有病例城市停留
  'key_occupation', // 重点职业: data.testIntervalHours
  'declaration', // 自主申报: data.temperature?, data.symptoms?
  'test_result', // 核酸结果: data.result negative|positive|invalid, data.pooled?
  'vaccination', // 疫苗接种: data.dose, data.product
  'release', // 解除: data.types = fact types released (up to this fact's eventTime)
  'correction', // 人工纠错: data.colour5, data.reason; validUntil = expiry
] as const;
export type FactType = (typeof FACT_TYPES)[number];

export function isFactType(s: string): s is FactType {
  return (FACT_TYPES as readonly string[]).includes(s);
}

export interface Fact {
  id: string;
  personId: string;
  type: FactType;
  /** who sent it: a feed or list name, e.g. "health.close-contacts", "officer:42" */
  source: string;
  /** when it happened in the world (exposure, sampling time, stay start) */
  eventTime: number;
  /** when the platform received it */
  arrivalTime: number;
  /** validity window; undefined validUntil = open-ended */
  validFrom: number;
  validUntil?: number;
  data: FactData;
}

/** A fact to record: what a source sends, before the platform gives it an id and an arrival time. */
export interface NewFact {
  personId: number;
  type: FactType;
  source: string;
  /** the source's own id of the record: re-sending it records nothing new */
  sourceRecordId: string;
  eventTime: number;
  /** default: eventTime */
  validFrom?: number;
  validUntil?: number | null;
  data?: FactData;
  /** who entered it by hand (an officer), if anyone */
  author?: string | null;
}

export interface FactData {
  /** case */
  kind?: 'confirmed' | 'suspected' | 'asymptomatic';
  /** close_contact, secondary_contact, companion, inbound: when exposure ended (default eventTime) */
  lastExposureAt?: number;
  /** declaration */
  temperature?: number;
  symptoms?: string[];
  /** test_result */
  result?: 'negative' | 'positive' | 'invalid';
  pooled?: boolean;
  /** vaccination */
  dose?: number;
  product?: string;
  /** key_occupation: required test interval */
  testIntervalHours?: number;
  /** release: which fact types this releases */
  types?: FactType[];
  /** correction */
  colour5?: Colour5Name;
  reason?: string;
  /** key population list name, risk area id, city code... free context for reasons */
  list?: string;
  tier?: 'high' | 'medium';
  areaId?: string;
  regionCode?: string;
  [k: string]: unknown;
}

/**
 * The fact a NewFact is once stored with `id` at `arrivalTime`, as `forPersons` would read it back
 * (times are whole milliseconds, which the timestamptz round trip keeps).
 */
export function storedFact(f: NewFact, id: string, arrivalTime: number): Fact {
  const s: Fact = {
    id,
    personId: String(f.personId),
    type: f.type,
    source: f.source,
    eventTime: f.eventTime,
    arrivalTime,
    validFrom: f.validFrom ?? f.eventTime,
    data: f.data ?? {},
  };
  if (f.validUntil !== undefined && f.validUntil !== null) s.validUntil = f.validUntil;
  return s;
}
