import { describe, expect, it } from 'vitest';
import { ArrayIds, encodePingImage, isPingBinary, viewPingImage } from './ping-format.ts';

describe('HCPINGS1 format', () => {
  it('round-trips columns and ids, and finds ids by value', () => {
    const cols = {
      person: Uint32Array.from([1, 0, 2]),
      ts: Uint32Array.from([100, 50, 4294967295]),
      lat: Float64Array.from([26.1, -90, 0.123456789012]),
      lon: Float64Array.from([106.2, 180, -0.5]),
    };
    const img = encodePingImage(cols, new ArrayIds(['张三', 'b', 'c']));
    expect(isPingBinary(img)).toBe(true);
    const v = viewPingImage(img);
    expect([...v.person]).toEqual([1, 0, 2]);
    expect([...v.ts]).toEqual([100, 50, 4294967295]);
    expect([...v.lat]).toEqual([26.1, -90, 0.123456789012]);
    expect([...v.lon]).toEqual([106.2, 180, -0.5]);
    expect([v.ids.get(0), v.ids.get(1), v.ids.get(2)]).toEqual(['张三', 'b', 'c']);
    expect(v.ids.lookup(['c', '张三', 'zz'])).toEqual(
      new Map([
        ['c', 2],
        ['张三', 0],
      ]),
    );
  });

  it('rejects other bytes and truncated images', () => {
    expect(isPingBinary(new TextEncoder().encode('person_id,ts,lat,lon\n'))).toBe(false);
    const img = encodePingImage(
      { person: Uint32Array.of(0), ts: Uint32Array.of(1), lat: Float64Array.of(1), lon: Float64Array.of(2) },
      new ArrayIds(['a']),
    );
    expect(() => viewPingImage(img.subarray(0, img.length - 1))).toThrow(/truncated/);
  });
});
