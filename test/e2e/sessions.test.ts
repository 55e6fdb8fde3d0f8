/**
 * Sessions can be revoked (docs/SECURITY.md "Sessions"): logout refuses the token at once; a
 * moved officer's old token reads the new region only; a disabled account or a new password ends
 * the sessions; a revoked device key gets 401; a token that names no session is refused. On both
 * adapters.
 */
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokens } from '../../src/adapters/crypto/access-token.ts';
import { createTestContext, type TestContext } from '../context.ts';
import { createResident } from '../factories.ts';
import { bearer, httpLogin, testServer } from './http.ts';

describe('sessions', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let nanming: { id: number; phone: string };
  let yunyan: { id: number; phone: string };
  let adminToken: string;

  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.keys.ensureKey();
    app = await testServer(ctx);
    nanming = await createResident(ctx, { name: '南明居民', regionCode: '520102' });
    yunyan = await createResident(ctx, { name: '云岩居民', regionCode: '520103' });
    await ctx.staff.add({ username: 'root-1', password: 'harbour-maple-7781', role: 'admin' }, 'test');
    adminToken = await staffToken('root-1', 'harbour-maple-7781');
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.destroy();
  });

  async function staffToken(username: string, password: string): Promise<string> {
    const r = await app.inject({ method: 'POST', url: '/v1/auth/staff', payload: { username, password } });
    expect(r.statusCode).toBe(200);
    return (r.json() as { accessToken: string }).accessToken;
  }
  const read = (token: string, personId: number) =>
    app.inject({ method: 'GET', url: `/v1/persons/${personId}`, headers: bearer(token) });
  const logout = (token: string) =>
    app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(token) });

  it('a resident logs out: the token is refused at once, another sign-in still works', async () => {
    const token = await httpLogin(app, ctx, nanming.phone);
    const other = (await ctx.auth.residentSession(nanming.id)).accessToken;
    const me = (t: string) => app.inject({ method: 'GET', url: '/v1/me', headers: bearer(t) });
    expect((await me(token)).statusCode).toBe(200);
    expect((await logout(token)).statusCode).toBe(204);
    const after = await me(token);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ error: { code: 'AUTH_REQUIRED' } });
    expect((await logout(token)).statusCode).toBe(401);
    expect((await me(other)).statusCode).toBe(200);
  });

  it("a moved officer's old token reads the new region only, at once", async () => {
    const v = await ctx.staff.add(
      { username: 'mover-1', password: 'copper-lantern-5520', role: 'officer', regionPrefix: '520102' },
      'test',
    );
    const token = await staffToken('mover-1', 'copper-lantern-5520');
    expect((await read(token, nanming.id)).statusCode).toBe(200);
    expect((await read(token, yunyan.id)).statusCode).toBe(404);
    // an administrator moves the officer over HTTP-free service call (as `hc staff set` does)
    await ctx.staff.update(v.id, { regionPrefix: '520103' }, 'admin:test');
    expect((await read(token, nanming.id)).statusCode).toBe(404);
    expect((await read(token, yunyan.id)).statusCode).toBe(200);
    // made an administrator: the old token gets administrator rights; back to officer: loses them
    const policies = () => app.inject({ method: 'GET', url: '/v1/devices', headers: bearer(token) });
    expect((await policies()).statusCode).toBe(403);
    await ctx.staff.update(v.id, { role: 'admin', regionPrefix: '' }, 'admin:test');
    expect((await policies()).statusCode).toBe(200);
    await ctx.staff.update(v.id, { role: 'officer', regionPrefix: '520103' }, 'admin:test');
    expect((await policies()).statusCode).toBe(403);
  });

  it('disabling an account or changing its password ends its sessions (audited)', async () => {
    const a = await ctx.staff.add(
      { username: 'leaver-1', password: 'granite-willow-3318', role: 'officer', regionPrefix: '520102' },
      'test',
    );
    const t1 = await staffToken('leaver-1', 'granite-willow-3318');
    await ctx.staff.update(a.id, { password: 'granite-willow-4429' }, 'admin:test');
    expect((await read(t1, nanming.id)).statusCode).toBe(401);
    const t2 = await staffToken('leaver-1', 'granite-willow-4429');
    expect((await read(t2, nanming.id)).statusCode).toBe(200);
    await ctx.staff.update(a.id, { disabled: true }, 'admin:test');
    expect((await read(t2, nanming.id)).statusCode).toBe(401);
    // enabling again does not revive the old session
    await ctx.staff.update(a.id, { disabled: false }, 'admin:test');
    expect((await read(t2, nanming.id)).statusCode).toBe(401);
    const audit = await ctx.db.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE action = 'session.revoke' AND detail->>'staffId' = $1`,
      [String(a.id)],
    );
    expect(audit.rows).toHaveLength(2);
  });

  it('a staff member logs out: the token is refused and the logout audited', async () => {
    const s = await ctx.staff.add(
      { username: 'shift-1', password: 'meadow-quartz-6604', role: 'officer', regionPrefix: '520102' },
      'test',
    );
    const token = await staffToken('shift-1', 'meadow-quartz-6604');
    expect((await logout(token)).statusCode).toBe(204);
    expect((await read(token, nanming.id)).statusCode).toBe(401);
    const audit = await ctx.db.query(`SELECT 1 FROM audit_log WHERE action = 'auth.logout' AND actor = $1`, [
      `officer:${s.id}`,
    ]);
    expect(audit.rows).toHaveLength(1);
  });

  it('a revoked device key gets 401 from the next request; the revocation is audited', async () => {
    const d = await ctx.auth.addDevice('东门闸机 east gate', 'scanner');
    const verify = () =>
      app.inject({
        method: 'POST',
        url: '/v1/verify',
        headers: { 'x-api-key': d.apiKey },
        payload: { token: 'JKM1:AB' },
      });
    expect((await verify()).statusCode).toBe(200);
    const r = await app.inject({
      method: 'POST',
      url: `/v1/devices/${d.id}/revoke`,
      headers: bearer(adminToken),
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ id: d.id, role: 'scanner', revokedAt: expect.any(String) });
    expect((await verify()).statusCode).toBe(401);
    const listed = await app.inject({ method: 'GET', url: '/v1/devices', headers: bearer(adminToken) });
    expect(listed.json().devices.find((x: { id: number }) => x.id === d.id).revokedAt).not.toBeNull();
    // the secret is everything after `hcd_<id>_` (base64url, so it may hold '_' itself)
    const secret = d.apiKey.slice(d.apiKey.indexOf('_', 4) + 1);
    expect(secret.length).toBeGreaterThanOrEqual(20);
    expect(JSON.stringify(listed.json())).not.toContain(secret);
    const audit = await ctx.db.query(
      `SELECT 1 FROM audit_log WHERE action = 'device.revoke' AND detail->>'id' = $1`,
      [String(d.id)],
    );
    expect(audit.rows).toHaveLength(1);
    const missing = await app.inject({
      method: 'POST',
      url: '/v1/devices/999999999/revoke',
      headers: bearer(adminToken),
    });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'DEVICE_NOT_FOUND']);
    const huge = await app.inject({
      method: 'POST',
      url: '/v1/devices/99999999999999999999/revoke',
      headers: bearer(adminToken),
    });
    expect(huge.statusCode).toBe(400);
  });

  it('a correctly signed token that names no live session is refused', async () => {
    const tokens = new AccessTokens(ctx.secrets.tokenKey);
    const now = Math.floor(Date.now() / 1000);
    const noSession = tokens.issue({ kind: 'resident', personId: nanming.id }, 3600, now);
    const unknown = tokens.issue(
      { kind: 'resident', personId: nanming.id, sessionId: crypto.randomBytes(16).toString('base64url') },
      3600,
      now,
    );
    for (const t of [noSession, unknown])
      expect((await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(t) })).statusCode).toBe(401);
    // a session of one resident does not work for another
    const real = await ctx.auth.residentSession(nanming.id);
    const sid = (await ctx.auth.bearer(real.accessToken)) as { sessionId: string };
    const swapped = tokens.issue(
      { kind: 'resident', personId: yunyan.id, sessionId: sid.sessionId },
      3600,
      now,
    );
    expect((await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(swapped) })).statusCode).toBe(
      401,
    );
  });
});
