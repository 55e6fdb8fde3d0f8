/**
 * Corrections cannot hide risk (docs/POLICY.md), end to end: an officer corrects a resident to
 * green; a confirmed case for them then arrives through the key-population feed — over HTTP and on
 * the feed stream (the in-process bus embedded; NATS JetStream with HC_TEST_SERVICES=1) — and
 * `GET /v1/me/code` shows purple, the correction still listed. A correction beyond the policy's
 * maximum lifetime is refused.
 */
import crypto from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsFeedStream } from '../../src/adapters/feeds/nats-feed-stream.ts';
import type { App } from '../../src/http/app.ts';
import type { EventBus, Subscription } from '../../src/ports/event-bus.port.ts';
import { consumeFeeds } from '../../src/services/feeds/feeds.worker.ts';
import { RecomputeWorker } from '../../src/services/recompute.worker.ts';
import { createTestContext, NATS_URL, USE_SERVICES, type TestContext } from '../context.ts';
import { createResident } from '../factories.ts';
import { bearer, httpLogin, testServer } from './http.ts';
import { createIngestService, feedRouteModule as feedRoutes } from '../../src/roles/feeds.feature.ts';

const DAY = 86_400_000;

describe(`a case after a green correction shows purple (${USE_SERVICES ? 'PostgreSQL, Redis, NATS' : 'embedded'})`, () => {
  let ctx: TestContext;
  let app: App;
  let worker: RecomputeWorker;
  let stream: EventBus;
  let nats: NatsFeedStream | undefined;
  let subs: Subscription[] = [];
  let officer: string;
  let peerKey: string;

  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.keys.ensureKey();
    worker = new RecomputeWorker(ctx.bus, ctx.statuses, pino({ level: 'silent' }), {
      reviewIntervalMs: 60_000,
    });
    await worker.start();
    if (USE_SERVICES) {
      const s = crypto.randomBytes(4).toString('hex');
      nats = await NatsFeedStream.connect({ url: NATS_URL, stream: `FEEDS_T_${s}`, prefix: `t${s}.` });
      stream = nats;
    } else stream = ctx.bus;
    subs = await consumeFeeds(stream, createIngestService(ctx, { followUp: 'announce' }), ctx.log, [
      'key-population',
    ]);
    app = await testServer(ctx, [feedRoutes]);
    await ctx.auth.addStaff('officer-nm', 'pass-word-123', '南明区 officer', 'officer', '5201');
    officer = (await ctx.auth.staffLogin('officer-nm', 'pass-word-123')).accessToken;
    peerKey = (await ctx.auth.addDevice('卫健委 health commission', 'peer')).apiKey;
  });
  afterAll(async () => {
    for (const s of subs) await s.stop();
    await app?.close();
    await worker?.stop();
    await nats?.destroy();
    await nats?.close();
    await ctx?.destroy();
  });

  const code = async (token: string) =>
    (await app.inject({ method: 'GET', url: '/v1/me/code', headers: bearer(token) })).json() as {
      colour5: number;
      display: { reasons: Array<{ rule: string }> };
    };

  /** A resident who was a close contact, corrected to green by an officer. */
  async function correctedToGreen(): Promise<{ id: number; token: string; docNumber: string }> {
    const p = await createResident(ctx, { regionCode: '520102' });
    const token = await httpLogin(app, ctx, p.phone);
    const contact = await app.inject({
      method: 'POST',
      url: '/v1/feeds/key-population',
      headers: { 'x-api-key': peerKey },
      payload: {
        sourceId: `mj-${p.id}`,
        docType: 10,
        docNumber: p.input.docNumber,
        category: 'close_contact',
        list: '南明区密接',
      },
    });
    expect(contact.statusCode).toBe(201);
    await expect.poll(async () => (await code(token)).colour5, { timeout: 10_000 }).toBe(3);
    const corrected = await app.inject({
      method: 'POST',
      url: `/v1/persons/${p.id}/corrections`,
      headers: bearer(officer),
      payload: {
        colour5: 'green',
        reason: '核实为同名误报 wrong person on the list',
        expiresAt: new Date(Date.now() + 7 * DAY).toISOString(),
      },
    });
    expect(corrected.statusCode).toBe(201);
    await expect.poll(async () => (await code(token)).colour5, { timeout: 10_000 }).toBe(0);
    expect((await code(token)).display.reasons.map((r) => r.rule)).toEqual(['correction']);
    return { id: p.id, token, docNumber: p.input.docNumber };
  }

  it('through the key-population API', async () => {
    const p = await correctedToGreen();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/feeds/key-population',
      headers: { 'x-api-key': peerKey },
      payload: {
        sourceId: `case-${p.id}`,
        docType: 10,
        docNumber: p.docNumber,
        category: 'case',
        kind: 'confirmed',
        list: '确诊病例',
      },
    });
    expect(res.statusCode).toBe(201);
    await expect.poll(async () => (await code(p.token)).colour5, { timeout: 10_000 }).toBe(4);
    expect((await code(p.token)).display.reasons.map((r) => r.rule)).toEqual(['purple.case', 'correction']);
    expect((await ctx.repos.statuses.get(p.id))?.colour5).toBe(4);
  });

  it(`through the feed stream (${USE_SERVICES ? 'NATS JetStream' : 'in-process bus'})`, async () => {
    const p = await correctedToGreen();
    await stream.publish('feeds.key-population', {
      sourceId: `case-stream-${p.id}`,
      docType: 10,
      docNumber: p.docNumber,
      category: 'case',
      kind: 'asymptomatic',
      list: '无症状感染者',
      // it happened yesterday, before the correction, but was reported after it: not what the officer saw
      eventTime: Math.floor((Date.now() - DAY) / 1000),
    });
    await expect.poll(async () => (await code(p.token)).colour5, { timeout: 10_000 }).toBe(4);
    expect((await code(p.token)).display.reasons[0]?.rule).toBe('purple.case');
  });

  it('refuses an expiry beyond the policy maximum (correction.maxDays, 14 days by default)', async () => {
    const p = await createResident(ctx, { regionCode: '520102' });
    const correct = (expiresAt: string) =>
      app.inject({
        method: 'POST',
        url: `/v1/persons/${p.id}/corrections`,
        headers: bearer(officer),
        payload: { colour5: 'green', reason: '人工核查 manual review', expiresAt },
      });
    for (const expiresAt of ['9999-12-31T00:00:00Z', new Date(Date.now() + 15 * DAY).toISOString()]) {
      const r = await correct(expiresAt);
      expect([r.statusCode, r.json().error.code]).toEqual([400, 'CORRECTION_TOO_LONG']);
    }
    expect((await correct(new Date(Date.now() + 13 * DAY).toISOString())).statusCode).toBe(201);
  });
});
