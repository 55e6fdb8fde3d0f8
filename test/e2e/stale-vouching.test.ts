/**
 * Nothing stale vouches for anyone (docs/DESIGN.md §4), end to end over HTTP on both adapters: a
 * paper code issued green, its holder then confirmed — POST /v1/verify answers the current colour
 * (not green, the code's own colour beside it); an offline verifier over the published trust list
 * refuses it once its colour is older than the policy's maximum (the verifier's clock injected); a
 * reprinted or revoked code is refused offline after the next trust-list refresh, and online at
 * once; officers only inside their region; a revoked signing key takes its codes with it.
 */
import crypto from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.ts';
import { feedRouteModule as feedRoutes } from '../../src/roles/feeds.feature.ts';
import { RecomputeWorker } from '../../src/services/recompute.worker.ts';
import { parseJkm1 } from '../../src/domain/token/jkm1.ts';
import { createVerifier, type TrustList } from '../../src/verifier/index.ts';
import { createTestContext, USE_SERVICES, type TestContext } from '../context.ts';
import { createResident } from '../factories.ts';
import { bearer, httpLogin, testServer } from './http.ts';

const DAY_S = 86_400;

describe(`paper codes never vouch for a stale colour (${USE_SERVICES ? 'PostgreSQL, Redis, NATS' : 'embedded'})`, () => {
  let ctx: TestContext;
  let app: App;
  let worker: RecomputeWorker;
  let officer: string;
  let otherOfficer: string;
  let admin: string;
  let scannerKey: string;
  let peerKey: string;

  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.keys.ensureKey();
    worker = new RecomputeWorker(ctx.bus, ctx.statuses, pino({ level: 'silent' }), {
      reviewIntervalMs: 60_000,
    });
    await worker.start();
    app = await testServer(ctx, [feedRoutes]);
    await ctx.auth.addStaff('officer-nm', 'pass-word-123-nm', '南明区 officer', 'officer', '5201');
    officer = (await ctx.auth.staffLogin('officer-nm', 'pass-word-123-nm')).accessToken;
    await ctx.auth.addStaff('officer-lps', 'pass-word-123-lps', '六盘水 officer', 'officer', '5202');
    otherOfficer = (await ctx.auth.staffLogin('officer-lps', 'pass-word-123-lps')).accessToken;
    await ctx.auth.addStaff('adm', 'pass-word-three-3', 'Admin', 'admin', '');
    admin = (await ctx.auth.staffLogin('adm', 'pass-word-three-3')).accessToken;
    scannerKey = (await ctx.auth.addDevice('gate 1', 'scanner')).apiKey;
    peerKey = (await ctx.auth.addDevice('卫健委 health commission', 'peer')).apiKey;
  });
  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await ctx?.destroy();
  });

  const verify = async (token: string) =>
    (
      await app.inject({
        method: 'POST',
        url: '/v1/verify',
        headers: { 'x-api-key': scannerKey },
        payload: { token },
      })
    ).json() as Record<string, unknown>;
  const trustList = async () =>
    (await app.inject({ method: 'GET', url: '/v1/trust-list' })).json() as TrustList;
  const iatOf = (token: string) => {
    const p = parseJkm1(token);
    if (!p.ok) throw new Error(p.code);
    return p.claims.iat;
  };
  const paperCode = async (personId: number, as = officer) =>
    app.inject({
      method: 'POST',
      url: `/v1/persons/${personId}/codes`,
      headers: bearer(as),
      payload: { kind: 'p' },
    });
  const confirmCase = async (p: { id: number; input: { docNumber: string } }) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/feeds/key-population',
      headers: { 'x-api-key': peerKey },
      payload: {
        sourceId: `case-${p.id}`,
        docType: 10,
        docNumber: p.input.docNumber,
        category: 'case',
        kind: 'confirmed',
        list: '确诊病例',
      },
    });
    expect(res.statusCode).toBe(201);
  };

  it('a paper code issued green, holder then confirmed: /v1/verify says not green', async () => {
    const p = await createResident(ctx, { regionCode: '520102' });
    const issued = await paperCode(p.id);
    expect(issued.statusCode).toBe(201);
    const paper = issued.json() as {
      token: string;
      codeId: string;
      colour5: number;
      revokedCodeIds: string[];
    };
    expect(paper).toMatchObject({ colour5: 0, revokedCodeIds: [] });

    expect(await verify(paper.token)).toMatchObject({
      valid: true,
      pass: true,
      colour5: 0,
      colourSource: 'current',
      codeColour5: 0,
      kind: 'p',
    });
    await confirmCase(p);
    await expect.poll(async () => (await verify(paper.token)).colour5, { timeout: 10_000 }).toBe(4);
    expect(await verify(paper.token)).toMatchObject({
      valid: true,
      pass: false,
      colour3: 2,
      colour5: 4,
      colourSource: 'current',
      codeColour3: 0,
      codeColour5: 0,
      maxColourAgeSeconds: DAY_S,
    });

    // A screen code of the same holder answers its own (fresh) colour.
    const screen = (
      await app.inject({
        method: 'GET',
        url: '/v1/me/code',
        headers: bearer(await httpLogin(app, ctx, p.phone)),
      })
    ).json() as { token: string };
    expect(await verify(screen.token)).toMatchObject({
      valid: true,
      pass: false,
      colour5: 4,
      colourSource: 'code',
    });
  });

  it('offline: the colour age is shown and "pass" refused past the maximum (clock injected)', async () => {
    const p = await createResident(ctx, { regionCode: '520102' });
    const paper = (await paperCode(p.id)).json() as { token: string };
    const list = await trustList();
    expect(list.maxColourAgeSeconds).toBe(DAY_S);
    const offline = createVerifier(list);
    const iat = iatOf(paper.token);

    const young = await offline.verify(paper.token, iat + 3600);
    expect(young).toMatchObject({
      valid: true,
      colour5: 0,
      colourAgeSeconds: 3600,
      maxColourAgeSeconds: DAY_S,
    });
    expect(await offline.verify(paper.token, iat + DAY_S)).toMatchObject({ valid: true });
    expect(await offline.verify(paper.token, iat + DAY_S + 1)).toMatchObject({
      valid: false,
      reason: 'TOKEN_COLOUR_TOO_OLD',
      colourAgeSeconds: DAY_S + 1,
      maxColourAgeSeconds: DAY_S,
    });
  });

  it('a reprint revokes the previous paper code: refused online at once, offline after the refresh', async () => {
    const p = await createResident(ctx, { regionCode: '520103' });
    const first = (await paperCode(p.id)).json() as { token: string; codeId: string };
    const before = await trustList();
    const second = (await paperCode(p.id)).json() as {
      token: string;
      codeId: string;
      revokedCodeIds: string[];
    };
    expect(second.revokedCodeIds).toEqual([first.codeId]);
    // The code id is the first 16 bytes of SHA-256 of the code's cti.
    const cti = (parseJkm1(first.token) as { claims: { cti: Uint8Array } }).claims.cti;
    expect(first.codeId).toBe(
      crypto.createHash('sha256').update(cti).digest().subarray(0, 16).toString('base64url'),
    );

    expect(await verify(first.token)).toMatchObject({ valid: false, pass: false, reason: 'TOKEN_REVOKED' });
    expect(await verify(second.token)).toMatchObject({ valid: true, pass: true });

    const now = Math.floor(Date.now() / 1000);
    // A scanner still on the earlier list accepts it until it refreshes…
    expect(await createVerifier(before).verify(first.token, now)).toMatchObject({ valid: true });
    // …and refuses it with the next list.
    const after = await trustList();
    expect(after.revokedCodes).toContain(first.codeId);
    expect(after.revokedCodes).not.toContain(second.codeId);
    const refreshed = createVerifier(after);
    expect(await refreshed.verify(first.token, now)).toMatchObject({ valid: false, reason: 'TOKEN_REVOKED' });
    expect(await refreshed.verify(second.token, now)).toMatchObject({ valid: true, colour5: 0 });
  });

  it('an officer revokes a single code inside their region only; every revocation is audited', async () => {
    const p = await createResident(ctx, { regionCode: '520102' });
    const paper = (await paperCode(p.id)).json() as { token: string; codeId: string };
    // Another region's officer sees neither the person nor the code.
    expect((await paperCode(p.id, otherOfficer)).statusCode).toBe(404);
    const denied = await app.inject({
      method: 'POST',
      url: '/v1/codes/revoke',
      headers: bearer(otherOfficer),
      payload: { token: paper.token, reason: 'lost' },
    });
    expect(denied.statusCode).toBe(404);
    expect(denied.json().error.code).toBe('CODE_NOT_FOUND');
    expect(await verify(paper.token)).toMatchObject({ valid: true });

    const res = await app.inject({
      method: 'POST',
      url: '/v1/codes/revoke',
      headers: bearer(officer),
      payload: { token: paper.token, reason: 'lost' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ revoked: [paper.codeId] });
    expect(await verify(paper.token)).toMatchObject({ valid: false, reason: 'TOKEN_REVOKED' });
    const offline = createVerifier(await trustList());
    expect(await offline.verify(paper.token, Math.floor(Date.now() / 1000))).toMatchObject({
      valid: false,
      reason: 'TOKEN_REVOKED',
    });
    // Revoking it again revokes nothing.
    const again = await app.inject({
      method: 'POST',
      url: '/v1/codes/revoke',
      headers: bearer(officer),
      payload: { codeId: paper.codeId, reason: 'lost' },
    });
    expect(again.json()).toEqual({ revoked: [] });

    const listed = await app.inject({
      method: 'GET',
      url: `/v1/persons/${p.id}/codes`,
      headers: bearer(officer),
    });
    expect(listed.json()).toMatchObject([{ codeId: paper.codeId, kind: 'p', revokedReason: 'lost' }]);

    const audit = await ctx.db.query<{ action: string; actor: string; detail: Record<string, unknown> }>(
      `SELECT action, actor, detail FROM audit_log WHERE person_id = $1 ORDER BY seq`,
      [p.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['code.issue', 'code.revoke', 'code.list']);
    expect(audit.rows[1]?.detail).toEqual({ codeIds: [paper.codeId], reason: 'lost' });
  });

  it('an admin revokes every live code of a holder, and a signing key with all it signed', async () => {
    const p = await createResident(ctx, { regionCode: '520102' });
    const paper = (await paperCode(p.id, admin)).json() as { token: string; codeId: string };
    const all = await app.inject({
      method: 'POST',
      url: `/v1/persons/${p.id}/codes/revoke`,
      headers: bearer(admin),
      payload: { reason: 'misissued' },
    });
    expect(all.json()).toEqual({ revoked: [paper.codeId] });
    expect(await verify(paper.token)).toMatchObject({ valid: false, reason: 'TOKEN_REVOKED' });

    const fresh = (await paperCode(p.id, admin)).json() as { token: string };
    const kid = (await trustList()).keys[0]?.kid as string;
    expect(
      (await app.inject({ method: 'POST', url: `/v1/keys/${kid}/revoke`, headers: bearer(officer) }))
        .statusCode,
    ).toBe(403);
    const revoked = await app.inject({
      method: 'POST',
      url: `/v1/keys/${kid}/revoke`,
      headers: bearer(admin),
    });
    expect(revoked.json()).toEqual({ kid, revoked: true });
    const list = await trustList();
    expect(list.revokedKids).toContain(kid);
    expect(await createVerifier(list).verify(fresh.token, Math.floor(Date.now() / 1000))).toMatchObject({
      valid: false,
      reason: 'TOKEN_REVOKED_KID',
    });
    expect(await verify(fresh.token)).toMatchObject({ valid: false, reason: 'TOKEN_REVOKED_KID' });
    // A new key took over: codes are issued and verify again.
    const next = (await paperCode(p.id, admin)).json() as { token: string };
    expect(await verify(next.token)).toMatchObject({ valid: true });
    const audit = await ctx.db.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE action LIKE 'keys.%' ORDER BY seq`,
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['keys.revoke', 'keys.rotate']);
  });
});
