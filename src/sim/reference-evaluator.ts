/**
 * The reference evaluator for `hc simulate`: the colour a resident should have, written from the
 * published default policy as docs/POLICY.md states it ("The default policy", "How the engine
 * applies it", "Corrections") — deliberately not from the policy engine's code, which it checks.
 * Plain code for the fact kinds the simulation produces; no policy document is interpreted. The
 * facts the places sources derive (trips, check-ins, risk areas, cities with cases) are worked out
 * from docs/PLACES.md in ./reference-places.ts.
 */

import { HOUR, DAY } from './time.ts';

export type Colour = 'green' | 'yellow' | 'orange' | 'red' | 'purple';
export const COLOURS: readonly Colour[] = ['green', 'yellow', 'orange', 'red', 'purple'];
const rank = (c: Colour): number => COLOURS.indexOf(c);
const max = (a: Colour, b: Colour): Colour => (rank(a) >= rank(b) ? a : b);

/**
 * What the simulation told the platform about one resident. `event` is the event time (epoch ms);
 * `seq` the order it reached the platform (every submission waits for its answer).
 */
export type RefFact =
  | { kind: 'case'; event: number; seq: number }
  /** the health authority's release of the named types */
  | { kind: 'release'; types: readonly string[]; event: number; seq: number }
  | { kind: 'close_contact'; event: number; lastExposure?: number; seq: number }
  | { kind: 'secondary_contact'; event: number; seq: number }
  /** a spatio-temporal companion of a case (orange.companion, as secondary contact) */
  | { kind: 'companion'; event: number; seq: number }
  | { kind: 'declaration'; event: number; temperature?: number; symptoms: readonly string[]; seq: number }
  /** an individual (single-tube) test; `event` = when it was sampled */
  | { kind: 'test'; event: number; result: 'negative' | 'positive'; pooled: boolean; seq: number }
  | { kind: 'correction'; event: number; colour: Colour; expires: number; seq: number }
  /** a trip end or a stay in a high-risk area (red.inbound_high_risk) */
  | { kind: 'inbound_high_risk'; event: number; lastExposure: number; seq: number }
  /** a trip end or a stay in a medium-risk area (orange.medium_risk_stay, within the lookback) */
  | { kind: 'medium_risk_stay'; event: number; seq: number }
  /** presence in a listed city with cases (yellow.city_with_cases_stay, within the lookback) */
  | { kind: 'city_with_cases_stay'; event: number; seq: number }
  /** enrolled on a key-occupation list with its periodic test interval (yellow.key_occupation_overdue) */
  | { kind: 'key_occupation'; event: number; intervalHours: number; seq: number };

/** The numbers of the published policy the simulation relies on (defaults: `default-2026.1`). */
export interface RefPolicy {
  feverThreshold: number;
  respiratorySymptoms: readonly string[];
  correctionMaxDays: number;
  /** "in the last N days" of the rules that say so */
  lookbackDays: number;
}

/** The default policy's numbers, from docs/POLICY.md. */
export const DEFAULT_REF_POLICY: RefPolicy = {
  feverThreshold: 37.3,
  // docs/POLICY.md names `cough`; the simulation declares no other symptom
  respiratorySymptoms: ['cough'],
  correctionMaxDays: 14,
  lookbackDays: 14,
};

/** `count` negative tests sampled strictly after `anchor`, each ≥ `gapHours` after the previous, by `now`. */
function negativeTests(
  facts: readonly RefFact[],
  anchor: number,
  count: number,
  gapHours: number,
  now: number,
): boolean {
  const times = facts
    .filter(
      (f) => f.kind === 'test' && f.result === 'negative' && !f.pooled && f.event > anchor && f.event <= now,
    )
    .map((f) => f.event)
    .sort((a, b) => a - b);
  let n = 0;
  let last = -Infinity;
  for (const t of times) {
    if (t - last >= gapHours * HOUR) {
      n++;
      last = t;
      if (n >= count) return true;
    }
  }
  return false;
}

function symptomatic(f: RefFact, p: RefPolicy): boolean {
  if (f.kind !== 'declaration') return false;
  if (f.temperature !== undefined && f.temperature >= p.feverThreshold) return true;
  return f.symptoms.some((s) => p.respiratorySymptoms.includes(s));
}

/** `days` after the anchor or after the latest symptomatic declaration, whichever is later. */
function symptomFree(
  facts: readonly RefFact[],
  anchor: number,
  days: number,
  now: number,
  p: RefPolicy,
): boolean {
  let from = anchor;
  for (const f of facts) if (f.event <= now && symptomatic(f, p)) from = Math.max(from, f.event);
  return now >= from + days * DAY;
}

/** Released by the health authority: a later (or equal) `release` naming the type. */
function released(facts: readonly RefFact[], type: string, event: number, now: number): boolean {
  return facts.some(
    (r) => r.kind === 'release' && r.types.includes(type) && r.event >= event && r.event <= now,
  );
}

/** The colour one fact fires at `now` under the default policy's rules, if any. */
function fired(f: RefFact, facts: readonly RefFact[], now: number, p: RefPolicy): Colour | undefined {
  if (f.event > now) return undefined;
  // "as secondary contact": two negative tests 24 h apart after the event, or 7 days symptom-free
  const asSecondary = (anchor: number) =>
    negativeTests(facts, anchor, 2, 24, now) || symptomFree(facts, anchor, 7, now, p);
  switch (f.kind) {
    case 'case':
      return released(facts, 'case', f.event, now) ? undefined : 'purple';
    case 'test':
      if (f.result !== 'positive') return undefined;
      if (!f.pooled) return released(facts, 'test_result', f.event, now) ? undefined : 'purple';
      // pooled positive: one negative individual retest, or as secondary contact
      if (released(facts, 'test_result', f.event, now)) return undefined;
      return negativeTests(facts, f.event, 1, 0, now) || asSecondary(f.event) ? undefined : 'orange';
    case 'close_contact':
    case 'inbound_high_risk': {
      if (released(facts, f.kind, f.event, now)) return undefined;
      // 14 days after last exposure AND two negative tests 24 h apart after it
      const anchor = f.lastExposure ?? f.event;
      const done = now >= anchor + 14 * DAY && negativeTests(facts, anchor, 2, 24, now);
      return done ? undefined : 'red';
    }
    case 'medium_risk_stay':
      // within the last lookbackDays; released as a secondary contact
      if (now >= f.event + p.lookbackDays * DAY || released(facts, f.kind, f.event, now)) return undefined;
      return asSecondary(f.event) ? undefined : 'orange';
    case 'city_with_cases_stay':
      // within the last lookbackDays; released by a negative test after the stay
      if (now >= f.event + p.lookbackDays * DAY || released(facts, f.kind, f.event, now)) return undefined;
      return negativeTests(facts, f.event, 1, 0, now) ? undefined : 'yellow';
    case 'key_occupation': {
      // counts from enrolment + interval; overdue while no negative test sampled in the last interval
      const interval = f.intervalHours * HOUR;
      if (now < f.event + interval || released(facts, f.kind, f.event, now)) return undefined;
      const recent = facts.some(
        (t) => t.kind === 'test' && t.result === 'negative' && t.event <= now && now - t.event < interval,
      );
      return recent ? undefined : 'yellow';
    }
    case 'secondary_contact':
    case 'companion':
      if (released(facts, f.kind, f.event, now)) return undefined;
      return asSecondary(f.event) ? undefined : 'orange';
    case 'declaration':
      if (!symptomatic(f, p) || released(facts, 'declaration', f.event, now)) return undefined;
      return asSecondary(f.event) ? undefined : 'orange';
    case 'release':
    case 'correction':
      return undefined;
  }
}

/** The colour a resident with these facts should show at `now` (docs/POLICY.md). */
export function expectedColour(
  facts: readonly RefFact[],
  now: number,
  p: RefPolicy = DEFAULT_REF_POLICY,
): Colour {
  // Corrections: only the latest counts (event time, then arrival); it lasts until
  // min(expiry, made + maxDays) and covers the facts that had happened and had arrived before it.
  let latest: Extract<RefFact, { kind: 'correction' }> | undefined;
  for (const f of facts)
    if (f.kind === 'correction' && f.event <= now)
      if (!latest || f.event > latest.event || (f.event === latest.event && f.seq > latest.seq)) latest = f;
  const inForce =
    latest !== undefined &&
    !released(facts, 'correction', latest.event, now) &&
    now < Math.min(latest.expires, latest.event + p.correctionMaxDays * DAY);
  const covered = (f: RefFact) => inForce && f.event <= latest!.event && f.seq < latest!.seq;
  let colour: Colour = inForce ? latest!.colour : 'green';
  for (const f of facts) {
    if (covered(f)) continue;
    const c = fired(f, facts, now, p);
    if (c) colour = max(colour, c);
  }
  return colour;
}
