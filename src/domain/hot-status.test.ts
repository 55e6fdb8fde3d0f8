import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeHotStatus,
  decodeStatusVersion,
  encodeHotStatus,
  encodeStatusVersion,
  MAX_VERSION_PART,
  type HotStatus,
} from './hot-status.ts';
import { compareStatusVersions, type StatusVersion } from './status.ts';

const green = (o: Partial<HotStatus> = {}): HotStatus => ({
  sub: 'q8ZxWn3kL0aB9cDe', // 12 random bytes, base64url: what newCodeSubject gives
  colour5: 0,
  vaccineDoses: 3,
  lastNegativeTestDay: 20_603,
  maskedName: '欧**娜',
  reasons: [],
  nextReviewAt: 0,
  // a fact id in the tens of millions, a few facts, a recent time in ms
  version: { factVersion: 40_000_000, factCount: 5, policySeq: 2, computedAt: 1_795_000_000_000 },
  ...o,
});
const part = fc.integer({ min: 0, max: MAX_VERSION_PART });
const version = fc.record({ factVersion: part, factCount: part, policySeq: part, computedAt: part });

describe('hot status encoding', () => {
  it('keeps a typical green resident within Redis’s 64-byte listpack value (bench/results/status-memory.md)', () => {
    const s = encodeHotStatus(green());
    expect(Buffer.byteLength(s)).toBeLessThanOrEqual(64);
    expect(JSON.parse(s)).toEqual(['q8ZxWn3kL0aB9cDe', 0, 3, 20_603, '欧**娜', 'ntc74.5.2.mwm0nk74']);
  });

  it('round-trips every status exactly, with or without reasons and review time', () => {
    const reasons = fc.array(
      fc.oneof(
        fc.tuple(fc.string(), fc.nat(), fc.nat()),
        fc.tuple(fc.string(), fc.nat(), fc.nat(), fc.array(fc.string(), { minLength: 1 })),
      ),
      { maxLength: 3 },
    );
    fc.assert(
      fc.property(version, reasons, fc.nat(), fc.option(fc.nat()), (v, r, review, day) => {
        const h = green({ version: v, reasons: r, nextReviewAt: review, lastNegativeTestDay: day });
        expect(decodeHotStatus(encodeHotStatus(h))).toEqual(h);
      }),
    );
  });

  it('orders encoded versions exactly as the versions (no part rounded)', () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        const da = decodeStatusVersion(encodeStatusVersion(a)) as StatusVersion;
        const db = decodeStatusVersion(encodeStatusVersion(b)) as StatusVersion;
        expect(Math.sign(compareStatusVersions(da, db))).toBe(Math.sign(compareStatusVersions(a, b)));
      }),
    );
    // a millisecond apart at today's magnitudes still differs
    const t = { factVersion: 2 ** 40, factCount: 9, policySeq: 7, computedAt: 1_795_000_000_001 };
    expect(decodeStatusVersion(encodeStatusVersion(t))).toEqual(t);
    expect(encodeStatusVersion(t)).not.toBe(encodeStatusVersion({ ...t, computedAt: t.computedAt - 1 }));
  });

  it('refuses a version part that is not a whole number ≥ 0 instead of writing a lossy one', () => {
    for (const bad of [1.5, -1, Number.NaN, MAX_VERSION_PART + 1]) {
      expect(() =>
        encodeStatusVersion({ factVersion: 1, factCount: 1, policySeq: 1, computedAt: bad }),
      ).toThrow(RangeError);
    }
  });

  it('reads the earlier forms: version as the 8th element (with and without policy), and none', () => {
    const reasons = [['red.close_contact', 1_790_000_000, 0]];
    expect(
      decodeHotStatus(JSON.stringify(['s', 3, 1, -1, '张*', reasons, 1_791_000_000, [20, 3, 1000, 2]])),
    ).toEqual({
      sub: 's',
      colour5: 3,
      vaccineDoses: 1,
      lastNegativeTestDay: null,
      maskedName: '张*',
      reasons,
      nextReviewAt: 1_791_000_000,
      version: { factVersion: 20, factCount: 3, policySeq: 2, computedAt: 1000 },
    });
    expect(decodeHotStatus(JSON.stringify(['s', 0, 1, 5, '张*', [], 0, [20, 3, 1000]]))?.version).toEqual({
      factVersion: 20,
      factCount: 3,
      policySeq: 0,
      computedAt: 1000,
    });
    expect(decodeHotStatus(JSON.stringify(['s', 4, 0, -1, '张*', [], 0]))?.version).toEqual({
      factVersion: 0,
      factCount: 0,
      policySeq: 0,
      computedAt: 0,
    });
  });

  it('refuses what is not a hot status', () => {
    for (const s of [
      'not json',
      '{}',
      JSON.stringify(['s', 0, 1, -1, '张*']),
      JSON.stringify(['s', 9, 1, -1, '张*', '1.1.1.1']),
      JSON.stringify(['s', 0, 1, -1, '张*', '1.1.1']),
      JSON.stringify(['s', 0, 1, -1, '张*', '1.1.1.-1']),
      JSON.stringify(['s', 0, 1, -1, '张*', '1.1.1.A']),
      JSON.stringify(['s', 0, 1, -1, '张*', '1.1.1.12345678901']),
      JSON.stringify(['s', 0, 1, -1, '张*', []]),
    ])
      expect(decodeHotStatus(s), s).toBeUndefined();
  });
});
