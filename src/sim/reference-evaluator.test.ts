/**
 * The reference evaluator against hand-written cases taken from docs/POLICY.md (the default policy
 * table, "How the engine applies it", "Corrections"), not from the engine.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_REF_POLICY, expectedColour, type RefFact } from './reference-evaluator.ts';

const H = 3_600_000;
const D = 24 * H;
const T = Date.UTC(2026, 2, 1);
let seq = 0;
type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never;
const f = (x: WithoutSeq<RefFact>): RefFact => ({ ...x, seq: ++seq }) as RefFact;
const neg = (at: number) => f({ kind: 'test', event: at, result: 'negative', pooled: false });

describe('reference evaluator (docs/POLICY.md, default policy)', () => {
  it('green with no facts', () => {
    expect(expectedColour([], T)).toBe('green');
  });

  it('purple.case: a case is purple until the health authority releases it', () => {
    const c = f({ kind: 'case', event: T });
    expect(expectedColour([c], T - 1)).toBe('green'); // not before its event time
    expect(expectedColour([c], T + 60 * D)).toBe('purple'); // no elapsed release
    const r = f({ kind: 'release', types: ['case'], event: T + 3 * D });
    expect(expectedColour([c, r], T + 2 * D)).toBe('purple');
    expect(expectedColour([c, r], T + 3 * D)).toBe('green');
  });

  it('red.close_contact: 14 days after last exposure AND two negative tests 24 h apart after it', () => {
    const cc = f({ kind: 'close_contact', event: T, lastExposure: T - 2 * D });
    expect(expectedColour([cc], T + 30 * D)).toBe('red'); // days alone do not release
    const tests = [neg(T + D), neg(T + D + 23 * H)]; // 23 h apart: the second does not count
    expect(expectedColour([cc, ...tests], T + 13 * D)).toBe('red');
    expect(expectedColour([cc, ...tests], T + 30 * D)).toBe('red');
    const third = neg(T + 2 * D + H);
    expect(expectedColour([cc, ...tests, third], T + 12 * D - 1)).toBe('red'); // 14 days not yet
    expect(expectedColour([cc, ...tests, third], T + 12 * D)).toBe('green');
    // tests before the last exposure do not count
    const early = [neg(T - 5 * D), neg(T - 4 * D)];
    expect(expectedColour([cc, ...early], T + 20 * D)).toBe('red');
  });

  it('orange.secondary_contact: two negative tests 24 h apart, or 7 days symptom-free', () => {
    const sc = f({ kind: 'secondary_contact', event: T });
    expect(expectedColour([sc], T + 7 * D - 1)).toBe('orange');
    expect(expectedColour([sc], T + 7 * D)).toBe('green');
    expect(expectedColour([sc, neg(T + H), neg(T + 25 * H)], T + 25 * H)).toBe('green');
    // a symptomatic declaration restarts the symptom-free days (and is orange itself)
    const fever = f({ kind: 'declaration', event: T + 3 * D, temperature: 38.5, symptoms: [] });
    expect(expectedColour([sc, fever], T + 7 * D)).toBe('orange');
    expect(expectedColour([sc, fever], T + 10 * D)).toBe('green');
  });

  it('orange.symptoms: a fever at or above the threshold or a respiratory symptom', () => {
    const at = (t: number, temperature?: number, symptoms: string[] = []) =>
      f({ kind: 'declaration', event: t, ...(temperature !== undefined ? { temperature } : {}), symptoms });
    expect(expectedColour([at(T, 37.3)], T + H)).toBe('orange');
    expect(expectedColour([at(T, 37.2)], T + H)).toBe('green');
    expect(expectedColour([at(T, undefined, ['cough'])], T + H)).toBe('orange');
    // a policy change of the threshold applies to what was declared before it
    expect(expectedColour([at(T, 37.5)], T + H, { ...DEFAULT_REF_POLICY, feverThreshold: 37.6 })).toBe(
      'green',
    );
  });

  it('pooled positive is orange, released by one negative individual retest; an individual positive is purple', () => {
    const pooled = f({ kind: 'test', event: T, result: 'positive', pooled: true });
    expect(expectedColour([pooled], T + H)).toBe('orange');
    expect(expectedColour([pooled, neg(T + 2 * H)], T + 3 * H)).toBe('green');
    const single = f({ kind: 'test', event: T, result: 'positive', pooled: false });
    expect(expectedColour([single, neg(T + D), neg(T + 3 * D)], T + 30 * D)).toBe('purple');
  });

  it('the colour is the most severe rule', () => {
    const facts = [
      f({ kind: 'secondary_contact', event: T }),
      f({ kind: 'close_contact', event: T }),
      f({ kind: 'declaration', event: T, temperature: 39, symptoms: [] }),
    ];
    expect(expectedColour(facts, T + H)).toBe('red');
  });

  describe('corrections cannot hide risk', () => {
    it('covers only the facts that happened and had arrived when it was made', () => {
      const cc = f({ kind: 'close_contact', event: T });
      const corr = f({ kind: 'correction', event: T + H, colour: 'green', expires: T + 3 * D });
      expect(expectedColour([cc, corr], T + 2 * H)).toBe('green');
      // a case after the correction shows (rule 5, 6)
      const later = f({ kind: 'case', event: T + 2 * H });
      expect(expectedColour([cc, corr, later], T + 3 * H)).toBe('purple');
      // late data: happened before, arrived after — not covered
      const late = f({ kind: 'close_contact', event: T + 30 * 60_000 });
      expect(expectedColour([cc, corr, late], T + 3 * H)).toBe('red');
    });

    it('lasts until min(expiry, made + 14 days); covered facts fire again afterwards', () => {
      const sc = f({ kind: 'case', event: T });
      const corr = f({ kind: 'correction', event: T + H, colour: 'green', expires: T + 30 * D });
      expect(expectedColour([sc, corr], T + 14 * D)).toBe('green');
      expect(expectedColour([sc, corr], T + H + 14 * D)).toBe('purple');
      const short = f({ kind: 'correction', event: T + H, colour: 'green', expires: T + 2 * D });
      expect(expectedColour([sc, short], T + 2 * D)).toBe('purple');
    });

    it('raises a colour; only the latest correction counts, an ended one is never revived', () => {
      const up = f({ kind: 'correction', event: T, colour: 'yellow', expires: T + 3 * D });
      expect(expectedColour([up], T + H)).toBe('yellow');
      const sc = f({ kind: 'secondary_contact', event: T + 2 * H });
      expect(expectedColour([up, sc], T + 3 * H)).toBe('orange'); // max(correction, uncovered)
      const first = f({ kind: 'correction', event: T, colour: 'red', expires: T + 10 * D });
      const second = f({ kind: 'correction', event: T + D, colour: 'yellow', expires: T + 2 * D });
      expect(expectedColour([first, second], T + 1.5 * D)).toBe('yellow');
      expect(expectedColour([first, second], T + 3 * D)).toBe('green');
    });

    it('covered negative tests still release (they remain evidence)', () => {
      const sc = f({ kind: 'secondary_contact', event: T });
      const t1 = neg(T + H);
      const corr = f({ kind: 'correction', event: T + 2 * H, colour: 'yellow', expires: T + D });
      const t2 = neg(T + 26 * H);
      expect(expectedColour([sc, t1, corr, t2], T + D + 3 * H)).toBe('green');
    });
  });
  it('red.inbound_high_risk: as close contact, from the last exposure', () => {
    const h = f({ kind: 'inbound_high_risk', event: T, lastExposure: T });
    expect(expectedColour([h], T - 1)).toBe('green');
    expect(expectedColour([h], T)).toBe('red');
    const tests = [neg(T + D), neg(T + 2 * D)];
    expect(expectedColour([h, ...tests], T + 14 * D - 1)).toBe('red'); // 14 days not yet
    expect(expectedColour([h, ...tests], T + 14 * D)).toBe('green');
    expect(expectedColour([h], T + 40 * D)).toBe('red'); // days alone do not release
  });

  it('orange.medium_risk_stay: within the last 14 days, released as a secondary contact', () => {
    const m = f({ kind: 'medium_risk_stay', event: T });
    expect(expectedColour([m], T)).toBe('orange');
    expect(expectedColour([m, neg(T + D)], T + 2 * D)).toBe('orange'); // one test is not enough
    expect(expectedColour([m, neg(T + D), neg(T + 2 * D)], T + 2 * D)).toBe('green');
    const fever = f({ kind: 'declaration', event: T + 3 * D, temperature: 38, symptoms: [] });
    // 7 symptom-free days count from the latest symptomatic declaration
    expect(expectedColour([m, fever], T + 7 * D)).toBe('orange');
    expect(expectedColour([m], T + 7 * D)).toBe('green');
    // the lookback ends the rule even with nothing else: a stay 14 days ago no longer counts
    const p = { ...DEFAULT_REF_POLICY, lookbackDays: 5 };
    expect(expectedColour([m, fever], T + 5 * D - 1, p)).toBe('orange');
    expect(expectedColour([m], T + 5 * D, p)).toBe('green');
  });

  it('yellow.city_with_cases_stay: yellow until a negative test after the stay, within the lookback', () => {
    const c = f({ kind: 'city_with_cases_stay', event: T });
    expect(expectedColour([c], T)).toBe('yellow');
    expect(expectedColour([c, neg(T - H)], T + D)).toBe('yellow'); // a test before the stay does not count
    expect(expectedColour([c, neg(T + H)], T + D)).toBe('green');
    expect(expectedColour([c, neg(T + H)], T + 30 * 60_000)).toBe('yellow'); // not sampled yet
    expect(expectedColour([c], T + 14 * D - 1)).toBe('yellow');
    expect(expectedColour([c], T + 14 * D)).toBe('green');
  });

  it('yellow.key_occupation_overdue: from enrolment + interval, while no negative test in the last interval', () => {
    const k = f({ kind: 'key_occupation', event: T, intervalHours: 24 });
    expect(expectedColour([k], T + 24 * H - 1)).toBe('green'); // a whole interval not yet passed
    expect(expectedColour([k], T + 24 * H)).toBe('yellow');
    const t = neg(T + 20 * H);
    expect(expectedColour([k, t], T + 24 * H)).toBe('green');
    expect(expectedColour([k, t], T + 44 * H - 1)).toBe('green');
    expect(expectedColour([k, t], T + 44 * H)).toBe('yellow'); // the test aged out
    const k72 = f({ kind: 'key_occupation', event: T, intervalHours: 72 });
    expect(expectedColour([k72, t], T + 80 * H)).toBe('green');
    expect(expectedColour([k72, t], T + 92 * H)).toBe('yellow');
    const off = f({ kind: 'release', types: ['key_occupation'], event: T + 4 * D });
    expect(expectedColour([k72, t, off], T + 4 * D - 1)).toBe('yellow');
    expect(expectedColour([k72, t, off], T + 4 * D)).toBe('green');
    const pos = f({ kind: 'test', event: T + 3 * D, result: 'positive', pooled: true });
    expect(expectedColour([k, pos], T + 3 * D + H)).toBe('orange'); // a positive test is not a negative one
  });

  it('a correction covers places facts it was made about, not later ones', () => {
    const m = f({ kind: 'medium_risk_stay', event: T });
    const c = f({ kind: 'correction', event: T + H, colour: 'green', expires: T + 3 * D });
    const h = f({ kind: 'inbound_high_risk', event: T + 2 * H, lastExposure: T + 2 * H });
    expect(expectedColour([m, c], T + 2 * H)).toBe('green');
    expect(expectedColour([m, c, h], T + 2 * H)).toBe('red');
  });
});
