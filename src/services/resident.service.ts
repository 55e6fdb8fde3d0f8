/**
 * Residents from the identity registry (公安户籍): validated, then stored with the document number
 * as a keyed hash plus ciphertext and the name, phone, address and birth date encrypted
 * (docs/DESIGN.md §11); the plain columns (mask, county, birth year, sex) can't rebuild the number
 * (docs/SECURITY.md §Personal data at rest).
 */
import crypto from 'node:crypto';
import { validateDocument, type DocError } from '../domain/document-number.ts';
import { maskDocument, maskName, normalisePhone } from '../domain/mask.ts';
import { docLookupInput, phoneLookupInput } from '../domain/lookup-input.ts';
import { regionLabel } from '../domain/regions.ts';
import { newCodeSubject } from '../domain/token/subject.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { NewPersonRow, PersonRegistry, PersonRow } from '../ports/person-store.port.ts';
import type { Secrets } from '../ports/secrets.port.ts';

export interface PersonInput {
  docType: number;
  docNumber: string;
  name: string;
  sex?: 'M' | 'F' | null;
  birthDate?: string | null;
  phone?: string | null;
  regionCode?: string | null;
  address?: string | null;
  guardianId?: number | null;
  source?: string;
  sourceRecordId?: string | null;
}

export type PersonError =
  | DocError
  | 'PERSON_NAME_MISSING'
  | 'PERSON_BAD_PHONE'
  | 'PERSON_BAD_SEX'
  | 'PERSON_BAD_BIRTH_DATE'
  | 'PERSON_BIRTH_DATE_MISMATCH'
  | 'PERSON_BAD_REGION';

export type PersonCheck =
  | { ok: true; row: Omit<NewPersonRow, 'codeSubject'> }
  | { ok: false; code: PersonError; field: string; message: string };

export class ResidentService {
  constructor(
    private readonly persons: PersonRegistry,
    private readonly secrets: Secrets,
    private readonly clock: Clock,
  ) {}

  /** Validates one registry record into a storable row; a value, never a throw (bulk imports). */
  check(input: PersonInput): PersonCheck {
    const today = new Date(this.clock.now()).toISOString().slice(0, 10);
    const doc = validateDocument(input.docType, input.docNumber, today);
    if (!doc.ok)
      return {
        ok: false,
        code: doc.code,
        field: input.docType !== undefined && doc.code === 'DOC_UNKNOWN_TYPE' ? 'doc_type' : 'doc_number',
        message: doc.message,
      };
    const name = (input.name ?? '').trim();
    if (!name || name.length > 64)
      return {
        ok: false,
        code: 'PERSON_NAME_MISSING',
        field: 'name',
        message: 'name is missing or longer than 64 characters',
      };
    let phone: string | null = null;
    if (input.phone) {
      phone = normalisePhone(input.phone) ?? null;
      if (!phone)
        return {
          ok: false,
          code: 'PERSON_BAD_PHONE',
          field: 'phone',
          message: 'phone must be a mainland mobile number',
        };
    }
    const sex = input.sex ?? (doc.ok && 'sex' in doc ? doc.sex : null) ?? null;
    if (sex !== null && sex !== 'M' && sex !== 'F')
      return { ok: false, code: 'PERSON_BAD_SEX', field: 'sex', message: 'sex must be M or F' };
    let birthDate = input.birthDate ?? doc.birthDate ?? null;
    if (birthDate !== null) {
      if (
        !/^\d{4}-\d{2}-\d{2}$/.test(birthDate) ||
        Number.isNaN(Date.parse(birthDate)) ||
        new Date(birthDate).toISOString().slice(0, 10) !== birthDate ||
        birthDate > today
      ) {
        return {
          ok: false,
          code: 'PERSON_BAD_BIRTH_DATE',
          field: 'birth_date',
          message: 'birth date must be a real past date YYYY-MM-DD',
        };
      }
      if (doc.birthDate && doc.birthDate !== birthDate) {
        return {
          ok: false,
          code: 'PERSON_BIRTH_DATE_MISMATCH',
          field: 'birth_date',
          message: 'birth date differs from the one in the ID number',
        };
      }
    } else birthDate = null;
    const regionCode = input.regionCode ?? doc.regionCode ?? null;
    if (regionCode !== null && (!/^\d{6}$/.test(regionCode) || regionLabel(regionCode) === undefined)) {
      return {
        ok: false,
        code: 'PERSON_BAD_REGION',
        field: 'region_code',
        message: 'region code must be a GB/T 2260 six-digit code',
      };
    }
    return {
      ok: true,
      row: {
        docType: doc.docType,
        docHash: this.docHash(doc.docType, doc.number),
        docEnc: this.secrets.encrypt(doc.number),
        docMasked: maskDocument(doc.number),
        nameEnc: this.secrets.encrypt(name),
        nameMasked: maskName(name),
        sex,
        birthYear: birthDate ? Number(birthDate.slice(0, 4)) : null,
        birthEnc: birthDate ? this.secrets.encrypt(birthDate) : null,
        phoneHash: phone ? this.phoneHash(phone) : null,
        phoneEnc: phone ? this.secrets.encrypt(phone) : null,
        regionCode,
        addressEnc: input.address ? this.secrets.encrypt(input.address) : null,
        guardianId: input.guardianId ?? null,
        source: input.source ?? 'registry',
        sourceRecordId: input.sourceRecordId ?? null,
      },
    };
  }

  /** Registers one resident (idempotent on the document). */
  async register(
    input: PersonInput,
  ): Promise<{ ok: true; id: number; created: boolean } | Extract<PersonCheck, { ok: false }>> {
    const c = this.check(input);
    if (!c.ok) return c;
    const r = await this.persons.insert({ ...c.row, codeSubject: newCodeSubject(crypto.randomBytes(12)) });
    return { ok: true, ...r };
  }

  /** The person id for a document, if registered. */
  async findByDocument(docType: number, docNumber: string): Promise<number | undefined> {
    const doc = validateDocument(docType, docNumber);
    const number = doc.ok ? doc.number : docNumber.trim().toUpperCase();
    return this.persons.idsByDocHash(docType, this.docHash(docType, number));
  }

  /** The keyed lookup hash of a document (never the number itself). */
  docHash(docType: number, number: string): Buffer {
    return this.secrets.lookupHash(docLookupInput(docType, number));
  }

  /** The keyed lookup hash of a normalised phone number. */
  phoneHash(phone: string): Buffer {
    return this.secrets.lookupHash(phoneLookupInput(phone));
  }

  /** Decrypted profile for the resident themself (or an audited officer read). */
  async profile(personId: number): Promise<ResidentProfile | undefined> {
    const p = await this.persons.byId(personId);
    if (!p) return undefined;
    return {
      id: p.id,
      name: this.secrets.decryptText(p.name_enc),
      maskedName: p.name_masked,
      docType: p.doc_type,
      docMasked: p.doc_masked,
      sex: p.sex,
      birthDate: this.birthDateOf(p),
      phone: p.phone_enc ? this.secrets.decryptText(p.phone_enc) : null,
      regionCode: p.region_code,
      regionName: p.region_code ? (regionLabel(p.region_code) ?? null) : null,
      address: p.address_enc ? this.secrets.decryptText(p.address_enc) : null,
      guardianId: p.guardian_id,
    };
  }

  /** The full birth date from its ciphertext, or for rows stored before it was kept, from the resident ID. */
  private birthDateOf(p: PersonRow): string | null {
    if (p.birth_enc) return this.secrets.decryptText(p.birth_enc);
    if (p.doc_type !== 10) return null;
    const doc = validateDocument(10, this.secrets.decryptText(p.doc_enc));
    return doc.ok ? (doc.birthDate ?? null) : null;
  }
}

export interface ResidentProfile {
  id: number;
  name: string;
  maskedName: string;
  docType: number;
  docMasked: string;
  sex: string | null;
  birthDate: string | null;
  phone: string | null;
  regionCode: string | null;
  regionName: string | null;
  address: string | null;
  guardianId: number | null;
}
