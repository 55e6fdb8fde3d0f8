/**
 * The policy's `sources` section: how the itinerary and places sources become facts (docs/POLICY.md,
 * docs/PLACES.md). Optional in a policy document: an absent section or key takes the defaults
 * below, so a policy stored before the section existed behaves as the default policy does.
 */
import { Type, type Static } from '@sinclair/typebox';

/** A fact type a source may produce, or null for "no fact". Checked against FACT_TYPES by the schema. */
const FactTypeOrNone = Type.Union([Type.String({ minLength: 1 }), Type.Null()]);

const LevelFacts = Type.Object(
  { high: FactTypeOrNone, medium: FactTypeOrNone, low: FactTypeOrNone },
  {
    additionalProperties: false,
    description: 'risk-area level → the fact type a match records (null: none)',
  },
);

export const SourcesSchema = Type.Object(
  {
    /** stays, check-ins and code-display positions inside an active risk area */
    stayLevels: Type.Optional(LevelFacts),
    /** a rail/flight/road trip departing from or arriving in a county with an active risk area */
    tripLevels: Type.Optional(LevelFacts),
    /** county: the trip's county must hold the area; prefecture: any county of its prefecture */
    tripMatch: Type.Optional(Type.Union([Type.Literal('county'), Type.Literal('prefecture')])),
    /** co-travellers of a case: passengers whose journey on the same flight or train overlapped the case's */
    coTravellers: Type.Optional(
      Type.Object(
        {
          /** a case's trips count from this many days before the case's event time */
          windowDays: Type.Optional(Type.Number({ minimum: 0, maximum: 30 })),
          sameFlight: Type.Optional(FactTypeOrNone),
          sameCarriage: Type.Optional(FactTypeOrNone),
          sameTrainOtherCarriage: Type.Optional(FactTypeOrNone),
        },
        { additionalProperties: false },
      ),
    ),
    /** the companion rule (docs/DESIGN.md §6) applied to positions sent with code display */
    codePositions: Type.Optional(
      Type.Object(
        {
          factType: Type.Optional(FactTypeOrNone),
          radiusM: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 5000 })),
          thresholdSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
          presenceGapSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
          /** a case's positions count from this many days before the case's event time */
          windowDays: Type.Optional(Type.Number({ minimum: 0, maximum: 30 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type SourcesPolicy = Static<typeof SourcesSchema>;

export type LevelFactMap = Record<'high' | 'medium' | 'low', string | null>;

/** Every key of the section, filled. */
export interface SourceRules {
  stayLevels: LevelFactMap;
  tripLevels: LevelFactMap;
  tripMatch: 'county' | 'prefecture';
  coTravellers: {
    windowDays: number;
    sameFlight: string | null;
    sameCarriage: string | null;
    sameTrainOtherCarriage: string | null;
  };
  codePositions: {
    factType: string | null;
    radiusM: number;
    thresholdSeconds: number;
    presenceGapSeconds: number;
    windowDays: number;
  };
}

export const DEFAULT_SOURCE_RULES: SourceRules = {
  stayLevels: { high: 'inbound_high_risk', medium: 'medium_risk_stay', low: null },
  tripLevels: { high: 'inbound_high_risk', medium: 'medium_risk_stay', low: null },
  tripMatch: 'county',
  coTravellers: {
    windowDays: 4,
    sameFlight: 'close_contact',
    sameCarriage: 'close_contact',
    sameTrainOtherCarriage: 'secondary_contact',
  },
  codePositions: {
    factType: 'companion',
    radiusM: 800,
    thresholdSeconds: 600,
    presenceGapSeconds: 1800,
    windowDays: 4,
  },
};

/** The section with every absent key taken from the defaults. */
export function sourceRules(sources: SourcesPolicy | undefined): SourceRules {
  const s = sources ?? {};
  const d = DEFAULT_SOURCE_RULES;
  return {
    stayLevels: { ...d.stayLevels, ...s.stayLevels },
    tripLevels: { ...d.tripLevels, ...s.tripLevels },
    tripMatch: s.tripMatch ?? d.tripMatch,
    coTravellers: { ...d.coTravellers, ...s.coTravellers },
    codePositions: { ...d.codePositions, ...s.codePositions },
  };
}

/** Paths and fact types of the section, for the schema's check that each names a known fact type. */
export function sourceFactTypes(sources: SourcesPolicy | undefined): Array<{ path: string; type: string }> {
  const out: Array<{ path: string; type: string }> = [];
  const add = (path: string, t: string | null | undefined) => {
    if (typeof t === 'string') out.push({ path, type: t });
  };
  for (const k of ['stayLevels', 'tripLevels'] as const)
    for (const l of ['high', 'medium', 'low'] as const) add(`/sources/${k}/${l}`, sources?.[k]?.[l]);
  const c = sources?.coTravellers;
  add('/sources/coTravellers/sameFlight', c?.sameFlight);
  add('/sources/coTravellers/sameCarriage', c?.sameCarriage);
  add('/sources/coTravellers/sameTrainOtherCarriage', c?.sameTrainOtherCarriage);
  add('/sources/codePositions/factType', sources?.codePositions?.factType);
  return out;
}
