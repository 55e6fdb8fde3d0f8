import { describe, expect, it } from 'vitest';
import { addDays, dayOf, dayStart, daysBetween, dueDays } from './companion-days.ts';

describe('companion days (UTC+8)', () => {
  it('cut at midnight China Standard Time', () => {
    expect(dayStart('2026-11-19')).toBe(Date.parse('2026-11-18T16:00:00Z'));
    expect(dayOf(Date.parse('2026-11-18T15:59:59.999Z'))).toBe('2026-11-18');
    expect(dayOf(Date.parse('2026-11-18T16:00:00Z'))).toBe('2026-11-19');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysBetween('2026-02-27', '2026-03-01')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(() => dayStart('2026-02-30')).toThrow(RangeError);
    expect(() => dayStart('19-11-2026')).toThrow(RangeError);
  });

  it('are due from the configured hour of the next day', () => {
    const at = (iso: string) => Date.parse(iso);
    expect(dueDays(at('2026-11-20T01:59:59+08:00'), 2, 1)).toEqual(['2026-11-18']);
    expect(dueDays(at('2026-11-20T02:00:00+08:00'), 2, 1)).toEqual(['2026-11-19']);
    expect(dueDays(at('2026-11-20T02:00:00+08:00'), 2, 3)).toEqual([
      '2026-11-17',
      '2026-11-18',
      '2026-11-19',
    ]);
    expect(dueDays(at('2026-11-20T00:00:00+08:00'), 0, 1)).toEqual(['2026-11-19']);
  });
});
