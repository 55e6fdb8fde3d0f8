/**
 * Test fixture: the platform (createTestContext) plus the nucleic-acid testing service on the same bus, the
 * code service's intermediate-store consumer and a recompute worker, and devices to call with.
 */
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { startTestingRole, type TestingRunning } from '../../src/roles/nat-testing.role.ts';
import { RecomputeWorker } from '../../src/services/recompute.worker.ts';
import { createIntermediateStoreConsumer } from '../../src/roles/results.feature.ts';
import type { IntermediateStoreConsumer } from '../../src/services/results/intermediate-store.consumer.ts';
import { createTestContext, type TestContext } from '../context.ts';

export interface TestingWorld {
  ctx: TestContext;
  testing: TestingRunning;
  app: FastifyInstance;
  consumer: IntermediateStoreConsumer;
  worker: RecomputeWorker;
  tester: { id: number; apiKey: string };
  lab: { id: number; apiKey: string };
  close(): Promise<void>;
}

/** The whole flow in one process: testing service → outbox → bus → intermediate store → colours. */
export async function createTestingWorld(env: NodeJS.ProcessEnv = {}): Promise<TestingWorld> {
  const ctx = await createTestContext();
  await ctx.keys.ensureKey();
  const testing = await startTestingRole(ctx, {
    listen: false,
    env: { HC_TESTING_RELAY_INTERVAL_MS: '50', ...env },
  });
  const consumer = createIntermediateStoreConsumer(ctx, ctx.log);
  await consumer.start();
  const worker = new RecomputeWorker(ctx.bus, ctx.statuses, ctx.log);
  await worker.start();
  const tester = await ctx.auth.addDevice('采样点 1 号机 site 1 device', 'tester');
  const lab = await ctx.auth.addDevice('金域检验 lab', 'lab');
  return {
    ctx,
    testing,
    app: testing.app,
    consumer,
    worker,
    tester,
    lab,
    async close() {
      await testing.stop();
      await consumer.stop();
      await worker.stop();
      await ctx.destroy();
    },
  };
}

/** Waits until `check` returns true (bus work is asynchronous); fails with `what` after the timeout. */
export async function eventually(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  await expect
    .poll(check, { timeout: timeoutMs, interval: 50, message: `timed out waiting for ${what}` })
    .toBe(true);
}

export const apiKey = (k: string) => ({ 'x-api-key': k });
