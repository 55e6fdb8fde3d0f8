/** Unit tests of the pure feed rules: times, person references, list rows, pings, stays. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeResidentId } from '../document-number.ts';
import { checkKeyPopulationRecord, keyPopulationFact } from './health.feed.ts';
import { checkPing, fastPing, isoUtcMs, type PingValues } from './itinerary.feed.ts';
import { normaliseKeys, parseTime, personRefOf } from './record.ts';
import { condenseStays } from './stays.ts';

const NOW = Date.parse('2026-11-20T00:00:00Z');

describe('parseTime', () => {
  it.each([
    ['2026-11-19T01:02:03Z', Date.parse('2026-11-19T01:02:03Z')],
    ['2026-11-19T01:02:03.250Z', Date.parse('2026-11-19T01:02:03.250Z')],
    ['2026-11-19 09:02', Date.parse('2026-11-19T01:02:00Z')],
    ['2026-11-19', Date.parse('2026-11-18T16:00:00Z')],
    ['2026-11-19T09:02:03+0800', Date.parse('2026-11-19T01:02:03Z')],
    [1763514123, 1763514123000],
    ['1763514123000', 1763514123000],
    ['2026-02-30T00:00:00Z', undefined],
    ['2026-02-30', undefined],
    ['2026-11-19T24:00:00', undefined],
    ['yesterday', undefined],
  ])('%s', (input, expected) => expect(parseTime(input)).toBe(expected));

  it('round-trips any instant written as UTC ISO', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4102444800000 }),
        (t) => parseTime(new Date(t).toISOString()) === t,
      ),
    );
  });
});

describe('person references', () => {
  const id = makeResidentId('520102', '19900101', 7, true);
  it('reads documents, phones and person_ref in that order', () => {
    expect(personRefOf({ doc_type: '10', doc_number: id.toLowerCase(), phone: '13800000000' })).toEqual({
      ok: true,
      value: { kind: 'document', docType: 10, number: id },
    });
    expect(personRefOf({ phone: '+86 138-0000-0000' })).toEqual({
      ok: true,
      value: { kind: 'phone', phone: '13800000000' },
    });
    expect(personRefOf({ person_ref: `10:${id}` })).toEqual({
      ok: true,
      value: { kind: 'document', docType: 10, number: id },
    });
    expect(personRefOf({ person_ref: 'phone:13800000000' })).toMatchObject({
      ok: true,
      value: { kind: 'phone' },
    });
  });
  it('names the field and the document code when wrong', () => {
    const bad = id.slice(0, 17) + (id[17] === '1' ? '2' : '1');
    expect(personRefOf({ doc_type: '10', doc_number: bad })).toMatchObject({
      ok: false,
      problem: { field: 'doc_number', code: 'DOC_BAD_CHECK_CHARACTER' },
    });
    expect(personRefOf({ doc_type: '42', doc_number: 'X' })).toMatchObject({
      ok: false,
      problem: { field: 'doc_type', code: 'DOC_UNKNOWN_TYPE' },
    });
    expect(personRefOf({ person_ref: 'abc' })).toMatchObject({
      ok: false,
      problem: { field: 'person_ref', code: 'ROW_BAD_VALUE' },
    });
    expect(personRefOf({})).toMatchObject({ ok: false, problem: { code: 'ROW_MISSING_FIELD' } });
  });
});

describe('key-population rows', () => {
  it('maps the companion engine message to a companion fact naming its list', () => {
    const msg = normaliseKeys({
      sourceId: 's1',
      personRef: '13800000000',
      category: 'companion',
      list: 'L',
      caseRef: 'c9',
      seconds: 900,
      firstTs: 1763510000,
      lastTs: 1763512000,
      eventTime: 1763513000,
    });
    const c = checkKeyPopulationRecord(msg, NOW);
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.value).toMatchObject({
      tier: 'medium',
      action: 'enter',
      eventTime: 1763513000000,
      lastExposureAt: 1763512000000,
    });
    expect(keyPopulationFact(c.value)).toEqual({
      type: 'companion',
      source: 'key-population',
      sourceRecordId: 's1',
      eventTime: 1763513000000,
      data: {
        list: 'L',
        tier: 'medium',
        category: 'companion',
        action: 'enter',
        lastExposureAt: 1763512000000,
        caseRef: 'c9',
        seconds: 900,
        firstTs: 1763510000000,
      },
    });
  });
  it('releases name the released type; unknown categories and future events are refused', () => {
    const rel = checkKeyPopulationRecord(
      { source_id: 'r', phone: '13800000000', category: 'close-contact', list: 'L', action: 'release' },
      NOW,
    );
    expect(rel.ok && keyPopulationFact(rel.value)).toMatchObject({
      type: 'release',
      data: { types: ['close_contact'], list: 'L' },
    });
    expect(
      checkKeyPopulationRecord({ source_id: 'x', phone: '13800000000', category: 'vip', list: 'L' }, NOW),
    ).toMatchObject({ ok: false, problem: { field: 'category' } });
    expect(
      checkKeyPopulationRecord(
        { source_id: 'x', phone: '13800000000', category: 'case', list: 'L', event_time: '2027-01-01' },
        NOW,
      ),
    ).toMatchObject({ ok: false, problem: { field: 'event_time', code: 'ROW_BAD_TIME' } });
  });
  it('refuses impossible and implausibly old event times (0001, 1900, epoch zero, 2022-02-30)', () => {
    for (const event_time of [
      '0001-01-01T00:00:00Z',
      '1900-01-01',
      '0',
      '1970-01-01T00:00:00Z',
      '2022-02-30',
      '2019-11-30T23:59:59Z',
    ])
      expect(
        checkKeyPopulationRecord(
          { source_id: 'x', phone: '13800000000', category: 'case', list: 'L', event_time },
          NOW,
        ),
        event_time,
      ).toMatchObject({ ok: false, problem: { field: 'event_time', code: 'ROW_BAD_TIME' } });
    expect(
      checkKeyPopulationRecord(
        {
          source_id: 'x',
          phone: '13800000000',
          category: 'case',
          list: 'L',
          event_time: '2019-12-01T00:00:00Z',
        },
        NOW,
      ).ok,
    ).toBe(true);
  });
});

describe('pings', () => {
  it('checks phone, time window and coordinates', () => {
    const oldest = NOW - 21 * 86400_000;
    expect(
      checkPing(
        { phone: '13800000000', ts: '2026-11-19T01:00:00Z', lat: '26.5', lon: '106.7', accuracy_m: '' },
        NOW,
        oldest,
      ),
    ).toMatchObject({ ok: true, value: { lat: 26.5, lon: 106.7 } });
    expect(
      checkPing({ phone: '13800000000', ts: '2026-10-01T01:00:00Z', lat: '26.5', lon: '106.7' }, NOW, oldest),
    ).toMatchObject({ ok: false, problem: { code: 'ROW_OUT_OF_WINDOW' } });
    expect(
      checkPing({ phone: '13800000000', ts: '2026-11-19T01:00:00Z', lat: '', lon: '106.7' }, NOW, oldest),
    ).toMatchObject({ ok: false, problem: { field: 'lat' } });
    expect(
      checkPing({ phone: '12345', ts: '2026-11-19T01:00:00Z', lat: '1', lon: '1' }, NOW, oldest),
    ).toMatchObject({ ok: false, problem: { code: 'ROW_BAD_PHONE' } });
  });
});

describe('condenseStays', () => {
  const at = (min: number, lat: number, lon: number) => ({ ts: NOW + min * 60_000, lat, lon });
  it('groups nearby consecutive pings of at least 15 minutes, in time order whatever the input order', () => {
    const pings = [
      at(0, 26.58, 106.71),
      at(10, 26.5805, 106.7102),
      at(20, 26.58, 106.71),
      at(30, 26.62, 106.7),
      at(35, 26.62, 106.7),
      at(50, 26.62, 106.7001),
      at(55, 26.7, 106.9),
    ];
    const stays = condenseStays([...pings].reverse());
    expect(stays.map((s) => [(s.startedAt - NOW) / 60_000, (s.endedAt - NOW) / 60_000, s.pings])).toEqual([
      [0, 20, 3],
      [30, 50, 3],
    ]);
    expect(stays[0]?.lat).toBeCloseTo(26.58017, 4);
  });
  it('a long gap ends a stay; stays never overlap and cover only their pings', () => {
    expect(
      condenseStays([at(0, 26.58, 106.71), at(300, 26.58, 106.71), at(320, 26.58, 106.71)]).map(
        (s) => (s.startedAt - NOW) / 60_000,
      ),
    ).toEqual([300]);
    fc.assert(
      fc.property(
        fc.array(fc.record({ m: fc.integer({ min: 0, max: 1440 }), d: fc.integer({ min: 0, max: 3 }) }), {
          maxLength: 60,
        }),
        (xs) => {
          const stays = condenseStays(xs.map((x) => at(x.m, 26.5 + x.d * 0.01, 106.7)));
          for (let i = 0; i < stays.length; i++) {
            const s = stays[i]!;
            expect(s.endedAt - s.startedAt).toBeGreaterThanOrEqual(15 * 60_000);
            if (i > 0) expect(s.startedAt).toBeGreaterThanOrEqual(stays[i - 1]!.endedAt);
          }
        },
      ),
    );
  });
});

describe('fastPing (the allocation-free check of the common carrier row)', () => {
  const oldest = NOW - 20 * 86400_000;
  const v: PingValues = { ts: 0, lat: 0, lon: 0, acc: NaN };
  /** fastPing may decline any row, but a row it accepts checkPing accepts with the same values. */
  const agrees = (r: Record<string, unknown>): boolean => {
    if (!fastPing(r, NOW, oldest, v)) return true;
    const c = checkPing(r, NOW, oldest);
    return (
      c.ok &&
      c.value.phone === r.phone &&
      c.value.ts === v.ts &&
      Object.is(c.value.lat, v.lat) &&
      Object.is(c.value.lon, v.lon) &&
      Object.is(c.value.accuracyM ?? NaN, v.acc)
    );
  };

  it('takes the carrier form and gives checkPing’s values', () => {
    const r = {
      phone: '13800000000',
      ts: '2026-11-19T01:02:03.250Z',
      lat: '26.50012',
      lon: '106.70001',
      accuracy_m: '30',
    };
    expect(fastPing(r, NOW, oldest, v)).toBe(true);
    expect(v).toEqual({ ts: Date.parse('2026-11-19T01:02:03.250Z'), lat: 26.50012, lon: 106.70001, acc: 30 });
    expect(fastPing({ ...r, accuracy_m: '' }, NOW, oldest, v) && Number.isNaN(v.acc)).toBe(true);
    expect(agrees(r)).toBe(true);
  });

  it.each([
    ['+86 138-0000-0000', '2026-11-19T01:02:03Z', '26.5', '106.7', ''],
    ['12345678901', '2026-11-19T01:02:03Z', '26.5', '106.7', ''],
    ['13800000000', '2026-02-30T01:02:03Z', '26.5', '106.7', ''],
    ['13800000000', '2026-11-19T24:00:00Z', '26.5', '106.7', ''],
    ['13800000000', '2026-11-19T09:02:03+08:00', '26.5', '106.7', ''],
    ['13800000000', '1763514123', '26.5', '106.7', ''],
    ['13800000000', '2026-10-01T01:02:03Z', '26.5', '106.7', ''],
    ['13800000000', '2026-11-21T01:02:03Z', '26.5', '106.7', ''],
    ['13800000000', '2026-11-19T01:02:03Z', '95', '106.7', ''],
    ['13800000000', '2026-11-19T01:02:03Z', '', '106.7', ''],
    ['13800000000', '2026-11-19T01:02:03Z', 'x', '106.7', ''],
    ['13800000000', '2026-11-19T01:02:03Z', '26.5', 'Infinity', ''],
    ['13800000000', '2026-11-19T01:02:03Z', '26.5', '106.7', '-1'],
    ['13800000000', '2026-11-19T01:02:03.5Z', '26.5', '106.7', ''],
  ])('declines %s %s %s %s %s (checkPing decides)', (phone, ts, lat, lon, acc) => {
    expect(fastPing({ phone, ts, lat, lon, accuracy_m: acc }, NOW, oldest, v)).toBe(false);
  });

  it('never disagrees with checkPing', () => {
    const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
    const ts = fc.oneof(
      fc.integer({ min: NOW - 25 * 86400_000, max: NOW + 86400_000 }).map((t) => new Date(t).toISOString()),
      fc
        .integer({ min: NOW - 25 * 86400_000, max: NOW + 86400_000 })
        .map((t) => new Date(t).toISOString().replace('.000', '').replace(/\.\d+/, '')),
      fc
        .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2))
        .map(([y, mo, d, h, mi, s]) => `${y}-${mo}-${d}T${h}:${mi}:${s}Z`),
      fc.string(),
    );
    const num = fc.oneof(
      fc.double({ min: -200, max: 200, noNaN: true }).map(String),
      fc.integer({ min: -200, max: 200 }).map(String),
      fc.constantFrom('', ' 1', '1e1', '0x10', '-0', 'NaN'),
    );
    const phone = fc.oneof(
      digits(11),
      fc.constantFrom('13800000000', '19912345678', '1380000000', '+8613800000000'),
    );
    fc.assert(
      fc.property(phone, ts, num, num, num, (p, t, la, lo, a) =>
        agrees({ phone: p, ts: t, lat: la, lon: lo, accuracy_m: a }),
      ),
      { numRuns: 3000 },
    );
  });

  it('isoUtcMs reads exactly the instants Date.parse reads, and nothing past the calendar', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4102444800000 }),
        (t) => isoUtcMs(new Date(t).toISOString()) === t,
      ),
    );
    expect(isoUtcMs('2024-02-29T00:00:00Z')).toBe(Date.parse('2024-02-29T00:00:00Z'));
    expect(isoUtcMs('2026-02-29T00:00:00Z')).toBeNaN();
    expect(isoUtcMs('2026-04-31T00:00:00Z')).toBeNaN();
    expect(isoUtcMs('2026-11-19T01:02:60Z')).toBeNaN();
  });
});
