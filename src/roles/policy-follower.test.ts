/**
 * A policy version published by one process reaches every other process on the same database
 * (the second api, the worker, the companion), not only the one that published it.
 */
import crypto from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../adapters/bus/memory-bus.ts';
import { MemoryStatusCache } from '../adapters/cache/memory-status-cache.ts';
import { createTestContext, type TestContext } from '../../test/context.ts';
import { createContext, type AppContext } from './context.ts';

describe('policy follower', () => {
  let ctx: TestContext;
  let other: AppContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    // a second process on the same database
    other = await createContext(ctx.config, {
      db: ctx.db,
      cache: new MemoryStatusCache(),
      bus: new MemoryBus(),
      log: pino({ level: 'silent' }),
      masterKey: crypto.randomBytes(32),
      skipMigrate: true,
    });
  });
  afterAll(async () => {
    other.policyFollower.stop(); // the database is the first context's to close
    await ctx.destroy();
  });

  it('another process evaluates with the version published elsewhere', async () => {
    const before = (await other.policies.active()).policy;
    const version = `follower-${crypto.randomBytes(3).toString('hex')}`;
    await ctx.policies.publish({ ...before, version, feverThreshold: 37.6 }, 'test');
    expect((await ctx.policies.active()).policy.version).toBe(version);
    await expect
      .poll(async () => (await other.policies.active()).policy.version, { timeout: 10_000 })
      .toBe(version);
    expect((await other.policies.active()).policy.feverThreshold).toBe(37.6);
    expect(await other.policyFollower.check()).toBe(false); // nothing new since
  });
});
