import { describe, expect, it } from 'vitest';
import { makeResidentId, residentIdCheckChar, validateDocument } from './document-number.ts';
import { maskDocument, maskName, maskPhone, normalisePhone } from './mask.ts';

describe('resident ID validation', () => {
  const valid = makeResidentId('520102', '19900307', 123, true);

  it('accepts a valid number and derives birth date, sex and region', () => {
    const r = validateDocument(10, valid, '2026-11-26');
    expect(r).toMatchObject({ ok: true, birthDate: '1990-03-07', sex: 'M', regionCode: '520102' });
  });

  it('computes the ISO 7064 MOD 11-2 check character (GB 11643 example)', () => {
    // Worked example from GB 11643-1999: 11010519491231002X
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
    expect(validateDocument(10, '11010519491231002x').ok).toBe(true);
  });

  it.each([
    [
      'wrong check character',
      valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0'),
      'DOC_BAD_CHECK_CHARACTER',
    ],
    ['impossible date 0230', makeResidentId('520102', '19900230', 1, true), 'DOC_BAD_BIRTH_DATE'],
    ['month 13', makeResidentId('520102', '19901301', 1, true), 'DOC_BAD_BIRTH_DATE'],
    ['unknown province', makeResidentId('990102', '19900101', 1, true), 'DOC_BAD_REGION'],
    ['too short', '52010219900307', 'DOC_BAD_FORMAT'],
    ['letters', '5201021990030712AB', 'DOC_BAD_FORMAT'],
    ['empty', '  ', 'DOC_EMPTY'],
  ])('rejects %s', (_label, number, code) => {
    expect(validateDocument(10, number)).toMatchObject({ ok: false, code });
  });

  it('rejects a birth date in the future relative to today', () => {
    expect(validateDocument(10, makeResidentId('520102', '20300101', 5, false), '2026-11-26')).toMatchObject({
      ok: false,
      code: 'DOC_BAD_BIRTH_DATE',
    });
  });

  it('accepts 29 February only in leap years', () => {
    expect(validateDocument(10, makeResidentId('520102', '20000229', 5, false)).ok).toBe(true);
    expect(validateDocument(10, makeResidentId('520102', '19000229', 5, false)).ok).toBe(false);
  });

  it('rejects unknown document types and checks other documents loosely', () => {
    expect(validateDocument(11, 'E12345678')).toMatchObject({ ok: false, code: 'DOC_UNKNOWN_TYPE' });
    expect(validateDocument(20, 'E12345678')).toMatchObject({ ok: true, number: 'E12345678' });
    expect(validateDocument(20, 'E1')).toMatchObject({ ok: false, code: 'DOC_BAD_FORMAT' });
  });
});

describe('masking', () => {
  it('masks names, documents and phones', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('张小三')).toBe('张*三');
    expect(maskName('欧阳娜娜')).toBe('欧**娜');
    expect(maskDocument('520102199003071234')).toBe('5****************4');
    expect(maskDocument('E12345678')).toBe('E*******8');
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
  it('normalises mainland mobile numbers', () => {
    expect(normalisePhone('+86 138-1234-5678')).toBe('13812345678');
    expect(normalisePhone('12345')).toBeUndefined();
  });
});
