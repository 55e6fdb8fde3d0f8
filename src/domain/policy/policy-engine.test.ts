import { describe, expect, it } from 'vitest';
import { Colour3, Colour5, type Colour5Name } from '../colour.ts';
import type { Fact } from '../fact.ts';
import { DEFAULT_POLICY } from './default-policy.ts';
import { D, H, T0, fact, negative, positive, release, type FactOverrides } from './fact.fixture.ts';
import { compilePolicy, evaluate, evaluateCompiled } from './policy-engine.ts';

const colourAt = (facts: Fact[], now: number): Colour5Name => {
  const c = evaluate(facts, DEFAULT_POLICY, now).colour5;
  return (Object.keys(Colour5) as Colour5Name[]).find((k) => Colour5[k] === c) as Colour5Name;
};
const rulesAt = (facts: Fact[], now: number): string[] =>
  evaluate(facts, DEFAULT_POLICY, now).reasons.map((r) => r.rule);

describe('each default rule fires its colour', () => {
  const cases: [string, Fact[], Colour5Name, string | null][] = [
    ['confirmed case', [fact('case', { data: { kind: 'confirmed' } })], 'purple', 'purple.case'],
    ['suspected case', [fact('case', { data: { kind: 'suspected' } })], 'purple', 'purple.case'],
    ['asymptomatic infection', [fact('case', { data: { kind: 'asymptomatic' } })], 'purple', 'purple.case'],
    ['case without a kind (bad data) fires nothing', [fact('case')], 'green', null],
    ['positive individual test', [positive(T0)], 'purple', 'purple.positive_test'],
    [
      'positive test marked pooled: false',
      [positive(T0, { pooled: false })],
      'purple',
      'purple.positive_test',
    ],
    ['positive pooled test', [positive(T0, { pooled: true })], 'orange', 'orange.pooled_positive'],
    ['negative test', [negative(T0)], 'green', null],
    ['invalid test', [fact('test_result', { data: { result: 'invalid' } })], 'green', null],
    ['close contact', [fact('close_contact')], 'red', 'red.close_contact'],
    ['inbound from high-risk area', [fact('inbound_high_risk')], 'red', 'red.inbound_high_risk'],
    ['secondary contact', [fact('secondary_contact')], 'orange', 'orange.secondary_contact'],
    ['companion', [fact('companion')], 'orange', 'orange.companion'],
    ['medium-risk stay', [fact('medium_risk_stay')], 'orange', 'orange.medium_risk_stay'],
    [
      'fever at the threshold 37.3',
      [fact('declaration', { data: { temperature: 37.3 } })],
      'orange',
      'orange.symptoms',
    ],
    ['temperature 37.2', [fact('declaration', { data: { temperature: 37.2 } })], 'green', null],
    ['cough', [fact('declaration', { data: { symptoms: ['cough'] } })], 'orange', 'orange.symptoms'],
    [
      'loss of smell',
      [fact('declaration', { data: { symptoms: ['loss_of_smell_taste'] } })],
      'orange',
      'orange.symptoms',
    ],
    [
      'headache only',
      [fact('declaration', { data: { symptoms: ['headache'], temperature: 36.5 } })],
      'green',
      null,
    ],
    ['stay in a city with cases', [fact('city_with_cases_stay')], 'yellow', 'yellow.city_with_cases_stay'],
    ['key occupation, never tested', [fact('key_occupation')], 'yellow', 'yellow.key_occupation_overdue'],
    ['vaccination', [fact('vaccination', { data: { dose: 2 } })], 'green', null],
    ['nothing', [], 'green', null],
  ];
  it.each(cases)('%s', (_name, facts, colour, rule) => {
    expect(colourAt(facts, T0 + H)).toBe(colour);
    expect(rulesAt(facts, T0 + H)).toEqual(rule === null ? [] : [rule]);
  });
});

describe('5 → 3 mapping for every colour', () => {
  const cases: [Colour5Name, Fact[], Colour3][] = [
    ['purple', [fact('case', { data: { kind: 'confirmed' } })], Colour3.red],
    ['red', [fact('close_contact')], Colour3.red],
    ['orange', [fact('companion')], Colour3.yellow],
    ['yellow', [fact('city_with_cases_stay')], Colour3.green],
    ['green', [], Colour3.green],
  ];
  it.each(cases)('%s', (c5, facts, c3) => {
    const s = evaluate(facts, DEFAULT_POLICY, T0 + H);
    expect(s.colour5).toBe(Colour5[c5]);
    expect(s.colour3).toBe(c3);
  });
});

describe('validity windows', () => {
  const later = () => fact('close_contact', { validFrom: T0 + D, validUntil: T0 + 3 * D });
  it.each<[number, Colour5Name]>([
    [T0 + D - 1, 'green'],
    [T0 + D, 'red'],
    [T0 + 3 * D - 1, 'red'],
    [T0 + 3 * D, 'green'],
  ])('close contact valid [T0+1d, T0+3d) at %i', (now, colour) => {
    expect(colourAt([later()], now)).toBe(colour);
  });
  it('an expired negative test no longer counts', () => {
    const facts = [
      fact('close_contact'),
      negative(T0 + D),
      negative(T0 + 2 * D, {}, { validUntil: T0 + 10 * D }),
    ];
    expect(colourAt(facts, T0 + 14 * D)).toBe('red');
  });
  it('a fact whose event is still in the future is ignored until it happens', () => {
    expect(colourAt([fact('close_contact', { eventTime: T0 + D, validFrom: T0 })], T0 + D - 1)).toBe('green');
    expect(colourAt([fact('close_contact', { eventTime: T0 + D, validFrom: T0 })], T0 + D)).toBe('red');
  });
  it('an expired release lets the fact fire again', () => {
    const facts = [
      fact('close_contact'),
      fact('release', { eventTime: T0 + D, validUntil: T0 + 2 * D, data: { types: ['close_contact'] } }),
    ];
    expect(colourAt(facts, T0 + D)).toBe('green');
    expect(colourAt(facts, T0 + 2 * D)).toBe('red');
  });
});

describe('officer correction: overrides only what it was made about (docs/POLICY.md)', () => {
  const correction = (
    colour5: Colour5Name,
    t = T0 + D,
    validUntil: number | null = T0 + 5 * D,
    o: FactOverrides = {},
  ) =>
    fact('correction', {
      eventTime: t,
      ...(validUntil === null ? {} : { validUntil }),
      source: 'officer:42',
      data: { colour5, reason: '核实为误判' },
      ...o,
    });
  const confirmed = (t: number, o: FactOverrides = {}) =>
    fact('case', { eventTime: t, data: { kind: 'confirmed' }, ...o });

  // Before: the covered close contact was still listed under the correction's colour. A covered fact
  // fires no rule now (it is what the officer corrected), so only the correction explains the colour.
  it('overrides the facts known when it was made; its reason explains the colour', () => {
    const s = evaluate([fact('close_contact'), correction('green')], DEFAULT_POLICY, T0 + 2 * D);
    expect(s.colour5).toBe(Colour5.green);
    expect(s.colour3).toBe(Colour3.green);
    expect(s.reasons.map((r) => r.rule)).toEqual(['correction']);
    expect(s.reasons[0]?.label.zh).toContain('核实为误判');
    expect(s.reasons[0]?.until).toBe(T0 + 5 * D);
    expect(s.nextReviewAt).toBe(T0 + 5 * D);
  });
  it('expires back to the computed colour', () => {
    expect(colourAt([fact('close_contact'), correction('green')], T0 + 5 * D - 1)).toBe('green');
    expect(colourAt([fact('close_contact'), correction('green')], T0 + 5 * D)).toBe('red');
  });
  it('can raise the colour too', () => {
    expect(colourAt([correction('purple')], T0 + 2 * D)).toBe('purple');
  });
  it('a case that happens after a green correction shows purple, with both reasons', () => {
    const s = evaluate([correction('green'), confirmed(T0 + 2 * D)], DEFAULT_POLICY, T0 + 3 * D);
    expect(s.colour5).toBe(Colour5.purple);
    expect(s.reasons.map((r) => r.rule)).toEqual(['purple.case', 'correction']);
  });
  it('a case that happened before but arrived after the correction is not hidden (late data)', () => {
    const late = confirmed(T0, { arrivalTime: T0 + 2 * D });
    expect(colourAt([correction('green'), late], T0 + 3 * D)).toBe('purple');
  });
  it('a fact that happened after the correction is not hidden even if it arrived first', () => {
    // e.g. a test scheduled with a future sampling time: it is not what the officer looked at
    const future = confirmed(T0 + 2 * D, { arrivalTime: T0 });
    expect(colourAt([correction('green'), future], T0 + 3 * D)).toBe('purple');
  });
  it('at equal event and arrival times the numeric ids decide what the officer saw', () => {
    const c = correction('green', T0, null, { id: '10', arrivalTime: T0 });
    expect(colourAt([c, fact('close_contact', { id: '9', arrivalTime: T0 })], T0 + D)).toBe('green');
    expect(colourAt([c, fact('close_contact', { id: '11', arrivalTime: T0 })], T0 + D)).toBe('red');
    // as strings '9' > '10': it would count as later and wrongly fire
    expect(colourAt([c, fact('close_contact', { id: '100', arrivalTime: T0 })], T0 + D)).toBe('red');
  });
  it('a less severe later fact does not lower a correction; a more severe one wins', () => {
    const s = evaluate(
      [correction('yellow'), fact('companion', { eventTime: T0 + 2 * D })],
      DEFAULT_POLICY,
      T0 + 3 * D,
    );
    expect(s.colour5).toBe(Colour5.orange);
    expect(s.reasons.map((r) => r.rule)).toEqual(['orange.companion', 'correction']);
    const r = evaluate(
      [correction('red'), fact('companion', { eventTime: T0 + 2 * D })],
      DEFAULT_POLICY,
      T0 + 3 * D,
    );
    expect(r.colour5).toBe(Colour5.red);
    expect(r.reasons.map((x) => x.rule)).toEqual(['correction', 'orange.companion']);
  });
  it('covered facts stay evidence: the negative tests before a correction still release later facts', () => {
    const facts = [
      negative(T0 + 3 * D),
      negative(T0 + 4 * D),
      correction('green', T0 + 5 * D, T0 + 6 * D),
      fact('secondary_contact', { eventTime: T0 + 2 * D, arrivalTime: T0 + 5 * D + H }),
    ];
    // the late secondary contact is released by two negative tests 24 h apart after it
    expect(colourAt(facts, T0 + 5 * D + 2 * H)).toBe('green');
  });
  it('lasts at most correction.maxDays from when it was made, with or without an expiry', () => {
    const far = [fact('close_contact'), correction('green', T0 + D, T0 + 300 * D)];
    const s = evaluate(far, DEFAULT_POLICY, T0 + 2 * D);
    expect(s.reasons[0]).toMatchObject({ rule: 'correction', until: T0 + 15 * D });
    expect(s.nextReviewAt).toBe(T0 + 15 * D);
    expect(colourAt(far, T0 + 15 * D - 1)).toBe('green');
    expect(colourAt(far, T0 + 15 * D)).toBe('red');
    const open = [fact('close_contact'), correction('green', T0 + D, null)];
    expect(colourAt(open, T0 + 15 * D - 1)).toBe('green');
    expect(colourAt(open, T0 + 15 * D)).toBe('red');
    const short = structuredClone(DEFAULT_POLICY);
    short.correction.maxDays = 2;
    expect(evaluate(far, short, T0 + 3 * D - 1).colour5).toBe(Colour5.green);
    expect(evaluate(far, short, T0 + 3 * D).colour5).toBe(Colour5.red);
  });
  it('the latest correction replaces earlier ones, even once it has ended', () => {
    expect(colourAt([correction('red', T0 + D), correction('yellow', T0 + 2 * D)], T0 + 3 * D)).toBe(
      'yellow',
    );
    const longGreen = correction('green', T0 + D, T0 + 10 * D);
    const shortYellow = correction('yellow', T0 + 2 * D, T0 + 3 * D);
    expect(colourAt([fact('close_contact'), longGreen, shortYellow], T0 + 4 * D)).toBe('red');
  });
  it('ties on time are broken by the numeric id', () => {
    const a = correction('red', T0 + D, null, { id: '9', arrivalTime: T0 + D });
    const b = correction('yellow', T0 + D, null, { id: '10', arrivalTime: T0 + D });
    expect(colourAt([a, b], T0 + 2 * D)).toBe('yellow');
    expect(colourAt([b, a], T0 + 2 * D)).toBe('yellow');
  });
  it('one with an unknown colour is no decision', () => {
    const bogus = fact('correction', { eventTime: T0 + 2 * D, data: { colour5: 'blue' as Colour5Name } });
    expect(colourAt([correction('red', T0 + D), bogus], T0 + 3 * D)).toBe('red');
  });
  it('a release of corrections withdraws it', () => {
    const facts = [fact('close_contact'), correction('green'), release(T0 + 2 * D, 'correction')];
    expect(colourAt(facts, T0 + D + H)).toBe('green');
    expect(colourAt(facts, T0 + 2 * D)).toBe('red');
  });
});

describe('several rules: most severe wins, reasons most severe first', () => {
  it('purple over red over orange over yellow', () => {
    const facts = [
      fact('city_with_cases_stay'),
      fact('secondary_contact'),
      fact('close_contact'),
      fact('case', { data: { kind: 'suspected' } }),
    ];
    const s = evaluate(facts, DEFAULT_POLICY, T0 + H);
    expect(s.colour5).toBe(Colour5.purple);
    expect(s.reasons.map((r) => r.rule)).toEqual([
      'purple.case',
      'red.close_contact',
      'orange.secondary_contact',
      'yellow.city_with_cases_stay',
    ]);
  });
  it('when red is released, the remaining orange shows', () => {
    const facts = [
      fact('close_contact'),
      release(T0 + D, 'close_contact'),
      fact('companion', { eventTime: T0 + D }),
    ];
    expect(colourAt(facts, T0 + 2 * D)).toBe('orange');
  });
  it('two facts firing one rule give one reason: earliest since, latest until', () => {
    const s = evaluate(
      [fact('companion', { id: '9', eventTime: T0 + 2 * D }), fact('companion', { id: '10' })],
      DEFAULT_POLICY,
      T0 + 3 * D,
    );
    expect(s.reasons).toEqual([
      expect.objectContaining({
        rule: 'orange.companion',
        factIds: ['10', '9'], // event order, whatever order they came in
        since: T0,
        until: T0 + 9 * D,
      }),
    ]);
  });
  it('until is null when any firing fact waits for tests', () => {
    const s = evaluate(
      [
        fact('close_contact'),
        fact('close_contact', { eventTime: T0 + D }),
        negative(T0 + H),
        negative(T0 + 25 * H),
      ],
      DEFAULT_POLICY,
      T0 + 2 * D,
    );
    expect(s.reasons[0]?.until).toBeNull();
  });
});

describe('display extras and metadata', () => {
  it('vaccine doses = max dose; last negative test day = floor(eventTime / 1 day)', () => {
    const facts = [
      fact('vaccination', { data: { dose: 1 } }),
      fact('vaccination', { data: { dose: 3 } }),
      fact('vaccination', { data: { dose: 2 } }),
      negative(T0 - 3 * D),
      negative(T0 + 5 * H),
      positive(T0 + 6 * H, { pooled: true }),
    ];
    const s = evaluate(facts, DEFAULT_POLICY, T0 + D);
    expect(s.vaccineDoses).toBe(3);
    expect(s.lastNegativeTestDay).toBe(Math.floor(T0 / D));
    expect(s.policyVersion).toBe('default-2026.1');
    expect(s.computedAt).toBe(T0 + D);
  });
  it('no tests, no vaccinations', () => {
    const s = evaluate([], DEFAULT_POLICY, T0);
    expect(s).toMatchObject({ vaccineDoses: 0, lastNegativeTestDay: null, nextReviewAt: null, reasons: [] });
  });
});

describe('operators change numbers, not code', () => {
  it('a shorter red period and a higher fever threshold take effect', () => {
    const policy = structuredClone(DEFAULT_POLICY);
    policy.version = 'test-1';
    policy.feverThreshold = 38;
    const red = policy.rules.find((r) => r.id === 'red.close_contact')?.until.anyOf[0]?.allOf[0];
    if (red?.kind !== 'elapsed') throw new Error('fixture drift');
    red.days = 7;
    const compiled = compilePolicy(policy);
    const contact = [fact('close_contact'), negative(T0 + D), negative(T0 + 2 * D)];
    expect(evaluateCompiled(contact, compiled, T0 + 7 * D).colour5).toBe(Colour5.green);
    expect(
      evaluateCompiled([fact('declaration', { data: { temperature: 37.5 } })], compiled, T0).colour5,
    ).toBe(Colour5.green);
    expect(evaluateCompiled([], compiled, T0).policyVersion).toBe('test-1');
  });
});

describe('bad data never throws and never fires', () => {
  it.each<[string, Fact]>([
    ['release naming unknown types', fact('release', { data: { types: ['toString', 'nope'] as never } })],
    ['declaration with a string temperature', fact('declaration', { data: { temperature: '39' as never } })],
    ['declaration with symptoms not a list', fact('declaration', { data: { symptoms: 'cough' as never } })],
    ['vaccination without a dose', fact('vaccination')],
    ['correction without a colour', fact('correction', { data: { reason: 'x' } })],
    ['unknown fact type', fact('toString' as never)],
  ])('%s', (_name, f) => {
    const s = evaluate([f, fact('close_contact')], DEFAULT_POLICY, T0 + H);
    expect(s.colour5).toBe(Colour5.red);
    expect(s.reasons.map((r) => r.rule)).toEqual(['red.close_contact']);
  });
  it('compilePolicy refuses an unvalidated policy with an unknown colour', () => {
    const policy = structuredClone(DEFAULT_POLICY);
    (policy.rules[0] as { colour: string }).colour = 'toString';
    expect(() => compilePolicy(policy)).toThrow(/unknown colour/);
  });
});
