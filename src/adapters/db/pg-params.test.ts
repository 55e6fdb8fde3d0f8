import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/context.ts';
import { boolArray, hexArray, intArray, jsonbArray, numArray, textArray, TS } from './pg-params.ts';

describe('bulk statement parameters', () => {
  it('round-trip through the database as bigint[] and text[]', async () => {
    const t = await createTestDatabase();
    const db = t.db;
    try {
      const ids = [1, 42, 9_007_199_254_740_991];
      const r = await db.query<{ a: string[]; h: string[] }>('SELECT $1::bigint[]::text[] AS a, $2::text[] AS h', [intArray(ids), hexArray(['00ff', 'ab'])]);
      expect(r.rows[0]?.a).toEqual(ids.map(String));
      expect(r.rows[0]?.h).toEqual(['00ff', 'ab']);
      expect((await db.query<{ n: number }>('SELECT cardinality($1::bigint[]) AS n', [intArray([])])).rows[0]?.n).toBe(0);
    } finally {
      await t.drop();
    }
  });

  it('epoch milliseconds become the same timestamptz, to the millisecond', async () => {
    const t = await createTestDatabase();
    try {
      const times = [Date.UTC(2026, 10, 30, 2, 0, 0, 123), Date.UTC(1950, 0, 1, 0, 0, 0, 1), Date.UTC(2026, 0, 1, 23, 59, 59, 999)];
      const r = await t.db.query<{ t: Date | null }>(`SELECT ${TS('x')} AS t FROM json_to_recordset($1::json) AS j(x float8)`, [
        JSON.stringify([...times.map((x) => ({ x })), { x: null }]),
      ]);
      expect(r.rows.map((x) => x.t?.getTime() ?? null)).toEqual([...times, null]);
    } finally {
      await t.drop();
    }
  });

  it('refuses what would not be a plain element', () => {
    expect(() => intArray([1.5])).toThrow();
    expect(() => intArray([Number.NaN])).toThrow();
    expect(() => hexArray(['ab,cd'])).toThrow();
    expect(() => hexArray(['"x'])).toThrow();
  });
});

describe('text and json array literals', () => {
  const awkward = ['plain', 'with "quotes"', 'back\\slash', 'line\nbreak\ttab', '{braces},commas', '', 'NULL', '  spaced  ', '密切接触者', 'emoji 😀'];

  it('textArray and jsonbArray carry any string and null unchanged', async () => {
    const t = await createTestDatabase();
    try {
      const values = [...awkward, null];
      const r = await t.db.query<{ a: Array<string | null> }>('SELECT $1::text[] AS a', [textArray(values)]);
      expect(r.rows[0]?.a).toEqual(values);
      const docs = [...awkward.map((s) => ({ s, n: [1, 2.5, null], nested: { k: s } })), null, [], 'a string', 42];
      const j = await t.db.query<{ a: unknown[] }>('SELECT $1::jsonb[] AS a', [jsonbArray(docs)]);
      expect(j.rows[0]?.a).toEqual(docs);
      // the same literal read as text[] and cast element by element (how bulk statements use it)
      const e = await t.db.query<{ d: unknown }>('SELECT x::jsonb AS d FROM unnest($1::text[]) WITH ORDINALITY AS u(x, i) ORDER BY i', [jsonbArray(docs)]);
      expect(e.rows.map((x) => x.d)).toEqual(docs);
    } finally {
      await t.drop();
    }
  });

  it('boolArray carries true, false and null', async () => {
    const t = await createTestDatabase();
    try {
      const values = [true, false, null, true];
      expect(boolArray(values)).toBe('{t,f,NULL,t}');
      const r = await t.db.query<{ a: Array<boolean | null> }>('SELECT $1::boolean[] AS a', [boolArray(values)]);
      expect(r.rows[0]?.a).toEqual(values);
    } finally {
      await t.drop();
    }
  });

  it('numArray keeps nulls and refuses what is not a finite number', () => {
    expect(numArray([1, null, -2.5])).toBe('{1,NULL,-2.5}');
    expect(() => numArray([Number.POSITIVE_INFINITY])).toThrow();
  });
});
