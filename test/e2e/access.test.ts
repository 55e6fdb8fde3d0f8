/**
 * Who may call what (docs/DESIGN.md §11): every route declares its callers, unauthenticated calls
 * get 401, wrong roles 403; a resident never reads another resident; officers stay in their
 * region and every read is audited; demo-only answers are absent outside demo mode.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../context.ts';
import { createResident } from '../factories.ts';
import { bearer, httpLogin, testServer } from './http.ts';

describe('authorisation and privacy', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let alice: { id: number; phone: string };
  let bob: { id: number; phone: string };
  let aliceToken: string;
  let officer5201: string;
  let officer5202: string;
  let admin: string;
  let scanner: string;

  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.keys.ensureKey();
    app = await testServer(ctx);
    alice = await createResident(ctx, { name: '李爱丽', regionCode: '520102' });
    bob = await createResident(ctx, { name: '赵博', regionCode: '520103' });
    aliceToken = await httpLogin(app, ctx, alice.phone);
    await ctx.auth.addStaff('o1', 'pass-word-one-1', 'Officer Nanming', 'officer', '520102');
    await ctx.auth.addStaff('o2', 'pass-word-two-2', 'Officer Zunyi', 'officer', '5203');
    await ctx.auth.addStaff('adm', 'pass-word-three-3', 'Admin', 'admin', '');
    const staff = async (u: string, p: string) =>
      (
        (
          await app.inject({ method: 'POST', url: '/v1/auth/staff', payload: { username: u, password: p } })
        ).json() as { accessToken: string }
      ).accessToken;
    officer5201 = await staff('o1', 'pass-word-one-1');
    officer5202 = await staff('o2', 'pass-word-two-2');
    admin = await staff('adm', 'pass-word-three-3');
    scanner = (await ctx.auth.addDevice('gate', 'scanner')).apiKey;
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.destroy();
  });

  it('every non-public route, feature routes included, answers 401 without credentials', async () => {
    const { FEATURES } = await import('../../src/roles/features.ts');
    const full = await testServer(
      ctx,
      FEATURES.flatMap((f) => (f.routes ? [f.routes] : [])),
    );
    const guarded = full.routeTable.filter((r) => r.auth !== 'public');
    expect(guarded.length).toBeGreaterThanOrEqual(12);
    for (const r of guarded) {
      const url = r.url.replace(/:[A-Za-z]+/g, '1');
      const res = await full.inject({
        method: r.method as 'GET',
        url,
        payload: ['POST', 'PUT', 'PATCH'].includes(r.method) ? {} : undefined,
      });
      expect([r.method, r.url, res.statusCode]).toEqual([r.method, r.url, 401]);
    }
    await full.close();
  });

  it('refuses a route that does not declare who may call it', async () => {
    const { buildServer } = await import('../../src/http/server.ts');
    await expect(
      buildServer(ctx, {
        logger: false,
        extraRoutes: [(a) => void a.get('/v1/undeclared', async () => 'x')],
      }),
    ).rejects.toThrow(/does not declare/);
  });

  it('rejects forged and expired bearer tokens', async () => {
    const forged = aliceToken.slice(0, -3) + (aliceToken.endsWith('AAA') ? 'BBB' : 'AAA');
    expect((await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(forged) })).statusCode).toBe(
      401,
    );
    expect(
      (await app.inject({ method: 'GET', url: '/v1/me', headers: bearer('v1.e30.AAAA') })).statusCode,
    ).toBe(401);
  });

  it('a resident reads only their own data and cannot use officer, admin or scanner routes', async () => {
    const me = (await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(aliceToken) })).json();
    expect(me.name).toBe('李爱丽');
    expect(me.docMasked).toMatch(/^\d\*{16}[\dX]$/);
    for (const [method, url] of [
      ['GET', `/v1/persons/${bob.id}`],
      ['POST', '/v1/verify'],
      ['GET', '/v1/stats/colours'],
      ['POST', '/v1/keys/rotate'],
    ] as const) {
      const r = await app.inject({
        method,
        url,
        headers: bearer(aliceToken),
        payload: method === 'POST' ? { token: 'JKM1:X' } : undefined,
      });
      expect([url, r.statusCode]).toEqual([url, 403]);
    }
  });

  it('a scanner device may verify but not read persons', async () => {
    expect(
      (await app.inject({ method: 'GET', url: `/v1/persons/${alice.id}`, headers: { 'x-api-key': scanner } }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/verify',
          headers: { 'x-api-key': scanner },
          payload: { token: 'JKM1:AB' },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/verify',
          headers: { 'x-api-key': scanner + 'x' },
          payload: { token: 'JKM1:AB' },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('an officer reads people of their region only, and each read is audited and visible to the resident', async () => {
    const ok = await app.inject({
      method: 'GET',
      url: `/v1/persons/${alice.id}`,
      headers: bearer(officer5201),
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().person.name).toBe('李爱丽');
    const outside = await app.inject({
      method: 'GET',
      url: `/v1/persons/${bob.id}`,
      headers: bearer(officer5201),
    });
    expect(outside.statusCode).toBe(404);
    const other = await app.inject({
      method: 'GET',
      url: `/v1/persons/${alice.id}`,
      headers: bearer(officer5202),
    });
    expect(other.statusCode).toBe(404);
    const seen = (
      await app.inject({ method: 'GET', url: '/v1/me/audit', headers: bearer(aliceToken) })
    ).json();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ action: 'person.read', actor: expect.stringMatching(/^officer:/) });
    expect((await ctx.audit.verify()).ok).toBe(true);
  });

  it('an officer correction is a fact with reason and expiry that changes the colour, and is audited', async () => {
    const expiresAt = new Date(Date.now() + 86400_000).toISOString();
    const r = await app.inject({
      method: 'POST',
      url: `/v1/persons/${alice.id}/corrections`,
      headers: bearer(officer5201),
      payload: { colour5: 'yellow', reason: '人工核查：需复检 manual review', expiresAt },
    });
    expect(r.statusCode).toBe(201);
    await ctx.settle();
    await ctx.statuses.recompute([alice.id]);
    const code = (
      await app.inject({ method: 'GET', url: '/v1/me/code', headers: bearer(aliceToken) })
    ).json();
    expect(code.colour5).toBe(1);
    expect(code.display.reasons[0].rule).toBe('correction');
    // the officer's read shows the reason in the policy's words; the status row keeps only the rule
    const read = (
      await app.inject({ method: 'GET', url: `/v1/persons/${alice.id}`, headers: bearer(officer5201) })
    ).json();
    expect(read.status.reasons[0]).toMatchObject({
      rule: 'correction',
      label: { zh: '人工纠错', en: 'officer correction' },
    });
    const row = await ctx.db.query<{ reasons: Array<Record<string, unknown>> }>(
      'SELECT reasons FROM statuses WHERE person_id = $1',
      [alice.id],
    );
    expect(row.rows[0]?.reasons[0]?.rule).toBe('correction');
    expect(row.rows[0]?.reasons[0]).not.toHaveProperty('label');
    const bad = await app.inject({
      method: 'POST',
      url: `/v1/persons/${alice.id}/corrections`,
      headers: bearer(officer5201),
      payload: { colour5: 'blue', reason: 'x', expiresAt },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('REQUEST_INVALID');
  });

  it('only an administrator publishes policies; an invalid one is refused with its problems', async () => {
    const active = (
      await app.inject({ method: 'GET', url: '/v1/policies', headers: bearer(officer5201) })
    ).json().active;
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/policies',
          headers: bearer(officer5201),
          payload: { document: active },
        })
      ).statusCode,
    ).toBe(403);
    const invalid = await app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: bearer(admin),
      payload: { document: { ...active, version: 'x', lookbackDays: -1 } },
    });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().error.code).toBe('POLICY_INVALID');
    const stricter = {
      ...active,
      version: 'test-2',
      rules: active.rules.map((r: { id: string; colour: string }) =>
        r.id === 'red.close_contact' ? { ...r, colour: 'purple' } : r,
      ),
    };
    const preview = await app.inject({
      method: 'POST',
      url: '/v1/policies/preview',
      headers: bearer(admin),
      payload: { document: stricter },
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.json().evaluated).toBeGreaterThanOrEqual(2);
    const pub = await app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: bearer(admin),
      payload: { document: stricter },
    });
    expect(pub.statusCode).toBe(201);
    expect(pub.json().recomputed.done).toBeGreaterThanOrEqual(2);
    const again = await app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: bearer(admin),
      payload: { document: stricter },
    });
    expect(again.json().error.code).toBe('POLICY_VERSION_EXISTS');
  });

  it('does not return the one-time code outside demo mode, nor serve demo accounts', async () => {
    const r = await app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone: bob.phone } });
    expect(r.statusCode).toBe(200);
    expect(r.json().demoCode).toBeUndefined();
    expect((await app.inject({ method: 'GET', url: '/v1/demo/accounts' })).statusCode).toBe(404);
  });

  it('stores no document number, name or phone in clear', async () => {
    const row = (
      await ctx.db.query<Record<string, unknown>>('SELECT * FROM persons WHERE id = $1', [alice.id])
    ).rows[0]!;
    const dump = JSON.stringify(row, (_k, v) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
    );
    const profile = await ctx.residents.profile(alice.id);
    expect(dump.includes('李爱丽')).toBe(false);
    expect(dump.includes(alice.phone)).toBe(false);
    expect(dump.includes(Buffer.from('李爱丽').toString('latin1'))).toBe(false);
    expect(profile?.docMasked && dump.includes(profile.docMasked)).toBe(true);
  });
});

describe('demo mode', () => {
  it('returns demoCode for registered phones and lists demo accounts', async () => {
    const ctx = await createTestContext({ config: { demo: true } });
    try {
      const app = await testServer(ctx);
      const p = await createResident(ctx);
      const r = (
        await app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone: p.phone } })
      ).json();
      expect(r.demoCode).toMatch(/^\d{6}$/);
      const login = await app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { phone: p.phone, code: r.demoCode },
      });
      expect(login.statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/v1/demo/accounts' })).statusCode).toBe(200);
      await app.close();
    } finally {
      await ctx.destroy();
    }
  });
});
