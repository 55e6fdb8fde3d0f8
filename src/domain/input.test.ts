import { describe, expect, it } from 'vitest';
import { findInputProblem, numberProblem, textProblem } from './input.ts';

describe('input checks', () => {
  it.each([
    ['plain', undefined],
    ['张三 🀄 emoji pairs', undefined],
    ['a\u0000b', 'INPUT_NUL'],
    ['\ud800', 'INPUT_BAD_UNICODE'],
    ['x\udc00', 'INPUT_BAD_UNICODE'],
    ['\ud800x', 'INPUT_BAD_UNICODE'],
    ['bad \ufffd', 'INPUT_BAD_UNICODE'],
    ['x'.repeat(10_001), 'INPUT_TOO_LONG'],
  ])('text %j: %s', (s, code) => {
    expect(textProblem(s)?.code).toBe(code);
  });

  it.each([
    [0, undefined],
    [-1.5, undefined],
    [Number.MAX_SAFE_INTEGER, undefined],
    [Number.MAX_SAFE_INTEGER + 2, 'INPUT_OUT_OF_RANGE'],
    [1e308, 'INPUT_OUT_OF_RANGE'],
    [Infinity, 'INPUT_NOT_FINITE'],
    [NaN, 'INPUT_NOT_FINITE'],
  ])('number %s: %s', (n, code) => {
    expect(numberProblem(n)?.code).toBe(code);
  });

  it('finds the first problem with its path, keys included, and skips what it is told to', () => {
    expect(findInputProblem({ a: [1, { b: 'x\u0000' }] })).toMatchObject({
      path: '/a/1/b',
      code: 'INPUT_NUL',
    });
    expect(findInputProblem({ ['k\ud800']: 1 })).toMatchObject({ code: 'INPUT_BAD_UNICODE' });
    expect(findInputProblem({ rows: ['\u0000'], ok: 1 }, (p) => p === '/rows')).toBeUndefined();
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(findInputProblem(deep)?.code).toBe('INPUT_TOO_DEEP');
    expect(findInputProblem({ a: 'ok', b: [1, 2, null, true] })).toBeUndefined();
  });
});
