import { describe, expect, it } from 'vitest';
import { defaultGridOrigin, gridCell, gridSteps, METRES_PER_DEGREE } from './companion-grid.ts';
import { haversineMeters } from './haversine.ts';

const O = { lat: 26.647, lon: 106.6302 };

describe('grid formula (docs/DESIGN.md §6)', () => {
  it('uses s / 111195 for rows and s / (111195·cos lat₀) for columns', () => {
    const s = gridSteps(O, 800);
    expect(s.latStep).toBe(800 / 111195);
    expect(s.lonStep).toBe(800 / (111195 * Math.cos((26.647 * Math.PI) / 180)));
    expect(METRES_PER_DEGREE).toBe(111195);
    expect(s.lonStep).toBeCloseTo(0.0080495, 6);
  });

  it.each([
    [26.647, 106.6302, 0, 0],
    [26.647 + 0.0071, 106.6302 + 0.008, 0, 0],
    [26.647 + 0.0073, 106.6302 + 0.0081, 1, 1],
    [26.647 - 0.000001, 106.6302 - 0.000001, -1, -1],
    [26.647 + 10 * 0.0072, 106.6302 + 3 * 0.00805, 10, 3],
  ])('cell of (%d, %d) is row %d, col %d', (lat, lon, row, col) => {
    expect(gridCell(lat, lon, O, 800)).toEqual({ row, col });
  });

  it('cells are about s metres on each side', () => {
    const s = gridSteps(O, 800);
    expect(haversineMeters(O.lat, O.lon, O.lat + s.latStep, O.lon)).toBeCloseTo(800, 0);
    expect(haversineMeters(O.lat, O.lon, O.lat, O.lon + s.lonStep)).toBeCloseTo(800, 0);
  });

  it('the default origin is the minimum latitude and the minimum longitude', () => {
    expect(defaultGridOrigin([3, 1, 2], [5, 6, 4])).toEqual({ lat: 1, lon: 4 });
    expect(defaultGridOrigin([], [])).toEqual({ lat: 0, lon: 0 });
  });
});

describe('haversine', () => {
  it('matches a known distance and is zero for one point', () => {
    // One degree of latitude on a sphere of R = 6 371 008.8 m.
    expect(haversineMeters(0, 0, 1, 0)).toBeCloseTo((6371008.8 * Math.PI) / 180, 6);
    expect(haversineMeters(26.6, 106.6, 26.6, 106.6)).toBe(0);
  });
});
