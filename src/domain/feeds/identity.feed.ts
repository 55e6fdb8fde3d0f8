/** Identity registry rows (公安户籍, docs/DESIGN.md §5): the shape checks before ResidentService.check. */
import { bad, ok, required, sourceIdOf, text, type Checked, type RawRecord } from './record.ts';

/** CSV header the identity feed needs at least (extra columns are ignored). */
export const PERSON_COLUMNS = [
  'source_id',
  'doc_type',
  'doc_number',
  'name',
  'sex',
  'birth_date',
  'phone',
  'region_code',
  'address',
] as const;

export interface PersonRecord {
  sourceId: string;
  docType: number;
  docNumber: string;
  name: string;
  sex: 'M' | 'F' | null;
  birthDate: string | null;
  phone: string | null;
  regionCode: string | null;
  address: string | null;
}

/** Required fields and simple shapes; document, dates and region are checked by ResidentService.check. */
export function checkPersonRecord(r: RawRecord): Checked<PersonRecord> {
  const sourceId = sourceIdOf(r);
  if (!sourceId.ok) return sourceId;
  const docType = required(r, 'doc_type', 4);
  if (!docType.ok) return docType;
  if (!/^\d{1,3}$/.test(docType.value))
    return bad('doc_type', 'DOC_UNKNOWN_TYPE', `unknown document type ${docType.value}`);
  const docNumber = required(r, 'doc_number', 32);
  if (!docNumber.ok) return docNumber;
  const name = required(r, 'name', 64);
  if (!name.ok) return name;
  const sex = text(r, 'sex');
  if (sex !== undefined && sex !== 'M' && sex !== 'F')
    return bad('sex', 'PERSON_BAD_SEX', 'sex must be M or F');
  const address = text(r, 'address');
  if (address !== undefined && address.length > 200)
    return bad('address', 'ROW_BAD_VALUE', 'address is longer than 200 characters');
  return ok({
    sourceId: sourceId.value,
    docType: Number(docType.value),
    docNumber: docNumber.value,
    name: name.value,
    sex: sex ?? null,
    birthDate: text(r, 'birth_date') ?? null,
    phone: text(r, 'phone') ?? null,
    regionCode: text(r, 'region_code') ?? null,
    address: address ?? null,
  });
}
