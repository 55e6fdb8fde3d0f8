/**
 * Compiles a validated policy for the engine: rules indexed by fact type, durations in ms, and
 * conditions in one object shape so the hot loop stays monomorphic.
 */
import { Colour5, type Colour5Name } from '../colour.ts';
import { FACT_TYPES, type FactType } from '../fact.ts';
import { correctionMaxDays, maxColourAgeHours, type Condition, type Policy } from './policy.schema.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Fact type → position in FACT_TYPES, for array-indexed lookups. */
// Null prototype: a garbage type such as "toString" from a feed must look up as undefined.
export const TYPE_INDEX: Readonly<Record<FactType, number>> = Object.assign(
  Object.create(null) as Record<FactType, number>,
  Object.fromEntries(FACT_TYPES.map((t, i) => [t, i])),
);

export interface CompiledCondition {
  kind: Condition['kind'];
  /** elapsed/symptomFree: duration; negativeTests: min gap; recentNegativeTest: interval */
  ms: number;
  count: number;
  fromExposure: boolean;
  individualOnly: boolean;
}

export interface CompiledRule {
  index: number;
  id: string;
  colour: Colour5;
  label: { zh: string; en: string };
  release: { zh: string; en: string };
  caseKinds: readonly string[] | null;
  testResult: string | null;
  pooled: boolean | null;
  symptomatic: boolean;
  /** fires only while now < eventTime + windowMs */
  windowMs: number;
  /** OR of ANDs; empty = only an authority release ends it */
  alternatives: CompiledCondition[][];
}

export interface CompiledPolicy {
  readonly version: string;
  /** the version's publication number (policies.seq; 0 for a draft): statuses record it */
  readonly seq: number;
  readonly rules: readonly CompiledRule[];
  /** rules by fact type index (FACT_TYPES order) */
  readonly rulesByType: readonly (readonly CompiledRule[])[];
  readonly feverThreshold: number;
  readonly symptoms: ReadonlySet<string>;
  readonly correction: Policy['correction'];
  /** a correction ends at most this long after its event time (correction.maxDays) */
  readonly correctionMaxMs: number;
  /** codes.maxColourAgeHours in ms */
  readonly maxColourAgeMs: number;
}

/** Turn a validated policy into the indexed form `evaluateCompiled` runs on. */
export function compilePolicy(policy: Policy, seq = 0): CompiledPolicy {
  const rulesByType: CompiledRule[][] = FACT_TYPES.map(() => []);
  const rules = policy.rules.map((r, index): CompiledRule => {
    const rule: CompiledRule = {
      index,
      id: r.id,
      colour: Colour5[r.colour as Colour5Name],
      label: r.label,
      release: r.release,
      caseKinds: r.when.caseKinds ?? null,
      testResult: r.when.testResult ?? null,
      pooled: r.when.pooled ?? null,
      symptomatic: r.when.symptomatic === true,
      windowMs: r.when.withinLookback ? policy.lookbackDays * DAY_MS : Infinity,
      alternatives: r.until.anyOf.map((alt) => alt.allOf.map(compileCondition)),
    };
    if (!Object.hasOwn(Colour5, r.colour)) throw new Error(`policy rule ${r.id}: unknown colour ${r.colour}`);
    const typeIndex = TYPE_INDEX[r.when.factType as FactType];
    if (typeIndex === undefined) throw new Error(`policy rule ${r.id}: unknown fact type ${r.when.factType}`);
    rulesByType[typeIndex]?.push(rule);
    return rule;
  });
  return {
    version: policy.version,
    seq,
    rules,
    rulesByType,
    feverThreshold: policy.feverThreshold,
    symptoms: new Set(policy.respiratorySymptoms),
    correction: policy.correction,
    correctionMaxMs: correctionMaxDays(policy) * DAY_MS,
    maxColourAgeMs: maxColourAgeHours(policy) * HOUR_MS,
  };
}

function compileCondition(c: Condition): CompiledCondition {
  switch (c.kind) {
    case 'elapsed':
    case 'symptomFree':
      return {
        kind: c.kind,
        ms: c.days * DAY_MS,
        count: 0,
        fromExposure: c.from === 'lastExposure',
        individualOnly: false,
      };
    case 'negativeTests':
      return {
        kind: c.kind,
        ms: c.minGapHours * HOUR_MS,
        count: c.count,
        fromExposure: c.from === 'lastExposure',
        individualOnly: c.individualOnly === true,
      };
    case 'recentNegativeTest':
      return {
        kind: c.kind,
        ms: c.withinHours * HOUR_MS,
        count: 0,
        fromExposure: false,
        individualOnly: false,
      };
  }
}
