import { describe, expect, it } from 'vitest';
import { itineraryCities } from './itinerary.ts';
import { nearestPrefecture } from './city-centroids.ts';
import { adminDivision } from './admin-divisions.ts';

const H = 3_600_000;
const NOW = Date.UTC(2026, 10, 26, 12);

describe('itinerary card rule', () => {
  it('a train to another city and 5 h there lists both cities, starred where asked', () => {
    const stays = [{ city: '5201', start: NOW - 30 * H, end: NOW - 8 * H }];
    const trips = [{ fromCity: '5201', toCity: '5203', departedAt: NOW - 7 * H, arrivedAt: NOW - 5 * H }];
    const cards = itineraryCities(stays, trips, NOW, new Set(['5203']));
    expect(cards.map((c) => [c.code, c.starred])).toEqual([
      ['5203', true],
      ['5201', false],
    ]);
    expect(cards[0]!.longestMs).toBe(5 * H);
  });

  it('a destination with less than 4 h since arrival is not (yet) listed', () => {
    const trips = [{ fromCity: '5201', toCity: '5203', departedAt: NOW - 5 * H, arrivedAt: NOW - 3 * H }];
    expect(itineraryCities([], trips, NOW, new Set())).toEqual([]);
  });

  it('a stay elsewhere ends the presence a trip opened', () => {
    const trips = [{ fromCity: '5201', toCity: '5203', departedAt: NOW - 50 * H, arrivedAt: NOW - 48 * H }];
    const stays = [{ city: '5201', start: NOW - 46 * H, end: NOW - 20 * H }];
    expect(itineraryCities(stays, trips, NOW, new Set()).map((c) => c.code)).toEqual(['5201']);
  });

  it('joins same-city stays across short gaps, not long ones, and clips to 14 days', () => {
    const stays = [
      { city: '5204', start: NOW - 10 * H, end: NOW - 8 * H },
      { city: '5204', start: NOW - 7 * H, end: NOW - 5 * H }, // 1 h gap: one 5 h visit
      { city: '5205', start: NOW - 40 * H, end: NOW - 38 * H },
      { city: '5205', start: NOW - 30 * H, end: NOW - 28 * H }, // 8 h gap: two 2 h visits
      { city: '5206', start: NOW - 15 * 24 * H, end: NOW - 14 * 24 * H + 3 * H }, // only 3 h inside
    ];
    expect(itineraryCities(stays, [], NOW, new Set()).map((c) => c.code)).toEqual(['5204']);
  });

  it('nearest-centroid lookup for stays without a region code', () => {
    expect(nearestPrefecture(26.58, 106.71)).toBe('5201');
    expect(nearestPrefecture(27.7, 106.9)).toBe('5203');
    expect(nearestPrefecture(0, 0)).toBeUndefined();
  });

  it('admin divisions: county, street, community', () => {
    expect(adminDivision('520102')).toMatchObject({ level: 'county', county: '520102' });
    const street = adminDivision('110101001');
    expect(street).toMatchObject({ level: 'street', county: '110101' });
    expect(street?.name).toContain('东华门街道');
    expect(adminDivision('110101001001')?.level).toBe('community');
    expect(adminDivision('520199')).toBeUndefined();
    expect(adminDivision('110101999')).toBeUndefined();
    expect(adminDivision('12ab')).toBeUndefined();
  });
});
