/** HTTP tests for the feeds API and community response tasks, through the real server. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { Colour5 } from '../../domain/colour.ts';
import { RecomputeWorker } from '../../services/recompute.worker.ts';
import { createTestContext, type TestContext } from '../../../test/context.ts';
import { createResident, residentToken } from '../../../test/factories.ts';
import { buildServer } from '../server.ts';
import { feedRouteModule as feedRoutes } from '../../roles/feeds.feature.ts';

describe('feeds API and response tasks', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let worker: RecomputeWorker;
  let peerKey: string;
  let carrierKey: string;
  const staff: Record<string, string> = {};

  beforeEach(async () => {
    ctx = await createTestContext();
    await ctx.keys.ensureKey();
    worker = new RecomputeWorker(ctx.bus, ctx.statuses, pino({ level: 'silent' }), {
      reviewIntervalMs: 60_000,
    });
    await worker.start();
    app = (await buildServer(ctx, { logger: false, extraRoutes: [feedRoutes] })).app;
    peerKey = (await ctx.auth.addDevice('卫健委 health commission', 'peer')).apiKey;
    carrierKey = (await ctx.auth.addDevice('移动 carrier', 'carrier')).apiKey;
    for (const [u, region] of [
      ['nanming', '520102'],
      ['yunyan', '520103'],
      ['guiyang', '5201'],
    ] as const) {
      await ctx.auth.addStaff(u, 'pass-word-123', u, 'officer', region);
      staff[u] = (await ctx.auth.staffLogin(u, 'pass-word-123')).accessToken;
    }
  });
  afterEach(async () => {
    await app.close();
    await worker.stop();
    await ctx.destroy();
  });

  const push = (feed: string, body: unknown, key = peerKey) =>
    app.inject({
      method: 'POST',
      url: `/v1/feeds/${feed}`,
      headers: { 'x-api-key': key },
      payload: body as object,
    });

  it('a close-contact record from a department turns the resident red in GET /v1/me/code, naming the list', async () => {
    const p = await createResident(ctx, { regionCode: '520102' });
    const token = await residentToken(ctx, p.phone);
    const body = {
      sourceId: 'mj-9',
      docType: 10,
      docNumber: p.input.docNumber,
      category: 'close_contact',
      list: '南明区密接 11-19',
      tier: 'high',
    };
    const res = await push('key-population', body);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'accepted' });
    let code = { colour5: 0, display: { reasons: [] as Array<{ lists?: string[]; rule: string }> } };
    await expect
      .poll(
        async () => {
          code = (
            await app.inject({
              method: 'GET',
              url: '/v1/me/code',
              headers: { authorization: `Bearer ${token}` },
            })
          ).json();
          return code.colour5;
        },
        { timeout: 60_000, interval: 30 },
      )
      .toBe(Colour5.red);
    expect(code.display.reasons[0]).toMatchObject({ rule: 'red.close_contact', lists: ['南明区密接 11-19'] });
    const again = await push('key-population', body);
    expect([again.statusCode, again.json().status]).toEqual([200, 'duplicate']);
  });

  it('rejects bad records with field and code, and callers without the feed role', async () => {
    const bad = await push('persons', {
      source_id: 'x1',
      doc_type: 10,
      doc_number: '520102199001011071',
      name: '赵敏',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({
      code: 'DOC_BAD_CHECK_CHARACTER',
      details: [{ field: 'doc_number', group: 'ROW_INVALID_DOCUMENT' }],
    });
    expect(
      (
        await push(
          'key-population',
          { sourceId: 'a', personRef: '13800000000', category: 'companion', list: 'x' },
          carrierKey,
        )
      ).statusCode,
    ).toBe(403);
    expect(
      (await push('pings', { sourceId: 'b', phone: '13800000000', ts: 1, lat: 1, lon: 1 }, peerKey))
        .statusCode,
    ).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/v1/feeds/persons', payload: {} })).statusCode).toBe(
      401,
    );
    const batch = await app.inject({
      method: 'POST',
      url: '/v1/feeds/persons/batch',
      headers: { 'x-api-key': peerKey },
      payload: {
        records: [
          { source_id: 'ok-1', doc_type: 20, doc_number: 'E7654321', name: 'Ann Lee' },
          { source_id: 'bad-1', doc_type: 99, doc_number: '', name: 'X' },
        ],
      },
    });
    expect(batch.json()).toMatchObject({
      accepted: 1,
      duplicates: 0,
      rejected: 1,
      errors: [{ line: 2, field: 'doc_number', code: 'ROW_MISSING_FIELD' }],
    });
  });

  it('carriers push ping blocks once; stays follow', async () => {
    const p = await createResident(ctx);
    const t0 = Date.now() - 3 * 3600_000;
    const pings = Array.from({ length: 7 }, (_, i) => ({
      ts: new Date(t0 + i * 5 * 60_000).toISOString(),
      lat: 26.58,
      lon: 106.71,
    }));
    const r1 = await push('pings', { sourceId: 'blk-1', phone: p.phone, pings }, carrierKey);
    expect([r1.statusCode, r1.json().accepted]).toEqual([201, 7]);
    const r2 = await push('pings', { sourceId: 'blk-1', phone: p.phone, pings }, carrierKey);
    expect([r2.statusCode, r2.json().duplicates]).toEqual([200, 7]);
    const stays = await ctx.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM stays WHERE person_id = $1 AND source = 'carrier'",
      [p.id],
    );
    expect(stays.rows[0]?.n).toBe(1);
  });

  it('entry opens a task for the home region; only that region’s officers list and move it, forward only', async () => {
    const p = await createResident(ctx, { regionCode: '520102' });
    expect(
      (
        await push('key-population', {
          sourceId: 'cm-1',
          phone: p.phone,
          category: 'companion',
          list: '时空伴随 11-19',
        })
      ).statusCode,
    ).toBe(201);
    const list = (who: string) =>
      app.inject({
        method: 'GET',
        url: '/v1/response-tasks',
        headers: { authorization: `Bearer ${staff[who]}` },
      });
    const mine = (await list('nanming')).json().tasks;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      personId: p.id,
      regionCode: '520102',
      list: '时空伴随 11-19',
      category: 'companion',
      tier: 'medium',
      state: 'open',
    });
    expect((await list('guiyang')).json().tasks).toHaveLength(1);
    expect((await list('yunyan')).json().tasks).toHaveLength(0);
    const move = (who: string, state: string) =>
      app.inject({
        method: 'PATCH',
        url: `/v1/response-tasks/${mine[0].id}`,
        headers: { authorization: `Bearer ${staff[who]}` },
        payload: { state, note: '已电话联系' },
      });
    expect((await move('yunyan', 'contacted')).statusCode).toBe(404);
    const moved = await move('nanming', 'contacted');
    expect([moved.statusCode, moved.json().state, moved.json().note]).toEqual([
      200,
      'contacted',
      '已电话联系',
    ]);
    expect((await move('nanming', 'open')).json().error.code).toBe('TASK_BAD_TRANSITION');
    expect((await move('nanming', 'tested')).statusCode).toBe(200);
    expect((await move('nanming', 'closed')).json().state).toBe('closed');
    const audit = await ctx.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE action = 'task.move'",
    );
    expect(audit.rows).toHaveLength(3);
  });
});
