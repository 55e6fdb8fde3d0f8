/** Release conditions of every default rule, at each boundary (docs/DESIGN.md §3 "until" column). */
import { describe, expect, it } from 'vitest';
import { Colour5, type Colour5Name } from '../colour.ts';
import type { Fact, FactData, FactType } from '../fact.ts';
import { DEFAULT_POLICY } from './default-policy.ts';
import { D, H, T0, fact, negative, positive, release } from './fact.fixture.ts';
import { evaluate } from './policy-engine.ts';

const colourAt = (facts: Fact[], now: number): Colour5Name => {
  const c = evaluate(facts, DEFAULT_POLICY, now).colour5;
  return (Object.keys(Colour5) as Colour5Name[]).find((k) => Colour5[k] === c) as Colour5Name;
};
describe('purple: only the health authority releases it', () => {
  const kase = () => fact('case', { data: { kind: 'confirmed' } });
  it('stays purple a year later despite negative tests', () => {
    const s = evaluate([kase(), negative(T0 + 2 * D), negative(T0 + 4 * D)], DEFAULT_POLICY, T0 + 365 * D);
    expect(s.colour5).toBe(Colour5.purple);
    expect(s.reasons[0]?.until).toBeNull();
    expect(s.nextReviewAt).toBeNull();
  });
  it('a release naming case ends it; one naming another type does not', () => {
    expect(colourAt([kase(), release(T0 + 10 * D, 'case')], T0 + 10 * D)).toBe('green');
    expect(colourAt([kase(), release(T0 + 10 * D, 'case')], T0 + 10 * D - 1)).toBe('purple');
    expect(colourAt([kase(), release(T0 + 10 * D, 'close_contact')], T0 + 11 * D)).toBe('purple');
  });
  it('a release dated before the case does not end it', () => {
    expect(colourAt([release(T0 - D, 'case'), kase()], T0 + D)).toBe('purple');
  });
  it('the positive individual test is released by naming test_result; negatives still count as evidence', () => {
    const facts = [
      fact('close_contact'),
      positive(T0 + D),
      negative(T0 + 2 * D),
      negative(T0 + 3 * D),
      release(T0 + 5 * D, 'test_result'),
    ];
    expect(colourAt(facts, T0 + 4 * D)).toBe('purple');
    expect(colourAt(facts, T0 + 5 * D)).toBe('red');
    expect(colourAt(facts, T0 + 14 * D)).toBe('green');
  });
});

describe.each<[FactType]>([['close_contact'], ['inbound_high_risk']])(
  'red %s: 14 days AND 2 negatives 24 h apart',
  (type) => {
    const exposed = (data: FactData = {}) => fact(type, { data });
    const table: [string, Fact[], number, Colour5Name][] = [
      [
        'tests done, 13 d 23 h',
        [exposed(), negative(T0 + D), negative(T0 + 2 * D)],
        T0 + 13 * D + 23 * H,
        'red',
      ],
      [
        'tests done, 14 d − 1 ms',
        [exposed(), negative(T0 + D), negative(T0 + 2 * D)],
        T0 + 14 * D - 1,
        'red',
      ],
      ['tests done, 14 d', [exposed(), negative(T0 + D), negative(T0 + 2 * D)], T0 + 14 * D, 'green'],
      ['tests 23 h apart', [exposed(), negative(T0 + D), negative(T0 + D + 23 * H)], T0 + 20 * D, 'red'],
      ['tests 24 h apart', [exposed(), negative(T0 + D), negative(T0 + 2 * D)], T0 + 20 * D, 'green'],
      [
        '23 h, then a third test 24 h after the first',
        [exposed(), negative(T0 + D), negative(T0 + D + 23 * H), negative(T0 + 2 * D)],
        T0 + 20 * D,
        'green',
      ],
      ['one test only', [exposed(), negative(T0 + D)], T0 + 20 * D, 'red'],
      [
        'one test before exposure, one after',
        [exposed(), negative(T0 - D), negative(T0 + D)],
        T0 + 20 * D,
        'red',
      ],
      [
        'test sampled at the exposure moment is not after it',
        [exposed(), negative(T0), negative(T0 + D)],
        T0 + 20 * D,
        'red',
      ],
      [
        'pooled negatives count',
        [exposed(), negative(T0 + D, { pooled: true }), negative(T0 + 2 * D, { pooled: true })],
        T0 + 20 * D,
        'green',
      ],
      [
        'invalid tests count for nothing',
        [
          exposed(),
          negative(T0 + D),
          fact('test_result', { eventTime: T0 + 3 * D, data: { result: 'invalid' } }),
        ],
        T0 + 20 * D,
        'red',
      ],
      [
        'tests after event but before last exposure',
        [exposed({ lastExposureAt: T0 + 3 * D }), negative(T0 + D), negative(T0 + 2 * D)],
        T0 + 20 * D,
        'red',
      ],
      [
        '14 days counted from last exposure: 16 d 23 h',
        [exposed({ lastExposureAt: T0 + 3 * D }), negative(T0 + 4 * D), negative(T0 + 5 * D)],
        T0 + 17 * D - H,
        'red',
      ],
      [
        '14 days counted from last exposure: 17 d',
        [exposed({ lastExposureAt: T0 + 3 * D }), negative(T0 + 4 * D), negative(T0 + 5 * D)],
        T0 + 17 * D,
        'green',
      ],
      [
        'tests arriving after 14 days release at the second test',
        [exposed(), negative(T0 + 15 * D), negative(T0 + 16 * D)],
        T0 + 16 * D,
        'green',
      ],
      [
        '… and not a moment before it',
        [exposed(), negative(T0 + 15 * D), negative(T0 + 16 * D)],
        T0 + 16 * D - 1,
        'red',
      ],
      ['authority release', [exposed(), release(T0 + 2 * D, type)], T0 + 2 * D, 'green'],
    ];
    it.each(table)('%s', (_name, facts, now, colour) => {
      expect(colourAt(facts, now)).toBe(colour);
    });
    it('until is the 14-day moment once tests are done, null while waiting for tests', () => {
      expect(
        evaluate([exposed(), negative(T0 + D), negative(T0 + 2 * D)], DEFAULT_POLICY, T0 + 3 * D).reasons[0]
          ?.until,
      ).toBe(T0 + 14 * D);
      expect(
        evaluate([exposed(), negative(T0 + D)], DEFAULT_POLICY, T0 + 3 * D).reasons[0]?.until,
      ).toBeNull();
    });
  },
);

describe.each<[FactType, FactData]>([
  ['secondary_contact', {}],
  ['companion', {}],
  ['medium_risk_stay', {}],
  ['declaration', { temperature: 38.1 }],
  ['test_result', { result: 'positive', pooled: true }],
])('orange %s: 三天两检 or 7 days symptom-free', (type, data) => {
  const event = () => fact(type, { data });
  // Pooled negatives, so the pooled-positive rule's individual-retest shortcut stays out of the way.
  const pooledNeg = (t: number) => negative(t, { pooled: true });
  const table: [string, Fact[], number, Colour5Name][] = [
    [
      'two negatives 24 h apart after the event',
      [event(), pooledNeg(T0 + H), pooledNeg(T0 + 25 * H)],
      T0 + 25 * H,
      'green',
    ],
    [
      '… not before the second test',
      [event(), pooledNeg(T0 + H), pooledNeg(T0 + 25 * H)],
      T0 + 25 * H - 1,
      'orange',
    ],
    ['two negatives 23 h apart', [event(), pooledNeg(T0 + H), pooledNeg(T0 + 24 * H)], T0 + 3 * D, 'orange'],
    ['negatives before the event', [pooledNeg(T0 - 2 * D), pooledNeg(T0 - D), event()], T0 + 3 * D, 'orange'],
    ['6 d 23 h symptom-free', [event()], T0 + 7 * D - H, 'orange'],
    ['7 d symptom-free', [event()], T0 + 7 * D, 'green'],
    [
      'a symptom on day 3 restarts the 7 days',
      [event(), fact('declaration', { eventTime: T0 + 3 * D, data: { symptoms: ['cough'] } })],
      T0 + 7 * D,
      'orange',
    ],
    [
      '… until day 10',
      [event(), fact('declaration', { eventTime: T0 + 3 * D, data: { symptoms: ['cough'] } })],
      T0 + 10 * D,
      'green',
    ],
    [
      'a symptom-free declaration does not restart it',
      [event(), fact('declaration', { eventTime: T0 + 3 * D, data: { temperature: 36.6 } })],
      T0 + 7 * D,
      'green',
    ],
    [
      'a symptom before the event does not extend it',
      [fact('declaration', { eventTime: T0 - 3 * D, data: { symptoms: ['cough'] } }), event()],
      T0 + 7 * D,
      'green',
    ],
  ];
  it.each(table)('%s', (_name, facts, now, colour) => {
    expect(colourAt(facts, now)).toBe(colour);
  });
  it('until is the symptom-free moment', () => {
    expect(evaluate([event()], DEFAULT_POLICY, T0 + H).reasons[0]?.until).toBe(T0 + 7 * D);
  });
});

describe('orange pooled positive: one individual retest clears it', () => {
  const pooled = () => positive(T0, { pooled: true });
  it.each<[string, Fact[], Colour5Name]>([
    ['individual negative after', [pooled(), negative(T0 + 6 * H)], 'green'],
    ['pooled negative after', [pooled(), negative(T0 + 6 * H, { pooled: true })], 'orange'],
    ['individual negative before', [negative(T0 - H), pooled()], 'orange'],
  ])('%s', (_name, facts, colour) => {
    expect(colourAt(facts, T0 + D)).toBe(colour);
  });
  it('the retest count is a rule parameter', () => {
    const policy = structuredClone(DEFAULT_POLICY);
    const rule = policy.rules.find((r) => r.id === 'orange.pooled_positive');
    const retest = rule?.until.anyOf[2]?.allOf[0];
    if (retest?.kind !== 'negativeTests') throw new Error('fixture drift');
    retest.count = 2;
    expect(evaluate([pooled(), negative(T0 + 6 * H)], policy, T0 + D).colour5).toBe(Colour5.orange);
    expect(evaluate([pooled(), negative(T0 + 6 * H), negative(T0 + 7 * H)], policy, T0 + D).colour5).toBe(
      Colour5.green,
    );
  });
});

describe('orange symptomatic declarations: 7 days after the latest one', () => {
  const sick = (t: number) => fact('declaration', { eventTime: t, data: { temperature: 38 } });
  it.each<[number, Colour5Name]>([
    [T0 + 12 * D - 1, 'orange'],
    [T0 + 12 * D, 'green'],
  ])('two symptomatic declarations on days 0 and 5, at %i', (now, colour) => {
    expect(colourAt([sick(T0), sick(T0 + 5 * D)], now)).toBe(colour);
  });
});

describe('yellow', () => {
  const stay = () => fact('city_with_cases_stay');
  it.each<[string, Fact[], number, Colour5Name]>([
    ['stay, 14 d − 1 ms', [stay()], T0 + 14 * D - 1, 'yellow'],
    ['stay, 14 d: out of the lookback', [stay()], T0 + 14 * D, 'green'],
    ['stay, negative test after it', [stay(), negative(T0 + H)], T0 + H, 'green'],
    ['stay, negative test before it', [negative(T0 - H), stay()], T0 + H, 'yellow'],
    ['key occupation, test 71 h ago', [fact('key_occupation'), negative(T0)], T0 + 71 * H, 'green'],
    ['key occupation, test 72 h ago', [fact('key_occupation'), negative(T0)], T0 + 72 * H, 'yellow'],
    [
      'key occupation, own 24 h interval, 23 h',
      [fact('key_occupation', { data: { testIntervalHours: 24 } }), negative(T0)],
      T0 + 23 * H,
      'green',
    ],
    [
      'key occupation, own 24 h interval, 24 h',
      [fact('key_occupation', { data: { testIntervalHours: 24 } }), negative(T0)],
      T0 + 24 * H,
      'yellow',
    ],
    [
      'key occupation, a newer test',
      [fact('key_occupation'), negative(T0), negative(T0 + 70 * H)],
      T0 + 100 * H,
      'green',
    ],
  ])('%s', (_name, facts, now, colour) => {
    expect(colourAt(facts, now)).toBe(colour);
  });
  it('a stay reports the lookback end as until', () => {
    expect(evaluate([stay()], DEFAULT_POLICY, T0 + H).reasons[0]?.until).toBe(T0 + 14 * D);
  });
});
