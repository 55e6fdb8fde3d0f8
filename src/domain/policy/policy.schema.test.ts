import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from './default-policy.ts';
import {
  correctionMaxDays,
  maxColourAgeHours,
  validatePolicy,
  type Policy,
  type PolicyError,
} from './policy.schema.ts';

const json: unknown = JSON.parse(readFileSync(new URL('./default-policy.json', import.meta.url), 'utf8'));

/** A deep copy of the default policy as plain JSON, edited by `edit`. */
// `any` on purpose: the edits build documents the Policy type forbids, which is the point of the test.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Draft = Record<string, any>;
const draft = (edit: (p: Draft) => void): unknown => {
  const p = structuredClone(DEFAULT_POLICY) as unknown as Draft;
  edit(p);
  return p;
};
const errorsOf = (doc: unknown): PolicyError[] => {
  const r = validatePolicy(doc);
  return r.ok ? [] : r.errors;
};

describe('default policy', () => {
  it('validates', () => {
    expect(validatePolicy(DEFAULT_POLICY)).toEqual({ ok: true, policy: DEFAULT_POLICY });
  });
  it('the JSON copy is identical to the TypeScript one and validates', () => {
    expect(json).toEqual(DEFAULT_POLICY);
    expect(validatePolicy(json).ok).toBe(true);
  });
  it('every rule has Chinese and English label and release text', () => {
    for (const r of DEFAULT_POLICY.rules) {
      expect([r.label.zh, r.label.en, r.release.zh, r.release.en].every((t) => t.length > 0)).toBe(true);
    }
  });
});

describe('limits: correction lifetime and colour age', () => {
  it('the default policy names them: 14 days, 24 hours', () => {
    expect(correctionMaxDays(DEFAULT_POLICY)).toBe(14);
    expect(maxColourAgeHours(DEFAULT_POLICY)).toBe(24);
  });
  it('a policy stored before they existed still validates and gets the same defaults', () => {
    const old = draft((p) => {
      delete p.correction.maxDays;
      delete p.codes;
    });
    const v = validatePolicy(old);
    expect(v.ok).toBe(true);
    expect(correctionMaxDays(old as Policy)).toBe(14);
    expect(maxColourAgeHours(old as Policy)).toBe(24);
  });
  it('an operator can change them', () => {
    const p = draft((d) => {
      d.correction.maxDays = 3;
      d.codes.maxColourAgeHours = 12;
    }) as Policy;
    expect(validatePolicy(p).ok).toBe(true);
    expect([correctionMaxDays(p), maxColourAgeHours(p)]).toEqual([3, 12]);
  });
});

describe('structural errors carry a JSON pointer path', () => {
  it.each<[string, unknown, string]>([
    ['not an object', 42, '/'],
    ['missing version', draft((p) => delete p.version), '/version'],
    ['3-colour scale not supported yet', draft((p) => (p.scale = 3)), '/scale'],
    ['lookback as a string', draft((p) => (p.lookbackDays = '14')), '/lookbackDays'],
    [
      'negative test count 0',
      draft((p) => (p.rules[2].until.anyOf[0].allOf[1].count = 0)),
      '/rules/2/until/anyOf/0/allOf/1',
    ],
    [
      'unknown condition kind',
      draft((p) => (p.rules[2].until.anyOf[0].allOf[0] = { kind: 'moonPhase' })),
      '/rules/2/until/anyOf/0/allOf/0',
    ],
    [
      'an unknown property (a typo must not be ignored)',
      draft((p) => (p.rules[0].when.factTyp = 'case')),
      '/rules/0/when/factTyp',
    ],
    ['label without English', draft((p) => delete p.rules[0].label.en), '/rules/0/label/en'],
    ['empty allOf', draft((p) => (p.rules[2].until.anyOf[0].allOf = [])), '/rules/2/until/anyOf/0/allOf'],
    ['a correction lifetime of 0 days', draft((p) => (p.correction.maxDays = 0)), '/correction/maxDays'],
    [
      'a correction lifetime beyond a year',
      draft((p) => (p.correction.maxDays = 3650)),
      '/correction/maxDays',
    ],
    ['a colour age of 0 hours', draft((p) => (p.codes.maxColourAgeHours = 0)), '/codes/maxColourAgeHours'],
    ['an unknown code limit', draft((p) => (p.codes.maxAge = 3)), '/codes/maxAge'],
  ])('%s', (_name, doc, path) => {
    const errors = errorsOf(doc);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((e) => e.path)).toContain(path);
    for (const e of errors) expect(e.message.length).toBeGreaterThan(0);
  });
});

describe('semantic errors', () => {
  it.each<[string, unknown, PolicyError]>([
    [
      'duplicate rule id',
      draft((p) => (p.rules[3].id = p.rules[2].id)),
      { path: '/rules/3/id', message: 'duplicate rule id "red.close_contact"' },
    ],
    [
      'unknown fact type',
      draft((p) => (p.rules[2].when.factType = 'close_kontakt')),
      { path: '/rules/2/when/factType', message: 'unknown fact type "close_kontakt"' },
    ],
    [
      'a type the engine consumes itself',
      draft((p) => (p.rules[2].when.factType = 'release')),
      { path: '/rules/2/when/factType', message: 'fact type "release" cannot trigger a rule' },
    ],
    [
      'unknown colour',
      draft((p) => (p.rules[2].colour = 'blue')),
      {
        path: '/rules/2/colour',
        message: 'unknown colour "blue" (expected one of purple, red, orange, yellow)',
      },
    ],
    [
      'green is not a rule colour',
      draft((p) => (p.rules[2].colour = 'green')),
      {
        path: '/rules/2/colour',
        message: 'unknown colour "green" (expected one of purple, red, orange, yellow)',
      },
    ],
    [
      'a trigger field for another fact type',
      draft((p) => (p.rules[2].when.pooled = true)),
      { path: '/rules/2/when/pooled', message: '"pooled" only applies to fact type "test_result"' },
    ],
  ])('%s', (_name, doc, error) => {
    expect(errorsOf(doc)).toEqual([error]);
  });
  it('reports every problem, not just the first', () => {
    const doc = draft((p) => {
      p.rules[0].colour = 'blue';
      p.rules[1].when.factType = 'nope';
    });
    expect(errorsOf(doc).map((e) => e.path)).toEqual(['/rules/0/colour', '/rules/1/when/factType']);
  });
});
