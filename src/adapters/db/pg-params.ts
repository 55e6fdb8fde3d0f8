/**
 * Parameters of bulk statements in the shapes that are cheap on both sides.
 *
 * Array parameters are written as one PostgreSQL array literal. The pg driver turns a JS array into a
 * literal by quoting and escaping every element (a regular expression per element), which showed
 * up in bulk feeds' profiles; integers and hex digests need neither, so they are joined as they are.
 * Works alike on PostgreSQL and PGlite (the parameter is text cast by the statement, `$1::bigint[]`).
 */

/** `{1,2,3}` for integer ids (safe: numbers only). */
export function intArray(values: readonly number[]): string {
  for (const v of values) if (!Number.isSafeInteger(v)) throw new TypeError(`not an integer id: ${String(v)}`);
  return `{${values.join(',')}}`;
}

/** `{1.5,NULL,…}` for finite numbers or nulls. */
export function numArray(values: ReadonlyArray<number | null>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (Number.isFinite(v)) out += String(v);
    else throw new TypeError(`not a finite number: ${String(v)}`);
  }
  return out + '}';
}

/**
 * `{"a","b \"c\"",NULL}` for strings or nulls: every element quoted, and only elements holding a
 * quote or a backslash pay for escaping (one test per element instead of two replacements).
 */
export function textArray(values: ReadonlyArray<string | null>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else out += NEEDS_ESCAPE.test(v) ? `"${v.replace(/[\\"]/g, '\\$&')}"` : `"${v}"`;
  }
  return out + '}';
}
const NEEDS_ESCAPE = /[\\"]/;

/**
 * `{"[1,\\"a\\"]",NULL,…}` for values to store as jsonb (`$1::jsonb[]`), built natively: the JSON text
 * of each value is itself written as a JSON string, whose escapes (`\\"`, `\\\\`) are exactly the array
 * literal's. That holds because JSON text contains no raw control characters or lone surrogates
 * (JSON.stringify escapes them), the characters JSON would escape differently. null is SQL NULL.
 */
export function jsonbArray(values: readonly unknown[]): string {
  const texts = values.map((v) => (v === null || v === undefined ? null : JSON.stringify(v)));
  const j = JSON.stringify(texts);
  return `{${j.slice(1, -1)}}`;
}

/** `{t,f,NULL}` for booleans or nulls. */
export function boolArray(values: ReadonlyArray<boolean | null>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    out += v === null || v === undefined ? 'NULL' : v ? 't' : 'f';
  }
  return out + '}';
}

/** `{ab01,…}` for lowercase hex strings (safe: [0-9a-f] only). */
export function hexArray(values: readonly string[]): string {
  for (const v of values) if (!/^[0-9a-f]*$/.test(v)) throw new TypeError('not a hex string');
  return `{${values.join(',')}}`;
}

/**
 * SQL turning epoch milliseconds (a float8 expression, e.g. a JSON field) into timestamptz: far
 * cheaper for the server than parsing timestamp text, and no toISOString on the client. Exact for
 * whole milliseconds (to_timestamp rounds to microseconds). NULL stays NULL.
 */
export const TS = (ms: string): string => `to_timestamp(${ms} / 1000.0)`;
