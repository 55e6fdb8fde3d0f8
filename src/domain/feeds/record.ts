/**
 * Feed records (docs/DESIGN.md §5): one row of a CSV file, one NDJSON line, one API body or one
 * stream message, as loose key/value data before validation. Pure helpers shared by the per-feed
 * validators; every bad value becomes a RowProblem with a stable code, never a throw.
 */
import { validateDocument, type DocError } from '../document-number.ts';
import { findInputProblem } from '../input.ts';
import { normalisePhone } from '../mask.ts';

export type RawRecord = Record<string, unknown>;

/** Stable row codes. Document problems keep their DOC_* code and fall in group ROW_INVALID_DOCUMENT. */
export type RowCode =
  | 'ROW_MISSING_FIELD'
  | 'ROW_BAD_VALUE'
  | 'ROW_BAD_TIME'
  | 'ROW_BAD_JSON'
  | 'ROW_BAD_CSV'
  | 'ROW_UNKNOWN_PERSON'
  | 'ROW_OUT_OF_WINDOW'
  | 'ROW_BAD_PHONE'
  | DocError
  | (string & {});

export type RowGroup =
  'ROW_INVALID_DOCUMENT' | 'ROW_INVALID_PERSON' | 'ROW_INVALID' | 'ROW_UNREADABLE' | 'ROW_UNKNOWN_PERSON';

export interface RowProblem {
  field: string;
  code: RowCode;
  message: string;
}

/** A rejected row as reported to the operator (`--errors out.ndjson`, API 422 details). */
export interface RowError extends RowProblem {
  line: number;
  group: RowGroup;
  sourceId?: string;
}

/** A row as a reader gives it: a record with its line, or a line it could not read (bad CSV or JSON). */
export type ReadItem = { line: number; record: RawRecord } | { line: number; problem: RowProblem };

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: RowProblem };

export const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
export const bad = (field: string, code: RowCode, message: string): { ok: false; problem: RowProblem } => ({
  ok: false,
  problem: { field, code, message },
});

/** The group a code belongs to, so operators can filter by kind of problem. */
export function groupOf(code: RowCode): RowGroup {
  if (code.startsWith('DOC_')) return 'ROW_INVALID_DOCUMENT';
  if (code.startsWith('PERSON_')) return 'ROW_INVALID_PERSON';
  if (code === 'ROW_BAD_JSON' || code === 'ROW_BAD_CSV') return 'ROW_UNREADABLE';
  if (code === 'ROW_UNKNOWN_PERSON') return 'ROW_UNKNOWN_PERSON';
  return 'ROW_INVALID';
}

/** A row problem as reported, with its line and group (and the row's source id when it has one). */
export function rowError(line: number, p: RowProblem, sourceId?: unknown): RowError {
  const e: RowError = { line, field: p.field, code: p.code, group: groupOf(p.code), message: p.message };
  if (typeof sourceId === 'string' && sourceId !== '') e.sourceId = sourceId;
  else if (typeof sourceId === 'number') e.sourceId = String(sourceId);
  return e;
}

/** camelCase keys to snake_case, so NDJSON producers may use either (sourceId → source_id). */
export function normaliseKeys(r: RawRecord): RawRecord {
  // Bulk files mostly come with snake_case headers already: such a record is returned as it is
  // (no copy per row, the records are only read).
  if (!hasUpperCaseKey(r)) return r;
  const out: RawRecord = {};
  for (const [k, v] of Object.entries(r)) out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
  return out;
}

function hasUpperCaseKey(r: RawRecord): boolean {
  for (const k in r) {
    for (let i = 0; i < k.length; i++) {
      const c = k.charCodeAt(i);
      if (c >= 65 && c <= 90) return true;
    }
  }
  return false;
}

/**
 * The first value of a row no field may hold (src/domain/input.ts: NUL, a lone surrogate, U+FFFD
 * of invalid UTF-8, overlong text, a non-finite or unsafe number), as the row's problem; checked
 * before the feed's own checks so such a value never reaches a repository.
 */
export function recordProblem(r: RawRecord): RowProblem | undefined {
  const p = findInputProblem(r);
  if (!p) return undefined;
  const field = p.path.split('/')[1] ?? '';
  return { field, code: p.code, message: `${field || 'row'}: ${p.message}` };
}

/** A trimmed string field; empty and absent are both undefined. */
export function text(r: RawRecord, key: string): string | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  const s = (
    typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : ''
  ).trim();
  return s === '' ? undefined : s;
}

export function required(r: RawRecord, key: string, maxLength = 200): Checked<string> {
  const s = text(r, key);
  if (s === undefined) return bad(key, 'ROW_MISSING_FIELD', `${key} is required`);
  if (s.length > maxLength) return bad(key, 'ROW_BAD_VALUE', `${key} is longer than ${maxLength} characters`);
  return ok(s);
}

export function sourceIdOf(r: RawRecord): Checked<string> {
  const s = required(r, 'source_id', 128);
  if (!s.ok) return s;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u001f]/.test(s.value))
    return bad('source_id', 'ROW_BAD_VALUE', 'source_id has control characters');
  return s;
}

/**
 * A moment as epoch ms: ISO 8601 (without an offset: China Standard Time, +08:00), or epoch
 * seconds / milliseconds as a number or digits (below 1e11 means seconds).
 */
export function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number')
    return Number.isFinite(v) ? (Math.abs(v) < 1e11 ? Math.round(v * 1000) : Math.round(v)) : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s === '') return undefined;
  // Fast path for the common UTC form 2026-11-19T01:02:03(.sss)Z (carrier files: millions of rows).
  if (
    s.length >= 20 &&
    s.length <= 24 &&
    s.charCodeAt(s.length - 1) === 90 &&
    s.charCodeAt(10) === 84 &&
    s.charCodeAt(4) === 45
  ) {
    const t = Date.parse(s);
    if (Number.isFinite(t)) {
      const day = (s.charCodeAt(8) - 48) * 10 + (s.charCodeAt(9) - 48);
      return new Date(t).getUTCDate() === day ? t : undefined;
    }
  }
  if (/^-?\d+(\.\d+)?$/.test(s)) return parseTime(Number(s));
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', se = '00', frac = '', zone] = m;
  const tz =
    zone === undefined
      ? '+08:00'
      : zone === 'Z'
        ? 'Z'
        : zone.includes(':')
          ? zone
          : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const dim = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
  if (
    Number(mo) < 1 ||
    Number(mo) > 12 ||
    Number(d) < 1 ||
    Number(d) > dim ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(se) > 59
  )
    return undefined;
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${se}${frac}${tz}`);
  if (!Number.isFinite(t)) return undefined;
  return t;
}

/**
 * The earliest event time a feed may carry (2019-12-01 UTC): nothing the platform records happened
 * before the epidemic, so an earlier year (0001, 1900, an epoch-zero default) is a data error.
 */
export const EARLIEST_EVENT_MS = Date.UTC(2019, 11, 1);

export function timeField(
  r: RawRecord,
  key: string,
  opts: { required?: boolean; now?: number; maxFutureMs?: number } = {},
): Checked<number | undefined> {
  const raw = r[key];
  if (raw === undefined || raw === null || raw === '') {
    return opts.required ? bad(key, 'ROW_MISSING_FIELD', `${key} is required`) : ok(undefined);
  }
  const t = parseTime(raw);
  if (t === undefined) return bad(key, 'ROW_BAD_TIME', `${key} must be ISO 8601 or epoch seconds`);
  if (t < EARLIEST_EVENT_MS) return bad(key, 'ROW_BAD_TIME', `${key} is before 2019-12-01`);
  if (opts.now !== undefined && t > opts.now + (opts.maxFutureMs ?? 10 * 60_000)) {
    return bad(key, 'ROW_BAD_TIME', `${key} is in the future`);
  }
  return ok(t);
}

export function numberField(
  r: RawRecord,
  key: string,
  min: number,
  max: number,
  opts: { required?: boolean; integer?: boolean } = {},
): Checked<number | undefined> {
  const raw = r[key];
  if (raw === undefined || raw === null || raw === '') {
    return opts.required ? bad(key, 'ROW_MISSING_FIELD', `${key} is required`) : ok(undefined);
  }
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
  if (!Number.isFinite(n) || n < min || n > max || (opts.integer && !Number.isInteger(n))) {
    return bad(
      key,
      'ROW_BAD_VALUE',
      `${key} must be a ${opts.integer ? 'whole ' : ''}number from ${min} to ${max}`,
    );
  }
  return ok(n);
}

export function oneOf<T extends string>(
  r: RawRecord,
  key: string,
  values: readonly T[],
  dflt?: T,
): Checked<T> {
  const s = text(r, key);
  if (s === undefined)
    return dflt === undefined ? bad(key, 'ROW_MISSING_FIELD', `${key} is required`) : ok(dflt);
  const v = s.toLowerCase().replace(/-/g, '_');
  if (!(values as readonly string[]).includes(v))
    return bad(key, 'ROW_BAD_VALUE', `${key} must be one of ${values.join(', ')}`);
  return ok(v as T);
}

/** How a feed names a person: by document (doc_type + doc_number) or by mobile phone (carriers). */
export type PersonRef =
  { kind: 'document'; docType: number; number: string } | { kind: 'phone'; phone: string };

export function personRefKey(p: PersonRef): string {
  return p.kind === 'document' ? `d:${p.docType}:${p.number}` : `p:${p.phone}`;
}

/**
 * The person a record is about: `doc_type` + `doc_number`, else `phone`, else `person_ref`
 * ("10:520102…" or "doc:10:520102…" is a document, an 11-digit mobile number a phone).
 */
export function personRefOf(r: RawRecord, today?: string): Checked<PersonRef> {
  const docNumber = text(r, 'doc_number');
  if (docNumber !== undefined || text(r, 'doc_type') !== undefined)
    return documentRef(text(r, 'doc_type'), docNumber, 'doc_type', 'doc_number', today);
  const phone = text(r, 'phone');
  if (phone !== undefined) {
    const p = normalisePhone(phone);
    return p
      ? ok({ kind: 'phone', phone: p })
      : bad('phone', 'ROW_BAD_PHONE', 'phone must be a mainland mobile number');
  }
  const ref = text(r, 'person_ref');
  if (ref === undefined)
    return bad('person_ref', 'ROW_MISSING_FIELD', 'doc_type + doc_number, phone or person_ref is required');
  const doc = /^(?:doc:)?(\d{2}):(.+)$/.exec(ref);
  if (doc) return documentRef(doc[1], doc[2], 'person_ref', 'person_ref', today);
  const p = normalisePhone(ref.replace(/^phone:/, ''));
  return p
    ? ok({ kind: 'phone', phone: p })
    : bad('person_ref', 'ROW_BAD_VALUE', 'person_ref must be "<doc_type>:<doc_number>" or a mobile number');
}

function documentRef(
  type: string | undefined,
  number: string | undefined,
  typeField: string,
  numberField: string,
  today?: string,
): Checked<PersonRef> {
  if (type === undefined) return bad(typeField, 'ROW_MISSING_FIELD', 'doc_type is required with doc_number');
  if (number === undefined)
    return bad(numberField, 'ROW_MISSING_FIELD', 'doc_number is required with doc_type');
  const d = validateDocument(/^\d+$/.test(type) ? Number(type) : type, number, today);
  if (!d.ok) return bad(d.code === 'DOC_UNKNOWN_TYPE' ? typeField : numberField, d.code, d.message);
  return ok({ kind: 'document', docType: d.docType, number: d.number });
}
