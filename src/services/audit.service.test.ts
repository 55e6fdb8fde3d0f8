import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../test/context.ts';
import { buildServer } from '../http/server.ts';
import { auditRoutes } from '../http/routes/audit.routes.ts';
import { rowHash, type PublishedCheckpoint } from './audit.service.ts';

async function appendMany(ctx: TestContext, n: number, from = 0) {
  for (let i = from; i < from + n; i++)
    await ctx.audit.append({
      actor: `officer:${i}`,
      action: 'person.read',
      personId: i + 1,
      detail: { b: 2, a: [1, 'x'] },
    });
}

/** What an operator with write access does to hide an edit: recompute every later hash. */
async function editAndRehash(ctx: TestContext, seq: number, actor: string) {
  await ctx.db.query('UPDATE audit_log SET actor = $1 WHERE seq = $2', [actor, seq]);
  const rows = (
    await ctx.db.query<{
      seq: number;
      at: Date;
      actor: string;
      action: string;
      person_id: number | null;
      detail: Record<string, unknown>;
      prev_hash: Uint8Array;
    }>('SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq', [seq])
  ).rows;
  let prev: Uint8Array = rows[0]!.prev_hash;
  for (const r of rows) {
    const h = rowHash(prev, Number(r.seq), new Date(r.at).toISOString(), {
      actor: r.actor,
      action: r.action,
      personId: r.person_id === null ? null : Number(r.person_id),
      detail: r.detail,
    });
    await ctx.db.query('UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3', [
      Buffer.from(prev),
      h,
      r.seq,
    ]);
    prev = h;
  }
}

describe('hash-chained audit log', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(() => ctx?.destroy());

  it('verifies an intact chain and finds an edited and a deleted row', async () => {
    await appendMany(ctx, 5);
    expect(await ctx.audit.verify()).toMatchObject({ ok: true, rows: 5, brokenAt: null, reason: null });

    await ctx.db.query(`UPDATE audit_log SET actor = 'officer:99' WHERE seq = 3`);
    expect(await ctx.audit.verify()).toMatchObject({ ok: false, brokenAt: 3, reason: 'CHAIN_BROKEN' });
    await ctx.db.query(`UPDATE audit_log SET actor = 'officer:2' WHERE seq = 3`);
    expect((await ctx.audit.verify()).ok).toBe(true);

    await ctx.db.query(`DELETE FROM audit_log WHERE seq = 4`);
    expect(await ctx.audit.verify()).toMatchObject({ ok: false, brokenAt: 5, reason: 'CHAIN_BROKEN' });
  });

  it('lists who read a person', async () => {
    const seen = await ctx.audit.forPerson(2);
    expect(seen).toEqual([expect.objectContaining({ actor: 'officer:1', action: 'person.read' })]);
  });
});

describe('signed checkpoints anchor the chain', () => {
  let ctx: TestContext;
  let published: PublishedCheckpoint;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.keys.ensureKey();
    await appendMany(ctx, 6);
    published = (await ctx.audit.checkpoint())!;
    await appendMany(ctx, 2, 6);
  });
  afterAll(() => ctx?.destroy());

  it('a checkpoint is signed by the platform key and published to administrators only', async () => {
    expect(published).toMatchObject({ seq: 6, alg: -7 });
    expect(published.hash).toMatch(/^[0-9a-f]{64}$/);
    // Nothing new since the last one: no second checkpoint of the same head.
    const second = await ctx.audit.checkpoint();
    expect(second).toMatchObject({ seq: 8 });
    expect(await ctx.audit.checkpoint()).toBeUndefined();
    expect((await ctx.audit.checkpoints()).map((c) => c.seq)).toEqual([8, 6]);
    expect(await ctx.audit.verify()).toMatchObject({ ok: true, rows: 8, checkpoints: 2, reason: null });

    const { app } = await buildServer(ctx, { logger: false, extraRoutes: [auditRoutes] });
    try {
      await ctx.auth.addStaff('auditor', 'pass-word-123', '管理员', 'admin', '');
      await ctx.auth.addStaff('clerk', 'pass-word-123', '官员', 'officer', '5201');
      const get = async (user: string) =>
        app.inject({
          method: 'GET',
          url: '/v1/audit/checkpoints',
          headers: {
            authorization: `Bearer ${(await ctx.auth.staffLogin(user, 'pass-word-123')).accessToken}`,
          },
        });
      const ok = await get('auditor');
      expect(ok.statusCode).toBe(200);
      expect((ok.json() as { checkpoints: PublishedCheckpoint[] }).checkpoints[1]).toEqual(published);
      expect((await get('clerk')).statusCode).toBe(403);
      expect((await app.inject({ method: 'GET', url: '/v1/audit/checkpoints' })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('deleting the newest rows (truncation) is detected', async () => {
    await ctx.db.query('DELETE FROM audit_log WHERE seq >= 7');
    expect(await ctx.audit.verify()).toMatchObject({ ok: false, reason: 'TRUNCATED', brokenAt: 7, rows: 6 });
    // Without the stored checkpoints, the published copy still tells.
    await ctx.db.query('DELETE FROM audit_checkpoints WHERE seq = 8');
    expect(await ctx.audit.verify()).toMatchObject({ ok: true, rows: 6 });
    await ctx.db.query('DELETE FROM audit_log WHERE seq >= 5');
    await ctx.db.query('DELETE FROM audit_checkpoints');
    expect((await ctx.audit.verify()).ok).toBe(true);
    expect(await ctx.audit.verify(undefined, [published])).toMatchObject({
      ok: false,
      reason: 'TRUNCATED',
      brokenAt: 5,
    });
  });
});

describe('an edited row with the later hashes recomputed', () => {
  let ctx: TestContext;
  let published: PublishedCheckpoint;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.keys.ensureKey();
    await appendMany(ctx, 5);
    published = (await ctx.audit.checkpoint())!;
    await appendMany(ctx, 3, 5);
  });
  afterAll(() => ctx?.destroy());

  it('passes the chain walk but not the checkpoint; a forged checkpoint is found too', async () => {
    await editAndRehash(ctx, 3, 'officer:innocent');
    expect(await ctx.audit.verify()).toMatchObject({
      ok: false,
      reason: 'CHECKPOINT_MISMATCH',
      brokenAt: 5,
      rows: 4,
    });
    // Rewriting the stored checkpoint's hash breaks its signature.
    const head5 = (await ctx.db.query<{ hash: Uint8Array }>('SELECT hash FROM audit_log WHERE seq = 5'))
      .rows[0]!;
    await ctx.db.query('UPDATE audit_checkpoints SET hash = $1', [Buffer.from(head5.hash)]);
    expect(await ctx.audit.verify()).toMatchObject({ ok: false, reason: 'CHECKPOINT_FORGED', brokenAt: 5 });
    // Deleting it leaves the published copy.
    await ctx.db.query('DELETE FROM audit_checkpoints');
    expect((await ctx.audit.verify()).ok).toBe(true);
    expect(await ctx.audit.verify(undefined, [published])).toMatchObject({
      ok: false,
      reason: 'CHECKPOINT_MISMATCH',
      brokenAt: 5,
    });
    // A published copy with a changed hash is refused as forged, not believed.
    expect(
      await ctx.audit.verify(undefined, [{ ...published, hash: Buffer.from(head5.hash).toString('hex') }]),
    ).toMatchObject({ ok: false, reason: 'CHECKPOINT_FORGED' });
  });
});
