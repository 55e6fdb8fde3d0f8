/**
 * Properties of precedence (docs/POLICY.md "Corrections"): for any fact history of every type,
 * with corrections, releases and tests, arrival times that differ from event times and ids of
 * different lengths —
 * (a) a case, close contact or positive individual test later (in event and arrival time) than
 *     every correction is never hidden: if its rule fires with the corrections left out, it fires
 *     with them, and the colour is at least the rule's; more generally no fact the correction in
 *     force did not cover is hidden;
 * (b) the status (colour, reasons, nextReviewAt, everything) is the same for any order of the facts;
 * (c) ids compare as numbers: relabelling ids by any increasing map changes nothing but the ids.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Colour5 } from '../colour.ts';
import { FACT_TYPES, type Fact, type FactData, type FactType } from '../fact.ts';
import type { Status } from '../status.ts';
import { DEFAULT_POLICY } from './default-policy.ts';
import { D, H, T0 } from './fact.fixture.ts';
import { compilePolicy, evaluateCompiled } from './policy-engine.ts';

const policy = compilePolicy(DEFAULT_POLICY);
const colourOfRule = new Map(
  DEFAULT_POLICY.rules.map((r) => [r.id, Colour5[r.colour as keyof typeof Colour5]]),
);

// Hours around T0 so that events, arrivals, corrections and windows collide often.
const hour = fc.integer({ min: -20 * 24, max: 30 * 24 }).map((h) => T0 + h * H);
const dataFor: Record<FactType, fc.Arbitrary<FactData>> = {
  case: fc.constantFrom<FactData>({ kind: 'confirmed' }, { kind: 'suspected' }, { kind: 'asymptomatic' }, {}),
  close_contact: fc
    .option(hour, { nil: undefined })
    .map((t) => (t === undefined ? {} : { lastExposureAt: t })),
  secondary_contact: fc.constant({}),
  companion: fc.constant({}),
  inbound_high_risk: fc.constant({}),
  medium_risk_stay: fc.constant({}),
  city_with_cases_stay: fc.constant({}),
  key_occupation: fc.constantFrom<FactData>({}, { testIntervalHours: 24 }),
  declaration: fc.constantFrom<FactData>({ temperature: 36.5 }, { temperature: 38 }, { symptoms: ['cough'] }),
  test_result: fc.constantFrom<FactData>(
    { result: 'negative' },
    { result: 'negative' },
    { result: 'negative', pooled: true },
    { result: 'positive', pooled: true },
    { result: 'positive' },
  ),
  vaccination: fc.integer({ min: 1, max: 3 }).map((dose) => ({ dose })),
  release: fc.subarray([...FACT_TYPES], { minLength: 1, maxLength: 3 }).map((types) => ({ types })),
  correction: fc.constantFrom<FactData>(
    { colour5: 'green', reason: 'r' },
    { colour5: 'yellow', reason: 'r' },
    { colour5: 'red', reason: 'r' },
    { colour5: 'purple', reason: 'r' },
  ),
};
const typeArb = fc.oneof(
  { arbitrary: fc.constantFrom<FactType>(...FACT_TYPES), weight: 6 },
  { arbitrary: fc.constantFrom<FactType>('correction'), weight: 2 },
  { arbitrary: fc.constantFrom<FactType>('test_result'), weight: 2 },
);
/**
 * A fact without its id (ids are handed out per history so that they are unique). `times`: event
 * times; `delays`: arrival minus event time.
 */
const factOf = (times: fc.Arbitrary<number>, delays: fc.Arbitrary<number>) =>
  typeArb.chain((type) =>
    fc
      .record({
        eventTime: times,
        arrivalDelay: delays,
        validFromDelay: fc.constantFrom(0, 0, 0, 6 * H),
        lifetime: fc.option(
          fc.integer({ min: 1, max: 30 * 24 }).map((h) => h * H),
          { nil: undefined, freq: 2 },
        ),
        data: dataFor[type],
      })
      .map(({ eventTime, arrivalDelay, validFromDelay, lifetime, data }) => {
        const f: Omit<Fact, 'id'> = {
          personId: '1',
          type,
          source: 'test',
          eventTime,
          arrivalTime: eventTime + arrivalDelay,
          validFrom: eventTime + validFromDelay,
          data,
        };
        if (lifetime !== undefined) f.validUntil = eventTime + validFromDelay + lifetime;
        return f;
      }),
  );
/** Unique ids of mixed lengths ('9' and '10' both occur), in an order unrelated to the times. */
const withIds = (facts: Array<Omit<Fact, 'id'>>, ids: number[]): Fact[] =>
  facts.map((f, i) => ({ ...f, id: String(ids[i]) }));
const historyOf = (factArb: fc.Arbitrary<Omit<Fact, 'id'>>) =>
  fc
    .array(factArb, { maxLength: 10 })
    .chain((facts) =>
      fc
        .uniqueArray(fc.integer({ min: 1, max: 2000 }), { minLength: facts.length, maxLength: facts.length })
        .map((ids) => withIds(facts, ids)),
    );
// Arrivals mostly late or on time; sometimes before the event (a test booked ahead, a future stay).
const history = historyOf(factOf(hour, fc.constantFrom(0, 0, H, 6 * H, 2 * D, -6 * H)));
// Everything at a few moments and arriving at once: only the ids tell facts apart.
const tiedHistory = historyOf(factOf(fc.constantFrom(T0, T0 + D, T0 + 3 * D), fc.constant(0)));
const moment = fc
  .tuple(fc.integer({ min: -5 * 24, max: 45 * 24 }), fc.constantFrom(0, -1, 1))
  .map(([h, ms]) => T0 + h * H + ms);

const big = (id: string): bigint => BigInt(id);
/** Reference: the correction in force, written from docs/POLICY.md with BigInt ids. */
function correctionInForce(facts: readonly Fact[], now: number): Fact | undefined {
  let latest: Fact | undefined;
  for (const f of facts) {
    if (f.type !== 'correction' || Math.max(f.validFrom, f.eventTime) > now) continue;
    if (typeof f.data.colour5 !== 'string' || !(f.data.colour5 in Colour5)) continue;
    const later =
      latest === undefined ||
      f.eventTime > latest.eventTime ||
      (f.eventTime === latest.eventTime &&
        (f.arrivalTime > latest.arrivalTime ||
          (f.arrivalTime === latest.arrivalTime && big(f.id) > big(latest.id))));
    if (later) latest = f;
  }
  if (latest === undefined) return undefined;
  const end = Math.min(latest.validUntil ?? Infinity, latest.eventTime + 14 * D);
  if (end <= now) return undefined;
  const c = latest;
  const withdrawn = facts.some(
    (r) =>
      r.type === 'release' &&
      r.eventTime >= c.eventTime &&
      Math.max(r.validFrom, r.eventTime) <= now &&
      (r.validUntil === undefined || now < r.validUntil) &&
      (r.data.types ?? []).includes('correction'),
  );
  return withdrawn ? undefined : c;
}
const covered = (f: Fact, c: Fact): boolean =>
  f.eventTime <= c.eventTime &&
  (f.arrivalTime < c.arrivalTime || (f.arrivalTime === c.arrivalTime && big(f.id) <= big(c.id)));

const firesFor = (s: Status, f: Fact): string[] =>
  s.reasons.filter((r) => r.rule !== 'correction' && r.factIds.includes(f.id)).map((r) => r.rule);

describe('property (a): a later case, close contact or positive test is never hidden by a correction', () => {
  const severe = fc.constantFrom<[FactType, FactData]>(
    ['case', { kind: 'confirmed' }],
    ['case', { kind: 'asymptomatic' }],
    ['close_contact', {}],
    ['test_result', { result: 'positive' }],
    ['test_result', { result: 'positive', pooled: false }],
  );
  it('fires as without the corrections, and the colour is at least its rule colour', () => {
    let exercised = 0;
    fc.assert(
      fc.property(
        history,
        severe,
        fc.integer({ min: 1, max: 5 * 24 }),
        fc.integer({ min: 1, max: 3 * 24 }),
        fc.integer({ min: 2001, max: 100_000 }),
        fc.integer({ min: 0, max: 10 * 24 }),
        (facts, [type, data], afterEvent, afterArrival, id, nowAfter) => {
          const corrections = facts.filter((f) => f.type === 'correction');
          const lastEvent = Math.max(T0, ...corrections.map((c) => c.eventTime));
          const lastArrival = Math.max(T0, ...corrections.map((c) => c.arrivalTime));
          const eventTime = lastEvent + afterEvent * H;
          const late: Fact = {
            id: String(id),
            personId: '1',
            type,
            source: 'late',
            eventTime,
            arrivalTime: Math.max(lastArrival + afterArrival * H, eventTime),
            validFrom: eventTime,
            data,
          };
          const all = [...facts, late];
          const now = eventTime + nowAfter * H;
          const without = evaluateCompiled(
            all.filter((f) => f.type !== 'correction'),
            policy,
            now,
          );
          const rules = firesFor(without, late);
          const withCorrections = evaluateCompiled(all, policy, now);
          expect(firesFor(withCorrections, late)).toEqual(rules);
          for (const rule of rules) {
            expect(withCorrections.colour5).toBeGreaterThanOrEqual(colourOfRule.get(rule) as number);
            if (corrections.length) exercised++;
          }
        },
      ),
      { numRuns: 2000 },
    );
    expect(exercised).toBeGreaterThan(100); // the property was not vacuous
  });

  it('no fact the correction in force did not cover is hidden, whatever its type', () => {
    fc.assert(
      fc.property(fc.oneof(history, tiedHistory), moment, (facts, now) => {
        const without = evaluateCompiled(
          facts.filter((f) => f.type !== 'correction'),
          policy,
          now,
        );
        const s = evaluateCompiled(facts, policy, now);
        const c = correctionInForce(facts, now);
        for (const f of facts) {
          if (f.type === 'correction') continue;
          const rules = firesFor(without, f);
          if (c !== undefined && covered(f, c)) {
            expect(firesFor(s, f)).toEqual([]);
            continue;
          }
          expect(firesFor(s, f)).toEqual(rules);
        }
        // colour = max(correction colour, colours fired by the uncovered facts)
        const fired = s.reasons
          .filter((r) => r.rule !== 'correction')
          .map((r) => colourOfRule.get(r.rule) as number);
        const corrected = c === undefined ? 0 : Colour5[c.data.colour5 as keyof typeof Colour5];
        expect(s.colour5).toBe(Math.max(0, corrected, ...fired));
        expect(s.reasons.some((r) => r.rule === 'correction')).toBe(c !== undefined);
        if (c !== undefined) expect(s.reasons.find((r) => r.rule === 'correction')?.factIds).toEqual([c.id]);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('property (b): fact order never changes the status', () => {
  it('any permutation gives an identical status', () => {
    fc.assert(
      fc.property(
        fc
          .oneof(history, tiedHistory)
          .chain((facts) =>
            fc.tuple(
              fc.constant(facts),
              fc.shuffledSubarray(facts, { minLength: facts.length, maxLength: facts.length }),
            ),
          ),
        moment,
        ([facts, shuffled], now) => {
          expect(evaluateCompiled(shuffled, policy, now)).toEqual(evaluateCompiled(facts, policy, now));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('property (c): ids compare as numbers', () => {
  it("relabelling ids by an increasing map ('9' → '99', '10' → '100') changes only the ids", () => {
    // ids 1..2000 shifted to 90..2089: string order and numeric order disagree across 99/100, 999/1000
    const shift = (id: string) => String(Number(id) + 89);
    const unshift = (id: string) => String(Number(id) - 89);
    fc.assert(
      fc.property(fc.oneof(history, tiedHistory), moment, (facts, now) => {
        const a = evaluateCompiled(facts, policy, now);
        const b = evaluateCompiled(
          facts.map((f) => ({ ...f, id: shift(f.id) })),
          policy,
          now,
        );
        for (const r of b.reasons) r.factIds = r.factIds.map(unshift);
        // the status version is the numerically highest id (docs/DESIGN.md §3), shifted with the ids
        expect(a.factVersion).toBe(facts.reduce((m, f) => Math.max(m, Number(f.id)), 0));
        expect(a.factCount).toBe(facts.length);
        if (b.factCount > 0) b.factVersion = Number(unshift(String(b.factVersion)));
        expect(b).toEqual(a);
      }),
      { numRuns: 2000 },
    );
  });
  it('fact ids in reasons are in event order, then numeric id order', () => {
    fc.assert(
      fc.property(fc.oneof(history, tiedHistory), moment, (facts, now) => {
        const byId = new Map(facts.map((f) => [f.id, f]));
        for (const r of evaluateCompiled(facts, policy, now).reasons) {
          const sorted = [...r.factIds].sort((x, y) => {
            const [a, b] = [byId.get(x) as Fact, byId.get(y) as Fact];
            return a.eventTime - b.eventTime || (big(x) < big(y) ? -1 : big(x) > big(y) ? 1 : 0);
          });
          expect(r.factIds).toEqual(sorted);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('property: nextReviewAt still holds with corrections and late arrivals', () => {
  it('the status at nextReviewAt − 1 equals the status now', () => {
    const withoutTime = ({ computedAt: _c, ...rest }: Status) => rest;
    fc.assert(
      fc.property(history, moment, (facts, now) => {
        const s = evaluateCompiled(facts, policy, now);
        const until = s.nextReviewAt ?? now + 500 * D;
        expect(until).toBeGreaterThan(now);
        expect(withoutTime(evaluateCompiled(facts, policy, until - 1))).toEqual(withoutTime(s));
      }),
      { numRuns: 2000 },
    );
  });
});
