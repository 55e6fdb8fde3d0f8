/**
 * Bad input at the HTTP edge: NUL, lone surrogates, invalid UTF-8, non-finite and overflowing
 * numbers, oversized text and 20-digit ids get 400 with a stable code, never 500; a feed batch
 * with such a row reports the row and keeps the good ones (both adapters: HC_TEST_SERVICES=1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from './app.ts';
import { createTestContext, type TestContext } from '../../test/context.ts';
import { createResident } from '../../test/factories.ts';
import { buildServer } from './server.ts';
import { feedRouteModule as feedRoutes } from '../roles/feeds.feature.ts';
import { placesRoutes } from './routes/places.routes.ts';

describe('input guard', () => {
  let ctx: TestContext;
  let app: App;
  let officer: Record<string, string>;
  let peer: Record<string, string>;

  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.keys.ensureKey();
    app = (await buildServer(ctx, { logger: false, extraRoutes: [feedRoutes, placesRoutes] })).app;
    await ctx.auth.addStaff('guard-o', 'pass-word-guard-1', 'Officer', 'officer', '5201');
    officer = {
      authorization: `Bearer ${(await ctx.auth.staffLogin('guard-o', 'pass-word-guard-1')).accessToken}`,
    };
    peer = { 'x-api-key': (await ctx.auth.addDevice('guard peer', 'peer')).apiKey };
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.destroy();
  });

  const post = (url: string, payload: string | object, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  it.each([
    ['NUL in a username', '{"username":"ad\\u0000min","password":"x"}', 'INPUT_NUL', '/body/username'],
    ['a lone surrogate', '{"username":"\\ud800","password":"x"}', 'INPUT_BAD_UNICODE', '/body/username'],
    ['U+FFFD', '{"username":"a\\ufffdb","password":"x"}', 'INPUT_BAD_UNICODE', '/body/username'],
    ['a key with NUL', '{"username":"a","password":"x","\\u0000":1}', 'INPUT_NUL', '/body/\u0000'],
  ])('%s: 400 %s, not 500', async (_what, body, code, path) => {
    const r = await post('/v1/auth/staff', body);
    expect([r.statusCode, r.json().error.code]).toEqual([400, code]);
    expect(r.json().error.details).toEqual({ path });
  });

  it('invalid UTF-8 in a JSON body: 400 INPUT_BAD_ENCODING', async () => {
    const body = Buffer.concat([
      Buffer.from('{"username":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('","password":"x"}'),
    ]);
    const raw = await app.inject({
      method: 'POST',
      url: '/v1/auth/staff',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    expect([raw.statusCode, raw.json().error.code]).toEqual([400, 'INPUT_BAD_ENCODING']);
  });

  it('oversized text: 400 INPUT_TOO_LONG', async () => {
    const r = await post('/v1/auth/staff', { username: 'x'.repeat(20_000), password: 'x' });
    expect([r.statusCode, r.json().error.code]).toEqual([400, 'INPUT_TOO_LONG']);
  });

  it('1e309 (Infinity once parsed) and numbers beyond 2^53: 400, not 500', async () => {
    const inf = await post('/v1/persons/lookup', '{"docType":1e309,"docNumber":"x"}', officer);
    expect([inf.statusCode, inf.json().error.code]).toEqual([400, 'INPUT_NOT_FINITE']);
    const big = await post('/v1/persons/lookup', '{"docType":99999999999999999999,"docNumber":"x"}', officer);
    expect([big.statusCode, big.json().error.code]).toEqual([400, 'INPUT_OUT_OF_RANGE']);
  });

  it.each([
    ['99999999999999999999', 'INPUT_OUT_OF_RANGE'],
    ['1e309', 'INPUT_NOT_FINITE'],
    ['1e308', 'INPUT_OUT_OF_RANGE'],
  ])('an id of %s in the path: 400 %s, not 500', async (id, code) => {
    for (const url of [`/v1/persons/${id}`, `/v1/risk-areas/${id}/history`, `/v1/venues/${id}`]) {
      const r = await app.inject({ method: 'GET', url, headers: officer });
      expect([url, r.statusCode, r.json().error.code]).toEqual([url, 400, code]);
    }
  });

  it('a device key with a 20-digit id is refused as a credential (401), not a 500', async () => {
    const r = await app.inject({
      method: 'GET',
      url: '/v1/response-tasks',
      headers: { 'x-api-key': `hcd_99999999999999999999_${'A'.repeat(32)}` },
    });
    expect(r.statusCode).toBe(401);
  });

  it('a feed batch with a NUL, a lone surrogate and an Infinity row keeps its good rows', async () => {
    const people = await Promise.all([0, 1].map(() => createResident(ctx, { regionCode: '520102' })));
    const row = (i: number, o: Record<string, unknown> = {}) => ({
      sourceId: `guard-${i}`,
      docType: 10,
      docNumber: people[i % 2]!.input.docNumber,
      category: 'close_contact',
      list: '南明区密接',
      ...o,
    });
    const body = JSON.stringify({
      records: [
        row(0),
        row(1, { list: 'a\u0000b' }),
        row(2, { list: '\ud800' }),
        row(3, { tier: 1 }),
        row(4),
      ],
    }).replace('"tier":1', '"tier":1e309');
    const r = await post('/v1/feeds/key-population/batch', body, peer);
    expect(r.statusCode, r.body).toBe(200);
    const out = r.json();
    expect(out).toMatchObject({ accepted: 2, rejected: 3 });
    expect(
      out.errors.map((e: { line: number; code: string; field: string }) => [e.line, e.code, e.field]),
    ).toEqual([
      [2, 'INPUT_NUL', 'list'],
      [3, 'INPUT_BAD_UNICODE', 'list'],
      [4, 'INPUT_NOT_FINITE', 'tier'],
    ]);
    const n = await ctx.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM facts WHERE source = 'key-population'",
    );
    expect(n.rows[0]?.n).toBe(2);
  });

  it('a registry batch with a NUL in a name keeps its good rows', async () => {
    const { makeResidentId } = await import('../domain/document-number.ts');
    const rec = (i: number, name: string) => ({
      source_id: `guard-p-${i}`,
      doc_type: 10,
      doc_number: makeResidentId('520102', '19800101', 600 + i, i % 2 === 0),
      name,
      region_code: '520102',
    });
    const r = await post(
      '/v1/feeds/persons/batch',
      { records: [rec(1, '张三'), rec(2, '李\u0000四'), rec(3, '王五')] },
      peer,
    );
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ accepted: 2, rejected: 1, errors: [{ line: 2, code: 'INPUT_NUL' }] });
  });
});
