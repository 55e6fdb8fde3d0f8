/**
 * The policy document (docs/DESIGN.md §3): versioned data, not code, so operators can change every number
 * and the platform can validate a draft before it is published. `validatePolicy` is the only way a
 * JSON document becomes a `Policy`: structural checks by TypeBox, then semantic checks (unique
 * rule ids, known fact types and colours, trigger fields that make sense for the fact type).
 */
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { COLOUR5_NAMES } from '../colour.ts';
import { FACT_TYPES } from '../fact.ts';
import { SourcesSchema, sourceFactTypes } from './sources.policy.ts';

const Text = Type.Object(
  { zh: Type.String({ minLength: 1 }), en: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);

/** Which moment a condition counts from: the fact's event time or its last exposure (falls back to event time). */
const Anchor = Type.Union([Type.Literal('event'), Type.Literal('lastExposure')]);

const Elapsed = Type.Object(
  {
    kind: Type.Literal('elapsed'),
    days: Type.Number({ minimum: 0 }),
    from: Anchor,
  },
  { additionalProperties: false, description: 'satisfied once `days` have passed since the anchor' },
);

const NegativeTests = Type.Object(
  {
    kind: Type.Literal('negativeTests'),
    count: Type.Integer({ minimum: 1 }),
    minGapHours: Type.Number({ minimum: 0 }),
    from: Anchor,
    individualOnly: Type.Optional(Type.Boolean()),
  },
  {
    additionalProperties: false,
    description:
      '`count` negative tests sampled strictly after the anchor, each ≥ minGapHours after the previous',
  },
);

const SymptomFree = Type.Object(
  {
    kind: Type.Literal('symptomFree'),
    days: Type.Number({ minimum: 0 }),
    from: Anchor,
  },
  {
    additionalProperties: false,
    description: '`days` after the anchor or after the latest symptomatic declaration, whichever is later',
  },
);

const RecentNegativeTest = Type.Object(
  {
    kind: Type.Literal('recentNegativeTest'),
    withinHours: Type.Number({ exclusiveMinimum: 0 }),
  },
  {
    additionalProperties: false,
    description:
      'a negative test sampled within the last `withinHours` (fact data.testIntervalHours overrides)',
  },
);

export const ConditionSchema = Type.Union([Elapsed, NegativeTests, SymptomFree, RecentNegativeTest]);
export type Condition = Static<typeof ConditionSchema>;

const Trigger = Type.Object(
  {
    factType: Type.String({ minLength: 1 }),
    /** case only: which case kinds fire (absent: all) */
    caseKinds: Type.Optional(
      Type.Array(
        Type.Union([Type.Literal('confirmed'), Type.Literal('suspected'), Type.Literal('asymptomatic')]),
        {
          minItems: 1,
        },
      ),
    ),
    /** test_result only */
    testResult: Type.Optional(Type.Union([Type.Literal('positive'), Type.Literal('negative')])),
    /** test_result only: absent = pooled or not */
    pooled: Type.Optional(Type.Boolean()),
    /** declaration only: fever ≥ threshold or a listed respiratory symptom */
    symptomatic: Type.Optional(Type.Literal(true)),
    /** fires only while now < eventTime + policy.lookbackDays (a stay "in the last 14 days") */
    withinLookback: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false },
);

const Rule = Type.Object(
  {
    id: Type.String({ minLength: 1, pattern: '^[a-z0-9_.-]+$' }),
    colour: Type.String({ minLength: 1 }),
    when: Trigger,
    /** released when ANY alternative has ALL its conditions met; a `release` fact always ends it too */
    until: Type.Object(
      {
        anyOf: Type.Array(
          Type.Object(
            { allOf: Type.Array(ConditionSchema, { minItems: 1 }) },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    label: Text,
    release: Text,
  },
  { additionalProperties: false },
);
export type PolicyRule = Static<typeof Rule>;

/** Defaults of the optional limits below: a policy stored before they existed keeps these. */
export const DEFAULT_CORRECTION_MAX_DAYS = 14;
export const DEFAULT_MAX_COLOUR_AGE_HOURS = 24;

const Correction = Type.Object(
  {
    label: Text,
    release: Text,
    maxDays: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 365,
        default: DEFAULT_CORRECTION_MAX_DAYS,
        description:
          'longest a correction may last, in days from when it was made: the API refuses a later expiry and the engine ends a correction there',
      }),
    ),
  },
  { additionalProperties: false },
);

const Codes = Type.Object(
  {
    maxColourAgeHours: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 720,
        default: DEFAULT_MAX_COLOUR_AGE_HOURS,
        description:
          'the longest a long-lived code (paper, offline, dependant, vehicle) may vouch for a colour computed before it',
      }),
    ),
  },
  { additionalProperties: false },
);

export const PolicySchema = Type.Object(
  {
    version: Type.String({ minLength: 1 }),
    /** only the 5-colour scale for now; colour3 is always derived with toColour3 */
    scale: Type.Literal(5),
    lookbackDays: Type.Number({ minimum: 0 }),
    feverThreshold: Type.Number({ minimum: 30, maximum: 45 }),
    respiratorySymptoms: Type.Array(Type.String({ minLength: 1 })),
    rules: Type.Array(Rule),
    correction: Correction,
    /** code limits; absent: defaults */
    codes: Type.Optional(Codes),
    /** how itinerary and places sources become facts (sources.policy.ts); absent: defaults */
    sources: Type.Optional(SourcesSchema),
  },
  { additionalProperties: false },
);
export type Policy = Static<typeof PolicySchema>;

/** A correction's longest lifetime in days (`correction.maxDays`, default 14). */
export function correctionMaxDays(policy: Policy): number {
  return policy.correction.maxDays ?? DEFAULT_CORRECTION_MAX_DAYS;
}

/** The longest a long-lived code may vouch for a colour, in hours (`codes.maxColourAgeHours`, default 24). */
export function maxColourAgeHours(policy: Policy): number {
  return policy.codes?.maxColourAgeHours ?? DEFAULT_MAX_COLOUR_AGE_HOURS;
}

export interface PolicyError {
  path: string;
  message: string;
}
export type PolicyValidation = { ok: true; policy: Policy } | { ok: false; errors: PolicyError[] };

const checker = TypeCompiler.Compile(PolicySchema);

// Which trigger fields belong to which fact type; a stray field would silently never match.
const TRIGGER_FIELD_TYPES: Record<string, string> = {
  caseKinds: 'case',
  testResult: 'test_result',
  pooled: 'test_result',
  symptomatic: 'declaration',
};
// These types are consumed by the engine itself (authority release, officer override, display).
const NON_TRIGGER_TYPES = new Set(['release', 'correction', 'vaccination']);

export function validatePolicy(json: unknown): PolicyValidation {
  if (!checker.Check(json)) {
    const errors: PolicyError[] = [];
    for (const e of checker.Errors(json)) {
      errors.push({ path: e.path || '/', message: e.message });
      if (errors.length >= 50) break;
    }
    return { ok: false, errors };
  }
  const errors = semanticErrors(json);
  return errors.length === 0 ? { ok: true, policy: json } : { ok: false, errors };
}

function semanticErrors(policy: Policy): PolicyError[] {
  const errors: PolicyError[] = [];
  const seen = new Set<string>();
  policy.rules.forEach((rule, i) => {
    const at = `/rules/${i}`;
    if (seen.has(rule.id)) errors.push({ path: `${at}/id`, message: `duplicate rule id "${rule.id}"` });
    seen.add(rule.id);
    if (!(COLOUR5_NAMES as readonly string[]).includes(rule.colour) || rule.colour === 'green') {
      errors.push({
        path: `${at}/colour`,
        message: `unknown colour "${rule.colour}" (expected one of purple, red, orange, yellow)`,
      });
    }
    const type = rule.when.factType;
    if (!(FACT_TYPES as readonly string[]).includes(type)) {
      // Field/type mismatches would only repeat this error.
      errors.push({ path: `${at}/when/factType`, message: `unknown fact type "${type}"` });
      return;
    }
    if (NON_TRIGGER_TYPES.has(type)) {
      errors.push({ path: `${at}/when/factType`, message: `fact type "${type}" cannot trigger a rule` });
    }
    for (const [field, owner] of Object.entries(TRIGGER_FIELD_TYPES)) {
      if ((rule.when as Record<string, unknown>)[field] !== undefined && owner !== type) {
        errors.push({
          path: `${at}/when/${field}`,
          message: `"${field}" only applies to fact type "${owner}"`,
        });
      }
    }
  });
  for (const { path, type } of sourceFactTypes(policy.sources)) {
    if (!(FACT_TYPES as readonly string[]).includes(type) || NON_TRIGGER_TYPES.has(type))
      errors.push({ path, message: `"${type}" is not a fact type a source may record` });
  }
  return errors;
}
