/**
 * Identity documents (docs/DESIGN.md §5): GB/T 38962-style type codes and the resident ID number
 * (GB 11643: region, birth date, sequence, ISO 7064 MOD 11-2 check character).
 */
import { isKnownProvince } from './regions.ts';

export const DOC_TYPES = {
  10: { zh: '居民身份证', en: 'Resident identity card' },
  14: { zh: '港澳居民来往内地通行证', en: 'Hong Kong/Macao permit' },
  15: { zh: '台湾居民来往大陆通行证', en: 'Taiwan permit' },
  20: { zh: '护照', en: 'Passport' },
  34: { zh: '外国人永久居留身份证', en: 'Foreigner permanent residence card' },
  99: { zh: '其他', en: 'Other' },
} as const;
export type DocType = keyof typeof DOC_TYPES;

export function isDocType(n: unknown): n is DocType {
  return typeof n === 'number' && Object.prototype.hasOwnProperty.call(DOC_TYPES, n);
}

export type DocError =
  | 'DOC_UNKNOWN_TYPE'
  | 'DOC_EMPTY'
  | 'DOC_BAD_FORMAT'
  | 'DOC_BAD_REGION'
  | 'DOC_BAD_BIRTH_DATE'
  | 'DOC_BAD_CHECK_CHARACTER';

export type DocResult =
  | { ok: true; docType: DocType; number: string; birthDate?: string; sex?: 'M' | 'F'; regionCode?: string }
  | { ok: false; code: DocError; message: string };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/** ISO 7064 MOD 11-2 check character of the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * (WEIGHTS[i] as number);
  return CHECK_CHARS[sum % 11] as string;
}

function validBirthDate(yyyymmdd: string, today: string | undefined): string | undefined {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1850 || m < 1 || m > 12 || d < 1) return undefined;
  const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > dim) return undefined;
  const iso = `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
  if (today !== undefined && iso > today) return undefined;
  return iso;
}

/**
 * Validates a document; `today` (YYYY-MM-DD) rejects birth dates in the future. The number is
 * normalised (trimmed, upper case) before checking.
 */
export function validateDocument(docType: unknown, raw: unknown, today?: string): DocResult {
  if (!isDocType(docType))
    return { ok: false, code: 'DOC_UNKNOWN_TYPE', message: `unknown document type ${String(docType)}` };
  const number = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
  if (number === '') return { ok: false, code: 'DOC_EMPTY', message: 'document number is missing' };
  if (docType !== 10) {
    if (!/^[A-Z0-9]{5,20}$/.test(number)) {
      return { ok: false, code: 'DOC_BAD_FORMAT', message: 'document number must be 5–20 letters or digits' };
    }
    return { ok: true, docType, number };
  }
  if (!/^\d{17}[\dX]$/.test(number)) {
    return { ok: false, code: 'DOC_BAD_FORMAT', message: 'resident ID must be 17 digits and a digit or X' };
  }
  if (!isKnownProvince(number.slice(0, 2))) {
    return { ok: false, code: 'DOC_BAD_REGION', message: `unknown region code ${number.slice(0, 6)}` };
  }
  const birthDate = validBirthDate(number.slice(6, 14), today);
  if (!birthDate) {
    return { ok: false, code: 'DOC_BAD_BIRTH_DATE', message: `impossible birth date ${number.slice(6, 14)}` };
  }
  if (residentIdCheckChar(number) !== number[17]) {
    return {
      ok: false,
      code: 'DOC_BAD_CHECK_CHARACTER',
      message: 'check character does not match (ISO 7064 MOD 11-2)',
    };
  }
  const sex = Number(number[16]) % 2 === 1 ? 'M' : 'F';
  return { ok: true, docType, number, birthDate, sex, regionCode: number.slice(0, 6) };
}

/** Builds a valid resident ID (seeding and tests). */
export function makeResidentId(region6: string, birthYYYYMMDD: string, seq3: number, male: boolean): string {
  let s = seq3 % 1000;
  if ((s % 2 === 1) !== male) s = (s + 1) % 1000;
  const first17 = region6 + birthYYYYMMDD + String(s).padStart(3, '0');
  return first17 + residentIdCheckChar(first17);
}
