/**
 * The feed streams: the companion engine's messages on `feeds.key-population` become companion
 * facts (orange), replays change nothing, bad records are set aside on `feeds.rejected.<feed>`.
 * Embedded: the in-process bus; with HC_TEST_SERVICES=1: a NATS JetStream stream of its own.
 */
import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NatsFeedStream } from '../../adapters/feeds/nats-feed-stream.ts';
import { Colour5 } from '../../domain/colour.ts';
import type { EventBus, Subscription } from '../../ports/event-bus.port.ts';
import { createTestContext, NATS_URL, USE_SERVICES, type TestContext } from '../../../test/context.ts';
import { createResident } from '../../../test/factories.ts';
import { consumeFeeds } from './feeds.worker.ts';
import { createIngestService, watchFacts } from '../../roles/feeds.feature.ts';

describe('feed stream consumers', () => {
  let ctx: TestContext;
  let stream: EventBus;
  let nats: NatsFeedStream | undefined;
  let subs: Subscription[] = [];
  beforeEach(async () => {
    ctx = await createTestContext();
    if (USE_SERVICES) {
      const s = crypto.randomBytes(4).toString('hex');
      nats = await NatsFeedStream.connect({ url: NATS_URL, stream: `FEEDS_T_${s}`, prefix: `t${s}.` });
      stream = nats;
    } else stream = ctx.bus;
  });
  afterEach(async () => {
    for (const s of subs) await s.stop();
    subs = [];
    await nats?.destroy();
    await nats?.close();
    await ctx.destroy();
  });

  // Waits for a condition (an upper bound for a loaded machine, not a timing assertion).
  async function until(check: () => Promise<boolean>): Promise<void> {
    await expect.poll(check, { timeout: 60_000, interval: 50 }).toBe(true);
  }

  it('turns companion messages into facts once and sets bad ones aside', async () => {
    const ingest = createIngestService(ctx, { followUp: 'recompute' });
    subs = await consumeFeeds(stream, ingest, ctx.log, ['key-population']);
    const rejected: unknown[] = [];
    subs.push(
      await stream.subscribe(
        'feeds.rejected.key-population',
        'test-rejected',
        async (p) => void rejected.push(p),
      ),
    );
    const p = await createResident(ctx, { regionCode: '520103' });
    const now = Math.floor(Date.now() / 1000);
    const msg = {
      sourceId: 'companion:2026-11-19:case-17:p-88',
      personRef: p.phone,
      category: 'companion',
      tier: 'medium',
      list: '时空伴随 2026-11-19',
      caseRef: 'case-17',
      seconds: 1260,
      firstTs: now - 7200,
      lastTs: now - 5940,
      eventTime: now - 600,
    };
    await stream.publish('feeds.key-population', msg);
    await stream.publish('feeds.key-population', msg);
    await stream.publish('feeds.key-population', [
      { ...msg, sourceId: 'companion:bad', personRef: 'not-a-phone' },
    ]);
    await until(
      async () => rejected.length > 0 && (await ctx.repos.statuses.get(p.id))?.colour5 === Colour5.orange,
    );
    const facts = await ctx.facts.forPerson(p.id);
    expect(facts.map((f) => [f.type, f.data.list, f.data.seconds, f.data.lastExposureAt])).toEqual([
      ['companion', '时空伴随 2026-11-19', 1260, (now - 5940) * 1000],
    ]);
    expect((await ctx.repos.statuses.get(p.id))?.colour5).toBe(Colour5.orange);
    expect(rejected[0]).toMatchObject({
      feed: 'key-population',
      errors: [{ code: 'ROW_BAD_VALUE', field: 'person_ref', sourceId: 'companion:bad' }],
    });
    const tasks = await ctx.db.query<{ region_code: string }>(
      'SELECT region_code FROM response_tasks WHERE person_id = $1',
      [p.id],
    );
    expect(tasks.rows).toEqual([{ region_code: '520103' }]);
  });

  it('follows facts written by another process (no shared bus) so this process’s hot status changes', async () => {
    const p = await createResident(ctx);
    expect((await ctx.statuses.hot(p.id))?.colour5).toBe(Colour5.green);
    const stop = await watchFacts(ctx, 50);
    try {
      // As `hc import` in another process would: the row only, no event on this process's bus.
      await ctx.repos.facts.insert(
        {
          personId: p.id,
          type: 'close_contact',
          source: 'key-population',
          sourceRecordId: 'other-process-1',
          eventTime: Date.now() - 60_000,
          data: { list: 'L' },
        },
        Date.now(),
      );
      await until(async () => (await ctx.cache.get(p.id))?.colour5 === Colour5.red);
      expect((await ctx.cache.get(p.id))?.colour5).toBe(Colour5.red);
    } finally {
      await stop();
    }
  });
});
