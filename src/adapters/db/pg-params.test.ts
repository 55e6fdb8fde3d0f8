import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/context.ts';
import {
  boolArray,
  byteaArray,
  hexArray,
  intArray,
  jsonArray,
  numArray,
  textArray,
  TS,
} from './pg-params.ts';

describe('bulk statement parameters', () => {
  it('round-trip through the database as bigint[] and text[]', async () => {
    const t = await createTestDatabase();
    const db = t.db;
    try {
      const ids = [1, 42, 4_294_967_296, 9_007_199_254_740_991, -1, -4_294_967_297, -9_007_199_254_740_991];
      const r = await db.query<{ a: string[]; h: string[] }>(
        'SELECT $1::bigint[]::text[] AS a, $2::text[] AS h',
        [intArray(ids), hexArray(['00ff', 'ab'])],
      );
      expect(r.rows[0]?.a).toEqual(ids.map(String));
      expect(r.rows[0]?.h).toEqual(['00ff', 'ab']);
      expect(
        (await db.query<{ n: number }>('SELECT cardinality($1::bigint[]) AS n', [intArray([])])).rows[0]?.n,
      ).toBe(0);
    } finally {
      await t.drop();
    }
  });

  it('epoch milliseconds become the same timestamptz, to the millisecond', async () => {
    const t = await createTestDatabase();
    try {
      const times = [
        Date.UTC(2026, 10, 30, 2, 0, 0, 123),
        Date.UTC(1950, 0, 1, 0, 0, 0, 1),
        Date.UTC(2026, 0, 1, 23, 59, 59, 999),
      ];
      const r = await t.db.query<{ t: Date | null }>(
        `SELECT ${TS('x')} AS t FROM json_to_recordset($1::json) AS j(x float8)`,
        [JSON.stringify([...times.map((x) => ({ x })), { x: null }])],
      );
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
  const awkward = [
    'plain',
    'with "quotes"',
    'back\\slash',
    'line\nbreak\ttab',
    '{braces},commas',
    '',
    'NULL',
    '  spaced  ',
    '密切接触者',
    'emoji 😀',
  ];

  // Embedded runs send the text literal, HC_TEST_SERVICES=1 runs the binary format: both are
  // checked by the same round trips.
  it('textArray and jsonArray carry any string and null unchanged', async () => {
    const t = await createTestDatabase();
    try {
      const values = [...awkward, null];
      const r = await t.db.query<{ a: Array<string | null> }>('SELECT $1::text[] AS a', [textArray(values)]);
      expect(r.rows[0]?.a).toEqual(values);
      const docs = [
        ...awkward.map((s) => ({ s, n: [1, 2.5, null], nested: { k: s } })),
        null,
        [],
        'a string',
        42,
      ];
      // read as text[] and cast element by element, as the bulk statements do
      const e = await t.db.query<{ d: unknown }>(
        'SELECT x::jsonb AS d FROM unnest($1::text[]) WITH ORDINALITY AS u(x, i) ORDER BY i',
        [jsonArray(docs)],
      );
      expect(e.rows.map((x) => x.d)).toEqual(docs);
    } finally {
      await t.drop();
    }
  });

  it('booleans, integers of each width and floats keep their values and nulls; empty arrays stay empty', async () => {
    const t = await createTestDatabase();
    try {
      const r = await t.db.query<{
        b: Array<boolean | null>;
        s: number[];
        i: Array<number | null>;
        f: Array<number | null>;
        e: number;
        et: number;
      }>(
        `SELECT $1::boolean[] AS b, $2::smallint[] AS s, $3::int[] AS i, $4::float8[] AS f,
                cardinality($5::bigint[]) + cardinality($6::float8[]) + cardinality($7::boolean[]) AS e, cardinality($8::text[]) AS et`,
        [
          boolArray([true, false, null, true]),
          intArray([-32768, 0, 32767], 'int2'),
          numArray([-2147483648, null, 2147483647], 'int4'),
          numArray([1.5, null, -2.25e-300, 1e300]),
          intArray([]),
          numArray([]),
          boolArray([]),
          textArray([]),
        ],
      );
      expect(r.rows[0]).toEqual({
        b: [true, false, null, true],
        s: [-32768, 0, 32767],
        i: [-2147483648, null, 2147483647],
        f: [1.5, null, -2.25e-300, 1e300],
        e: 0,
        et: 0,
      });
    } finally {
      await t.drop();
    }
  });

  it('byteaArray carries any bytes and null', async () => {
    const t = await createTestDatabase();
    try {
      const values = [
        Buffer.from([0, 1, 0xfe, 0xff]),
        Buffer.alloc(0),
        null,
        new Uint8Array(Buffer.from('密接')),
        Buffer.from([0x5c, 0x22]),
        Buffer.alloc(40, 0xab),
        Buffer.alloc(32, 7),
      ];
      const r = await t.db.query<{ h: string | null }>(
        "SELECT encode(x, 'hex') AS h FROM unnest($1::bytea[]) WITH ORDINALITY AS u(x, i) ORDER BY i",
        [byteaArray(values)],
      );
      expect(r.rows.map((x) => x.h)).toEqual(values.map((v) => (v ? Buffer.from(v).toString('hex') : null)));
    } finally {
      await t.drop();
    }
  });

  it('the text literal, and refusals of what the element type cannot hold', () => {
    expect(numArray([1, null, -2.5]).literal()).toBe('{1,NULL,-2.5}');
    expect(boolArray([true, false, null]).literal()).toBe('{t,f,NULL}');
    expect(textArray(['a "b"', null]).literal()).toBe('{"a \\"b\\"",NULL}');
    expect(() => numArray([Number.POSITIVE_INFINITY])).toThrow();
    expect(() => intArray([40000], 'int2')).toThrow();
    expect(() => numArray([1.5], 'int4')).toThrow();
  });
});
