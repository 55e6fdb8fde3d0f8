import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from './default-policy.ts';
import { validatePolicy } from './policy.schema.ts';
import { DEFAULT_SOURCE_RULES, sourceRules } from './sources.policy.ts';

const withSources = (sources: unknown): unknown => ({ ...structuredClone(DEFAULT_POLICY), sources });

describe('policy sources section', () => {
  it('the default policy spells out the defaults', () => {
    expect(sourceRules(DEFAULT_POLICY.sources)).toEqual(DEFAULT_SOURCE_RULES);
  });

  it('absent keys take the defaults; given keys win', () => {
    expect(sourceRules(undefined)).toEqual(DEFAULT_SOURCE_RULES);
    const r = sourceRules({ tripLevels: { high: 'inbound_high_risk', medium: null, low: null } });
    expect(r.tripLevels.medium).toBeNull();
    expect(r.stayLevels.medium).toBe('medium_risk_stay');
    const { sources: _, ...without } = structuredClone(DEFAULT_POLICY);
    expect(validatePolicy(without).ok).toBe(true);
  });

  it('refuses unknown or engine-only fact types and stray keys, naming the path', () => {
    const r = validatePolicy(withSources({ coTravellers: { sameFlight: 'close_contakt' } }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.path).toBe('/sources/coTravellers/sameFlight');
    const c = validatePolicy(withSources({ stayLevels: { high: 'correction', medium: null, low: null } }));
    expect(c.ok).toBe(false);
    expect(validatePolicy(withSources({ tripMatch: 'province' })).ok).toBe(false);
    expect(validatePolicy(withSources({ extra: 1 })).ok).toBe(false);
    expect(validatePolicy(withSources({ sameFlight: null, coTravellers: { sameFlight: null } })).ok).toBe(
      false,
    );
    expect(validatePolicy(withSources({ coTravellers: { sameTrainOtherCarriage: null } })).ok).toBe(true);
  });
});
