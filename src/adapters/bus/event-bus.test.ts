/** One suite for both event buses: in-process (default) and NATS JetStream (HC_TEST_SERVICES=1). */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBus } from '../../ports/event-bus.port.ts';
import { MemoryBus, subjectPattern } from './memory-bus.ts';
import { NatsBus } from './nats-bus.ts';
import { NATS_URL, USE_SERVICES } from '../../../test/context.ts';

// Waits for a condition (an upper bound for a loaded machine, not a timing assertion).
async function eventually(check: () => boolean): Promise<void> {
  await expect.poll(check, { timeout: 60_000, interval: 10 }).toBe(true);
}

describe(`event bus (${USE_SERVICES ? 'NATS JetStream' : 'in-process'})`, () => {
  let bus: EventBus;
  const suffix = crypto.randomBytes(4).toString('hex');
  beforeAll(async () => {
    bus = USE_SERVICES
      ? await NatsBus.connect({ url: NATS_URL, stream: `HCT_BUS_${suffix}`, prefix: `b${suffix}.` })
      : new MemoryBus();
  });
  afterAll(async () => {
    if (bus instanceof NatsBus) await bus.destroy();
    await bus.close();
  });

  it('delivers each event once per group, to one member of the group', async () => {
    const a: number[] = [];
    const b: number[] = [];
    const other: number[] = [];
    const s1 = await bus.subscribe('hc.test.one', 'g1', async (p) => void a.push((p as { n: number }).n));
    const s2 = await bus.subscribe('hc.test.one', 'g1', async (p) => void b.push((p as { n: number }).n));
    const s3 = await bus.subscribe('hc.test.one', 'g2', async (p) => void other.push((p as { n: number }).n));
    for (let n = 0; n < 20; n++) await bus.publish('hc.test.one', { n });
    await eventually(() => a.length + b.length === 20 && other.length === 20);
    expect([...a, ...b].sort((x, y) => x - y)).toEqual([...Array(20).keys()]);
    for (const s of [s1, s2, s3]) await s.stop();
  });

  it('redelivers an event whose handler failed', async () => {
    let attempts = 0;
    const done: string[] = [];
    const s = await bus.subscribe('hc.test.retry', 'g-retry', async (p) => {
      attempts++;
      if (attempts < 3) throw new Error('transient');
      done.push((p as { id: string }).id);
    });
    await bus.publish('hc.test.retry', { id: 'x' });
    await eventually(() => done.length === 1);
    expect(attempts).toBe(3);
    await s.stop();
  });

  it('matches wildcard subjects', () => {
    expect(subjectPattern('hc.facts.*').test('hc.facts.added')).toBe(true);
    expect(subjectPattern('hc.facts.*').test('hc.facts.added.x')).toBe(false);
    expect(subjectPattern('hc.>').test('hc.facts.added.x')).toBe(true);
  });
});
