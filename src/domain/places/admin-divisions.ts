/**
 * Admin-code risk areas (行政区划风险区): county (6-digit), street/township (9-digit, from the
 * generated GB/T 2260 data in domain/data) and community/village (12-digit) codes. Communities are accepted
 * when their street exists (village codes are not part of the data); their name comes from the
 * officer. Pure: data files are imported, nothing else.
 */
import { countyName, regionLabel, streetName } from '../regions.ts';

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
