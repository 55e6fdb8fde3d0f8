import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
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
});
