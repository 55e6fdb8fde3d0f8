import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_IN_FLIGHT, loadConfig } from '../config.ts';
import { registerOverloadGuard } from './overload.ts';

describe('overload guard', () => {
  it('answers the excess with 429 and Retry-After while admitted requests complete', async () => {
    const app = Fastify();
    let shed = 0;
    registerOverloadGuard(app, 3, () => shed++);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inside = 0;
    app.get('/slow', async () => {
      inside++;
      await gate;
      return { ok: true };
    });
    app.get('/healthz', async () => ({ ok: true }));
    await app.ready();
    const admitted = [0, 1, 2].map(() => app.inject({ method: 'GET', url: '/slow' }));
    await expect.poll(() => inside).toBe(3); // all three admitted and in their handler
    const extra = await app.inject({ method: 'GET', url: '/slow' });
    expect(extra.statusCode).toBe(429);
    expect(extra.headers['retry-after']).toBe('1');
    expect(extra.json().error.code).toBe('OVERLOADED');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    release();
    expect((await Promise.all(admitted)).map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect((await app.inject({ method: 'GET', url: '/slow' })).statusCode).toBe(200);
    expect(shed).toBe(1);
  });

  it('sheds at the default limit: a burst beyond it gets 429 with Retry-After while /healthz answers', async () => {
    const limit = loadConfig({}).maxInFlight;
    expect(limit).toBe(DEFAULT_MAX_IN_FLIGHT);
    expect(limit).toBeLessThan(512); // 512 never shed on this machine
    const app = Fastify();
    registerOverloadGuard(app, limit);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inside = 0;
    app.get('/v1/held', async () => {
      inside++;
      await gate;
      return { ok: true };
    });
    app.get('/healthz', async () => ({ ok: true }));
    await app.ready();
    const admitted = Array.from({ length: limit }, () => app.inject({ method: 'GET', url: '/v1/held' }));
    await expect.poll(() => inside).toBe(limit); // the default's worth of requests held in their handler
    const burst = await Promise.all(
      Array.from({ length: 20 }, () => app.inject({ method: 'GET', url: '/v1/held' })),
    );
    expect(burst.map((r) => r.statusCode)).toEqual(Array(20).fill(429));
    expect(burst.every((r) => r.headers['retry-after'] === '1')).toBe(true);
    expect(burst[0]?.json().error.code).toBe('OVERLOADED');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    release();
    expect((await Promise.all(admitted)).every((r) => r.statusCode === 200)).toBe(true);
    expect(inside).toBe(limit);
    await app.close();
  });
});
