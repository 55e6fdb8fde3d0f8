/**
 * Test-only fact factory: one base moment, explicit overrides, ids unique per call and numeric like
 * the database's (decimal strings of bigints), so tests order them as the platform does.
 */
import type { Fact, FactData, FactType } from '../fact.ts';

export const H = 3_600_000;
export const D = 24 * H;
/** Base moment for tests: 2026-01-10T00:00Z. */
export const T0 = Date.UTC(2026, 0, 10);

let seq = 0;

export type FactOverrides = Partial<Omit<Fact, 'type' | 'data'>> & { data?: FactData };

/** A valid fact of `type` at T0 (validFrom defaults to its eventTime, open-ended). */
export function fact(type: FactType, overrides: FactOverrides = {}): Fact {
  const eventTime = overrides.eventTime ?? T0;
  return {
    id: String(++seq),
    personId: 'person-1',
    source: 'test',
    arrivalTime: eventTime,
    validFrom: eventTime,
    ...overrides,
    eventTime,
    type,
    data: overrides.data ?? {},
  };
}

export const negative = (t: number, data: FactData = {}, o: FactOverrides = {}): Fact =>
  fact('test_result', { ...o, eventTime: t, data: { result: 'negative', ...data } });
export const positive = (t: number, data: FactData = {}): Fact =>
  fact('test_result', { eventTime: t, data: { result: 'positive', ...data } });
export const release = (t: number, ...types: FactType[]): Fact =>
  fact('release', { eventTime: t, source: 'health-authority', data: { types } });
