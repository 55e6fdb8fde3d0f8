/** nextReviewAt: the status must hold on [now, nextReviewAt) and may change at nextReviewAt. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Colour5 } from '../colour.ts';
import { FACT_TYPES, type Fact, type FactData, type FactType } from '../fact.ts';
import type { Status } from '../status.ts';
import { DEFAULT_POLICY } from './default-policy.ts';
import { D, H, T0, fact, negative, release } from './fact.fixture.ts';
import { compilePolicy, evaluate, evaluateCompiled } from './policy-engine.ts';

type Case = [name: string, facts: Fact[], now: number, next: number | null, before: Colour5, after: Colour5];

const timeDriven: Case[] = [
  [
    'close contact, tests done: the 14th day',
    [fact('close_contact'), negative(T0 + D), negative(T0 + 2 * D)],
    T0 + 3 * D,
    T0 + 14 * D,
    Colour5.red,
    Colour5.green,
  ],
  [
    'close contact, tests done, counted from last exposure',
    [fact('close_contact', { data: { lastExposureAt: T0 + D } }), negative(T0 + 2 * D), negative(T0 + 3 * D)],
    T0 + 4 * D,
    T0 + 15 * D,
    Colour5.red,
    Colour5.green,
  ],
  [
    'inbound, tests done',
    [fact('inbound_high_risk'), negative(T0 + 5 * D), negative(T0 + 6 * D)],
    T0 + 6 * D,
    T0 + 14 * D,
    Colour5.red,
    Colour5.green,
  ],
  [
    'secondary contact: 7 days symptom-free',
    [fact('secondary_contact')],
    T0 + H,
    T0 + 7 * D,
    Colour5.orange,
    Colour5.green,
  ],
  [
    'symptomatic declaration: 7 days after the latest',
    [
      fact('declaration', { data: { symptoms: ['cough'] } }),
      fact('declaration', { eventTime: T0 + 2 * D, data: { temperature: 37.8 } }),
    ],
    T0 + 3 * D,
    T0 + 9 * D,
    Colour5.orange,
    Colour5.green,
  ],
  [
    'medium-risk stay: 7 days symptom-free',
    [fact('medium_risk_stay')],
    T0,
    T0 + 7 * D,
    Colour5.orange,
    Colour5.green,
  ],
  [
    'city stay: lookback expiry',
    [fact('city_with_cases_stay')],
    T0 + D,
    T0 + 14 * D,
    Colour5.yellow,
    Colour5.green,
  ],
  [
    'key occupation: test becomes overdue',
    [fact('key_occupation'), negative(T0 + D)],
    T0 + 2 * D,
    T0 + D + 72 * H,
    Colour5.green,
    Colour5.yellow,
  ],
  [
    'key occupation with own interval',
    [fact('key_occupation', { data: { testIntervalHours: 48 } }), negative(T0 + D)],
    T0 + D,
    T0 + 3 * D,
    Colour5.green,
    Colour5.yellow,
  ],
  [
    'correction expiry',
    [
      fact('close_contact'),
      fact('correction', {
        eventTime: T0 + D,
        validUntil: T0 + 4 * D,
        data: { colour5: 'green', reason: 'x' },
      }),
    ],
    T0 + 2 * D,
    T0 + 4 * D,
    Colour5.green,
    Colour5.red,
  ],
  [
    'fact validUntil',
    [fact('companion', { validUntil: T0 + 2 * D })],
    T0 + D,
    T0 + 2 * D,
    Colour5.orange,
    Colour5.green,
  ],
  [
    'fact validFrom in the future',
    [fact('close_contact', { validFrom: T0 + 2 * D })],
    T0 + D,
    T0 + 2 * D,
    Colour5.green,
    Colour5.red,
  ],
  [
    'release fact validFrom in the future',
    [fact('close_contact'), { ...release(T0 + D, 'close_contact'), validFrom: T0 + 3 * D }],
    T0 + 2 * D,
    T0 + 3 * D,
    Colour5.red,
    Colour5.green,
  ],
  [
    'future negative test completes the red release',
    [fact('close_contact'), negative(T0 + D), negative(T0 + 15 * D)],
    T0 + 14 * D,
    T0 + 15 * D,
    Colour5.red,
    Colour5.green,
  ],
];

const waiting: [string, Fact[], number][] = [
  ['nothing', [], T0],
  ['purple case', [fact('case', { data: { kind: 'confirmed' } })], T0 + D],
  ['close contact without tests', [fact('close_contact')], T0 + D],
  ['close contact with one test', [fact('close_contact'), negative(T0 + D)], T0 + 2 * D],
  ['key occupation never tested', [fact('key_occupation')], T0 + D],
  ['released close contact', [fact('close_contact'), release(T0 + D, 'close_contact')], T0 + 2 * D],
];

describe('nextReviewAt for each time-driven case', () => {
  it.each(timeDriven)('%s', (_name, facts, now, next, before, after) => {
    const s = evaluate(facts, DEFAULT_POLICY, now);
    expect(s.nextReviewAt).toBe(next);
    expect(s.colour5).toBe(before);
    if (next === null) return;
    expect(evaluate(facts, DEFAULT_POLICY, next - 1).colour5).toBe(before);
    expect(evaluate(facts, DEFAULT_POLICY, next).colour5).toBe(after);
  });
  it.each(waiting)('%s: null, nothing changes on its own', (_name, facts, now) => {
    const s = evaluate(facts, DEFAULT_POLICY, now);
    expect(s.nextReviewAt).toBeNull();
    expect(withoutTime(evaluate(facts, DEFAULT_POLICY, now + 1000 * D))).toEqual(withoutTime(s));
  });
});

// ---- property: the status is constant on [now, nextReviewAt) ----

const withoutTime = (s: Status): Omit<Status, 'computedAt'> => {
  const { computedAt: _ignored, ...rest } = s;
  return rest;
};

// Times on a coarse hour grid around T0 so that exposures, tests, windows and boundaries collide often.
const hourOffset = fc.integer({ min: -20 * 24, max: 30 * 24 }).map((h) => T0 + h * H);
const dataFor: Record<FactType, fc.Arbitrary<FactData>> = {
  case: fc.constantFrom<FactData>({ kind: 'confirmed' }, { kind: 'asymptomatic' }, {}),
  close_contact: fc
    .option(hourOffset, { nil: undefined })
    .map((t) => (t === undefined ? {} : { lastExposureAt: t })),
  secondary_contact: fc.constant({}),
  companion: fc.constant({}),
  inbound_high_risk: fc.constant({}),
  medium_risk_stay: fc.constant({}),
  city_with_cases_stay: fc.constant({}),
  key_occupation: fc.constantFrom<FactData>({}, { testIntervalHours: 24 }, { testIntervalHours: 48 }),
  declaration: fc.constantFrom<FactData>(
    { temperature: 36.5 },
    { temperature: 37.3 },
    { symptoms: ['cough'] },
    { symptoms: ['headache'] },
  ),
  test_result: fc.constantFrom<FactData>(
    { result: 'negative' },
    { result: 'negative' },
    { result: 'negative', pooled: true },
    { result: 'positive', pooled: true },
    { result: 'positive' },
    { result: 'invalid' },
  ),
  vaccination: fc.integer({ min: 1, max: 4 }).map((dose) => ({ dose })),
  release: fc.subarray([...FACT_TYPES], { minLength: 1, maxLength: 3 }).map((types) => ({ types })),
  correction: fc.constantFrom<FactData>({ colour5: 'green', reason: 'r' }, { colour5: 'red', reason: 'r' }),
};
// Triggers and tests are weighted up; releases and corrections kept rarer so other rules get a say.
const typeArb = fc.oneof(
  { arbitrary: fc.constantFrom<FactType>('test_result'), weight: 4 },
  {
    arbitrary: fc.constantFrom<FactType>(...FACT_TYPES.filter((t) => t !== 'release' && t !== 'correction')),
    weight: 6,
  },
  { arbitrary: fc.constantFrom<FactType>('release', 'correction'), weight: 1 },
);
const factArb: fc.Arbitrary<Fact> = typeArb.chain((type) =>
  fc
    .record({
      eventTime: hourOffset,
      validFromDelay: fc.constantFrom(0, 0, 0, 6 * H, 3 * D),
      lifetime: fc.option(
        fc.integer({ min: 1, max: 20 * 24 }).map((h) => h * H),
        { nil: undefined, freq: 3 },
      ),
      data: dataFor[type],
    })
    .map(({ eventTime, validFromDelay, lifetime, data }) =>
      fact(type, {
        eventTime,
        validFrom: eventTime + validFromDelay,
        ...(lifetime === undefined ? {} : { validUntil: eventTime + validFromDelay + lifetime }),
        data,
      }),
    ),
);
const scenario = fc.record({
  facts: fc.array(factArb, { maxLength: 8 }),
  now: fc
    .tuple(fc.integer({ min: -5 * 24, max: 40 * 24 }), fc.constantFrom(0, -1, 1))
    .map(([h, ms]) => T0 + h * H + ms),
});

describe('property: nothing changes before nextReviewAt', () => {
  const compiled = compilePolicy(DEFAULT_POLICY);
  it('status at now, at nextReviewAt − 1 and at any moment between are equal; nextReviewAt > now', () => {
    fc.assert(
      fc.property(scenario, fc.double({ min: 0, max: 1, noNaN: true }), ({ facts, now }, u) => {
        const s = evaluateCompiled(facts, compiled, now);
        const base = withoutTime(s);
        if (s.nextReviewAt === null) {
          expect(withoutTime(evaluateCompiled(facts, compiled, now + 500 * D))).toEqual(base);
          return;
        }
        expect(s.nextReviewAt).toBeGreaterThan(now);
        expect(withoutTime(evaluateCompiled(facts, compiled, s.nextReviewAt - 1))).toEqual(base);
        const between = now + Math.floor(u * (s.nextReviewAt - 1 - now));
        expect(withoutTime(evaluateCompiled(facts, compiled, between))).toEqual(base);
        for (const r of s.reasons)
          if (r.until !== null) expect(r.until).toBeGreaterThanOrEqual(s.nextReviewAt);
      }),
      { numRuns: 3000 },
    );
  });
  it('fact order does not change the colour or the review moment', () => {
    fc.assert(
      fc.property(scenario, ({ facts, now }) => {
        const a = evaluateCompiled(facts, compiled, now);
        const b = evaluateCompiled([...facts].reverse(), compiled, now);
        expect([b.colour5, b.nextReviewAt, b.reasons.map((r) => r.rule)]).toEqual([
          a.colour5,
          a.nextReviewAt,
          a.reasons.map((r) => r.rule),
        ]);
      }),
      { numRuns: 1000 },
    );
  });
});
