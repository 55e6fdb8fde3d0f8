/**
 * What every value from outside must be before it reaches a service or the database, whatever the
 * route or feed: text without NUL, without lone UTF-16 surrogates and without U+FFFD (what a
 * decoder leaves of invalid UTF-8), of a bounded length; numbers finite and within the integers
 * JavaScript holds exactly (ids are bigint in the database, never beyond 2^53 − 1 here). The HTTP
 * edge (src/http/input-guard.ts) refuses a request with such a value (400), the feeds refuse the
 * row (a row error with its line), so good rows of a batch survive. Pure.
 */

/** Stable codes of bad input, at the HTTP edge and in row errors alike. */
export type InputCode =
  | 'INPUT_NUL'
  | 'INPUT_BAD_UNICODE'
  | 'INPUT_TOO_LONG'
  | 'INPUT_NOT_FINITE'
  | 'INPUT_OUT_OF_RANGE'
  | 'INPUT_TOO_DEEP';

export interface InputProblem {
  /** where the value is: a JSON pointer-like path (`/records/3/name`), '' for the whole value */
  path: string;
  code: InputCode;
  message: string;
}

/** Longest text accepted in any one field (a policy document's texts, a signed code, an address). */
export const MAX_TEXT_LENGTH = 10_000;
/** Deepest nesting accepted (the policy document and area geometries are the deepest, ~6). */
export const MAX_DEPTH = 32;

/** The problem of one text, or undefined when it is acceptable. */
export function textProblem(
  s: string,
  maxLength = MAX_TEXT_LENGTH,
): Pick<InputProblem, 'code' | 'message'> | undefined {
  if (s.length > maxLength)
    return { code: 'INPUT_TOO_LONG', message: `text longer than ${maxLength} characters` };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return { code: 'INPUT_NUL', message: 'text contains a NUL character (U+0000)' };
    if (c === 0xfffd)
      return {
        code: 'INPUT_BAD_UNICODE',
        message: 'text contains U+FFFD: the input was not valid UTF-8',
      };
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a proper surrogate pair: one character outside the BMP
        continue;
      }
      return { code: 'INPUT_BAD_UNICODE', message: 'text contains a lone UTF-16 surrogate' };
    }
  }
  return undefined;
}

/** The problem of one number, or undefined when it is acceptable. */
export function numberProblem(n: number): Pick<InputProblem, 'code' | 'message'> | undefined {
  if (!Number.isFinite(n)) return { code: 'INPUT_NOT_FINITE', message: 'number is not finite' };
  if (Math.abs(n) > Number.MAX_SAFE_INTEGER)
    return { code: 'INPUT_OUT_OF_RANGE', message: `number beyond ±${Number.MAX_SAFE_INTEGER}` };
  return undefined;
}

/**
 * The first problem anywhere in a parsed JSON value (object keys included), depth first, or
 * undefined. `skip(path)` leaves a subtree out (a batch's rows, which are checked row by row).
 */
export function findInputProblem(
  value: unknown,
  skip?: (path: string) => boolean,
  path = '',
  depth = 0,
): InputProblem | undefined {
  if (typeof value === 'string') {
    const p = textProblem(value);
    return p && { path, ...p };
  }
  if (typeof value === 'number') {
    const p = numberProblem(value);
    return p && { path, ...p };
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (skip?.(path)) return undefined;
  if (depth >= MAX_DEPTH)
    return { path, code: 'INPUT_TOO_DEEP', message: `nested deeper than ${MAX_DEPTH} levels` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = findInputProblem(value[i], skip, `${path}/${i}`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    const kp = textProblem(k, 200);
    if (kp) return { path: `${path}/${k.slice(0, 40)}`, ...kp };
    const p = findInputProblem(v, skip, `${path}/${k}`, depth + 1);
    if (p) return p;
  }
  return undefined;
}
