/**
 * Fuzzing every route of the route table (fast-check, fixed seed): arbitrary JSON and values
 * shaped by the route's own schema — with NUL, lone surrogates, U+FFFD, impossible dates, 1e309,
 * 20-digit numbers and oversized text mixed in — in the body, the path and the query, sent as
 * every principal kind. The server never answers 500 (a web app not built answers 503, as it
 * should) and never hangs (each request must finish within the test's timeout). A feed batch
 * mixing good records with arbitrary ones keeps every good one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeResidentId } from '../../src/domain/document-number.ts';
import { PRINCIPAL_KINDS, worldOfPrincipalsForFile, type World } from './principals.ts';

const SEED = 15;

/** Values that broke routes before: kept in every string and number generator. */
const nastyText = fc.constantFrom(
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\ufffd',
  '2022-02-30',
  '0001-01-01T00:00:00Z',
  '1900-01-01',
  '99999999999999999999',
  '1e309',
  '-1',
  'x'.repeat(12_000),
  '',
  '<script>',
  "'; DROP TABLE persons; --",
);
const nastyNumber = fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, 1e20, 1e308, Infinity, -Infinity, NaN);

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  format?: string;
}

/** An arbitrary shaped by a JSON schema (TypeBox), with wrong types and nasty values mixed in. */
function shaped(s: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const any = fc.jsonValue({ maxDepth: 2 });
  if (!s || depth > 5) return any;
  const wrong = (a: fc.Arbitrary<unknown>) =>
    fc.oneof({ arbitrary: a, weight: 6 }, { arbitrary: nastyText, weight: 1 }, { arbitrary: any, weight: 1 });
  if (s.anyOf) return wrong(fc.oneof(...s.anyOf.map((x) => shaped(x, depth + 1))));
  if (s.const !== undefined) return wrong(fc.constant(s.const));
  if (s.enum) return wrong(fc.constantFrom(...s.enum));
  switch (s.type) {
    case 'object': {
      const props = s.properties ?? {};
      const rec = fc.record(
        Object.fromEntries(Object.entries(props).map(([k, v]) => [k, shaped(v, depth + 1)])),
        { requiredKeys: (s.required ?? []).filter((k) => k in props) },
      );
      return wrong(rec);
    }
    case 'array':
      return wrong(fc.array(shaped(s.items, depth + 1), { maxLength: 3 }));
    case 'string':
      return fc.oneof(
        fc.string({ maxLength: 30 }),
        nastyText,
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.constantFrom('520102', '13800010001', 'close_contact', 'JKM1:AB'),
      );
    case 'integer':
    case 'number':
      return fc.oneof(fc.integer(), fc.double(), nastyNumber);
    case 'boolean':
      return wrong(fc.boolean());
    default:
      return any;
  }
}

/** JSON text that can carry what JSON.stringify cannot: Infinity and NaN become 1e309. */
function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'number' && !Number.isFinite(x) ? `__NONFINITE_${x < 0 ? '-' : ''}` : x,
  ).replace(/"__NONFINITE_(-?)"/g, '$11e309');
}

const pathValue = fc.oneof(
  fc.nat().map(String),
  fc.constantFrom('99999999999999999999', '1e309', '1e308', '-1', '0', 'abc', '%00', '%ED%A0%80', '%FF'),
);

describe('fuzz: every route, every principal kind', () => {
  const s = worldOfPrincipalsForFile();

  it('never answers 500, whatever the body, path, query and caller', async () => {
    const routes = s.w.app.routeTable;
    const sample = fc
      .record({ route: fc.nat(routes.length - 1), kind: fc.nat(PRINCIPAL_KINDS.length * 2), pathValue })
      .chain(({ route, kind, pathValue }) => {
        const r = routes[route]!;
        const schema = (r.schema ?? {}) as { body?: JsonSchema; querystring?: JsonSchema };
        // mostly a caller the route admits, so the handler is reached; sometimes any kind
        const admitted = r.auth === 'public' ? (['anonymous'] as const) : r.auth;
        const who =
          kind < PRINCIPAL_KINDS.length ? PRINCIPAL_KINDS[kind]! : admitted[kind % admitted.length]!;
        return fc.record({
          r: fc.constant(r),
          who: fc.constant(who),
          pathValue: fc.constant(pathValue),
          body: fc.oneof(shaped(schema.body), fc.jsonValue()),
          query: shaped(schema.querystring),
        });
      });
    await fc.assert(
      fc.asyncProperty(sample, async ({ r, who, pathValue, body, query }) => {
        const qs =
          query && typeof query === 'object' && !Array.isArray(query)
            ? Object.entries(query)
                .map(([k, v]) => `${encodeURIComponent(k)}=${safeEncode(String(v))}`)
                .join('&')
            : '';
        const url = r.url.replace(/:[A-Za-z]+/g, pathValue).replace('*', pathValue) + (qs ? `?${qs}` : '');
        const hasBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method);
        const res = await s.w.app.inject({
          method: r.method as 'GET',
          url,
          headers: {
            ...s.w.headers[who as keyof World['headers']],
            ...(hasBody ? { 'content-type': 'application/json' } : {}),
          },
          payload: hasBody ? toJson(body) : undefined,
        });
        const web = /^\/(app|scan|console)\//.test(r.url) && res.statusCode === 503;
        expect(
          res.statusCode < 500 || web,
          `${r.method} ${url.slice(0, 200)} as ${who}: ${res.statusCode} ${res.body.slice(0, 200)}`,
        ).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  }, 600_000);

  it('a feed batch keeps every good record among arbitrary ones', async () => {
    const residents = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const doc = makeResidentId('520102', '19700101', 900 + i, i % 2 === 0);
        const r = await s.ctx.residents.register({
          docType: 10,
          docNumber: doc,
          name: '张三',
          regionCode: '520102',
        });
        if (!r.ok) throw new Error(r.message);
        return doc;
      }),
    );
    let batch = 0;
    const junk = fc.oneof(
      fc.dictionary(
        fc.constantFrom('sourceId', 'docType', 'docNumber', 'category', 'list', 'tier', 'eventTime', 'x'),
        fc.oneof(nastyText, nastyNumber, fc.jsonValue({ maxDepth: 1 })),
      ),
      fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant('good' as const), junk), { minLength: 1, maxLength: 12 }),
        async (items) => {
          batch++;
          const records = items.map((it, i) =>
            it === 'good'
              ? {
                  sourceId: `fz-${batch}-${i}`,
                  docType: 10,
                  docNumber: residents[i % residents.length],
                  category: 'secondary_contact',
                  list: '模糊测试 fuzz',
                }
              : it,
          );
          const res = await s.w.app.inject({
            method: 'POST',
            url: '/v1/feeds/key-population/batch',
            headers: { ...s.w.headers.peer, 'content-type': 'application/json' },
            payload: toJson({ records }),
          });
          expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
          const out = res.json() as { accepted: number; duplicates: number; rejected: number };
          expect(out.accepted + out.duplicates + out.rejected).toBe(records.length);
          const good = records.flatMap((r) =>
            typeof r === 'object' &&
            r !== null &&
            'sourceId' in r &&
            String(r.sourceId).startsWith(`fz-${batch}-`)
              ? [String(r.sourceId)]
              : [],
          );
          const stored = await s.ctx.db.query<{ id: string }>(
            "SELECT source_record_id AS id FROM facts WHERE source = 'key-population' AND source_record_id LIKE $1",
            [`fz-${batch}-%`],
          );
          expect(stored.rows.map((r) => r.id).sort()).toEqual(good.sort());
        },
      ),
      { seed: SEED, numRuns: 40 },
    );
  }, 600_000);
});

function safeEncode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80'; // a lone surrogate, as the UTF-8 bytes of one
  }
}
