/** Binary COPY through the Database port (PGlite, or PostgreSQL with HC_TEST_SERVICES=1). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { BinaryCopyWriter, int8Bytes } from './binary-copy.ts';

describe('copyBinary', () => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestContext();
  });
  afterEach(async () => ctx.destroy());

  it('stores every field type as written, inside a transaction or not, all rows or none', async () => {
    await ctx.db.query('CREATE TABLE bc (i bigint, t timestamptz, d float8, f real, s text, b bigint)');
    const rows: Array<[number, number, number, number | null, string]> = [
      [0, Date.parse('2026-11-19T01:02:03.456Z'), 26.50012, 30, 'carrier'],
      [-42, Date.parse('1969-07-20T20:17:40Z'), -0.1, null, '中文'],
      [2 ** 53 - 1, Date.parse('1999-12-31T23:59:59.999Z'), 1e-300, 0.5, ''],
    ];
    const w = new BinaryCopyWriter(8);
    for (const [i, t, d, f, s] of rows) {
      w.row(6).int8(i).timestamptz(t).float8(d);
      if (f === null) w.null();
      else w.float4(f);
      w.text(s).int8Bytes(int8Bytes('-9223372036854775808'));
    }
    expect(await ctx.db.copyBinary('bc', ['i', 't', 'd', 'f', 's', 'b'], [w.take()])).toBe(3);
    const w2 = new BinaryCopyWriter();
    w2.row(6).int8(7).timestamptz(0).float8(1).float4(1).text('x').int8(8);
    expect(
      await ctx.db.transaction((tx) => tx.copyBinary('bc', ['i', 't', 'd', 'f', 's', 'b'], [w2.take()])),
    ).toBe(1);
    const got = await ctx.db.query<{ i: number; t: Date; d: number; f: number | null; s: string; b: string }>(
      'SELECT i, t, d, f, s, b::text AS b FROM bc ORDER BY t',
    );
    expect(got.rows.map((r) => [r.i, r.t.getTime(), r.d, r.f, r.s])).toEqual([
      [-42, rows[1]?.[1], -0.1, null, '中文'],
      [7, 0, 1, 1, 'x'],
      [2 ** 53 - 1, rows[2]?.[1], 1e-300, 0.5, ''],
      [0, rows[0]?.[1], 26.50012, 30, 'carrier'],
    ]);
    expect(got.rows.map((r) => r.b)).toEqual([
      '-9223372036854775808',
      '8',
      '-9223372036854775808',
      '-9223372036854775808',
    ]);
    // A bad row fails the whole statement: nothing of it is kept.
    const bad = new BinaryCopyWriter();
    bad.row(6).int8(9).timestamptz(0).float8(1).float4(1).text('y').int8(9);
    bad.row(2).int8(10);
    await expect(ctx.db.copyBinary('bc', ['i', 't', 'd', 'f', 's', 'b'], [bad.take()])).rejects.toThrow();
    expect((await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bc')).rows[0]?.n).toBe(4);
  });
});
