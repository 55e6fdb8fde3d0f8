import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkKeyPopulationRecord, keyPopulationFact } from '../domain/feeds/health.feed.ts';
import { normaliseKeys } from '../domain/feeds/record.ts';
import { feedRecord, splitName } from './companion-record.ts';

describe('companion feed record', () => {
  it('is accepted by the key-population feed, its event time the last co-located moment', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_700_000_000, max: 1_800_000_000 }),
        fc.integer({ min: 600, max: 86_400 }),
        fc.integer({ min: 0, max: 7200 }),
        fc.integer({ min: 0, max: 7200 }),
        (first, span, extra, ranAfter) => {
          const last = first + span + extra;
          const asOf = first + span + ranAfter;
          const r = feedRecord('2026-11-19', 'p12|13900000003', 'p7|13900000004', span, first, last, asOf)!;
          const checked = checkKeyPopulationRecord(normaliseKeys({ ...r }), asOf * 1000);
          expect(checked.ok).toBe(true);
          if (!checked.ok) return;
          const fact = keyPopulationFact(checked.value);
          expect(fact.type).toBe('companion');
          expect(fact.eventTime).toBe(Math.min(last, asOf) * 1000);
          expect(fact.data.lastExposureAt).toBe(Math.min(last, asOf) * 1000);
          expect(fact.sourceRecordId).toBe('companion:2026-11-19:p12:p7');
          expect(fact.data.caseRef).toBe('p7');
        },
      ),
    );
  });

  it('names the phone for the feed and keeps it out of source id and case ref', () => {
    const r = feedRecord('2026-11-19', 'p12|13900000003', 'p7|13900000004', 900, 100, 1000)!;
    expect(r.personRef).toBe('13900000003');
    expect(JSON.stringify([r.sourceId, r.caseRef])).not.toContain('1390000');
    expect(splitName('carrier-id-9')).toEqual({ key: 'carrier-id-9', ref: 'carrier-id-9' });
  });

  it('has nothing to say about a pair that starts after the run looked', () => {
    expect(feedRecord('d', 'a', 'b', 900, 1000, 1900, 1000)).toBeNull();
  });
});
